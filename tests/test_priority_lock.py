"""The main connection's lock: a person's reply goes ahead of background work, without
starving it, and a waiter that gives up never wedges the lock."""

from __future__ import annotations

import asyncio
from pathlib import Path

from couplebot.store import Store
from couplebot.store.priority_lock import BACKGROUND_WAITS_AT_MOST, PriorityLock
from tests.conftest import TEST_KEY


async def _queue(lock: PriorityLock, order: list[str], name: str, *, urgent: bool) -> None:
    async with lock.hold(urgent=urgent):
        order.append(name)


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_an_urgent_waiter_goes_ahead_of_background_ones_queued_before_it() -> None:
    lock, order = PriorityLock(), []
    await lock.acquire()
    tasks = [asyncio.create_task(_queue(lock, order, f"b{i}", urgent=False)) for i in range(2)]
    await _settle()
    tasks.append(asyncio.create_task(_queue(lock, order, "u", urgent=True)))
    await _settle()
    lock.release()
    await asyncio.gather(*tasks)
    assert order == ["u", "b0", "b1"]
    assert not lock.locked()


async def test_a_stream_of_urgent_waiters_lets_a_background_one_in_once_it_waited_long() -> None:
    """Urgent waiters go ahead of a background one until it has waited
    BACKGROUND_WAITS_AT_MOST; then it goes next, however many urgent ones wait."""
    now = [0.0]
    lock, order = PriorityLock(clock=lambda: now[0]), []

    async def urgent_one(name: str) -> None:
        async with lock.hold(urgent=True):
            order.append(name)
            now[0] += BACKGROUND_WAITS_AT_MOST * 0.4  # each holds the lock a while

    await lock.acquire()
    tasks = [asyncio.create_task(_queue(lock, order, "b", urgent=False))]
    await _settle()
    tasks += [asyncio.create_task(urgent_one(f"u{i}")) for i in range(6)]
    await _settle()
    lock.release()
    await asyncio.gather(*tasks)
    assert order == ["u0", "u1", "u2", "b", "u3", "u4", "u5"]  # b had waited 1.2 x the bound
    assert not lock.locked()


async def test_a_waiter_cancelled_before_or_at_its_turn_passes_the_lock_on() -> None:
    lock, order = PriorityLock(), []
    await lock.acquire()
    gives_up = asyncio.create_task(_queue(lock, order, "gone", urgent=True))
    handed_then_cancelled = asyncio.create_task(_queue(lock, order, "late", urgent=True))
    waits = asyncio.create_task(_queue(lock, order, "b", urgent=False))
    await _settle()
    gives_up.cancel()
    await _settle()
    lock.release()  # hands it to "late", which is cancelled before it runs
    handed_then_cancelled.cancel()
    await waits
    assert order == ["b"]
    assert gives_up.cancelled() and handed_then_cancelled.cancelled()
    assert not lock.locked()


async def test_an_urgent_write_is_committed_before_background_writes_queued_earlier(
    tmp_path: Path,
) -> None:
    store = await Store.open(tmp_path / "bot.db", secret_key=TEST_KEY)
    try:
        committed: list[str] = []

        async def write(name: str, *, urgent: bool) -> None:
            async with store.write(urgent=urgent) as tx:
                await tx.meta.set(f"probe-{name}", "x")
            committed.append(name)

        async with store.write():  # the fan-out's batch holds the database
            background = [asyncio.create_task(write(f"b{i}", urgent=False)) for i in range(3)]
            await _settle()
            reply = asyncio.create_task(write("reply", urgent=True))
            await _settle()
        await asyncio.gather(*background, reply)
        assert committed[0] == "reply"
    finally:
        await store.close()


async def test_it_tells_a_holder_whether_an_urgent_waiter_is_queued() -> None:
    lock, order = PriorityLock(), []
    await lock.acquire()
    background = asyncio.create_task(_queue(lock, order, "b", urgent=False))
    await _settle()
    assert not lock.urgent_waiting()  # background work waiting is no reason to let go
    urgent = asyncio.create_task(_queue(lock, order, "u", urgent=True))
    await _settle()
    assert lock.urgent_waiting()
    urgent.cancel()
    await _settle()
    assert not lock.urgent_waiting()  # one that gave up is not waiting
    lock.release()
    await background
    assert order == ["b"]

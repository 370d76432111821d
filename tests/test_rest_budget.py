"""The client-side global budget: a slot is free `window` after its request left."""

from __future__ import annotations

import asyncio

from couplebot.rest_budget import GlobalBudget, counted


class ManualClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def _blocked(budget: GlobalBudget) -> bool:
    """Whether one more acquire has to wait (it is cancelled either way)."""
    task = asyncio.create_task(budget.acquire())
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    blocked = not task.done()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return blocked


async def test_a_slot_frees_a_window_after_its_request_left_not_when_granted() -> None:
    clock = ManualClock()
    budget = GlobalBudget(limit=2, window=1.0, clock=clock)
    first, second = await budget.acquire(), await budget.acquire()
    assert await _blocked(budget)  # both slots taken, neither request left yet
    clock.now += 0.3  # the first waited on our side before it went out
    budget.sent(first)
    budget.sent(second)
    clock.now += 0.9  # 1.2 s after it was granted, but 0.9 s after it left
    assert await _blocked(budget)
    clock.now += 0.1
    third = await budget.acquire()
    budget.done(third)  # never left: counts as leaving now
    fourth = await budget.acquire()
    budget.done(fourth)
    assert await _blocked(budget)


async def test_a_request_still_on_its_way_out_keeps_its_slot() -> None:
    clock = ManualClock()
    budget = GlobalBudget(limit=1, window=1.0, clock=clock)
    slot = await budget.acquire()
    clock.now += 5.0
    assert await _blocked(budget)  # granted long ago, but not sent and not done
    budget.done(slot)
    clock.now += 1.0
    assert not await _blocked(budget)


async def test_grants_are_spaced_so_a_free_budget_sends_no_burst() -> None:
    clock = ManualClock()
    budget = GlobalBudget(limit=50, window=1.0, clock=clock, spacing=0.01)
    budget.done(await budget.acquire())
    assert await _blocked(budget)  # 49 slots free, but the last grant was just now
    clock.now += 0.006
    assert await _blocked(budget)
    clock.now += 0.004
    budget.done(await budget.acquire())
    assert await _blocked(budget)


def test_interaction_callbacks_do_not_count() -> None:
    assert counted("/channels/1/messages")
    assert not counted("/interactions/1/token/callback")
    assert not counted("/webhooks/1/token")

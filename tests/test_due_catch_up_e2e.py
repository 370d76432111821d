"""The first start with many freshly written couples (an import, an upgrade): every
couple is planned once, in batches, and the weekly check-in the start owes each of them
goes out once; after it, a wake with nothing due costs the same whatever the number of
couples (issue 14, benchmark 2)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from couplebot.bot import CoupleBot
from couplebot.clock import ManualClock
from couplebot.fake_discord import FakeDiscord, FakeGuild
from couplebot.services import due as due_module
from couplebot.store import Store
from couplebot.store.bulk import NewCouple, write_accepted_couples

from .conftest import TEST_KEY, BotRunner

# More couples than one planning batch holds, so several batches run.
MANY = due_module.TX_BATCH_COUPLES * 2 + 7
# The runner's clock: Monday 05:00 UTC, inside the grace period of Sunday's check-in.
NOW = datetime(2026, 6, 1, 5, 0, tzinfo=UTC)


def add_couples(fake: FakeDiscord, n: int) -> list[FakeGuild]:
    guilds = []
    for i in range(n):
        a, b = fake.add_user(f"A{i}"), fake.add_user(f"B{i}")
        guilds.append(fake.add_guild(f"Couple {i}", [a, b]))
    return guilds


async def write_couples(database: Path, guilds: list[FakeGuild]) -> None:
    """Accepted couples written with plain SQL, as an import would: never planned."""
    store = await Store.open(database, secret_key=TEST_KEY)  # migrates
    await store.close()
    couples = [NewCouple(g.id, g.channel_id, (g.members[1].id, g.members[2].id)) for g in guilds]
    write_accepted_couples(
        database,
        couples,
        question_time=time(8, 0),
        created=NOW - timedelta(days=30),
        themes={"light"},
        deep_days=(),
    )


def due_rows(database: Path) -> list[tuple[int, str, str]]:
    conn = sqlite3.connect(database)
    try:
        return conn.execute(
            "SELECT couple_id, item, due_at FROM due_work ORDER BY couple_id, item"
        ).fetchall()
    finally:
        conn.close()


def weekly_exchanges(database: Path) -> Counter[int]:
    conn = sqlite3.connect(database)
    try:
        rows = conn.execute("SELECT couple_id FROM exchanges WHERE kind = 'weekly'").fetchall()
    finally:
        conn.close()
    return Counter(couple_id for (couple_id,) in rows)


def posts_per_channel(fake: FakeDiscord) -> Counter[str]:
    return Counter(
        r.path.split("/")[2]
        for r in fake.requests
        if r.method == "POST" and r.path.startswith("/channels/") and r.path.endswith("/messages")
    )


async def wait_for_posts(fake: FakeDiscord, n: int) -> None:
    for _ in range(1000):
        if sum(posts_per_channel(fake).values()) >= n:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{sum(posts_per_channel(fake).values())} of {n} posts arrived")


async def first_start(runner: BotRunner, couples: int) -> CoupleBot:
    await write_couples(runner.database, add_couples(runner.fake, couples))
    runner.clock.set(NOW)
    bot = await runner.start()  # plans every couple (no ticks of its own in tests)
    await bot.tick()  # the first wake: this week's check-in, owed to everyone
    await wait_for_posts(runner.fake, couples)
    return bot


def planned_per_couple(database: Path) -> dict[int, dict[str, str]]:
    planned: dict[int, dict[str, str]] = {}
    for couple_id, item, due_at in due_rows(database):
        planned.setdefault(couple_id, {})[item] = due_at
    return planned


async def test_a_first_start_plans_every_couple_once_and_posts_each_check_in_once(
    fake: FakeDiscord, runner: BotRunner
) -> None:
    await first_start(runner, MANY)
    planned = planned_per_couple(runner.database)
    assert sorted(planned) == list(range(1, MANY + 1))  # nobody lost between batches
    # The same settings plan the same items at the same instants for every couple,
    # this week's check-in done, so next Sunday's is planned.
    assert len({tuple(sorted(items.items())) for items in planned.values()}) == 1
    items = planned[1]
    assert items["daily"].startswith("2026-06-01T08:00")
    assert items["weekly"].startswith("2026-06-07")
    assert weekly_exchanges(runner.database) == Counter(range(1, MANY + 1))
    assert set(posts_per_channel(fake).values()) == {1}  # one check-in in each channel
    rows = due_rows(runner.database)

    bot = await runner.restart()  # a second start finds nothing to redo
    await bot.tick()
    await bot.services.outbox.flush()
    assert due_rows(runner.database) == rows
    assert weekly_exchanges(runner.database) == Counter(range(1, MANY + 1))
    assert set(posts_per_channel(fake).values()) == {1}


async def test_a_first_start_cut_off_halfway_is_completed_once_by_the_next(
    fake: FakeDiscord, runner: BotRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    guilds = add_couples(fake, MANY)
    await write_couples(runner.database, guilds)
    runner.clock.set(NOW)
    real_batch = due_module.DueWork._plan_batch
    batches = [0]

    async def stops_after_one(self: due_module.DueWork, tx: object, ids: list[int]) -> list[int]:
        batches[0] += 1
        if batches[0] > 1:
            raise RuntimeError("the process stops here")
        return await real_batch(self, tx, ids)  # type: ignore[arg-type]

    monkeypatch.setattr(due_module.DueWork, "_plan_batch", stops_after_one)
    monkeypatch.setattr(due_module.DueWork, "replan", _stopped)
    await runner.start()
    cut_off = planned_per_couple(runner.database)
    assert 0 < len(cut_off) < MANY  # the first batch was committed, the rest was not
    await runner.stop()

    monkeypatch.undo()
    bot = await runner.start()
    await bot.tick()
    await wait_for_posts(fake, MANY)
    planned = planned_per_couple(runner.database)
    assert sorted(planned) == list(range(1, MANY + 1))
    assert len({tuple(sorted(items.items())) for items in planned.values()}) == 1
    assert weekly_exchanges(runner.database) == Counter(range(1, MANY + 1))
    assert set(posts_per_channel(fake).values()) == {1}


async def _stopped(self: object, couple_id: int) -> None:
    raise RuntimeError("the process stops here")


async def statements_of_an_idle_wake(runner: BotRunner, couples: int) -> int:
    bot = await first_start(runner, couples)
    await bot.services.outbox.flush()
    counted = [0]

    def count(_statement: str) -> None:
        counted[0] += 1

    assert runner.store is not None
    for conn in runner.store.db.connections():
        await conn.set_trace_callback(count)
    await bot.tick()
    for conn in runner.store.db.connections():
        await conn.set_trace_callback(None)
    await runner.stop()
    return counted[0]


@pytest.mark.parametrize("couples", [MANY])
async def test_a_wake_with_nothing_due_costs_the_same_for_few_and_many_couples(
    fake: FakeDiscord, runner: BotRunner, tmp_path: Path, couples: int
) -> None:
    many = await statements_of_an_idle_wake(runner, couples)
    few_fake = FakeDiscord(spec_path="default")
    await few_fake.start()
    try:
        few_runner = BotRunner(few_fake, tmp_path / "few.db", runner.content)
        try:
            few = await statements_of_an_idle_wake(few_runner, 2)
        finally:
            await few_runner.stop()
    finally:
        await few_fake.close()
    assert 0 < few == many


async def test_replies_marks_ask_for_one_wake_until_a_run_asks_for_the_next(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    """Each reply stores a replan mark due now; the wake already asked for serves them all
    (asking again each time rescheduled APScheduler's job about 100 times a second)."""
    database = tmp_path / "wake.db"
    await write_couples(database, add_couples(fake, 3))
    store = await Store.open(database, secret_key=TEST_KEY)
    try:
        due = due_module.DueWork(store, ManualClock(NOW))
        asked: list[datetime] = []
        due.wake_with(asked.append)
        async with store.read() as tx:
            couples = [c for c in [await tx.couples.get(i) for i in (1, 2, 3)] if c]
        for couple in couples[:2]:
            async with store.write(urgent=True) as tx:
                await due.plan_soon(tx, couple)
        assert asked == [NOW]  # one wake for both marks
        assert await due.run() == 2  # the marks become replans; nothing else is due
        async with store.write(urgent=True) as tx:
            await due.plan_soon(tx, couples[2])
        assert asked == [NOW, NOW]  # the run is over: a new mark asks again
    finally:
        await store.close()

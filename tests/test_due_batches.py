"""The due-work queue's batches: many couples per transaction, but never in a person's way."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from couplebot.clock import ManualClock
from couplebot.domain.models import Couple
from couplebot.services import due as due_module
from couplebot.store import Tx

from .conftest import store_with_couples

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
MANY = due_module.TX_BATCH_COUPLES * 2


async def test_a_batch_commits_early_when_someones_write_waits_for_it(tmp_path: Path) -> None:
    """A submit that arrives while the morning's batch holds the database waits for one
    couple's work, not for the rest of the batch (up to 50 couples or 20 ms)."""
    store = await store_with_couples(tmp_path / "batches.db", MANY, created=NOW - timedelta(days=3))
    ran: list[int] = []
    ran_before_the_submit: list[int] = []
    submits: list[asyncio.Task[None]] = []

    async def submit() -> None:
        async with store.write(urgent=True):
            ran_before_the_submit.append(len(ran))

    async def planner(tx: Tx, couple: Couple, now: datetime) -> dict[str, datetime | None]:
        return {"ping": None if couple.id in ran else NOW}

    async def ping(tx: Tx, couple: Couple, now: datetime) -> None:
        ran.append(couple.id)
        if len(ran) == 3:
            submits.append(asyncio.create_task(submit()))
        await asyncio.sleep(0)  # (a real handler's statements let the submit queue up)

    try:
        due = due_module.DueWork(store, ManualClock(NOW))
        due.register(planner, {}, {"ping": ping})
        await due.replan_all()
        assert await due.run() == MANY
        await asyncio.gather(*submits)
    finally:
        await store.close()
    assert sorted(ran) == list(range(1, MANY + 1))  # each couple once
    assert ran_before_the_submit == [3]  # the batch let go after the item in progress


async def test_a_replan_mark_for_an_item_runs_only_that_items_planner(tmp_path: Path) -> None:
    """After an answer only its kind's planner changes: a full replan (every feature's
    queries) per answer kept a busy morning's replies waiting for the database."""
    store = await store_with_couples(tmp_path / "marks.db", 1, created=NOW - timedelta(days=3))
    planned: list[str] = []

    def planner(name: str) -> due_module.Planner:
        async def plan(tx: Tx, couple: Couple, now: datetime) -> dict[str, datetime | None]:
            planned.append(name)
            return {name: NOW + timedelta(days=1)}

        return plan

    async def nothing(tx: Tx, couple: Couple, now: datetime) -> None:
        """Never due in this test."""

    try:
        due = due_module.DueWork(store, ManualClock(NOW))
        due.register(planner("first"), {}, {"first": nothing})
        due.register(planner("second"), {}, {"second": nothing})
        await due.replan_all()
        assert sorted(planned) == ["first", "second"]
        async with store.read() as tx:
            couple = await tx.couples.get(1)
        assert couple is not None
        planned.clear()
        async with store.write(urgent=True) as tx:
            await due.plan_soon(tx, couple, "second")
        assert await due.run() == 1
        assert planned == ["second"]
        async with store.write(urgent=True) as tx:
            await due.plan_soon(tx, couple)
        planned.clear()
        assert await due.run() == 1
        assert sorted(planned) == ["first", "second"]  # no item named: every planner
        async with store.read() as tx:
            assert set(await tx.due.of(couple.id)) == {"first", "second"}  # marks are gone
    finally:
        await store.close()

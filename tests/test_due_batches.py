"""The due-work queue's batches: many couples per transaction, but never in a person's way."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from couplebot.clock import ManualClock
from couplebot.domain.models import Couple
from couplebot.services import due as due_module
from couplebot.store import Store, Tx
from couplebot.store.bulk import NewCouple, write_accepted_couples

from .conftest import TEST_KEY

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
MANY = due_module.TX_BATCH_COUPLES * 2


async def test_a_batch_commits_early_when_someones_write_waits_for_it(tmp_path: Path) -> None:
    """A submit that arrives while the morning's batch holds the database waits for one
    couple's work, not for the rest of the batch (up to 50 couples or 20 ms)."""
    database = tmp_path / "batches.db"
    await (await Store.open(database, secret_key=TEST_KEY)).close()  # migrates
    couples = [NewCouple(1000 + i, 2000 + i, (3000 + 2 * i, 3001 + 2 * i)) for i in range(MANY)]
    write_accepted_couples(
        database, couples, question_time=time(8, 0), created=NOW - timedelta(days=3)
    )
    store = await Store.open(database, secret_key=TEST_KEY)
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

"""The one due-work queue: every scheduled thing is a stored "next due" instant.

Features register a planner (when is each of a couple's items next due, computed
from settings and the DB) and a handler per item. A wake reads only what is due now
by index; each item runs on its own, so one couple's failure never stops another's.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from couplebot.clock import Clock
from couplebot.domain.models import Couple
from couplebot.store import DueItem, Store, Tx

log = logging.getLogger(__name__)

# Planner: (tx, couple, now) -> {item: next due instant, or None for nothing due}.
Planner = Callable[[Tx, Couple, datetime], Awaitable[dict[str, datetime | None]]]
# Handler: does the item's work (idempotently) for a couple, at `now`; the couple is
# replanned after it, so the planner decides when the item is next due.
Handler = Callable[[int, datetime], Awaitable[None]]

RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))
BATCH = 500


class DueWork:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._planners: list[Planner] = []
        self._handlers: dict[str, Handler] = {}
        self._failures: dict[tuple[int, str], int] = {}

    def register(self, planner: Planner, handlers: dict[str, Handler]) -> None:
        self._planners.append(planner)
        self._handlers.update(handlers)

    async def plan(self, tx: Tx, couple: Couple) -> None:
        """Recompute the couple's due instants in the caller's transaction."""
        if not await tx.couples.is_active(couple.id):
            await tx.due.clear(couple.id)
            return
        now = self._clock.now()
        for planner in self._planners:
            for item, due_at in (await planner(tx, couple, now)).items():
                await tx.due.set(couple.id, item, due_at)

    async def replan(self, couple_id: int) -> None:
        async with self._store.write() as tx:
            couple = await tx.couples.get(couple_id)
            if couple is not None:
                await self.plan(tx, couple)

    async def replan_all(self) -> None:
        """On start and after an upgrade: the due instants follow from settings and the DB."""
        async with self._store.read() as tx:
            couples = await tx.couples.active()
        for couple in couples:
            try:
                await self.replan(couple.id)
            except Exception:
                log.exception("could not plan the due work of couple %s", couple.id)

    async def run(self) -> int:
        """Do what is due now. Returns how many items ran."""
        now = self._clock.now()
        async with self._store.read() as tx:
            due = await tx.due.due(now, BATCH)
        for item in due:
            await self._run_one(item, now)
        return len(due)

    async def _run_one(self, item: DueItem, now: datetime) -> None:
        handler = self._handlers.get(item.item)
        key = (item.couple_id, item.item)
        try:
            if handler is None:
                log.warning("no handler for due item %s; dropping it", item.item)
                async with self._store.write() as tx:
                    await tx.due.set(item.couple_id, item.item, None)
                return
            await handler(item.couple_id, now)
            self._failures.pop(key, None)
            async with self._store.write() as tx:
                couple = await tx.couples.get(item.couple_id)
                if couple is not None:
                    await self.plan(tx, couple)
                still = (await tx.due.of(item.couple_id)).get(item.item)
                if still is not None and still <= now:  # a planner must move on; never spin
                    log.warning(
                        "due item %s of couple %s did not move on", item.item, item.couple_id
                    )
                    await tx.due.set(item.couple_id, item.item, now + RETRY_AFTER[0])
        except Exception as exc:
            failures = self._failures[key] = self._failures.get(key, 0) + 1
            wait = RETRY_AFTER[min(failures, len(RETRY_AFTER)) - 1]
            log.error(
                "due item %s of couple %s failed (%s, attempt %d); retrying in %s",
                item.item,
                item.couple_id,
                type(exc).__name__,
                failures,
                wait,
            )
            try:
                async with self._store.write() as tx:
                    await tx.due.set(item.couple_id, item.item, now + wait)
            except Exception:
                log.exception("could not postpone due item %s", item.item)

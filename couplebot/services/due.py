"""The one due-work queue: every scheduled thing is a stored "next due" instant.

Features register a planner (when is each of a couple's items next due, computed
from settings and the DB) and a handler per item. A wake reads only what is due now
by index. Items whose handler works inside a transaction (a TxHandler, e.g. the
morning's round) run many couples per transaction, each batch short enough to keep the
database free for people clicking; a batch that fails is run again couple by couple,
so one couple's failure never stops another's.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from importlib import metadata

from couplebot.clock import Clock
from couplebot.domain.models import Couple
from couplebot.store import DueItem, Store, Tx

log = logging.getLogger(__name__)

# Planner: (tx, couple, now) -> {item: next due instant, or None for nothing due}.
Planner = Callable[[Tx, Couple, datetime], Awaitable[dict[str, datetime | None]]]
# Handler: does the item's work (idempotently) for a couple, at `now`; the couple is
# replanned after it, so the planner decides when the item is next due.
Handler = Callable[[int, datetime], Awaitable[None]]
# TxHandler: the same, inside the caller's write transaction (idempotent, as above).
TxHandler = Callable[[Tx, Couple, datetime], Awaitable[None]]

RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))
BATCH = 500  # due items read per query
# A write batch ends after this many couples or this long, whichever comes first, so a
# click waits at most about this long for the database.
TX_BATCH_COUPLES = 50
TX_BATCH_SECONDS = 0.02
PLAN_VERSION_KEY = "due_plan_version"
# A couple marked for replanning by plan_soon(): the next wake replans it, in a batch;
# "replan:<item>" replans only the planner of that item.
REPLAN_ITEM = "replan"
# Bump when a planner's rules change: every couple is then replanned once, at the start.
PLAN_REVISION = 1


class DueWork:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock
        self._planners: list[Planner] = []
        self._planner_of: dict[str, Planner] = {}  # item -> the planner that plans it
        self._handlers: dict[str, Handler] = {}
        self._tx_handlers: dict[str, TxHandler] = {}
        self._failures: dict[tuple[int, str], int] = {}
        self._after_commit: list[Callable[[], None]] = []
        self._run_lock = asyncio.Lock()
        self._wake: Callable[[datetime], None] | None = None
        self._wake_at: datetime | None = None
        self._tx_handlers[REPLAN_ITEM] = _clears(REPLAN_ITEM)

    def register(
        self,
        planner: Planner,
        handlers: dict[str, Handler],
        tx_handlers: dict[str, TxHandler] | None = None,
    ) -> None:
        self._planners.append(planner)
        self._handlers.update(handlers)
        self._tx_handlers.update(tx_handlers or {})
        for item in [*handlers, *(tx_handlers or {})]:
            self._planner_of[item] = planner
            mark = _replan_mark(item)
            self._tx_handlers[mark] = _clears(mark)
            self._planner_of[mark] = planner

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Called after each batch of due work commits (e.g. the outbox starts sending)."""
        self._after_commit.append(callback)

    def wake_with(self, wake: Callable[[datetime], None]) -> None:
        """Whoever runs the scheduler: `wake(instant)` asks for a wake-up then; it is
        called again whenever something comes due earlier than the last instant asked."""
        self._wake = wake

    def _wake_by(self, due_at: datetime) -> None:
        if self._wake is None:
            return
        # A wake already asked for (or under way: each run asks for the next one when it
        # ends) serves anything due later; a reply's mark must not reschedule it each time.
        if self._wake_at is None or due_at < self._wake_at:
            self._wake_at = due_at
            self._wake(due_at)

    async def _arm_next_wake(self) -> None:
        if self._wake is not None:
            self._wake_at = None
            upcoming = await self.next_due()
            if upcoming is not None:
                self._wake_by(upcoming)

    def _committed(self) -> None:
        for callback in self._after_commit:
            callback()

    async def plan(
        self,
        tx: Tx,
        couple: Couple,
        planners: Sequence[Planner] | None = None,
        *,
        stored: dict[str, datetime] | None = None,
        active: bool | None = None,
    ) -> dict[str, datetime | None]:
        """Recompute the couple's due instants (all, or those of `planners`) in the
        caller's transaction; returns them (empty for a couple no longer active). Only
        what changed is written. A batch that already read what is `stored` for the
        couple and whether it is `active` passes them in."""
        if active is None:
            active = await tx.couples.is_active(couple.id)
        if not active:
            await tx.due.clear(couple.id)
            return {}
        if stored is None:
            stored = await tx.due.of(couple.id)
        now = self._clock.now()
        planned: dict[str, datetime | None] = {}
        for planner in self._planners if planners is None else planners:
            planned.update(await planner(tx, couple, now))
        changes = {item: at for item, at in planned.items() if stored.get(item) != at}
        if changes:
            await tx.due.change(couple.id, changes)
        for due_at in planned.values():
            if due_at is not None:
                self._wake_by(due_at)
        return planned

    async def plan_soon(self, tx: Tx, couple: Couple, item: str | None = None) -> None:
        """plan(), a moment later: one stored mark in the caller's transaction (so a
        reply's transaction stays short), which the next wake turns into a replan of the
        couple in a batch: of the planner of `item` only, or of all. Stored, so a crash in
        between loses nothing. (A full replan is dozens of queries: after every answer,
        in a busy morning, those batches kept the replies waiting for the database.)"""
        now = self._clock.now()
        await tx.due.set(couple.id, REPLAN_ITEM if item is None else _replan_mark(item), now)
        self._wake_by(now)

    async def replan(self, couple_id: int) -> None:
        async with self._store.write() as tx:
            couple = await tx.couples.get(couple_id)
            if couple is not None:
                await self.plan(tx, couple)

    def plan_version(self) -> str:
        """What the stored due instants were planned by: the items and the rules."""
        items = sorted(
            item for item in {*self._handlers, *self._tx_handlers} if not _is_replan(item)
        )
        key = json.dumps([PLAN_REVISION, _package_version(), items])
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    async def replan_all(self) -> int:
        """On start. The due instants are kept in the DB with every change, so only couples
        never planned (e.g. written by an import) are planned; after an upgrade (other
        items or rules), every couple once. In short batches that let clicks in between.
        Returns how many couples were planned."""
        version = self.plan_version()
        async with self._store.read() as tx:
            current = await tx.meta.get(PLAN_VERSION_KEY) == version
            ids = await tx.due.unplanned_couples() if current else await tx.due.active_couples()
        done = 0
        while done < len(ids):
            chunk = ids[done : done + TX_BATCH_COUPLES]
            try:
                async with self._store.write() as tx:
                    chunk = await self._plan_batch(tx, chunk)
            except Exception:
                for couple_id in chunk:  # one by one, so one couple's trouble stays its own
                    try:
                        await self.replan(couple_id)
                    except Exception:
                        log.exception("could not plan the due work of couple %s", couple_id)
            done += len(chunk)
            await asyncio.sleep(0)
        if not current:
            async with self._store.write() as tx:
                await tx.meta.set(PLAN_VERSION_KEY, version)
        return len(ids)

    async def _plan_batch(self, tx: Tx, couple_ids: list[int]) -> list[int]:
        """Plan the couples in one transaction: what they are and what is stored for them
        read in a few statements for all; stops early once the batch has taken long
        enough. Returns the ids it got to."""
        started = time.perf_counter()
        couples = await tx.couples.many(couple_ids)
        active = await tx.due.active_among(couple_ids)
        stored = await tx.due.of_many(couple_ids)
        for count, couple_id in enumerate(couple_ids, start=1):
            couple = couples.get(couple_id)
            if couple is not None:
                await self.plan(tx, couple, stored=stored[couple_id], active=couple_id in active)
            if self._batch_full(count, started):
                return couple_ids[:count]
        return couple_ids

    def _batch_full(self, size: int, started: float) -> bool:
        """A batch's transaction ends at TX_BATCH_COUPLES couples, after TX_BATCH_SECONDS,
        or as soon as someone's write (an answer's submit) waits for it."""
        return (
            size >= TX_BATCH_COUPLES
            or time.perf_counter() - started >= TX_BATCH_SECONDS
            or self._store.urgent_waiting()
        )

    async def next_due(self) -> datetime | None:
        async with self._store.read() as tx:
            return await tx.due.next_due()

    async def run(self) -> int:
        """Do what is due now, one run at a time; then ask for a wake-up at the next due
        instant. Returns how many items ran."""
        async with self._run_lock:
            try:
                return await self._run_due(self._clock.now())
            finally:
                await self._arm_next_wake()

    async def _run_due(self, now: datetime) -> int:
        ran = 0
        seen: set[tuple[int, str]] = set()
        while True:
            async with self._store.read() as tx:
                due = [i for i in await tx.due.due(now, BATCH) if (i.couple_id, i.item) not in seen]
            if not due:  # (an item that could not even be postponed is not tried twice)
                return ran
            seen.update((i.couple_id, i.item) for i in due)
            batched: list[DueItem] = []  # in due order: a run of batchable items at a time
            for item in due:
                if item.item in self._tx_handlers:
                    batched.append(item)
                    continue
                await self._run_batched(batched, now)
                batched = []
                await self._run_one(item, now)
            await self._run_batched(batched, now)
            ran += len(due)

    async def _run_batched(self, items: Sequence[DueItem], now: datetime) -> None:
        done = 0
        while done < len(items):
            batch: list[DueItem] = []
            try:
                async with self._store.write() as tx:
                    started = time.perf_counter()
                    ahead = items[done : done + TX_BATCH_COUPLES]
                    couples = await tx.couples.many(sorted({i.couple_id for i in ahead}))
                    for item in ahead:
                        batch.append(item)
                        await self._run_in(tx, item, now, couples.get(item.couple_id))
                        if self._batch_full(len(batch), started):
                            break
            except Exception:
                # Each failing item is then logged once, with its ids, by the one-by-one run.
                log.debug("a batch of %d due items failed; running them one by one", len(batch))
                for item in batch:
                    await self._run_one(item, now)
            else:
                for item in batch:
                    self._failures.pop((item.couple_id, item.item), None)
            done += len(batch)
            self._committed()
            await asyncio.sleep(0)  # let waiting clicks have the database between batches

    async def _run_in(
        self, tx: Tx, item: DueItem, now: datetime, couple: Couple | None = None
    ) -> None:
        """`couple`: as a batch read it in this transaction; else it is read here."""
        if couple is None:
            couple = await tx.couples.get(item.couple_id)
        if couple is None:
            await tx.due.set(item.couple_id, item.item, None)
            return
        await self._tx_handlers[item.item](tx, couple, now)
        await self._plan_and_move_on(tx, couple, item, now)

    async def _plan_and_move_on(self, tx: Tx, couple: Couple, item: DueItem, now: datetime) -> None:
        # Only the item's own planner: a handler that changes what other features plan
        # from replans the couple itself (as every change outside a handler does).
        owner = self._planner_of.get(item.item)
        planned = await self.plan(tx, couple, None if owner is None else [owner])
        if item.item in planned:
            still = planned[item.item]
        else:  # not (or no longer) planned by anyone: what is stored
            still = (await tx.due.of(item.couple_id)).get(item.item)
        if still is not None and still <= now:  # a planner must move on; never spin
            log.warning("due item %s of couple %s did not move on", item.item, item.couple_id)
            await tx.due.set(item.couple_id, item.item, now + RETRY_AFTER[0])

    async def _run_one(self, item: DueItem, now: datetime) -> None:
        handler = self._handlers.get(item.item)
        key = (item.couple_id, item.item)
        try:
            if item.item in self._tx_handlers:
                async with self._store.write() as tx:
                    await self._run_in(tx, item, now)
                self._failures.pop(key, None)
                self._committed()
                return
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
                    await self._plan_and_move_on(tx, couple, item, now)
                else:
                    still = (await tx.due.of(item.couple_id)).get(item.item)
                    if still is not None and still <= now:
                        await tx.due.set(item.couple_id, item.item, now + RETRY_AFTER[0])
            self._committed()
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


def _clears(mark: str) -> TxHandler:
    """A replan mark's handler: the mark goes; then the planner of "replan:<item>" runs,
    or, for the plain mark (no planner of its own), every planner."""

    async def cleared(tx: Tx, couple: Couple, now: datetime) -> None:
        await tx.due.set(couple.id, mark, None)

    return cleared


def _replan_mark(item: str) -> str:
    return f"{REPLAN_ITEM}:{item}"


def _is_replan(item: str) -> bool:
    return item == REPLAN_ITEM or item.startswith(f"{REPLAN_ITEM}:")


def _package_version() -> str:
    try:
        return metadata.version("couplebot")
    except metadata.PackageNotFoundError:
        return "source"

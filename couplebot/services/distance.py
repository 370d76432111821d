"""Noticing distance: gentle notes from the couple's own history, and /insights.

A note is decided (signals in domain/signals.py, rate limits included) when a check-in
is saved and once a day; it is recorded in the gentle_notes table and handed to the
outbox at once, or, if a recipient is in quiet hours or the couple is paused, when
that ends. Notes to both go to the channel; the therapist pointer goes to that one
partner's DMs, or, if their DMs are closed, is shown to them alone on their next
command (services/notices.py). No note ever carries a value from anyone's check-ins.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, time, timedelta
from typing import Any

from couplebot.clock import Clock
from couplebot.content import Content
from couplebot.domain.checkins import BidSetting
from couplebot.domain.insights import InsightsSummary, weekly_summary
from couplebot.domain.models import Couple
from couplebot.domain.notes import gap_note, idea_note, therapist_pointer_note
from couplebot.domain.schedule import local_date, next_round, quiet_end_after, round_due_at
from couplebot.domain.signals import THRESHOLDS, SentSignal, SignalKind, due_signals
from couplebot.services.couples import require_couple
from couplebot.services.due import DueWork
from couplebot.services.history import HistoryProvider, HistorySource, StoreHistory
from couplebot.services.outbox import Outbox
from couplebot.services.ports import DmsClosedError, NotePost, UndeliverableError
from couplebot.store import OutboxItem, Store, Tx
from couplebot.store.gentle import GentleNote
from couplebot.store.notices import Notice

log = logging.getLogger(__name__)

EVALUATE_ITEM = "gentle-check"
DELIVER_ITEM = "gentle-deliver"
OUTBOX_KIND = "gentle"
NOTE_KIND = "gentle-note"  # the ui renderer (ui/gentle.py)
EVALUATE_AT = time(17, 0)  # the daily look, in the couple's zone
# A note held back (quiet hours, a pause) longer than this is dropped, not sent late.
HOLD_AT_MOST = timedelta(days=2)
# Notes decided this recently count for the rate limits (the longest limit, and a day).
SENT_LOOKBACK = max(
    THRESHOLDS.gap_every, THRESHOLDS.idea_every, THRESHOLDS.couple_every, THRESHOLDS.pointer_every
) + timedelta(days=1)
POINTER_NOTICE = "therapist-pointer"  # the pointer, for a partner whose DMs are closed
# When content has no bids: one small idea of our own.
FALLBACK_IDEA = "Ten minutes together tonight, phones away, talking about anything but plans."


class GentleNotesSection:
    """Privacy: the notes couplebot decided to send this partner, and the couple's setting."""

    name = "your_gentle_notes"

    async def export(self, tx: Tx, couple: Couple, user_id: int) -> Any:
        return {
            "gentle_notes_on": await tx.gentle.enabled(couple.id),
            "private_notes_to_you": [
                {
                    "kind": "therapist pointer",
                    "decided_at": note.decided_at.isoformat(),
                    "sent": note.queued_at is not None,
                }
                for note in await tx.gentle.to_partner(couple.id, user_id)
            ],
        }

    async def forget(self, tx: Tx, couple: Couple, user_id: int) -> int:
        return await tx.gentle.forget_partner(couple.id, user_id)


class DistanceService:
    def __init__(  # noqa: PLR0917 - the engines it builds on
        self,
        store: Store,
        content: Content,
        clock: Clock,
        outbox: Outbox,
        due: DueWork,
        history: HistorySource | None = None,
    ) -> None:
        self._store = store
        self._content = content
        self._clock = clock
        self._outbox = outbox
        self._due = due
        self._own_history = StoreHistory()
        self._history: HistorySource = history or self._own_history
        outbox.register(OUTBOX_KIND, self._build)
        outbox.on_refused(self._dms_closed)
        due.register(
            self._plan, {EVALUATE_ITEM: self._evaluate_due, DELIVER_ITEM: self._deliver_due}
        )

    def add_source(self, provider: HistoryProvider) -> None:
        """A feature's check-ins, weekly check-ins or bids join the couple's history."""
        self._own_history.add_source(provider)

    # Entry points

    async def checked_in(self, couple_id: int) -> None:
        """Call after a check-in or weekly check-in is committed: notes due now are queued."""
        try:
            await self.evaluate(couple_id, self._clock.now())
        except Exception:
            # The check-in itself is saved; the daily look will try again.
            log.exception("could not look for gentle notes for couple %s", couple_id)

    async def evaluate(self, couple_id: int, now: datetime) -> list[str]:
        """Decide the notes due now for the couple; returns their keys."""
        decided: list[str] = []
        async with self._store.write() as tx:
            couple = await tx.couples.get(couple_id)
            if couple is None or not await tx.couples.is_active(couple_id):
                return decided
            if await tx.gentle.enabled(couple.id) and not await self._paused(tx, couple, now):
                history = await self._history.history(tx, couple, now)
                sent = [
                    SentSignal(SignalKind(n.kind), n.decided_at, n.user_id)
                    for n in await tx.gentle.since(couple.id, now - SENT_LOOKBACK)
                ]
                for signal in due_signals(history, now, sent):
                    recipients = couple.user_ids if signal.user_id is None else (signal.user_id,)
                    if await tx.gentle.decide(
                        couple.id,
                        signal.key,
                        kind=signal.kind.value,
                        user_id=signal.user_id,
                        now=now,
                        deliver_at=_after_quiet(couple, recipients, now),
                    ):
                        decided.append(signal.key)
                        log.info("gentle note %s decided for couple %s", signal.kind, couple.id)
                await self._queue_ready(tx, couple, now)
            await self._due.plan(tx, couple)
        return decided

    async def gentle_notes_on(self, guild_id: int | None, user_id: int) -> bool:
        async with self._store.read() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            return await tx.gentle.enabled(couple.id)

    async def set_gentle_notes(self, guild_id: int | None, user_id: int, on: bool) -> bool:
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            await tx.gentle.set_enabled(couple.id, on, self._clock.now())
            if not on:
                await tx.gentle.drop_held(couple.id)
            await self._due.plan(tx, couple)
        return on

    async def insights(self, guild_id: int | None, user_id: int) -> InsightsSummary:
        """The couple's last weeks, only what both can already see (for the chart)."""
        now = self._clock.now()
        async with self._store.read() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            history = await self._history.history(tx, couple, now)
        return weekly_summary(history, now)

    # Scheduling

    async def _plan(self, tx: Tx, couple: Couple, now: datetime) -> dict[str, datetime | None]:
        if not await tx.gentle.enabled(couple.id):
            return {EVALUATE_ITEM: None, DELIVER_ITEM: None}
        ready = [await self._ready_at(tx, couple, note) for note in await tx.gentle.held(couple.id)]
        return {
            EVALUATE_ITEM: next_round(now, EVALUATE_AT, couple.zone)[1],
            DELIVER_ITEM: max(min(ready), now) if ready else None,
        }

    async def _evaluate_due(self, couple_id: int, now: datetime) -> None:
        await self.evaluate(couple_id, now)

    async def _deliver_due(self, couple_id: int, now: datetime) -> None:
        async with self._store.write() as tx:
            couple = await tx.couples.get(couple_id)
            if couple is not None:
                await self._queue_ready(tx, couple, now)

    async def _queue_ready(self, tx: Tx, couple: Couple, now: datetime) -> None:
        """Hand held notes whose time has come to the outbox, in this transaction."""
        if not await tx.gentle.enabled(couple.id):
            return
        for note in await tx.gentle.held(couple.id):
            ready = await self._ready_at(tx, couple, note)
            if ready - note.decided_at > HOLD_AT_MOST:
                await tx.gentle.drop(note.id)  # it would arrive out of its moment
            elif ready <= now and await tx.gentle.mark_queued(note.id, now):
                await tx.outbox.enqueue(
                    note.dedupe_key,
                    couple_id=couple.id,
                    kind=OUTBOX_KIND,
                    user_id=note.user_id,
                    now=now,
                )

    async def _ready_at(self, tx: Tx, couple: Couple, note: GentleNote) -> datetime:
        """When a held note may go: after any pause, outside its recipients' quiet hours."""
        at = note.deliver_at
        paused_through = await tx.couples.paused_until(couple.id, local_date(at, couple.zone))
        if paused_through is not None:
            at = max(at, round_due_at(paused_through + timedelta(days=1), time(0, 0), couple.zone))
        recipients = couple.user_ids if note.user_id is None else (note.user_id,)
        return _after_quiet(couple, recipients, at)

    async def _paused(self, tx: Tx, couple: Couple, now: datetime) -> bool:
        return await tx.couples.paused_until(couple.id, local_date(now, couple.zone)) is not None

    # Sending

    async def _build(self, tx: Tx, item: OutboxItem) -> NotePost | None:
        note = await tx.gentle.by_key(item.dedupe_key)
        couple = await tx.couples.get(item.couple_id)
        if note is None or couple is None or not await tx.gentle.enabled(couple.id):
            return None
        kind = SignalKind(note.kind)
        if kind is SignalKind.PERCEPTION_GAP:
            text = gap_note(note.dedupe_key)
        elif kind is SignalKind.THERAPIST_POINTER:
            text = therapist_pointer_note()
        else:
            text = idea_note(self._idea(couple, note.dedupe_key), note.dedupe_key)
        return NotePost(
            guild_id=couple.guild_id,
            channel_id=couple.channel_id,
            kind=NOTE_KIND,
            data={"text": text, "private": note.user_id is not None},
            dm_user_id=note.user_id,
        )

    async def _dms_closed(self, tx: Tx, item: OutboxItem, error: UndeliverableError) -> bool:
        """A pointer their DMs refused is told to that partner alone, on their next command
        (never in the shared channel). The outbox row itself is done."""
        if item.kind != OUTBOX_KIND or item.user_id is None:
            return False
        note = await tx.gentle.by_key(item.dedupe_key)
        pointer = note is not None and SignalKind(note.kind) is SignalKind.THERAPIST_POINTER
        if isinstance(error, DmsClosedError) and pointer:
            await tx.notices.add(
                item.couple_id, item.user_id, POINTER_NOTICE, "", self._clock.now()
            )
        return False

    def _idea(self, couple: Couple, seed: str) -> str:
        """One small bid from content, fitting whether they are apart; the same per seed."""
        apart = (
            "long-distance" in couple.themes
            or len({p.timezone or couple.timezone for p in couple.partners}) > 1
        )
        setting = BidSetting.APART if apart else BidSetting.TOGETHER
        fitting = [bid.text for bid in self._content.bids if setting in bid.settings]
        if not fitting:
            return FALLBACK_IDEA
        digest = hashlib.sha256(seed.encode()).digest()
        return fitting[int.from_bytes(digest[:4], "big") % len(fitting)]


def pointer_notice(couple: Couple, notice: Notice, missing_here: tuple[str, ...] | None) -> str:
    return (
        "I tried to send you this privately, but your direct messages are closed, so here "
        "it is, just for you (your partner doesn't see this):\n\n" + therapist_pointer_note()
    )


def _after_quiet(couple: Couple, recipients: tuple[int, ...], at: datetime) -> datetime:
    """The first instant at or after `at` when none of the recipients is in quiet hours."""
    for _ in range(4):  # two partners' windows can chain; a few steps settle it
        later = max(
            quiet_end_after(
                at,
                couple.zone_of(user_id),
                couple.partner(user_id).quiet_start,
                couple.partner(user_id).quiet_end,
            )
            for user_id in recipients
        )
        if later == at:
            break
        at = later
    return at

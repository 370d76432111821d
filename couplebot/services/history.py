"""The couple's history for the gentle signals and /insights, from what the store has.

Daily rounds and pauses come from the exchanges and couples repositories. Check-ins,
weekly check-ins and bids come from providers that those features register
(`DistanceService.add_source`), so this module needs none of their tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from couplebot.domain.daily import DAILY
from couplebot.domain.models import Couple
from couplebot.domain.signals import BidPoint, CheckinPoint, CoupleHistory, WeeklyPoint
from couplebot.store import Tx

# Long enough for every signal (42 days) and the insights chart (12 weeks).
LOOKBACK = timedelta(weeks=13)


class HistorySource(Protocol):
    async def history(self, tx: Tx, couple: Couple, now: datetime) -> CoupleHistory: ...


@dataclass(frozen=True)
class HistoryPoints:
    """What one feature adds to a couple's history. Private check-ins count here too:
    their values feed the signals, never a message (`shared` says whether to show)."""

    checkins: Sequence[CheckinPoint] = ()
    weeklies: Sequence[WeeklyPoint] = ()
    bids: Sequence[BidPoint] = ()


class HistoryProvider(Protocol):
    async def points(self, tx: Tx, couple: Couple, since: datetime) -> HistoryPoints:
        """This couple's points at or after `since` (UTC instants, aware)."""
        ...


class StoreHistory:
    """A HistorySource over the store, plus whatever providers are registered."""

    def __init__(self) -> None:
        self._providers: list[HistoryProvider] = []

    def add_source(self, provider: HistoryProvider) -> None:
        self._providers.append(provider)

    async def history(self, tx: Tx, couple: Couple, now: datetime) -> CoupleHistory:
        since = now - LOOKBACK
        first_day = since.astimezone(couple.zone).date()
        states = await tx.exchanges.states(couple.id, DAILY.name)
        together = {date.fromisoformat(slot) for slot, revealed, _ in states if revealed}
        resting = {date.fromisoformat(slot) for slot, _, rests in states if rests}
        paused = _days(await tx.couples.pauses(couple.id), first_day)
        checkins: list[CheckinPoint] = []
        weeklies: list[WeeklyPoint] = []
        bids: list[BidPoint] = []
        for provider in self._providers:
            points = await provider.points(tx, couple, since)
            checkins += points.checkins
            weeklies += points.weeklies
            bids += points.bids
        partners = couple.user_ids
        return CoupleHistory(
            couple_id=couple.id,
            timezone=couple.timezone,
            partners=partners,
            checkins=tuple(c for c in checkins if c.user_id in partners),
            weeklies=tuple(w for w in weeklies if w.user_id in partners),
            together=frozenset(d for d in together if d >= first_day),
            neutral=frozenset(d for d in resting | paused if d >= first_day),
            bids=tuple(b for b in bids if b.user_id in partners),
        )


def _days(spans: list[tuple[date, date]], first_day: date) -> set[date]:
    days: set[date] = set()
    for first, last in spans:
        day = max(first, first_day)
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    return days

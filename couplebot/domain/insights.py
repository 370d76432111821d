"""The couple's shared story by week, for /insights: pure aggregation, no drawing.

Weeks are ISO weeks (Monday to Sunday) in the couple's zone: the current one, still
under way, and the ones before it. Only what both can already see enters: days
answered together, closeness from shared check-ins and revealed weekly check-ins,
and bids counted for the two of them together (never partner against partner).
Private check-ins are left out entirely, values and dates alike.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import fmean

from couplebot.domain.signals import CoupleHistory

__all__ = [
    "INSIGHTS_CAPTION",
    "MIN_DATA_DAYS",
    "NOT_ENOUGH_DATA_TEXT",
    "WEEKS",
    "InsightsSummary",
    "WeekSummary",
    "enough_data",
    "weekly_summary",
]

WEEKS = 12  # weeks shown, the current one included
MIN_DATA_DAYS = 3  # days with something to show before a chart is drawn

INSIGHTS_CAPTION = (
    "Your last twelve weeks, week by week: days you answered together, the closeness "
    "you each shared, and the small gestures you made for each other. "
    "Private check-ins never appear here."
)

NOT_ENOUGH_DATA_TEXT = (
    "Your chart isn't ready yet. Once you have three days of answering the daily "
    "question together, sharing a check-in, or sending each other a small gesture, "
    "it will show your weeks side by side: days together, the closeness you chose to "
    "share, and your bids for each other. Have a look again in a few days."
)


@dataclass(frozen=True)
class WeekSummary:
    start: date  # the Monday, in the couple's zone
    days_together: int  # days both answered the daily question
    closeness: tuple[float | None, float | None]  # per partner, in `partners` order
    bids: int  # appreciations, bids done and reach-outs, both partners together


@dataclass(frozen=True)
class InsightsSummary:
    partners: tuple[int, int]
    weeks: tuple[WeekSummary, ...]  # oldest first; the last is the current week
    data_days: int  # distinct local days in these weeks with anything shown


def weekly_summary(history: CoupleHistory, now: datetime, weeks: int = WEEKS) -> InsightsSummary:
    """Aggregate the last `weeks` ISO weeks (couple's zone) up to `now`."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("Expected an aware datetime, got a naive one.")
    zone = history.zone
    today = now.astimezone(zone).date()
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)

    def local_day(at: datetime) -> date:
        return at.astimezone(zone).date()

    def shown(day: date) -> bool:
        return first <= day <= today

    def week_of(day: date) -> date:
        return day - timedelta(days=day.weekday())

    data_days: set[date] = set()
    together: dict[date, int] = defaultdict(int)
    for day in filter(shown, history.together):
        together[week_of(day)] += 1
        data_days.add(day)

    readings: dict[tuple[date, int], list[int]] = defaultdict(list)
    shared = [c for c in history.checkins if c.shared] + [w for w in history.weeklies if w.shared]
    for point in shared:
        day = local_day(point.at)
        if shown(day) and point.at <= now and point.user_id in history.partners:
            readings[week_of(day), point.user_id].append(point.closeness)
            data_days.add(day)

    bids: dict[date, int] = defaultdict(int)
    for bid in history.bids:
        day = local_day(bid.at)
        if shown(day) and bid.at <= now:
            bids[week_of(day)] += 1
            data_days.add(day)

    summaries = []
    for n in range(weeks):
        start = first + timedelta(weeks=n)
        a, b = (readings.get((start, user)) for user in history.partners)
        summaries.append(
            WeekSummary(
                start=start,
                days_together=together[start],
                closeness=(fmean(a) if a else None, fmean(b) if b else None),
                bids=bids[start],
            )
        )
    return InsightsSummary(history.partners, tuple(summaries), len(data_days))


def enough_data(summary: InsightsSummary) -> bool:
    """Whether there is enough to draw; otherwise send NOT_ENOUGH_DATA_TEXT instead."""
    return summary.data_days >= MIN_DATA_DAYS

"""The weekly "how are we?" check-in: its day, its time, its one reminder. Pure.

Instants are aware datetimes; those returned are in UTC. Wall times are read in the
zone passed alongside them, with the daily question's DST rules (schedule.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from couplebot.domain.checkins import CLOSENESS_LABELS, CheckInError, check_scale
from couplebot.domain.schedule import local_date, reminder_due_at, round_due_at, wall_time_on

__all__ = [
    "MAX_WEEKLY_ANSWER_LENGTH",
    "WEEKDAY_NAMES",
    "WEEKLY_DEFAULT_TIME",
    "WEEKLY_DEFAULT_WEEKDAY",
    "WeekdayError",
    "WeeklyAnswer",
    "next_weekly_at",
    "parse_weekday",
    "weekly_reminder_at",
]

# Weekdays are numbered as date.weekday() does: Monday = 0 … Sunday = 6.
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKLY_DEFAULT_WEEKDAY = 6  # Sunday
WEEKLY_DEFAULT_TIME = time(18, 0)

_ABBREVIATIONS = (
    ("mon",),
    ("tue", "tues"),
    ("wed", "weds"),
    ("thu", "thur", "thurs"),
    ("fri",),
    ("sat",),
    ("sun",),
)
_WEEKDAYS: dict[str, int] = {
    spelling: day
    for day, (name, short) in enumerate(zip(WEEKDAY_NAMES, _ABBREVIATIONS, strict=True))
    for spelling in (name.lower(), *short)
}


class WeekdayError(ValueError):
    """Not a day of the week; the message says what to write instead."""


def parse_weekday(text: str) -> int:
    """A day name or standard abbreviation (any case, optional final dot) -> 0..6."""
    cleaned = text.strip().lower().removesuffix(".")
    day = _WEEKDAYS.get(cleaned)
    if day is None:
        shown = text.strip() if len(text.strip()) <= 20 else text.strip()[:20] + "…"
        subject = f'"{shown}" is not' if shown else "That is not"
        raise WeekdayError(f"{subject} a day of the week; use a day like sunday or sun.")
    return day


def _check_weekday(weekday: int) -> None:
    if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {weekday!r}.")


def next_weekly_at(after: datetime, weekday: int, at: time, tz: ZoneInfo) -> datetime:
    """The first instant strictly after `after` that is `weekday` at wall time `at` in `tz`.

    A wall time that repeats (clocks back) means its first occurrence; one that is
    skipped (clocks forward) means the first valid minute after the gap.
    """
    _check_weekday(weekday)
    # Start a day early: a skipped wall time near midnight can push a due time past it.
    day = local_date(after, tz) - timedelta(days=1)
    while True:
        if day.weekday() == weekday:
            due = round_due_at(day, at, tz)
            if due > after:
                return due
        day += timedelta(days=1)


def weekly_reminder_at(
    *,
    posted_at: datetime,
    tz: ZoneInfo,
    quiet_start: time,
    quiet_end: time,
    first_answer_at: datetime | None = None,
) -> datetime | None:
    """The one gentle reminder (UTC): on the day after the post, or None (the week rests).

    `tz` and the quiet hours are those of the partner being reminded. The reminder
    falls within 09:00-21:00 of their next day and outside their quiet hours, and,
    when the other partner answered that day, at least an hour after it, as for the
    daily question.
    """
    next_day = local_date(posted_at, tz) + timedelta(days=1)
    # As if posted at the start of the next day: the daily rule then gives 09:00 of
    # that day at the earliest, pushed past quiet hours, None past 21:00.
    day_starts = wall_time_on(next_day, time(0, 0), tz).astimezone(UTC)
    answered = day_starts if first_answer_at is None else max(first_answer_at, day_starts)
    return reminder_due_at(
        posted_at=day_starts,
        first_answer_at=answered,
        tz=tz,
        quiet_start=quiet_start,
        quiet_end=quiet_end,
    )


MAX_WEEKLY_ANSWER_LENGTH = 1000


@dataclass(frozen=True, slots=True)
class WeeklyAnswer:
    """One partner's weekly answer. Constructing one validates it (CheckInError)."""

    closeness: int
    close_moment: str | None = None  # "one moment this week I felt close to you"
    more_of: str | None = None  # "one thing I'd love more of"

    def __post_init__(self) -> None:
        check_scale("Closeness", self.closeness, CLOSENESS_LABELS)
        for name, what in (
            ("close_moment", "Your moment of closeness"),
            ("more_of", "What you'd love more of"),
        ):
            value = getattr(self, name)
            text = value.strip() if value is not None else None
            if text is not None and len(text) > MAX_WEEKLY_ANSWER_LENGTH:
                raise CheckInError(
                    f"{what} can be up to {MAX_WEEKLY_ANSWER_LENGTH} characters, "
                    f"and this is {len(text)}."
                )
            object.__setattr__(self, name, text or None)

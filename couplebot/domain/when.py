"""When a planned date is: reading the couple's when-text, and the times the loop posts.

Pure functions. Instants we return are aware and in UTC; wall times are read in the
couple's zone, DST-correct through schedule.wall_time_on (a skipped wall time means the
end of the gap, a repeated one its first occurrence).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from couplebot.domain.schedule import wall_time_on

__all__ = [
    "MAX_AHEAD",
    "REMINDER_LEAD",
    "WhenError",
    "date_reminder_at",
    "format_when",
    "parse_when",
    "reflection_at",
]

# The day-of reminder comes at least this long before the date.
REMINDER_LEAD = timedelta(hours=2)
# A plan further ahead than this is refused (a typo in the year, most likely).
MAX_AHEAD = timedelta(days=366)

_WEEKDAYS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("mon", "monday"),
        ("tue", "tues", "tuesday"),
        ("wed", "weds", "wednesday"),
        ("thu", "thur", "thurs", "thursday"),
        ("fri", "friday"),
        ("sat", "saturday"),
        ("sun", "sunday"),
    )
):
    for _name in _names:
        _WEEKDAYS[_name] = _number

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_WHEN = re.compile(r"(?P<day>\S+)\s+(?:at\s+)?(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})")
_ISO_DAY = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})")


class WhenError(ValueError):
    """The when-text cannot be used; the message is one or two sentences for the user."""


def parse_when(text: str, *, now: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant the couple means by `text`, read in `tz` and strictly after `now`.

    Accepts "YYYY-MM-DD HH:MM", "today HH:MM", "tomorrow HH:MM" and a weekday such as
    "sat 19:30" or "saturday 19:30" (the next such day: today if the time is still
    ahead), in any case. Raises WhenError otherwise, or for a past or too-distant time.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("Expected an aware datetime, got a naive one.")
    cleaned = " ".join(text.split()).casefold()
    match = _WHEN.fullmatch(cleaned)
    if match is None:
        raise WhenError(f"I couldn't read {_quoted(text)} as a day and a time. {_try(now, tz)}")
    hour, minute = int(match["hour"]), int(match["minute"])
    if hour > 23 or minute > 59:
        raise WhenError(
            f"{match['hour']}:{match['minute']} is not a time on a 24-hour clock. " + _try(now, tz)
        )
    at = time(hour, minute)
    today = now.astimezone(tz).date()
    word = match["day"]
    if word in _WEEKDAYS:
        return _next_weekday(_WEEKDAYS[word], at, now, tz)
    if word == "today":
        day = today
    elif word == "tomorrow":
        day = today + timedelta(days=1)
    else:
        day = _iso_day(word, now, tz)
    # Days far off are refused before any zone math, which could overflow near year 1 or 9999.
    if day < today:
        raise _past(_format_wall(datetime.combine(day, at)), now, tz)
    if day - today > MAX_AHEAD:
        raise _too_far(_format_wall(datetime.combine(day, at)), now, tz)
    instant = wall_time_on(day, at, tz).astimezone(UTC)
    if instant <= now:
        raise _past(format_when(instant, tz), now, tz)
    if instant - now > MAX_AHEAD:
        raise _too_far(format_when(instant, tz), now, tz)
    return instant


def date_reminder_at(date_at: datetime, question_time: time, tz: ZoneInfo) -> datetime:
    """The day-of reminder (UTC): the couple's question time on the date's local day,
    or two hours before the date if that is earlier."""
    day = date_at.astimezone(tz).date()
    at_question_time = wall_time_on(day, question_time, tz).astimezone(UTC)
    return min(at_question_time, (date_at - REMINDER_LEAD).astimezone(UTC))


def reflection_at(date_at: datetime, question_time: time, tz: ZoneInfo) -> datetime:
    """The reflection post (UTC): the couple's question time on the local day after the date."""
    day = date_at.astimezone(tz).date() + timedelta(days=1)
    return wall_time_on(day, question_time, tz).astimezone(UTC)


def format_when(instant: datetime, tz: ZoneInfo) -> str:
    """Like "Saturday 14 June 2026, 19:30", on the wall clock of `tz`."""
    return _format_wall(instant.astimezone(tz))


def _format_wall(local: datetime) -> str:
    return (
        f"{_DAY_NAMES[local.weekday()]} {local.day} {_MONTH_NAMES[local.month - 1]} "
        f"{local.year}, {local:%H:%M}"
    )


def _past(shown: str, now: datetime, tz: ZoneInfo) -> WhenError:
    return WhenError(
        f"{shown} has already passed. Pick a time ahead, like "
        f"{_example_day(now, tz)} 19:30 or tomorrow 19:30."
    )


def _too_far(shown: str, now: datetime, tz: ZoneInfo) -> WhenError:
    return WhenError(
        f"{shown} is more than a year away. Pick a day within the next year, "
        f"like {_example_day(now, tz)} 19:30 or tomorrow 19:30."
    )


def _next_weekday(weekday: int, at: time, now: datetime, tz: ZoneInfo) -> datetime:
    today = now.astimezone(tz).date()
    for offset in range(8):
        day = today + timedelta(days=offset)
        if day.weekday() != weekday:
            continue
        instant = wall_time_on(day, at, tz).astimezone(UTC)
        if instant > now:
            return instant
    raise AssertionError("unreachable: the same weekday a week on is always ahead")


def _iso_day(word: str, now: datetime, tz: ZoneInfo) -> date:
    match = _ISO_DAY.fullmatch(word)
    if match is None:
        raise WhenError(f"I couldn't read {_quoted(word)} as a day. {_try(now, tz)}")
    try:
        return date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError:
        raise WhenError(f"{word} is not a day on the calendar. {_try(now, tz)}") from None


def _example_day(now: datetime, tz: ZoneInfo) -> str:
    return (now.astimezone(tz).date() + timedelta(days=3)).isoformat()


def _try(now: datetime, tz: ZoneInfo) -> str:
    return f"Try {_example_day(now, tz)} 19:30, tomorrow 19:30 or sat 19:30."


def _quoted(text: str) -> str:
    shown = " ".join(text.split())
    if len(shown) > 40:
        shown = shown[:40] + "…"
    return f'"{shown}"' if shown else "an empty time"

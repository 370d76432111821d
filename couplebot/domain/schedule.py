"""Schedule and time-zone math: when a round is due, quiet hours, the one reminder.

Pure functions. Every instant is an aware datetime; instants we return are in UTC.
Wall times (`time` values) are naive and read in the zone passed alongside them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

__all__ = [
    "LATE_POST_MIN_WINDOW",
    "LATE_POST_UNTIL",
    "REMINDER_AFTER_FIRST_ANSWER",
    "REMINDER_AFTER_POST",
    "REMINDER_EARLIEST",
    "REMINDER_LATEST",
    "RoundStatus",
    "RoundTiming",
    "is_quiet",
    "local_date",
    "next_round",
    "parse_hhmm",
    "parse_timezone",
    "quiet_end_after",
    "reminder_due_at",
    "round_due_at",
    "timezone_suggestions",
    "todays_round",
    "wall_time_on",
]

LATE_POST_UNTIL = time(21, 0)
LATE_POST_MIN_WINDOW = timedelta(hours=2)

REMINDER_AFTER_POST = timedelta(hours=4)
REMINDER_AFTER_FIRST_ANSWER = timedelta(hours=1)
REMINDER_EARLIEST = time(9, 0)
REMINDER_LATEST = time(21, 0)

RoundStatus = Literal["upcoming", "due", "missed"]


@dataclass(frozen=True)
class RoundTiming:
    local_date: date
    due_at: datetime  # UTC
    status: RoundStatus


def _require_aware(instant: datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("Expected an aware datetime, got a naive one.")


def _wall(dt: datetime) -> datetime:
    """The naive wall-clock reading of an aware datetime."""
    return dt.replace(tzinfo=None, fold=0)


# --- Due times ---------------------------------------------------------------


def wall_time_on(day: date, at: time, tz: ZoneInfo) -> datetime:
    """`at` on `day` in `tz`: first occurrence if it repeats, end of the gap if it is skipped."""
    wanted = datetime.combine(day, at.replace(tzinfo=None, fold=0))
    local = wanted.replace(tzinfo=tz)  # fold=0: the earlier offset when ambiguous
    if _wall(local.astimezone(UTC).astimezone(tz)) == wanted:
        return local
    # Skipped by a forward jump. The jump lies between the two readings of the wall
    # time (after-jump offset, before-jump offset).
    return _offset_change(local.replace(fold=1), local, tz)


def _offset_change(before: datetime, after: datetime, tz: ZoneInfo) -> datetime:
    """The first whole second in (before, after] with the offset `after` has; bisected."""
    low, high = math.floor(before.timestamp()), math.ceil(after.timestamp())
    old_offset = datetime.fromtimestamp(low, tz).utcoffset()
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, tz).utcoffset() == old_offset:
            low = middle
        else:
            high = middle
    return datetime.fromtimestamp(high, tz)


def round_due_at(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant the round for local date `day` is due."""
    return wall_time_on(day, at, tz).astimezone(UTC)


def local_date(instant: datetime, tz: ZoneInfo) -> date:
    _require_aware(instant)
    return instant.astimezone(tz).date()


def next_round(now: datetime, at: time, tz: ZoneInfo) -> tuple[date, datetime]:
    """The first local date whose due instant is strictly after `now`, and that instant."""
    # Start a day early: a skipped wall time near midnight can push a due time past it.
    day = local_date(now, tz) - timedelta(days=1)
    while True:
        due = round_due_at(day, at, tz)
        if due > now:
            return day, due
        day += timedelta(days=1)


def todays_round(now: datetime, at: time, tz: ZoneInfo) -> RoundTiming:
    """Today's round (never a past day's): upcoming, due (may still post late) or missed."""
    today = local_date(now, tz)
    due = round_due_at(today, at, tz)
    if now < due:
        return RoundTiming(today, due, "upcoming")
    late_until = max(round_due_at(today, LATE_POST_UNTIL, tz), due + LATE_POST_MIN_WINDOW)
    # `today` comes from `now`, so "still the same local date" already holds.
    status: RoundStatus = "due" if now < late_until else "missed"
    return RoundTiming(today, due, status)


# --- Quiet hours and the one reminder ------------------------------------------


def _in_window(wall: time, start: time, end: time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= wall < end
    return wall >= start or wall < end  # wraps midnight


def is_quiet(instant: datetime, tz: ZoneInfo, quiet_start: time, quiet_end: time) -> bool:
    """Whether `instant` falls in [quiet_start, quiet_end) on the wall clock of `tz`."""
    _require_aware(instant)
    wall = instant.astimezone(tz).time()
    return _in_window(wall, _naive(quiet_start), _naive(quiet_end))


def _naive(t: time) -> time:
    return t.replace(tzinfo=None, fold=0)


def quiet_end_after(
    instant: datetime, tz: ZoneInfo, quiet_start: time, quiet_end: time
) -> datetime:
    """When the quiet hours containing `instant` end (UTC); `instant` itself if not quiet."""
    if not is_quiet(instant, tz, quiet_start, quiet_end):
        return instant.astimezone(UTC)
    local = instant.astimezone(tz)
    end = _naive(quiet_end)
    end_day = local.date()
    if quiet_start > quiet_end and local.time() >= _naive(quiet_start):
        end_day += timedelta(days=1)  # wrapped past midnight
    ends = round_due_at(end_day, end, tz)
    if ends <= instant:
        # Fall-back day: we are in the repeated hour, past the end's first occurrence.
        ends = datetime.combine(end_day, end, tzinfo=tz).replace(fold=1).astimezone(UTC)
    if instant.astimezone(tz).utcoffset() != ends.astimezone(tz).utcoffset():  # DST on the way
        # Turning the clocks back may leave the quiet window early.
        jump = _offset_change(instant, ends, tz).astimezone(UTC)
        if not is_quiet(jump, tz, quiet_start, quiet_end):
            return jump
    if ends > instant and is_quiet(ends, tz, quiet_start, quiet_end):
        # Turning the clocks forward skipped the whole gap (quiet 02:15-02:00 on a day
        # that jumps from 02:00 to 03:00): the quiet hours go on until the next end.
        return quiet_end_after(ends, tz, quiet_start, quiet_end)
    return ends


def reminder_due_at(
    *,
    posted_at: datetime,
    first_answer_at: datetime,
    tz: ZoneInfo,
    quiet_start: time,
    quiet_end: time,
) -> datetime | None:
    """When to send the one gentle reminder (UTC), or None if no kind hour is left today.

    `tz` and the quiet hours are those of the partner who has not answered yet.
    """
    _require_aware(posted_at)
    _require_aware(first_answer_at)
    day = local_date(posted_at, tz)
    earliest = round_due_at(day, REMINDER_EARLIEST, tz)
    latest = round_due_at(day, REMINDER_LATEST, tz)
    candidate = max(
        posted_at + REMINDER_AFTER_POST,
        first_answer_at + REMINDER_AFTER_FIRST_ANSWER,
        earliest,
    ).astimezone(UTC)
    candidate = quiet_end_after(candidate, tz, quiet_start, quiet_end)
    if candidate > latest or is_quiet(candidate, tz, quiet_start, quiet_end):
        return None
    return candidate


# --- Parsing user input --------------------------------------------------------

_HHMM = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_HHMM_HELP = "Use the 24-hour HH:MM format, like 07:30."


def parse_hhmm(text: str) -> time:
    """ "7:30", "07:30", "19:05" -> time. Anything else raises a friendly ValueError."""
    match = _HHMM.fullmatch(text.strip())
    if match is None:
        raise ValueError(_HHMM_HELP)
    hour, minute = int(match[1]), int(match[2])
    if hour > 23 or minute > 59:
        raise ValueError(_HHMM_HELP)
    return time(hour, minute)


_NOT_ZONES = frozenset({"localtime", "factory", "posixrules"})
_CANONICAL_AREAS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)


@cache
def _known_zones() -> tuple[str, ...]:
    names = (name for name in available_timezones() if name.lower() not in _NOT_ZONES)
    return tuple(sorted(names))


@cache
def _zones_by_lower_name() -> dict[str, str]:
    return {name.lower(): name for name in _known_zones()}


def parse_timezone(name: str) -> ZoneInfo:
    """An IANA zone by name (case-insensitive), or a friendly ValueError."""
    cleaned = name.strip()
    canonical = _zones_by_lower_name().get(cleaned.lower()) if ".." not in cleaned else None
    if canonical is not None:
        try:
            return ZoneInfo(canonical)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    shown = cleaned if len(cleaned) <= 40 else cleaned[:40] + "…"
    subject = f'"{shown}"' if shown else "An empty name"
    raise ValueError(
        f"{subject} is not a time zone I know. Try a name like Europe/Berlin or America/New_York."
    )


def _is_canonical(name: str) -> bool:
    area, _, rest = name.partition("/")
    return name == "UTC" or (area in _CANONICAL_AREAS and bool(rest))


def _match_rank(name: str, query: str) -> int | None:
    """0 exact, 1 name prefix, 2 word prefix (e.g. "york"), 3 substring, None no match."""
    lowered = name.lower()
    if lowered == query:
        return 0
    if lowered.startswith(query):
        return 1
    words = re.split(r"[/_\-]", lowered)
    if any(word.startswith(query) for word in words):
        return 2
    if query in lowered:
        return 3
    return None


def timezone_suggestions(prefix: str, limit: int = 25) -> list[str]:
    """Zone names for autocomplete: canonical Area/City names first, best matches first."""
    query = prefix.strip().lower().replace(" ", "_")
    ranked: list[tuple[bool, int, str]] = []
    for name in _known_zones():
        rank = _match_rank(name, query) if query else 1
        if rank is not None:
            ranked.append((not _is_canonical(name), rank, name))
    ranked.sort()
    return [name for _, _, name in ranked[: max(limit, 0)]]

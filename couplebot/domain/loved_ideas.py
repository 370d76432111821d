"""When a partner's "what makes me feel loved" list is offered to the other as an idea.

The rule, in one place: at most one idea per receiving partner per week (Monday to
Sunday in the couple's time zone). From Monday on it is considered once a day, at
IDEA_TIME in the couple's zone, until it has been given that week. A day is quiet
enough only when none of the couple's posts waits unsent, the bot posted nothing else
to them in the QUIET_GAP before, and none of their other scheduled items is due in the
QUIET_GAP after. A week without a quiet day simply rests.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from couplebot.domain.schedule import local_date, round_due_at

IDEA_TIME = time(13, 0)
QUIET_GAP = timedelta(hours=3)
_INDEX_BITS = 4  # a list holds at most 10 items: the index fits in 4 bits


def week_of(instant: datetime, zone: ZoneInfo) -> date:
    """The Monday of the couple's week containing `instant`."""
    day = local_date(instant, zone)
    return day - timedelta(days=day.weekday())


def next_idea_slot(now: datetime, zone: ZoneInfo) -> datetime:
    """The first daily slot strictly after `now` (DST-correct)."""
    today = local_date(now, zone)
    for day in (today, today + timedelta(days=1), today + timedelta(days=2)):
        slot = round_due_at(day, IDEA_TIME, zone)
        if slot > now:
            return slot
    raise AssertionError("a daily slot always comes within two days")


def next_week_slot(now: datetime, zone: ZoneInfo) -> datetime:
    """The first slot of the following week (its Monday)."""
    return round_due_at(week_of(now, zone) + timedelta(days=7), IDEA_TIME, zone)


def is_quiet_moment(
    now: datetime,
    *,
    unsent_posts: int,
    last_post_at: datetime | None,
    other_due: Iterable[datetime],
) -> bool:
    """True when nothing else from the bot is pending around `now` (see the module rule)."""
    if unsent_posts:
        return False
    if last_post_at is not None and now - last_post_at < QUIET_GAP:
        return False
    return all(not now <= due < now + QUIET_GAP for due in other_due)


def loved_token(index: int, text: str) -> int:
    """A button value naming an item by position and content, so a stale button is caught."""
    if not 0 <= index < 1 << _INDEX_BITS:
        raise ValueError(f"index {index} out of range")
    return (zlib.crc32(text.encode("utf-8")) << _INDEX_BITS) | index


def token_index(token: int) -> int:
    return token & ((1 << _INDEX_BITS) - 1)


def token_matches(token: int, index: int, text: str) -> bool:
    return loved_token(index, text) == token

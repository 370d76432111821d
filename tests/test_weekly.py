"""The weekly check-in's schedule across DST, its one reminder, and the weekday parser."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from couplebot.domain.checkins import CheckInError
from couplebot.domain.schedule import REMINDER_EARLIEST, REMINDER_LATEST, is_quiet
from couplebot.domain.weekly import (
    MAX_WEEKLY_ANSWER_LENGTH,
    WEEKDAY_NAMES,
    WEEKLY_DEFAULT_TIME,
    WEEKLY_DEFAULT_WEEKDAY,
    WeekdayError,
    WeeklyAnswer,
    next_weekly_at,
    parse_weekday,
    weekly_reminder_at,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
DST_ZONES = (BERLIN, NEW_YORK, SYDNEY)
SUNDAY = 6
MINUTE = timedelta(minutes=1)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(dt: datetime, tz: ZoneInfo) -> datetime:
    return dt.astimezone(tz).replace(tzinfo=None)


def first_instant_reading_at_least(day: date, at: time, tz: ZoneInfo) -> datetime:
    """Oracle, by brute force: the earliest UTC minute whose wall reading is >= day at `at`.

    That is the wall time's first occurrence, or the first minute after a skipped gap.
    """
    wanted = datetime.combine(day, at)
    instant = datetime.combine(day, at, tzinfo=tz).astimezone(UTC) - timedelta(hours=3)
    while local(instant, tz) < wanted:
        instant += MINUTE
    return instant


def oracle_next_weekly(after: datetime, weekday: int, at: time, tz: ZoneInfo) -> datetime:
    start = after.astimezone(tz).date() - timedelta(days=1)
    candidates = (
        first_instant_reading_at_least(start + timedelta(days=n), at, tz)
        for n in range(10)
        if (start + timedelta(days=n)).weekday() == weekday
    )
    return min(c for c in candidates if c > after)


# --- defaults and the weekday parser ---


def test_defaults_are_sunday_at_six_in_the_evening() -> None:
    assert WEEKDAY_NAMES[WEEKLY_DEFAULT_WEEKDAY] == "Sunday"
    assert time(18, 0) == WEEKLY_DEFAULT_TIME


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("mon", 0),
        ("monday", 0),
        ("tue", 1),
        ("tues", 1),
        ("tuesday", 1),
        ("wed", 2),
        ("weds", 2),
        ("wednesday", 2),
        ("thu", 3),
        ("thur", 3),
        ("thurs", 3),
        ("thursday", 3),
        ("fri", 4),
        ("friday", 4),
        ("sat", 5),
        ("saturday", 5),
        ("sun", 6),
        ("sunday", 6),
        ("  Sunday ", 6),
        ("FRI", 4),
        ("Tues.", 1),
    ],
)
def test_parse_weekday_accepts_names_and_standard_abbreviations(text: str, day: int) -> None:
    assert parse_weekday(text) == day


@pytest.mark.parametrize(
    "text",
    ["someday", "satan", "sundays", "mo", "tu", "s", "1", "weekday", "sun day", "mon.."],
)
def test_parse_weekday_rejects_anything_else(text: str) -> None:
    with pytest.raises(WeekdayError) as caught:
        parse_weekday(text)
    assert str(caught.value) == (
        f'"{text.strip()}" is not a day of the week; use a day like sunday or sun.'
    )


def test_parse_weekday_error_for_empty_and_long_input() -> None:
    with pytest.raises(WeekdayError, match=r"^That is not a day of the week; use a day like"):
        parse_weekday("   ")
    with pytest.raises(WeekdayError, match=r'^"xxxxxxxxxxxxxxxxxxxx…" is not a day'):
        parse_weekday("x" * 500)


def test_weekday_error_is_a_value_error() -> None:
    assert issubclass(WeekdayError, ValueError)


@given(st.text(max_size=12))
def test_parse_weekday_returns_a_weekday_or_raises(text: str) -> None:
    try:
        day = parse_weekday(text)
    except WeekdayError:
        return
    assert text.strip().lower().removesuffix(".")[:3] == WEEKDAY_NAMES[day][:3].lower()


# --- next_weekly_at: examples ---


def test_default_post_is_the_coming_sunday_evening() -> None:
    # Wednesday 2026-06-10; Berlin is UTC+2 in summer.
    assert next_weekly_at(utc(2026, 6, 10, 9), SUNDAY, time(18, 0), BERLIN) == utc(2026, 6, 14, 16)


def test_strictly_after_its_own_instant() -> None:
    due = next_weekly_at(utc(2026, 6, 10), SUNDAY, time(18, 0), BERLIN)
    assert next_weekly_at(due - timedelta(microseconds=1), SUNDAY, time(18, 0), BERLIN) == due
    assert next_weekly_at(due, SUNDAY, time(18, 0), BERLIN) == due + timedelta(days=7)


def test_later_the_same_day() -> None:
    # Sunday 2026-06-14 10:00 Berlin.
    assert next_weekly_at(utc(2026, 6, 14, 8), SUNDAY, time(18, 0), BERLIN) == utc(2026, 6, 14, 16)


@pytest.mark.parametrize(
    ("tz", "after", "at", "expected"),
    [
        # Clocks forward: the missing wall time means the first minute after the gap.
        (BERLIN, utc(2026, 3, 28), time(2, 30), utc(2026, 3, 29, 1)),  # 03:00 CEST
        (NEW_YORK, utc(2026, 3, 7), time(2, 30), utc(2026, 3, 8, 7)),  # 03:00 EDT
        (SYDNEY, utc(2026, 10, 3), time(2, 30), utc(2026, 10, 3, 16)),  # 03:00 AEDT
        # Clocks back: a repeated wall time means its first occurrence.
        (BERLIN, utc(2026, 10, 24), time(2, 30), utc(2026, 10, 25, 0, 30)),  # CEST
        (NEW_YORK, utc(2026, 10, 31), time(1, 30), utc(2026, 11, 1, 5, 30)),  # EDT
        (SYDNEY, utc(2026, 4, 4), time(2, 30), utc(2026, 4, 4, 15, 30)),  # AEDT
        # The default time on the change days keeps its wall time.
        (BERLIN, utc(2026, 3, 28), time(18, 0), utc(2026, 3, 29, 16)),
        (BERLIN, utc(2026, 10, 24), time(18, 0), utc(2026, 10, 25, 17)),
    ],
)
def test_dst_change_days(tz: ZoneInfo, after: datetime, at: time, expected: datetime) -> None:
    assert next_weekly_at(after, SUNDAY, at, tz) == expected


def test_second_occurrence_of_a_repeated_time_does_not_post_again() -> None:
    first = utc(2026, 10, 25, 0, 30)  # 02:30 CEST in Berlin
    second = first + timedelta(hours=1)  # 02:30 CET, the same wall reading
    assert next_weekly_at(first, SUNDAY, time(2, 30), BERLIN) == utc(2026, 11, 1, 1, 30)
    assert next_weekly_at(second, SUNDAY, time(2, 30), BERLIN) == utc(2026, 11, 1, 1, 30)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="weekday must be 0"):
        next_weekly_at(utc(2026, 1, 1), 7, time(18, 0), BERLIN)
    with pytest.raises(ValueError, match="weekday must be 0"):
        next_weekly_at(utc(2026, 1, 1), True, time(18, 0), BERLIN)
    with pytest.raises(ValueError, match="aware"):
        next_weekly_at(datetime(2026, 1, 1), SUNDAY, time(18, 0), BERLIN)


# --- next_weekly_at: properties across DST zones ---

instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)
# Half the wall times near the small hours, where the clocks change.
wall_times = st.one_of(
    st.builds(time, st.integers(0, 23), st.integers(0, 59)),
    st.builds(time, st.integers(0, 3), st.sampled_from([0, 1, 15, 30, 59])),
)
zones = st.sampled_from(DST_ZONES)
weekdays = st.integers(0, 6)


def _change_days() -> list[tuple[ZoneInfo, date]]:
    """Every local date on which a zone's UTC offset changes, 2024-2030."""
    found = []
    for tz in DST_ZONES:
        day = date(2024, 1, 1)
        while day.year <= 2030:
            start = datetime.combine(day, time(0), tzinfo=tz)
            end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
            if start.utcoffset() != end.utcoffset():
                found.append((tz, day))
            day += timedelta(days=1)
    return found


CHANGE_DAYS = _change_days()


@given(instants, weekdays, wall_times, zones)
def test_next_weekly_matches_a_brute_force_oracle(
    after: datetime, weekday: int, at: time, tz: ZoneInfo
) -> None:
    due = next_weekly_at(after, weekday, at, tz)
    assert due.tzinfo is UTC
    assert due > after
    assert due == oracle_next_weekly(after, weekday, at, tz)


@given(
    st.sampled_from(CHANGE_DAYS),
    st.integers(0, 8 * 24 * 60),
    st.builds(time, st.integers(0, 4), st.integers(0, 59)),
)
def test_next_weekly_on_clock_change_days_matches_the_oracle(
    change: tuple[ZoneInfo, date], minutes_before: int, at: time
) -> None:
    tz, day = change
    after = datetime.combine(day, time(4), tzinfo=tz).astimezone(UTC) - timedelta(
        minutes=minutes_before
    )
    due = next_weekly_at(after, day.weekday(), at, tz)
    assert due > after
    assert due == oracle_next_weekly(after, day.weekday(), at, tz)


def test_there_are_two_clock_changes_a_year_in_each_zone() -> None:
    assert len(CHANGE_DAYS) == 2 * 7 * len(DST_ZONES)


@given(st.dates(date(2024, 1, 1), date(2030, 12, 31)), weekdays, wall_times, zones)
def test_next_weekly_posts_once_a_week_on_its_day(
    start: date, weekday: int, at: time, tz: ZoneInfo
) -> None:
    after = datetime.combine(start, time(12), tzinfo=tz).astimezone(UTC)
    first = next_weekly_at(after, weekday, at, tz)
    second = next_weekly_at(first, weekday, at, tz)
    assert timedelta(days=7) - timedelta(hours=1) <= second - first <= timedelta(days=7, hours=1)
    for due in (first, second):
        wall = local(due, tz)
        if wall.time() == at:
            assert wall.weekday() == weekday
            assert due.astimezone(tz).fold == 0  # the first occurrence
        else:  # skipped by the clocks going forward: just after the gap on that day
            assert wall.weekday() == weekday
            assert wall.time() > at
            assert (due - MINUTE).astimezone(tz).utcoffset() != due.astimezone(tz).utcoffset()


# --- the one reminder ---

QUIET_START, QUIET_END = time(22, 0), time(8, 0)


def test_reminder_is_the_next_morning_at_nine() -> None:
    posted = utc(2026, 6, 14, 16)  # Sunday 18:00 in Berlin
    assert weekly_reminder_at(
        posted_at=posted, tz=BERLIN, quiet_start=QUIET_START, quiet_end=QUIET_END
    ) == utc(2026, 6, 15, 7)


def test_reminder_waits_for_the_end_of_quiet_hours() -> None:
    posted = utc(2026, 6, 14, 16)
    assert weekly_reminder_at(
        posted_at=posted, tz=BERLIN, quiet_start=time(23, 0), quiet_end=time(10, 30)
    ) == utc(2026, 6, 15, 8, 30)


def test_no_reminder_when_quiet_hours_cover_the_kind_hours() -> None:
    posted = utc(2026, 6, 14, 16)
    assert (
        weekly_reminder_at(posted_at=posted, tz=BERLIN, quiet_start=time(8), quiet_end=time(22))
        is None
    )


def test_reminder_follows_the_partners_own_day_and_zone() -> None:
    posted = utc(2026, 6, 14, 16)  # Sunday 12:00 in New York
    assert weekly_reminder_at(
        posted_at=posted, tz=NEW_YORK, quiet_start=QUIET_START, quiet_end=QUIET_END
    ) == utc(2026, 6, 15, 13)  # Monday 09:00 EDT
    # Monday 02:00 in Sydney already: the reminder is on Tuesday there.
    assert weekly_reminder_at(
        posted_at=posted, tz=SYDNEY, quiet_start=QUIET_START, quiet_end=QUIET_END
    ) == utc(2026, 6, 15, 23)  # Tuesday 09:00 AEST


def test_reminder_comes_an_hour_after_the_others_answer_that_day() -> None:
    posted = utc(2026, 6, 14, 16)
    kwargs = {"posted_at": posted, "tz": BERLIN, "quiet_start": QUIET_START, "quiet_end": QUIET_END}
    # Answered on Sunday evening: the next morning.
    assert weekly_reminder_at(first_answer_at=utc(2026, 6, 14, 17), **kwargs) == utc(2026, 6, 15, 7)
    # Answered on Monday at 15:00: at 16:00.
    assert weekly_reminder_at(first_answer_at=utc(2026, 6, 15, 13), **kwargs) == utc(
        2026, 6, 15, 14
    )
    # Answered on Monday at 20:30: too late; the week rests.
    assert weekly_reminder_at(first_answer_at=utc(2026, 6, 15, 18, 30), **kwargs) is None


quiet_times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 30]))


@given(instants, zones, quiet_times, quiet_times)
def test_reminder_is_the_next_day_within_kind_hours_and_never_quiet(
    posted: datetime, tz: ZoneInfo, quiet_start: time, quiet_end: time
) -> None:
    due = weekly_reminder_at(posted_at=posted, tz=tz, quiet_start=quiet_start, quiet_end=quiet_end)
    next_day = posted.astimezone(tz).date() + timedelta(days=1)
    # Every quarter hour of the next day's kind hours that is not quiet.
    open_slots = [
        slot
        for minutes in range(0, 12 * 60 + 1, 15)
        if not is_quiet(
            slot := datetime.combine(next_day, REMINDER_EARLIEST, tzinfo=tz).astimezone(UTC)
            + timedelta(minutes=minutes),
            tz,
            quiet_start,
            quiet_end,
        )
    ]
    if due is None:
        assert open_slots == []
        return
    assert due.tzinfo is UTC
    assert due > posted
    wall = local(due, tz)
    assert wall.date() == next_day
    assert REMINDER_EARLIEST <= wall.time() <= REMINDER_LATEST
    assert not is_quiet(due, tz, quiet_start, quiet_end)
    assert open_slots
    assert due <= open_slots[0]


# --- a weekly answer ---


def test_a_weekly_answer_keeps_trimmed_texts() -> None:
    answer = WeeklyAnswer(4, "  Our walk on Tuesday. ", "   ")
    assert (answer.closeness, answer.close_moment, answer.more_of) == (
        4,
        "Our walk on Tuesday.",
        None,
    )
    assert WeeklyAnswer(1) == WeeklyAnswer(1, None, None)


def test_a_weekly_answer_refuses_closeness_seven() -> None:
    with pytest.raises(CheckInError) as caught:
        WeeklyAnswer(7)
    assert str(caught.value) == (
        "Closeness must be a whole number from 1 (far apart) to 5 (very close), not 7."
    )


def test_a_weekly_answer_refuses_long_texts() -> None:
    assert WeeklyAnswer(3, "x" * MAX_WEEKLY_ANSWER_LENGTH).close_moment is not None
    with pytest.raises(CheckInError) as caught:
        WeeklyAnswer(3, "x" * 1001)
    assert str(caught.value) == (
        "Your moment of closeness can be up to 1000 characters, and this is 1001."
    )
    with pytest.raises(CheckInError, match=r"^What you'd love more of can be up to 1000"):
        WeeklyAnswer(3, None, "x" * 1200)

"""Reading when-text for a date plan, and the day-of reminder and reflection times, across DST."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from couplebot.domain.schedule import wall_time_on
from couplebot.domain.when import (
    MAX_AHEAD,
    REMINDER_LEAD,
    WhenError,
    date_reminder_at,
    format_when,
    parse_when,
    reflection_at,
)

BERLIN = ZoneInfo("Europe/Berlin")
DST_ZONES = ("Europe/Berlin", "America/New_York", "Australia/Sydney", "Pacific/Auckland")
# Friday 27 March 2026, 13:00 in Berlin; clocks go forward there on Sunday the 29th at 02:00.
NOW = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)
WEEKDAY_WORDS = (
    ("mon", "monday"),
    ("tue", "tuesday"),
    ("wed", "wednesday"),
    ("thu", "thursday"),
    ("fri", "friday"),
    ("sat", "saturday"),
    ("sun", "sunday"),
)


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-28 19:30", utc(2026, 3, 28, 18, 30)),
        ("today 19:30", utc(2026, 3, 27, 18, 30)),
        ("TOMORROW 19:30", utc(2026, 3, 28, 18, 30)),
        ("sat 19:30", utc(2026, 3, 28, 18, 30)),
        ("Saturday 19:30", utc(2026, 3, 28, 18, 30)),
        ("  sat   at 7:05 ", utc(2026, 3, 28, 6, 5)),
        ("fri 14:00", utc(2026, 3, 27, 13, 0)),  # today: the time is still ahead
        ("fri 12:00", utc(2026, 4, 3, 10, 0)),  # passed today: next week, in summer time
        ("fri 13:00", utc(2026, 4, 3, 11, 0)),  # exactly now counts as passed
        ("sun 02:30", utc(2026, 3, 29, 1, 0)),  # skipped by the clocks: 03:00 local
        ("mon 19:30", utc(2026, 3, 30, 17, 30)),  # summer time now
        ("2026-10-25 02:30", utc(2026, 10, 25, 0, 30)),  # happens twice: the first one
    ],
)
def test_parse_when_examples(text: str, expected: datetime) -> None:
    result = parse_when(text, now=NOW, tz=BERLIN)
    assert result == expected
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "I couldn't read an empty time as a day and a time."),
        ("blah", 'I couldn\'t read "blah" as a day and a time.'),
        ("sat", 'I couldn\'t read "sat" as a day and a time.'),
        ("19:30", 'I couldn\'t read "19:30" as a day and a time.'),
        ("someday 19:30", 'I couldn\'t read "someday" as a day.'),
        ("2026/04/01 19:30", 'I couldn\'t read "2026/04/01" as a day.'),
        ("sat 7pm", "I couldn't read"),
        ("2026-13-01 10:00", "2026-13-01 is not a day on the calendar."),
        ("2026-02-30 10:00", "2026-02-30 is not a day on the calendar."),
        ("today 24:00", "24:00 is not a time on a 24-hour clock."),
        ("today 12:60", "12:60 is not a time on a 24-hour clock."),
        ("today 10:00", "Friday 27 March 2026, 10:00 has already passed."),
        ("2025-12-24 18:00", "Wednesday 24 December 2025, 18:00 has already passed."),
        ("0001-01-01 00:00", "Monday 1 January 1, 00:00 has already passed."),
        ("2027-06-01 19:00", "Tuesday 1 June 2027, 19:00 is more than a year away."),
        ("9999-12-31 23:59", "is more than a year away."),
    ],
)
def test_a_bad_or_past_time_says_why_with_examples(text: str, message: str) -> None:
    with pytest.raises(WhenError) as raised:
        parse_when(text, now=NOW, tz=ZoneInfo("America/New_York") if "9999" in text else BERLIN)
    text_of_error = str(raised.value)
    assert message in text_of_error
    assert "tomorrow 19:30" in text_of_error  # always an example to copy
    assert isinstance(raised.value, ValueError)


def test_examples_use_a_real_upcoming_date() -> None:
    with pytest.raises(WhenError, match=r"Try 2026-03-30 19:30, tomorrow 19:30 or sat 19:30\."):
        parse_when("whenever", now=NOW, tz=BERLIN)


def test_a_long_text_is_cut_in_the_message() -> None:
    with pytest.raises(WhenError) as raised:
        parse_when("x" * 500, now=NOW, tz=BERLIN)
    assert len(str(raised.value)) < 200


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_when("today 19:30", now=datetime(2026, 3, 27, 12), tz=BERLIN)


def test_format_when() -> None:
    assert format_when(utc(2026, 6, 13, 17, 30), BERLIN) == "Saturday 13 June 2026, 19:30"


# --- the whole year, in zones with clock changes ---

zones = st.sampled_from(DST_ZONES).map(ZoneInfo)
instants = st.datetimes(datetime(2000, 1, 1), datetime(2036, 12, 31), timezones=st.just(UTC))
wall_times = st.builds(time, st.integers(0, 23), st.integers(0, 59))


@settings(max_examples=300, deadline=None)
@given(tz=zones, now=instants, at=wall_times, offset=st.integers(-2, 10))
def test_an_iso_date_is_that_wall_time_or_refused(
    tz: ZoneInfo, now: datetime, at: time, offset: int
) -> None:
    day = now.astimezone(tz).date() + timedelta(days=offset)
    expected = wall_time_on(day, at, tz).astimezone(UTC)
    text = f"{day.isoformat()} {at:%H:%M}"
    if expected <= now:
        with pytest.raises(WhenError, match="has already passed"):
            parse_when(text, now=now, tz=tz)
        return
    result = parse_when(text, now=now, tz=tz)
    assert result == expected and result.tzinfo is UTC
    local = result.astimezone(tz)
    assert local.date() == day
    # The wall time itself, or, when the clocks jumped past it, a later one.
    assert local.time() == at or (not exists(day, at, tz) and local.time() > at)


def exists(day: date, at: time, tz: ZoneInfo) -> bool:
    naive = datetime.combine(day, at)
    return naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive


@settings(max_examples=300, deadline=None)
@given(tz=zones, now=instants, at=wall_times, weekday=st.integers(0, 6), long_name=st.booleans())
def test_a_weekday_is_the_next_such_day_still_ahead(
    tz: ZoneInfo, now: datetime, at: time, weekday: int, long_name: bool
) -> None:
    word = WEEKDAY_WORDS[weekday][long_name]
    result = parse_when(f"{word.title()} {at:%H:%M}", now=now, tz=tz)
    local_day = result.astimezone(tz).date()
    assert local_day.weekday() == weekday
    assert result > now
    assert result == wall_time_on(local_day, at, tz).astimezone(UTC)
    # Nothing earlier would do: a week before is already past.
    assert wall_time_on(local_day - timedelta(days=7), at, tz).astimezone(UTC) <= now


@settings(max_examples=200, deadline=None)
@given(tz=zones, now=instants, at=wall_times)
def test_today_and_tomorrow(tz: ZoneInfo, now: datetime, at: time) -> None:
    today = now.astimezone(tz).date()
    tomorrow = parse_when(f"tomorrow {at:%H:%M}", now=now, tz=tz)
    assert tomorrow == wall_time_on(today + timedelta(days=1), at, tz).astimezone(UTC)
    expected_today = wall_time_on(today, at, tz).astimezone(UTC)
    if expected_today > now:
        assert parse_when(f"today {at:%H:%M}", now=now, tz=tz) == expected_today
    else:
        with pytest.raises(WhenError):
            parse_when(f"today {at:%H:%M}", now=now, tz=tz)


def test_no_plan_beyond_a_year() -> None:
    edge = (NOW + MAX_AHEAD).astimezone(BERLIN)
    inside = edge - timedelta(days=1)
    assert parse_when(f"{inside.date()} {inside:%H:%M}", now=NOW, tz=BERLIN)
    with pytest.raises(WhenError, match="more than a year away"):
        parse_when(f"{edge.date() + timedelta(days=1)} 00:00", now=NOW, tz=BERLIN)


# --- the day-of reminder and the reflection ---


@pytest.mark.parametrize(
    ("date_at", "question", "reminder"),
    [
        (utc(2026, 6, 13, 17, 30), time(8, 0), utc(2026, 6, 13, 6, 0)),  # 19:30 date: 08:00
        (utc(2026, 6, 13, 7, 0), time(8, 0), utc(2026, 6, 13, 5, 0)),  # 09:00 date: 07:00
        (utc(2026, 6, 13, 6, 0), time(8, 0), utc(2026, 6, 13, 4, 0)),  # 08:00 date: 06:00
        (utc(2026, 6, 12, 22, 30), time(8, 0), utc(2026, 6, 12, 20, 30)),  # 00:30: the eve
        # Clocks go forward on the 29th: the 02:30 question time is 03:00 that day.
        (utc(2026, 3, 29, 18, 0), time(2, 30), utc(2026, 3, 29, 1, 0)),
        # Clocks go back on 25 October: 02:30 happens twice, the reminder uses the first.
        (utc(2026, 10, 25, 18, 0), time(2, 30), utc(2026, 10, 25, 0, 30)),
    ],
)
def test_date_reminder_examples(date_at: datetime, question: time, reminder: datetime) -> None:
    result = date_reminder_at(date_at, question, BERLIN)
    assert result == reminder and result.tzinfo is UTC


@pytest.mark.parametrize(
    ("date_at", "question", "reflection"),
    [
        (utc(2026, 6, 13, 17, 30), time(8, 0), utc(2026, 6, 14, 6, 0)),
        (utc(2026, 6, 14, 21, 30), time(8, 0), utc(2026, 6, 15, 6, 0)),  # 23:30 local Sunday
        (utc(2026, 3, 28, 18, 0), time(2, 30), utc(2026, 3, 29, 1, 0)),  # into the gap: 03:00
        (utc(2026, 10, 24, 18, 0), time(8, 0), utc(2026, 10, 25, 7, 0)),  # winter time again
    ],
)
def test_reflection_examples(date_at: datetime, question: time, reflection: datetime) -> None:
    result = reflection_at(date_at, question, BERLIN)
    assert result == reflection and result.tzinfo is UTC


@settings(max_examples=300, deadline=None)
@given(tz=zones, date_at=instants, question=wall_times)
def test_reminder_and_reflection_across_zones(
    tz: ZoneInfo, date_at: datetime, question: time
) -> None:
    day = date_at.astimezone(tz).date()
    question_on_the_day = wall_time_on(day, question, tz).astimezone(UTC)
    reminder = date_reminder_at(date_at, question, tz)
    assert reminder <= date_at - REMINDER_LEAD
    assert reminder in (question_on_the_day, date_at - REMINDER_LEAD)
    assert reminder <= question_on_the_day
    reflection = reflection_at(date_at, question, tz)
    assert reflection.astimezone(tz).date() == day + timedelta(days=1)
    assert reflection == wall_time_on(day + timedelta(days=1), question, tz).astimezone(UTC)
    assert reflection > date_at


def test_reflection_day_uses_the_couples_zone_not_utc() -> None:
    # 23:30 on Saturday in Auckland is Saturday morning in UTC.
    auckland = ZoneInfo("Pacific/Auckland")
    date_at = datetime(2026, 6, 13, 23, 30, tzinfo=auckland)
    assert date_at.astimezone(UTC).date() == date(2026, 6, 13)
    assert reflection_at(date_at, time(8, 0), auckland) == utc(2026, 6, 13, 20, 0)

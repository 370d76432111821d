"""Schedule math across DST transitions, quiet hours, the one reminder, parsing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from couplebot.domain.schedule import (
    LATE_POST_MIN_WINDOW,
    LATE_POST_UNTIL,
    REMINDER_EARLIEST,
    REMINDER_LATEST,
    is_quiet,
    local_date,
    next_round,
    parse_hhmm,
    parse_timezone,
    quiet_end_after,
    reminder_due_at,
    round_due_at,
    timezone_suggestions,
    todays_round,
    wall_time_on,
)

ZONE_NAMES = (
    "America/New_York",
    "Europe/London",
    "Europe/Berlin",
    "Australia/Sydney",
    "America/Santiago",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "Australia/Lord_Howe",
)
NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
MINUTE = timedelta(minutes=1)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def wall(dt: datetime) -> datetime:
    return dt.replace(tzinfo=None, fold=0)


@cache
def transition_days(zone_name: str) -> tuple[date, ...]:
    """Local dates in 2000-2037 on which the zone's offset changes."""
    tz = ZoneInfo(zone_name)
    days = []
    day = date(2000, 1, 1)
    previous = datetime.combine(day, time(12), tz).utcoffset()
    while day < date(2037, 12, 31):
        day += timedelta(days=1)
        offset = datetime.combine(day, time(12), tz).utcoffset()
        if offset != previous:
            days.append(day)
        previous = offset
    return tuple(days)


@st.composite
def zone_and_day(draw: st.DrawFn) -> tuple[ZoneInfo, date]:
    name = draw(st.sampled_from(ZONE_NAMES))
    transitions = transition_days(name)
    near_a_transition = draw(st.booleans())
    if transitions and near_a_transition:
        day = draw(st.sampled_from(transitions)) + timedelta(days=draw(st.integers(-1, 1)))
    else:
        day = draw(st.dates(date(2000, 1, 1), date(2037, 12, 31)))
    return ZoneInfo(name), day


# Most transitions happen between midnight and 04:00 local: sample that often.
wall_times = st.one_of(
    st.builds(time, st.integers(0, 3), st.integers(0, 59)),
    st.builds(time, st.integers(0, 23), st.integers(0, 59)),
)


def first_instant_reading_at_least(day: date, at: time, tz: ZoneInfo) -> datetime:
    """Oracle: scan UTC minutes for the first instant whose wall clock reads >= day at."""
    target = datetime.combine(day, at)
    instant = (target - timedelta(hours=16)).replace(tzinfo=UTC)  # offsets are < +16h
    while wall(instant.astimezone(tz)) < target:
        instant += MINUTE
    return instant


# --- wall_time_on ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "at", "expected_utc", "expected_wall"),
    [
        # Spring forward 02:00 -> 03:00: a missing 02:30 means 03:00 EDT, not 03:30.
        ("America/New_York", date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7), time(3, 0)),
        # Fall back: 01:30 happens twice; the first (EDT) one.
        ("America/New_York", date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30), time(1, 30)),
        ("Europe/Berlin", date(2026, 3, 29), time(2, 15), utc(2026, 3, 29, 1), time(3, 0)),
        ("Europe/Berlin", date(2026, 10, 25), time(2, 30), utc(2026, 10, 25, 0, 30), time(2, 30)),
        # Lord Howe shifts by only 30 minutes.
        (
            "Australia/Lord_Howe",
            date(2026, 10, 4),
            time(2, 15),
            utc(2026, 10, 3, 15, 30),
            time(2, 30),
        ),
        (
            "Australia/Lord_Howe",
            date(2026, 4, 5),
            time(1, 45),
            utc(2026, 4, 4, 14, 45),
            time(1, 45),
        ),
        # Chatham: +12:45 -> +13:45 at 02:45.
        ("Pacific/Chatham", date(2026, 9, 27), time(3, 0), utc(2026, 9, 26, 14), time(3, 45)),
        # Santiago jumps at midnight: 00:15 does not exist.
        ("America/Santiago", date(2026, 9, 6), time(0, 15), utc(2026, 9, 6, 4), time(1, 0)),
        # Southern hemisphere: Sydney springs forward in October.
        ("Australia/Sydney", date(2026, 10, 4), time(2, 30), utc(2026, 10, 3, 16), time(3, 0)),
        ("Asia/Kolkata", date(2026, 3, 8), time(7, 0), utc(2026, 3, 8, 1, 30), time(7, 0)),
    ],
)
def test_wall_time_on_examples(
    zone: str, day: date, at: time, expected_utc: datetime, expected_wall: time
) -> None:
    tz = ZoneInfo(zone)
    result = wall_time_on(day, at, tz)
    assert result.tzinfo is tz
    assert result.fold == 0
    # Compare as UTC: == across zones is always False for a repeated or skipped wall time.
    assert result.astimezone(UTC) == expected_utc
    assert result.time() == expected_wall
    assert result.date() == day
    assert round_due_at(day, at, tz) == expected_utc
    assert round_due_at(day, at, tz).tzinfo is UTC


def test_naive_combine_would_be_wrong_here() -> None:
    # The trap this module exists for.
    naive_way = datetime.combine(date(2026, 3, 8), time(2, 30), NY)
    assert naive_way.astimezone(UTC).astimezone(NY).time() == time(3, 30)
    assert wall_time_on(date(2026, 3, 8), time(2, 30), NY).time() == time(3, 0)


@st.composite
def transition_day_and_night_time(draw: st.DrawFn) -> tuple[ZoneInfo, date, time]:
    """A DST day of a zone with DST, and a wall time in the small hours when clocks move."""
    name = draw(st.sampled_from([n for n in ZONE_NAMES if transition_days(n)]))
    day = draw(st.sampled_from(transition_days(name)))
    at = draw(st.builds(time, st.integers(0, 3), st.integers(0, 59)))
    return ZoneInfo(name), day, at


@settings(deadline=None)
@given(zone_and_day(), wall_times)
def test_wall_time_on_is_the_first_instant_reading_that_time(
    zone_day: tuple[ZoneInfo, date], at: time
) -> None:
    check_wall_time_on(*zone_day, at)


@settings(deadline=None, max_examples=300)
@given(transition_day_and_night_time())
def test_wall_time_on_around_clock_changes(case: tuple[ZoneInfo, date, time]) -> None:
    check_wall_time_on(*case)


def check_wall_time_on(tz: ZoneInfo, day: date, at: time) -> None:
    result = wall_time_on(day, at, tz)
    wanted = datetime.combine(day, at)
    assert result.tzinfo is tz
    assert result.fold == 0
    assert wall(result) >= wanted  # never earlier than asked
    assert result.astimezone(UTC) == first_instant_reading_at_least(day, at, tz)
    exists = wall(result.astimezone(UTC).astimezone(tz)) == wanted
    repeated = wanted.replace(tzinfo=tz, fold=1).utcoffset() != result.utcoffset()
    event("skipped" if not exists else "repeated" if repeated else "ordinary")
    if exists:
        assert wall(result) == wanted
        # The first of two occurrences, if there are two.
        assert result.astimezone(UTC) <= wanted.replace(tzinfo=tz, fold=1).astimezone(UTC)
    else:
        # End of the gap: a second earlier the clock still read before the wanted time.
        a_second_before = result.astimezone(UTC) - timedelta(seconds=1)
        assert wall(a_second_before.astimezone(tz)) < wanted
        assert wall(result) > wanted


# --- next_round and todays_round ---------------------------------------------------


@settings(deadline=None)
@given(zone_and_day(), wall_times, st.floats(0, 1), st.integers(0, 86_399))
def test_next_round_yields_each_local_date_exactly_once(
    zone_day: tuple[ZoneInfo, date], at: time, fraction: float, start_seconds: int
) -> None:
    tz, day = zone_day
    now = datetime.combine(day - timedelta(days=3), time(), tz).astimezone(UTC)
    now += timedelta(seconds=start_seconds)
    previous: tuple[date, datetime] | None = None
    for _ in range(7):
        round_day, due = next_round(now, at, tz)
        assert due > now
        assert due.tzinfo is UTC
        assert due == round_due_at(round_day, at, tz)
        assert local_date(due, tz) == round_day
        assert round_due_at(round_day - timedelta(days=1), at, tz) <= now
        if previous is not None:
            assert round_day == previous[0] + timedelta(days=1)
            assert due > previous[1]
            # Any instant between two due times arms the later one.
            between = previous[1] + (due - previous[1]) * fraction
            if between < due:
                assert next_round(between, at, tz) == (round_day, due)
        assert next_round(due - timedelta(microseconds=1), at, tz) == (round_day, due)
        previous = (round_day, due)
        now = due  # strictly after: the next call moves on to the next date


def test_next_round_on_a_spring_forward_day() -> None:
    now = utc(2026, 3, 8, 5)  # 00:00 EST
    assert next_round(now, time(2, 30), NY) == (date(2026, 3, 8), utc(2026, 3, 8, 7))
    assert next_round(utc(2026, 3, 8, 7), time(2, 30), NY) == (
        date(2026, 3, 9),
        utc(2026, 3, 9, 6, 30),
    )


def test_next_round_on_a_fall_back_day_fires_once() -> None:
    first = next_round(utc(2026, 11, 1, 4), time(1, 30), NY)
    assert first == (date(2026, 11, 1), utc(2026, 11, 1, 5, 30))
    # During the repeated hour (01:30 EST) the next round is tomorrow's.
    second = next_round(utc(2026, 11, 1, 6, 30), time(1, 30), NY)
    assert second == (date(2026, 11, 2), utc(2026, 11, 2, 6, 30))


@pytest.mark.parametrize(
    ("now", "at", "status", "local_day"),
    [
        (utc(2026, 6, 1, 10, 59), time(7, 0), "upcoming", date(2026, 6, 1)),  # 06:59 EDT
        (utc(2026, 6, 1, 11, 0), time(7, 0), "due", date(2026, 6, 1)),
        (utc(2026, 6, 2, 0, 59), time(7, 0), "due", date(2026, 6, 1)),  # 20:59
        (utc(2026, 6, 2, 1, 0), time(7, 0), "missed", date(2026, 6, 1)),  # 21:00
        (utc(2026, 6, 2, 1, 30), time(20, 0), "due", date(2026, 6, 1)),  # 21:30, window 2h
        (utc(2026, 6, 2, 2, 0), time(20, 0), "missed", date(2026, 6, 1)),  # 22:00
        (utc(2026, 6, 2, 3, 59), time(23, 0), "due", date(2026, 6, 1)),  # 23:59
        # Midnight: yesterday's late window is gone; today's round is upcoming.
        (utc(2026, 6, 2, 4, 0), time(23, 0), "upcoming", date(2026, 6, 2)),
    ],
)
def test_todays_round_examples(now: datetime, at: time, status: str, local_day: date) -> None:
    timing = todays_round(now, at, NY)
    assert timing.status == status
    assert timing.local_date == local_day
    assert timing.due_at == round_due_at(local_day, at, NY)


@settings(deadline=None)
@given(zone_and_day(), wall_times, st.integers(0, 86_399))
def test_todays_round_is_consistent(
    zone_day: tuple[ZoneInfo, date], at: time, seconds: int
) -> None:
    tz, day = zone_day
    now = datetime.combine(day, time(), tz).astimezone(UTC) + timedelta(seconds=seconds)
    timing = todays_round(now, at, tz)
    assert timing.local_date == local_date(now, tz)
    assert timing.due_at == round_due_at(timing.local_date, at, tz)
    late_until = max(
        round_due_at(timing.local_date, LATE_POST_UNTIL, tz),
        timing.due_at + LATE_POST_MIN_WINDOW,
    )
    expected = "upcoming" if now < timing.due_at else "due" if now < late_until else "missed"
    assert timing.status == expected


def test_local_date_rejects_naive() -> None:
    with pytest.raises(ValueError, match="aware"):
        local_date(datetime(2026, 1, 1), NY)


# --- Quiet hours -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("local_wall", "start", "end", "quiet"),
    [
        (time(23, 0), time(22, 0), time(8, 0), True),
        (time(3, 0), time(22, 0), time(8, 0), True),
        (time(8, 0), time(22, 0), time(8, 0), False),
        (time(21, 59), time(22, 0), time(8, 0), False),
        (time(22, 0), time(22, 0), time(8, 0), True),
        (time(13, 0), time(12, 0), time(14, 0), True),
        (time(14, 0), time(12, 0), time(14, 0), False),
        (time(3, 0), time(0, 0), time(0, 0), False),  # start == end: none
    ],
)
def test_is_quiet(local_wall: time, start: time, end: time, quiet: bool) -> None:
    instant = datetime.combine(date(2026, 6, 1), local_wall, BERLIN)
    assert is_quiet(instant, BERLIN, start, end) is quiet


def test_quiet_end_after_wraps_midnight() -> None:
    late = datetime(2026, 6, 1, 23, 0, tzinfo=BERLIN)
    assert quiet_end_after(late, BERLIN, time(22), time(8)) == utc(2026, 6, 2, 6)
    early = datetime(2026, 6, 2, 3, 0, tzinfo=BERLIN)
    assert quiet_end_after(early, BERLIN, time(22), time(8)) == utc(2026, 6, 2, 6)
    awake = datetime(2026, 6, 2, 12, 0, tzinfo=BERLIN)
    assert quiet_end_after(awake, BERLIN, time(22), time(8)) == awake


def test_quiet_end_after_in_the_repeated_hour() -> None:
    # Quiet 01:00-01:30; on the fall-back day 01:10 EST comes after 01:30 EDT.
    second_pass = utc(2026, 11, 1, 6, 10)  # 01:10 EST
    assert is_quiet(second_pass, NY, time(1, 0), time(1, 30))
    assert quiet_end_after(second_pass, NY, time(1, 0), time(1, 30)) == utc(2026, 11, 1, 6, 30)


def test_quiet_hours_whose_gap_a_spring_forward_skips_last_until_the_next_end() -> None:
    # Quiet 02:15-02:00 leaves only 02:00-02:15 free, and 2000-04-02 jumps 02:00 -> 03:00.
    night = utc(2000, 4, 2, 6, 30)  # 01:30 EST
    result = quiet_end_after(night, NY, time(2, 15), time(2, 0))
    assert not is_quiet(result, NY, time(2, 15), time(2, 0))
    assert result == utc(2000, 4, 3, 6, 0)  # 02:00 EDT the next day


quarter_hours = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))


@settings(deadline=None)
@given(zone_and_day(), st.integers(0, 24 * 60 - 1), quarter_hours, quarter_hours)
def test_quiet_end_after_is_the_first_non_quiet_instant(
    zone_day: tuple[ZoneInfo, date], minute_of_day: int, start: time, end: time
) -> None:
    tz, day = zone_day
    instant = datetime.combine(day, time(), tz).astimezone(UTC) + minute_of_day * MINUTE
    result = quiet_end_after(instant, tz, start, end)
    assert result >= instant
    assert result.tzinfo is UTC
    assert not is_quiet(result, tz, start, end)
    probe = instant
    while probe < result:
        assert is_quiet(probe, tz, start, end)
        probe += 15 * MINUTE


# --- The one reminder --------------------------------------------------------------


def test_reminder_four_hours_after_the_post() -> None:
    posted = datetime(2026, 6, 1, 7, 0, tzinfo=BERLIN)
    first = datetime(2026, 6, 1, 8, 0, tzinfo=BERLIN)
    result = reminder_due_at(
        posted_at=posted,
        first_answer_at=first,
        tz=BERLIN,
        quiet_start=time(22),
        quiet_end=time(7),
    )
    assert result == datetime(2026, 6, 1, 11, 0, tzinfo=BERLIN)
    assert result is not None
    assert result.tzinfo is UTC


def test_reminder_an_hour_after_the_first_answer() -> None:
    posted = datetime(2026, 6, 1, 7, 0, tzinfo=BERLIN)
    first = datetime(2026, 6, 1, 12, 20, tzinfo=BERLIN)
    result = reminder_due_at(
        posted_at=posted,
        first_answer_at=first,
        tz=BERLIN,
        quiet_start=time(22),
        quiet_end=time(7),
    )
    assert result == datetime(2026, 6, 1, 13, 20, tzinfo=BERLIN)


def test_reminder_waits_for_quiet_hours_and_nine_in_the_partners_zone() -> None:
    # The couple posts at 07:00 New York time.
    tokyo = ZoneInfo("Asia/Tokyo")
    posted = datetime(2026, 6, 1, 7, 0, tzinfo=NY)  # 20:00 Tokyo
    first = posted + timedelta(minutes=10)
    # Tokyo partner: 20:00 + 4h is already tomorrow there, so no reminder.
    assert (
        reminder_due_at(
            posted_at=posted,
            first_answer_at=first,
            tz=tokyo,
            quiet_start=time(23),
            quiet_end=time(10),
        )
        is None
    )
    # A partner in Honolulu gets it at 01:00+4h = 05:00 -> quiet until 07:00 -> 09:00.
    honolulu = ZoneInfo("Pacific/Honolulu")
    result = reminder_due_at(
        posted_at=posted,
        first_answer_at=first,
        tz=honolulu,
        quiet_start=time(23),
        quiet_end=time(7),
    )
    assert result == datetime(2026, 6, 1, 9, 0, tzinfo=honolulu)
    # Quiet until 09:30 pushes past nine.
    result = reminder_due_at(
        posted_at=posted,
        first_answer_at=first,
        tz=honolulu,
        quiet_start=time(23),
        quiet_end=time(9, 30),
    )
    assert result == datetime(2026, 6, 1, 9, 30, tzinfo=honolulu)


def test_reminder_never_late_in_the_evening() -> None:
    posted = datetime(2026, 6, 1, 17, 30, tzinfo=BERLIN)
    first = posted + timedelta(minutes=5)
    assert (
        reminder_due_at(
            posted_at=posted,
            first_answer_at=first,
            tz=BERLIN,
            quiet_start=time(23),
            quiet_end=time(7),
        )
        is None
    )  # 21:30
    posted = datetime(2026, 6, 1, 17, 0, tzinfo=BERLIN)
    assert reminder_due_at(
        posted_at=posted,
        first_answer_at=first,
        tz=BERLIN,
        quiet_start=time(23),
        quiet_end=time(7),
    ) == datetime(2026, 6, 1, 21, 0, tzinfo=BERLIN)  # 21:00 itself is fine
    # Quiet from 20:00: nothing left today.
    posted = datetime(2026, 6, 1, 16, 30, tzinfo=BERLIN)
    assert (
        reminder_due_at(
            posted_at=posted,
            first_answer_at=posted,
            tz=BERLIN,
            quiet_start=time(20),
            quiet_end=time(7),
        )
        is None
    )


@settings(deadline=None)
@given(
    zone_and_day(),
    st.sampled_from(ZONE_NAMES),
    wall_times,
    st.integers(0, 20 * 60),
    quarter_hours,
    quarter_hours,
)
def test_reminder_lands_at_a_kind_hour_or_not_at_all(
    couple_zone_day: tuple[ZoneInfo, date],
    partner_zone_name: str,
    post_time: time,
    answer_after_minutes: int,
    quiet_start: time,
    quiet_end: time,
) -> None:
    couple_tz, day = couple_zone_day
    partner_tz = ZoneInfo(partner_zone_name)
    posted = round_due_at(day, post_time, couple_tz)
    first = posted + answer_after_minutes * MINUTE
    result = reminder_due_at(
        posted_at=posted,
        first_answer_at=first,
        tz=partner_tz,
        quiet_start=quiet_start,
        quiet_end=quiet_end,
    )
    partner_day = local_date(posted, partner_tz)
    earliest_ok = max(posted + timedelta(hours=4), first + timedelta(hours=1))
    latest = round_due_at(partner_day, REMINDER_LATEST, partner_tz)

    def kind(instant: datetime) -> bool:
        local = instant.astimezone(partner_tz)
        return (
            local.date() == partner_day
            and REMINDER_EARLIEST <= local.time() <= REMINDER_LATEST
            and not is_quiet(instant, partner_tz, quiet_start, quiet_end)
        )

    if result is None:
        # Nothing kind was left: every minute from the earliest allowed to 21:00 is not.
        probe = earliest_ok
        while probe <= latest:
            assert not kind(probe)
            probe += 5 * MINUTE
        return
    assert result.tzinfo is UTC
    assert result >= earliest_ok
    assert kind(result)
    # And it is not later than it needs to be.
    if result > earliest_ok:
        assert not kind(result - MINUTE)


# --- Parsing -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7:30", time(7, 30)),
        ("07:30", time(7, 30)),
        ("19:05", time(19, 5)),
        ("0:00", time(0, 0)),
        ("23:59", time(23, 59)),
        (" 08:00 ", time(8, 0)),
    ],
)
def test_parse_hhmm_accepts(text: str, expected: time) -> None:
    assert parse_hhmm(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "7",
        "730",
        "07:30:00",
        "24:00",
        "12:60",
        "7:5",
        "ab:cd",
        "7:30am",
        "7:30 pm",
        "007:30",
        "-1:30",
        "07.30",
        "٠٧:٣٠",
        "07:30\n08:00",
    ],
)
def test_parse_hhmm_rejects_kindly(text: str) -> None:
    with pytest.raises(ValueError, match=r"Use the 24-hour HH:MM format, like 07:30\."):
        parse_hhmm(text)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("  America/New_York ", "America/New_York"),
        ("europe/berlin", "Europe/Berlin"),
        ("UTC", "UTC"),
        ("Pacific/Chatham", "Pacific/Chatham"),
    ],
)
def test_parse_timezone_accepts(name: str, key: str) -> None:
    assert parse_timezone(name).key == key


@pytest.mark.parametrize(
    "name",
    [
        "",
        "   ",
        "Mars/Olympus_Mons",
        "localtime",
        "Factory",
        "../etc/passwd",
        "/etc/localtime",
        "Europe/../Europe/Berlin",
        "Europe/Berlin/",
        "posixrules",
        "zone.tab",
        "Berlin",
    ],
)
def test_parse_timezone_rejects_kindly(name: str) -> None:
    with pytest.raises(
        ValueError, match=r"is not a time zone I know\. Try a name like Europe/Berlin"
    ):
        parse_timezone(name)


def test_timezone_suggestions_best_first() -> None:
    assert timezone_suggestions("berlin")[0] == "Europe/Berlin"
    assert timezone_suggestions("BERL")[0] == "Europe/Berlin"
    assert timezone_suggestions("new york")[0] == "America/New_York"
    assert timezone_suggestions("europe/")[:2] == ["Europe/Amsterdam", "Europe/Andorra"]
    assert "US/Eastern" in timezone_suggestions("US/East")
    assert timezone_suggestions("no such place") == []


def test_timezone_suggestions_prefix_before_substring() -> None:
    names = timezone_suggestions("lon")
    assert names.index("Europe/London") < names.index("America/Blanc-Sablon")


def test_timezone_suggestions_canonical_before_aliases() -> None:
    names = timezone_suggestions("pacific", limit=100)
    aliases = [n for n in names if not n.startswith("Pacific/")]
    assert "US/Pacific" in aliases
    first_alias = names.index(aliases[0])
    assert all(n.startswith("Pacific/") for n in names[:first_alias])


def test_timezone_suggestions_limit() -> None:
    assert len(timezone_suggestions("")) == 25
    assert len(timezone_suggestions("a", limit=3)) == 3
    assert timezone_suggestions("a", limit=0) == []

"""Gentle signals over synthetic histories: quiet for stable couples, exact at thresholds."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from couplebot.domain.signals import (
    CheckinPoint,
    CoupleHistory,
    SentSignal,
    WeeklyPoint,
    drifting,
    due_signals,
    perception_gap,
    quieter_days,
    sustained_low,
)

A, B = 101, 202
NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
DAY = timedelta(days=1)


def checkin(user: int, at: datetime, closeness: int, *, shared: bool = False) -> CheckinPoint:
    return CheckinPoint(user_id=user, at=at, mood=3, closeness=closeness, shared=shared)


def history(
    checkins: Sequence[CheckinPoint] = (),
    *,
    together: Collection[date] = (),
    neutral: Collection[date] = (),
    weeklies: Sequence[WeeklyPoint] = (),
    zone: str = "Europe/Berlin",
) -> CoupleHistory:
    return CoupleHistory(
        couple_id=7,
        timezone=zone,
        partners=(A, B),
        checkins=tuple(checkins),
        weeklies=tuple(weeklies),
        together=frozenset(together),
        neutral=frozenset(neutral),
    )


def stable_history(now: datetime = NOW, days: int = 60) -> CoupleHistory:
    """Both check in every other day at 4, and answer every day."""
    points = []
    for n in range(0, days, 2):
        points.append(checkin(A, now - n * DAY - 3 * timedelta(hours=1), 4))
        points.append(checkin(B, now - n * DAY - 5 * timedelta(hours=1), 4))
    today = now.astimezone(ZoneInfo("Europe/Berlin")).date()
    return history(points, together={today - timedelta(days=n) for n in range(1, days)})


def local_days(now: datetime, zone: str, offsets: range) -> set[date]:
    today = now.astimezone(ZoneInfo(zone)).date()
    return {today - timedelta(days=n) for n in offsets}


# --- Nothing for the ordinary ups and downs ----------------------------------------


def test_a_stable_couple_gets_nothing_on_any_day() -> None:
    base = stable_history(NOW, days=90)
    sent: list[SentSignal] = []
    for hour in range(0, 30 * 24, 7):
        now = NOW - timedelta(days=30) + timedelta(hours=hour)
        trimmed = replace(base, checkins=tuple(c for c in base.checkins if c.at <= now))
        assert due_signals(trimmed, now, sent) == []


def test_one_bad_day_for_both_gives_nothing() -> None:
    base = stable_history()
    bad = [checkin(A, NOW - timedelta(hours=1), 1), checkin(B, NOW - timedelta(hours=2), 2)]
    yesterday = NOW.astimezone(base.zone).date() - DAY
    h = replace(base, checkins=(*base.checkins, *bad), together=base.together - {yesterday})
    assert due_signals(h, NOW, []) == []


def test_a_single_low_checkin_gives_nothing() -> None:
    assert due_signals(history([checkin(A, NOW - SECOND, 1)]), NOW, []) == []
    # Nor amid a partner's usual days, when the other has not checked in this week.
    usual = [checkin(A, NOW - n * DAY, 4) for n in range(3, 40, 3)]
    h = history([*usual, checkin(A, NOW, 1), checkin(B, NOW - 8 * DAY, 4)])
    assert due_signals(h, NOW, []) == []


def test_nothing_before_the_minimum_data() -> None:
    # Ten days old: closeness fell from 5 to 1, every day low lately, no answers lately.
    points = [checkin(A, NOW - n * DAY, 5 if n > 5 else 1) for n in range(10)]
    points += [checkin(B, NOW - n * DAY, 1) for n in range(10)]
    h = history(points, together=local_days(NOW, "Europe/Berlin", range(5, 10)))
    assert not drifting(h, NOW)
    assert not quieter_days(h, NOW)
    assert not sustained_low(h, A, NOW)
    assert not sustained_low(h, B, NOW)


# --- Perception gap --------------------------------------------------------------------


@pytest.mark.parametrize(("a", "b", "fires"), [(4, 2, True), (5, 1, True), (4, 3, False)])
def test_gap_fires_from_a_difference_of_two(a: int, b: int, fires: bool) -> None:
    h = history([checkin(A, NOW - DAY, a), checkin(B, NOW, b)])
    assert perception_gap(h, NOW) is fires


@pytest.mark.parametrize(("apart", "fires"), [(7 * DAY, True), (7 * DAY + SECOND, False)])
def test_gap_needs_the_two_latest_within_seven_days(apart: timedelta, fires: bool) -> None:
    h = history([checkin(A, NOW - apart, 5), checkin(B, NOW, 2)])
    assert perception_gap(h, NOW) is fires


def test_gap_compares_only_the_latest_checkins() -> None:
    h = history([checkin(A, NOW - 2 * DAY, 5), checkin(A, NOW - DAY, 3), checkin(B, NOW, 2)])
    assert not perception_gap(h, NOW)


@pytest.mark.parametrize(("age", "fires"), [(DAY, True), (DAY + SECOND, False)])
def test_a_stale_gap_does_not_fire_later(age: timedelta, fires: bool) -> None:
    h = history([checkin(A, NOW - age - DAY, 5), checkin(B, NOW - age, 2)])
    assert perception_gap(h, NOW) is fires


def test_gap_pairs_by_instant_when_partners_live_in_different_zones() -> None:
    # Eight local dates apart (Los Angeles evening, Tokyo morning), seven days in time.
    la = datetime(2026, 5, 12, 23, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
    tokyo = (la + 7 * DAY).astimezone(ZoneInfo("Asia/Tokyo"))
    assert (tokyo.date() - la.date()).days == 8
    h = history([checkin(A, la, 5), checkin(B, tokyo, 3)], zone="Europe/London")
    assert perception_gap(h, tokyo + timedelta(hours=1))
    assert not perception_gap(
        replace(h, checkins=(checkin(A, la - SECOND, 5), h.checkins[1])), tokyo
    )


def test_gap_ignores_weekly_answers_and_future_points() -> None:
    weekly = [WeeklyPoint(A, NOW, 5, shared=True), WeeklyPoint(B, NOW, 1, shared=True)]
    assert not perception_gap(history(weeklies=weekly), NOW)
    future = history([checkin(A, NOW, 5), checkin(B, NOW + SECOND, 1)])
    assert not perception_gap(future, NOW)


# --- Drifting --------------------------------------------------------------------------


def spans(user: int, earlier: list[int], recent: list[int], now: datetime = NOW) -> list:
    """Readings spread inside the earlier span (14-42 days ago) and the recent one."""
    points = [checkin(user, now - (16 + 5 * i) * DAY, c) for i, c in enumerate(earlier)]
    points += [checkin(user, now - (1 + 4 * i) * DAY, c) for i, c in enumerate(recent)]
    return points


@pytest.mark.parametrize(
    ("earlier", "recent", "fires"),
    [
        ([4, 4, 4], [3, 3, 3], True),  # exactly one point below
        ([4, 4, 4], [3, 3, 4], False),  # two thirds of a point
        ([5, 4, 4, 4], [4, 3, 3], False),  # 4.25 → 3.33: just under a point
        ([5, 4, 4, 4], [3, 3, 3], True),  # 4.25 → 3.0
        ([5, 4, 4, 3], [3, 3, 3], True),  # 4.0 → 3.0
        ([5, 4, 4, 3], [3, 3, 3, 4], False),  # 4.0 → 3.25
        ([4, 4, 4], [1, 1], False),  # two recent readings are too few
        ([5, 5], [1, 1, 1], False),  # two earlier readings are too few
    ],
)
def test_drifting_threshold(earlier: list[int], recent: list[int], fires: bool) -> None:
    assert drifting(history(spans(B, earlier, recent)), NOW) is fires


def test_drifting_span_edges_are_exact() -> None:
    recent = [checkin(A, NOW - n * DAY, 3) for n in (1, 2, 3)]
    earlier = [checkin(A, NOW - n * DAY, 4) for n in (20, 25)]
    # A reading exactly 14 days ago belongs to the earlier span...
    assert drifting(history([*recent, *earlier, checkin(A, NOW - 14 * DAY, 4)]), NOW)
    # ...one exactly 42 days ago to neither.
    assert not drifting(history([*recent, *earlier, checkin(A, NOW - 42 * DAY, 4)]), NOW)
    assert drifting(history([*recent, *earlier, checkin(A, NOW - 42 * DAY + SECOND, 4)]), NOW)


def test_drifting_counts_weekly_answers_and_private_checkins() -> None:
    weekly = [WeeklyPoint(A, NOW - n * DAY, 2, shared=True) for n in (2, 9)]
    h = history([checkin(A, NOW - DAY, 2), *spans(A, [4, 4, 4], [])], weeklies=weekly)
    assert drifting(h, NOW)


def test_drifting_span_is_absolute_time_across_dst() -> None:
    # Berlin springs forward on 29 March 2026: 14 days back is 14 × 24 hours, not wall time.
    now = datetime(2026, 4, 5, 10, 0, tzinfo=UTC)
    recent = [checkin(A, now - n * DAY, 3) for n in (1, 2, 3)]
    earlier = [checkin(A, now - n * DAY, 4) for n in (20, 25)]
    edge = checkin(A, now - 14 * DAY, 4)
    assert drifting(history([*recent, *earlier, edge]), now)
    assert not drifting(history([*recent, *earlier, replace(edge, at=edge.at + SECOND)]), now)


# --- Quieter days ----------------------------------------------------------------------


def quiet(earlier: int, recent: int, now: datetime = NOW, zone: str = "Europe/Berlin"):
    """`earlier` answered days among days 15-42 back, `recent` among days 1-14 back."""
    days = local_days(now, zone, range(15, 15 + earlier)) | local_days(
        now, zone, range(1, 1 + recent)
    )
    return history(together=days, zone=zone)


@pytest.mark.parametrize(
    ("earlier", "recent", "fires"),
    [
        (10, 2, True),  # 10/28 a day before, 2/14 now: under half
        (10, 3, False),  # 3/14 is more than half of 10/28
        (28, 7, True),  # every day, then half the days: exactly half
        (28, 8, False),
        (9, 0, False),  # too few answered days in the earlier span
    ],
)
def test_quieter_days_threshold(earlier: int, recent: int, fires: bool) -> None:
    assert quieter_days(quiet(earlier, recent), NOW) is fires


def test_today_is_still_open_for_quieter_days() -> None:
    h = quiet(28, 7)
    today = NOW.astimezone(h.zone).date()
    assert quieter_days(replace(h, together=h.together | {today}), NOW)


def test_passes_and_pauses_are_neither_answered_nor_missed() -> None:
    zone = "Europe/Berlin"
    earlier = local_days(NOW, zone, range(15, 25))
    # Seven open recent days with one answered: 1/7 <= (10/28)/2.
    paused = local_days(NOW, zone, range(8, 15))
    h = history(together=earlier | local_days(NOW, zone, range(1, 2)), neutral=paused)
    assert quieter_days(h, NOW)
    # Six open days are too few to judge.
    h = replace(h, neutral=paused | local_days(NOW, zone, range(7, 8)))
    assert not quieter_days(h, NOW)
    # Two of seven open days answered is more than half the rate: nothing.
    two = history(together=earlier | local_days(NOW, zone, range(1, 3)), neutral=paused)
    assert not quieter_days(two, NOW)


def test_quieter_days_counts_local_dates_across_a_dst_change() -> None:
    # New York falls back on Sunday 1 November 2026; 00:30 local on the 2nd is 05:30 UTC.
    zone = "America/New_York"
    now = datetime(2026, 11, 2, 5, 30, tzinfo=UTC)
    assert now.astimezone(ZoneInfo(zone)).date() == date(2026, 11, 2)
    assert quieter_days(quiet(10, 2, now, zone), now)
    assert not quieter_days(quiet(10, 3, now, zone), now)


# --- Sustained low closeness -----------------------------------------------------------


def run(user: int, closeness: list[int], span: timedelta, end: datetime = NOW) -> list:
    step = span / (len(closeness) - 1)
    return [checkin(user, end - span + i * step, c) for i, c in enumerate(closeness)]


@pytest.mark.parametrize(
    ("closeness", "span", "fires"),
    [
        ([2, 1, 2], 14 * DAY, True),
        ([2, 1, 2], 14 * DAY - SECOND, False),
        ([1, 1], 20 * DAY, False),  # two readings are too few
        ([2, 3, 2], 20 * DAY, False),  # the run is broken by a 3
        ([1, 1, 1, 1, 3], 20 * DAY, False),  # the latest reading is better
        ([4, 2, 2, 2], 21 * DAY, True),  # the last three span 14 days
        ([4, 2, 2, 2], 21 * DAY - 3 * SECOND, False),
    ],
)
def test_sustained_low_threshold(closeness: list[int], span: timedelta, fires: bool) -> None:
    assert sustained_low(history(run(A, closeness, span)), A, NOW) is fires
    assert not sustained_low(history(run(A, closeness, span)), B, NOW)


@pytest.mark.parametrize(("age", "fires"), [(7 * DAY, True), (7 * DAY + SECOND, False)])
def test_sustained_low_must_be_current(age: timedelta, fires: bool) -> None:
    h = history(run(A, [1, 1, 1], 14 * DAY, end=NOW - age))
    assert sustained_low(h, A, NOW) is fires


def test_sustained_low_looks_back_six_weeks_only() -> None:
    old = checkin(A, NOW - 42 * DAY, 1)
    recent = [checkin(A, NOW - n * DAY, 1) for n in (30, 1)]
    assert not sustained_low(history([old, *recent]), A, NOW)
    assert sustained_low(history([replace(old, at=old.at + SECOND), *recent]), A, NOW)


def test_sustained_low_counts_weekly_answers() -> None:
    weekly = [WeeklyPoint(A, NOW - n * DAY, 2, shared=False) for n in (14, 7)]
    assert sustained_low(history([checkin(A, NOW, 1)], weeklies=weekly), A, NOW)

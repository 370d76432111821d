"""Weekly insights: only what both can see, by week in the couple's zone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from couplebot.domain.insights import (
    MIN_DATA_DAYS,
    NOT_ENOUGH_DATA_TEXT,
    WEEKS,
    enough_data,
    weekly_summary,
)
from couplebot.domain.signals import (
    BidKind,
    BidPoint,
    CheckinPoint,
    CoupleHistory,
    WeeklyPoint,
)

A, B = 101, 202
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)  # a Wednesday; week of Monday 18 May
DAY = timedelta(days=1)


def checkin(user: int, at: datetime, closeness: int, shared: bool) -> CheckinPoint:
    return CheckinPoint(user, at, mood=3, closeness=closeness, shared=shared)


def couple(**parts: object) -> CoupleHistory:
    return CoupleHistory(couple_id=7, timezone="Europe/Berlin", partners=(A, B), **parts)  # type: ignore[arg-type]


def test_twelve_weeks_from_monday_oldest_first() -> None:
    summary = weekly_summary(couple(), NOW)
    starts = [w.start for w in summary.weeks]
    assert len(starts) == WEEKS
    assert starts[-1] == date(2026, 5, 18)
    assert starts[0] == date(2026, 5, 18) - timedelta(weeks=11)
    assert all(day.weekday() == 0 for day in starts)
    assert all(w.days_together == 0 and w.bids == 0 for w in summary.weeks)
    assert all(w.closeness == (None, None) for w in summary.weeks)


def test_days_together_closeness_and_bids_per_week() -> None:
    together = frozenset(
        {date(2026, 5, 18), date(2026, 5, 19), date(2026, 5, 11), date(2026, 1, 1)}
    )
    checkins = (
        checkin(A, NOW - DAY, 4, shared=True),
        checkin(A, NOW - 2 * DAY + timedelta(hours=1), 2, shared=True),
        checkin(B, NOW - 8 * DAY, 5, shared=True),
    )
    weeklies = (
        WeeklyPoint(B, NOW - DAY, 3, shared=True),
        WeeklyPoint(A, NOW - DAY, 1, shared=False),
    )
    bids = (
        BidPoint(A, NOW - DAY, BidKind.APPRECIATION),
        BidPoint(B, NOW, BidKind.REACHOUT),
        BidPoint(B, NOW - 9 * DAY, BidKind.BID),
    )
    h = couple(together=together, checkins=checkins, weeklies=weeklies, bids=bids)
    summary = weekly_summary(h, NOW)
    this, last = summary.weeks[-1], summary.weeks[-2]
    assert (this.days_together, this.closeness, this.bids) == (2, (3.0, 3.0), 2)
    assert (last.days_together, last.closeness, last.bids) == (1, (None, 5.0), 1)
    assert sum(w.days_together for w in summary.weeks) == 3
    assert summary.data_days == 5  # 11, 12, 18, 19 and 20 May


def test_private_checkins_never_enter_the_summary() -> None:
    shared = (checkin(A, NOW - DAY, 4, shared=True),)
    private = tuple(checkin(u, NOW - n * DAY, 1, shared=False) for u in (A, B) for n in range(40))
    secret_weekly = (WeeklyPoint(B, NOW - DAY, 1, shared=False),)
    with_private = couple(checkins=shared + private, weeklies=secret_weekly)
    assert weekly_summary(with_private, NOW) == weekly_summary(couple(checkins=shared), NOW)


@settings(max_examples=100, deadline=None)
@given(
    private=st.lists(
        st.tuples(
            st.sampled_from((A, B)),
            st.integers(min_value=0, max_value=100 * 24),
            st.integers(min_value=1, max_value=5),
        ),
        max_size=30,
    )
)
def test_any_private_checkins_change_nothing(private: list[tuple[int, int, int]]) -> None:
    base = couple(
        checkins=(checkin(A, NOW - DAY, 4, True), checkin(B, NOW - 20 * DAY, 2, True)),
        together=frozenset({date(2026, 5, 1)}),
    )
    extra = tuple(checkin(u, NOW - timedelta(hours=h), c, False) for u, h, c in private)
    noisy = replace(base, checkins=(*base.checkins, *extra))
    assert weekly_summary(noisy, NOW) == weekly_summary(base, NOW)


def test_weeks_are_read_in_the_couples_zone() -> None:
    # Monday 00:30 in Berlin is still Sunday in UTC: it belongs to the new week.
    monday = datetime(2026, 5, 18, 0, 30, tzinfo=BERLIN)
    h = couple(bids=(BidPoint(A, monday.astimezone(UTC), BidKind.BID),))
    summary = weekly_summary(h, NOW)
    assert (summary.weeks[-1].bids, summary.weeks[-2].bids) == (1, 0)
    # The same instant read by a couple in New York falls on Sunday, the week before.
    ny = replace(h, timezone="America/New_York")
    assert [w.bids for w in weekly_summary(ny, NOW).weeks[-2:]] == [1, 0]


def test_a_dst_week_is_one_week() -> None:
    # Berlin springs forward on Sunday 29 March 2026; 23:30 that night is still its week.
    now = datetime(2026, 3, 29, 23, 30, tzinfo=BERLIN)
    h = couple(together=frozenset({date(2026, 3, 23), date(2026, 3, 29)}))
    summary = weekly_summary(h, now)
    assert summary.weeks[-1].start == date(2026, 3, 23)
    assert summary.weeks[-1].days_together == 2


def test_points_after_now_are_not_shown() -> None:
    h = couple(
        checkins=(checkin(A, NOW + timedelta(hours=1), 5, shared=True),),
        together=frozenset({date(2026, 5, 21)}),
        bids=(BidPoint(A, NOW + DAY, BidKind.BID),),
    )
    summary = weekly_summary(h, NOW)
    assert summary.data_days == 0
    assert summary.weeks[-1].closeness == (None, None)


@pytest.mark.parametrize(
    ("days", "enough"), [(0, False), (MIN_DATA_DAYS - 1, False), (MIN_DATA_DAYS, True)]
)
def test_enough_data_needs_three_days(days: int, enough: bool) -> None:
    together = frozenset(date(2026, 5, 19) - timedelta(days=n) for n in range(days))
    summary = weekly_summary(couple(together=together), NOW)
    assert enough_data(summary) is enough


def test_private_checkins_are_not_data_to_draw() -> None:
    private = tuple(checkin(A, NOW - n * DAY, 3, shared=False) for n in range(10))
    assert not enough_data(weekly_summary(couple(checkins=private), NOW))


def test_the_not_enough_text_says_what_and_when() -> None:
    text = NOT_ENOUGH_DATA_TEXT
    assert "three days" in text and "days together" in text
    assert "closeness" in text and len(text) < 500


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        weekly_summary(couple(), NOW.replace(tzinfo=None))

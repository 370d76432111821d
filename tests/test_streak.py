"""Together-days and milestones."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from couplebot.domain.streak import GRACE_DAYS, MILESTONES, milestone_crossed, together_days

TODAY = date(2026, 6, 15)


def days_ago(*offsets: int) -> set[date]:
    return {TODAY - timedelta(days=offset) for offset in offsets}


def count(together: set[date], neutral: set[date] | None = None) -> int:
    return together_days(together=together, neutral=neutral or set(), today=TODAY)


def test_nothing_yet() -> None:
    assert count(set()) == 0


def test_today_together() -> None:
    assert count(days_ago(0)) == 1


def test_a_plain_run() -> None:
    assert count(days_ago(0, 1, 2, 3, 4)) == 5


def test_today_not_answered_yet_breaks_nothing() -> None:
    assert count(days_ago(1, 2, 3)) == 3


def test_grace_days_are_forgiven() -> None:
    assert GRACE_DAYS == 2
    assert count(days_ago(0, 3, 4, 5)) == 4  # missed 1 and 2
    assert count(days_ago(1, 4, 5)) == 3  # today open, missed 2 and 3


def test_one_more_than_grace_ends_the_run() -> None:
    assert count(days_ago(0, 4, 5, 6)) == 1  # missed 1, 2, 3
    assert count(days_ago(4, 5)) == 0  # today open, missed 1, 2, 3


def test_neutral_days_neither_count_nor_break() -> None:
    paused = days_ago(*range(1, 15))
    assert count(days_ago(0, 15, 16), neutral=paused) == 3


def test_neutral_days_do_not_reset_missed_days_around_them() -> None:
    assert count(days_ago(0, 4, 5), neutral=days_ago(2)) == 3  # missed 1, 3
    assert count(days_ago(0, 5, 6), neutral=days_ago(2)) == 1  # missed 1, 3, 4


def test_a_together_day_that_is_also_neutral_counts() -> None:
    assert count(days_ago(0, 1), neutral=days_ago(1)) == 2


def test_future_days_are_ignored() -> None:
    assert count(days_ago(0, -1, -2)) == 1


@given(st.sets(st.integers(0, 60)), st.sets(st.integers(0, 60)))
def test_answering_today_adds_exactly_one(together_offsets: set[int], neutral: set[int]) -> None:
    together = days_ago(*together_offsets) - {TODAY}
    before = count(together, days_ago(*neutral))
    after = count(together | {TODAY}, days_ago(*neutral))
    assert after == before + 1
    assert before <= len(together)


@given(st.sets(st.integers(0, 60)), st.sets(st.integers(0, 60)), st.integers(1, 60))
def test_more_neutral_days_never_lower_the_count(
    together_offsets: set[int], neutral: set[int], extra: int
) -> None:
    together = days_ago(*together_offsets)
    assert count(together, days_ago(*neutral, extra)) >= count(together, days_ago(*neutral))


@pytest.mark.parametrize(
    ("before", "after", "crossed"),
    [
        (2, 3, 3),
        (3, 3, None),
        (3, 4, None),
        (0, 10, 7),
        (6, 7, 7),
        (99, 100, 100),
        (999, 1000, 1000),
        (1000, 5000, None),
        (5, 4, None),
        (0, 0, None),
    ],
)
def test_milestone_crossed(before: int, after: int, crossed: int | None) -> None:
    assert milestone_crossed(before, after) == crossed


def test_milestones_ascend() -> None:
    assert list(MILESTONES) == sorted(set(MILESTONES))

"""Milestones count every day answered together and never show a count that shrinks."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from couplebot.domain.milestones import MILESTONES, milestone_crossed, milestone_on

START = date(2026, 1, 1)


def test_first_milestone_is_a_week_of_answers() -> None:
    days = [START + timedelta(days=n) for n in range(7)]
    assert [milestone_on(days[: n + 1], d) for n, d in enumerate(days)] == [None] * 6 + [7]


def test_gaps_do_not_reset_the_count() -> None:
    days = [START + timedelta(days=2 * n) for n in range(14)]  # every other day
    announced = [m for n, d in enumerate(days) if (m := milestone_on(days[: n + 1], d))]
    assert announced == [7, 14]


def test_crossed_picks_the_highest() -> None:
    assert milestone_crossed(6, 7) == 7
    assert milestone_crossed(13, 31) == 30
    assert milestone_crossed(7, 7) is None


@given(st.lists(st.booleans(), max_size=400))
def test_no_announced_number_is_ever_smaller_than_an_earlier_one(answered: list[bool]) -> None:
    together: list[date] = []
    announced: list[int] = []
    for n, both in enumerate(answered):
        day = START + timedelta(days=n)
        if both:
            together.append(day)
            milestone = milestone_on(together, day)
            if milestone is not None:
                announced.append(milestone)
    assert announced == sorted(set(announced))
    assert all(m in MILESTONES for m in announced)
    assert all(m <= len(together) for m in announced)

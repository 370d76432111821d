"""Milestones of days answered together: a count that only ever grows.

A couple is never told a smaller number than before: a lapse does not reset
anything, so "100 days" can never later become "3 days".
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

__all__ = ["MILESTONES", "milestone_crossed", "milestone_on"]

MILESTONES = (7, 14, 30, 50, 100, 150, 200, 365, 500, 730, 1000, 1500, 2000)


def milestone_crossed(before: int, after: int) -> int | None:
    """The highest milestone m with before < m <= after, if any."""
    crossed = [m for m in MILESTONES if before < m <= after]
    return max(crossed, default=None)


def milestone_on(together: Collection[date], day: date) -> int | None:
    """The milestone reached by answering together on `day`, if it is one.

    Counts every day answered together up to and including `day`, whatever the gaps.
    """
    count = sum(1 for d in together if d <= day)
    before = count - 1 if day in together else count
    return milestone_crossed(before, count)

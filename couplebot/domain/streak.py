"""Together-days: a forgiving count of days both partners answered, and its milestones."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

__all__ = ["GRACE_DAYS", "MILESTONES", "milestone_crossed", "together_days"]

# Consecutive days with no shared answer that are forgiven before a run ends.
GRACE_DAYS = 2

MILESTONES = (3, 7, 14, 30, 50, 100, 150, 200, 365, 500, 730, 1000)


def together_days(*, together: Collection[date], neutral: Collection[date], today: date) -> int:
    """Days answered together in the current run, walking back from `today`.

    A together day counts one. A neutral day (paused, or someone passed) neither
    counts nor breaks, and does not interrupt a stretch of missed days either.
    Up to GRACE_DAYS missed days in a row are forgiven; one more ends the run.
    Today, if not answered together yet, is still open and never counts as missed.
    """
    together_set = {day for day in together if day <= today}
    if not together_set:
        return 0
    neutral_set = set(neutral)
    earliest = min(together_set)
    count = 0
    missed_in_a_row = 0
    day = today
    while day >= earliest:
        if day in together_set:
            count += 1
            missed_in_a_row = 0
        elif day != today and day not in neutral_set:
            missed_in_a_row += 1
            if missed_in_a_row > GRACE_DAYS:
                break
        day -= timedelta(days=1)
    return count


def milestone_crossed(before: int, after: int) -> int | None:
    """The highest milestone m with before < m <= after, if any."""
    crossed = [m for m in MILESTONES if before < m <= after]
    return max(crossed, default=None)

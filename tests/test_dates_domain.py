"""Pure date-night helpers: the reflection question, the loop's times, stored filters."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from couplebot.domain.dates import (
    DatePlan,
    PlanStatus,
    filters_from_dict,
    filters_to_dict,
    reflection_question,
    reminder_due,
    weekly_due,
)
from couplebot.domain.ideas import Budget, Energy, IdeaFilters, IdeaKind, Setting

BERLIN = ZoneInfo("Europe/Berlin")


def test_reflection_question_reads_naturally() -> None:
    assert (
        reflection_question("A picnic by the water")
        == "What was your favourite moment of the picnic by the water?"
    )
    assert reflection_question("The long way home") == (
        "What was your favourite moment of the long way home?"
    )
    assert reflection_question("Your first-date café") == (
        "What was your favourite moment of your first-date café?"
    )
    assert reflection_question("Cook a meal from a new country") == (
        "What was your favourite moment of “Cook a meal from a new country”?"
    )
    assert reflection_question("An evening!") == "What was your favourite moment of the evening?"


def _plan(date_at: datetime, planned_at: datetime) -> DatePlan:
    return DatePlan(
        id=1,
        couple_id=1,
        idea_id="date-home-001",
        card_id=None,
        planned_by=1,
        moved_by=None,
        date_at=date_at,
        planned_at=planned_at,
        version=1,
        agreed_by=None,
        status=PlanStatus.PLANNED,
        status_by=None,
        created_at=planned_at,
    )


def test_reminder_at_question_time_or_two_hours_before_and_skipped_if_already_past() -> None:
    monday = datetime(2026, 6, 1, 5, 0, tzinfo=UTC)
    evening = _plan(datetime(2026, 6, 2, 17, 30, tzinfo=UTC), monday)
    assert reminder_due(evening, time(8, 0), BERLIN) == datetime(2026, 6, 2, 6, 0, tzinfo=UTC)
    early = _plan(datetime(2026, 6, 2, 7, 0, tzinfo=UTC), monday)  # 09:00 in Berlin
    assert reminder_due(early, time(8, 0), BERLIN) == datetime(2026, 6, 2, 5, 0, tzinfo=UTC)
    soon = _plan(datetime(2026, 6, 1, 6, 30, tzinfo=UTC), monday)  # reminder 04:30: gone
    assert reminder_due(soon, time(8, 0), BERLIN) is None


def test_weekly_due_now_only_after_it_was_turned_on_and_not_long_missed() -> None:
    wednesday_six = datetime(2026, 6, 3, 16, 0, tzinfo=UTC)
    since = datetime(2026, 6, 1, tzinfo=UTC)
    assert weekly_due(wednesday_six, 2, time(18, 0), BERLIN, since) == (wednesday_six, True)
    later = wednesday_six.replace(hour=20)
    assert weekly_due(later, 2, time(18, 0), BERLIN, since) == (wednesday_six, True)
    turned_on_after = wednesday_six.replace(minute=30)
    due, now = weekly_due(later, 2, time(18, 0), BERLIN, turned_on_after)
    assert not now and due == datetime(2026, 6, 10, 16, 0, tzinfo=UTC)
    long_missed = datetime(2026, 6, 4, 12, 0, tzinfo=UTC)
    due, now = weekly_due(long_missed, 2, time(18, 0), BERLIN, since)
    assert not now and due == datetime(2026, 6, 10, 16, 0, tzinfo=UTC)


@given(
    st.sampled_from(list(IdeaKind)),
    st.none() | st.sampled_from(list(Budget)),
    st.none() | st.sampled_from(list(Setting)),
    st.none() | st.integers(5, 720),
    st.none() | st.sampled_from(list(Energy)),
)
def test_filters_survive_storage(
    kind: IdeaKind,
    budget: Budget | None,
    setting: Setting | None,
    minutes: int | None,
    energy: Energy | None,
) -> None:
    filters = IdeaFilters(kind, budget, setting, minutes, energy)
    assert filters_from_dict(filters_to_dict(filters)) == filters

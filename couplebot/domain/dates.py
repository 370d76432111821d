"""Date plans and idea cards: the models, the reflection question and the loop's times. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from couplebot.domain.exchange import ExchangeKind, ResponseField
from couplebot.domain.ideas import Budget, Energy, IdeaFilters, IdeaKind, Setting
from couplebot.domain.models import Frozen
from couplebot.domain.reveal import MAX_ANSWER_LENGTH
from couplebot.domain.weekly import next_weekly_at
from couplebot.domain.when import date_reminder_at

__all__ = [
    "DATE_REFLECTION",
    "OWN_IDEA_PREFIX",
    "WEEKLY_CATCH_UP",
    "DatePlan",
    "IdeaCard",
    "PlanStatus",
    "filters_from_dict",
    "filters_to_dict",
    "reflection_question",
    "reminder_due",
    "weekly_due",
]

OWN_IDEA_PREFIX = "own-"
# A weekly suggestion missed by more than this (the bot was down) waits for next week.
WEEKLY_CATCH_UP = timedelta(hours=12)

DATE_REFLECTION = ExchangeKind(
    name="date-reflection",
    fields=(
        ResponseField(
            id="answer",
            label="Your favourite moment",
            max_length=MAX_ANSWER_LENGTH,
            placeholder="Only you can see this until you have both answered.",
        ),
    ),
    modal_title="After your date",
)


class PlanStatus(StrEnum):
    PLANNED = "planned"
    REFLECTING = "reflecting"  # the morning-after question is out
    DONE = "done"
    CANCELLED = "cancelled"


class DatePlan(Frozen):
    id: int
    couple_id: int
    idea_id: str
    card_id: int | None
    planned_by: int
    moved_by: int | None  # who set the current time, if not the planner
    date_at: datetime  # UTC
    planned_at: datetime  # when the current time was set
    version: int  # 1, then +1 per move: keys the day-of reminder
    agreed_by: int | None
    status: PlanStatus
    status_by: int | None
    created_at: datetime

    @property
    def timed_by(self) -> int:
        """Who chose the current time; the other partner is the one to say it works."""
        return self.moved_by or self.planned_by


class IdeaCard(Frozen):
    id: int
    couple_id: int
    idea_id: str
    kind: IdeaKind
    filters: dict[str, Any]
    new_cycle: bool
    weekly_slot: str | None
    asked_by: int | None
    skipped_by: int | None
    picked_by: int | None
    saved_by: int | None
    created_at: datetime

    @property
    def open(self) -> bool:
        return self.skipped_by is None and self.picked_by is None


def filters_to_dict(filters: IdeaFilters) -> dict[str, Any]:
    return {
        "kind": filters.kind.value,
        "budget": filters.budget.value if filters.budget else None,
        "setting": filters.setting.value if filters.setting else None,
        "minutes": filters.max_minutes,
        "energy": filters.energy.value if filters.energy else None,
    }


def filters_from_dict(data: Mapping[str, Any]) -> IdeaFilters:
    return IdeaFilters(
        kind=IdeaKind(data["kind"]),
        budget=Budget(data["budget"]) if data.get("budget") else None,
        setting=Setting(data["setting"]) if data.get("setting") else None,
        max_minutes=int(data["minutes"]) if data.get("minutes") else None,
        energy=Energy(data["energy"]) if data.get("energy") else None,
    )


_ARTICLES = {"a": "the", "an": "the", "the": "the", "your": "your", "our": "your"}


def reflection_question(title: str) -> str:
    """'A picnic by the water' -> 'What was your favourite moment of the picnic by the water?'

    A title that starts with an article reads as a thing and joins the sentence; any
    other (often a verb: 'Cook a meal from a new country') is quoted as it stands.
    """
    cleaned = " ".join(title.split()).rstrip(".!?")
    first, _, rest = cleaned.partition(" ")
    article = _ARTICLES.get(first.casefold())
    if article and rest:
        return f"What was your favourite moment of {article} {rest}?"
    return f"What was your favourite moment of “{cleaned}”?"


def reminder_due(plan: DatePlan, question_time: time, tz: ZoneInfo) -> datetime | None:
    """The day-of reminder, or None when that time had already passed when it was planned."""
    due = date_reminder_at(plan.date_at, question_time, tz)
    return due if due > plan.planned_at else None


def weekly_due(
    now: datetime, weekday: int, at: time, tz: ZoneInfo, since: datetime
) -> tuple[datetime, bool]:
    """(instant, is_due_now): the latest weekly time if it passed lately (and after the
    suggestion was turned on), else the next one."""
    latest = next_weekly_at(now - timedelta(days=7), weekday, at, tz)
    if latest <= now and latest >= since and now - latest < WEEKLY_CATCH_UP:
        return latest, True
    return next_weekly_at(now, weekday, at, tz), False

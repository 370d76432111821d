"""What date nights keep about a partner, for /privacy export and /privacy forget.

Reflections are exchanges: the engine's responses are exported and forgotten already.
"""

from __future__ import annotations

from typing import Any

from couplebot.domain.dates import PlanStatus
from couplebot.domain.models import Couple
from couplebot.domain.when import format_when
from couplebot.services.dates import DatesService
from couplebot.store import Tx


class DatesPrivacy:
    name = "your_dates"

    def __init__(self, dates: DatesService) -> None:
        self._dates = dates

    async def export(self, tx: Tx, couple: Couple, user_id: int) -> Any:
        plans = []
        for plan in await tx.dates.plans(couple.id, list(PlanStatus), by=user_id):
            idea = await self._dates.idea(tx, couple, plan.idea_id)
            plans.append(
                {
                    "idea": idea.title if idea else plan.idea_id,
                    "when": format_when(plan.date_at, couple.zone),
                    "status": plan.status.value,
                    "planned_at": plan.created_at.isoformat(),
                }
            )
        saved = []
        for idea_id, _ in await tx.dates.saved(couple.id, by=user_id):
            idea = await self._dates.idea(tx, couple, idea_id)
            saved.append(idea.title if idea else idea_id)
        return {
            "ideas_you_added": [
                {
                    "title": idea.title,
                    "description": idea.description,
                    "setting": idea.setting.value,
                    "budget": idea.budget.value,
                    "minutes": idea.minutes,
                }
                for idea in await tx.dates.own_ideas(couple.id, author_id=user_id)
            ],
            "dates_you_planned": plans,
            "ideas_you_saved": saved,
        }

    async def forget(self, tx: Tx, couple: Couple, user_id: int) -> int:
        return await tx.dates.forget(couple.id, user_id)

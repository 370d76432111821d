"""Planning a date night: pick a card or an idea and a time, then move, agree or cancel it;
/date list, and the /date weekly setting.

The idea cards are in services/dates.py; the scheduled part is in services/date_schedule.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time

from couplebot.clock import Clock
from couplebot.domain.dates import DatePlan, IdeaCard, PlanStatus
from couplebot.domain.ideas import BUDGET_LABELS, SETTING_LABELS
from couplebot.domain.models import Couple
from couplebot.domain.weekly import WeekdayError, parse_weekday
from couplebot.domain.when import WhenError, format_when, parse_when
from couplebot.services.couples import require_couple
from couplebot.services.date_notes import PLAN_NOTE, DateNote, Rendered, idea_data
from couplebot.services.dates import DatesService
from couplebot.services.due import DueWork
from couplebot.services.errors import InvalidInputError
from couplebot.services.outbox import Outbox
from couplebot.services.ports import NotePost
from couplebot.store import Store, Tx

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ListEntry:
    section: str  # "planned", "saved", "done"
    title: str
    detail: str


class DatePlansService:
    def __init__(
        self, store: Store, clock: Clock, outbox: Outbox, due: DueWork, ideas: DatesService
    ) -> None:
        self._store = store
        self._clock = clock
        self._outbox = outbox
        self._due = due
        self._ideas = ideas
        self._plans = DateNote(PLAN_NOTE, outbox, self.plan_note)

    # Plans

    def _when(self, text: str, couple: Couple) -> tuple[datetime, str]:
        try:
            at = parse_when(text, now=self._clock.now(), tz=couple.zone)
        except WhenError as exc:
            raise InvalidInputError(str(exc)) from None
        return at, format_when(at, couple.zone)

    async def zone_of(self, guild_id: int | None, user_id: int) -> str:
        async with self._store.read() as tx:
            return (await require_couple(tx, guild_id, user_id)).timezone

    async def check_pick(self, guild_id: int | None, user_id: int, card_id: int) -> IdeaCard:
        """Before the when-form opens: the card is theirs and still free to plan."""
        async with self._store.read() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            card = await self._ideas.own_card(tx, couple, card_id)
        if card.picked_by is not None:
            raise InvalidInputError("This one is already planned.")
        return card

    async def plan_card(
        self, guild_id: int | None, user_id: int, card_id: int, when: str
    ) -> tuple[DatePlan, Rendered]:
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            card = await self._ideas.own_card(tx, couple, card_id)
            at, _ = self._when(when, couple)
            if not await tx.dates.pick_card(card.id, user_id):
                raise InvalidInputError("This one is already planned.")
            plan = await self._add_plan(tx, couple, card.idea_id, card.id, user_id, at)
            rendered = await self._ideas.render_card(tx, couple, card.id)
        await self._outbox.flush()
        return plan, rendered

    async def plan(self, guild_id: int | None, user_id: int, idea_id: str, when: str) -> DatePlan:
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            idea = await self._ideas.idea(tx, couple, idea_id.strip())
            if idea is None:
                raise InvalidInputError(
                    "I don't know that idea. Pick one from the list as you type."
                )
            at, _ = self._when(when, couple)
            plan = await self._add_plan(tx, couple, idea.id, None, user_id, at)
        await self._outbox.flush()
        return plan

    async def _add_plan(  # noqa: PLR0917 - private
        self,
        tx: Tx,
        couple: Couple,
        idea_id: str,
        card_id: int | None,
        user_id: int,
        at: datetime,
    ) -> DatePlan:
        now = self._clock.now()
        plan = await tx.dates.add_plan(couple.id, idea_id, card_id, user_id, at, now)
        await self._plans.enqueue(tx, couple, plan.id, now)
        await self._due.plan(tx, couple)
        return plan

    async def _own_plan(self, tx: Tx, couple: Couple, plan_id: int) -> DatePlan:
        plan = await tx.dates.plan(plan_id)
        if plan is None or plan.couple_id != couple.id:
            raise InvalidInputError("That plan is no longer here.")
        if plan.status is not PlanStatus.PLANNED:
            done = "cancelled" if plan.status is PlanStatus.CANCELLED else "behind you"
            raise InvalidInputError(f"That date is {done} now, so it can't change.")
        return plan

    async def check_move(self, guild_id: int | None, user_id: int, plan_id: int) -> DatePlan:
        async with self._store.read() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            return await self._own_plan(tx, couple, plan_id)

    async def agree(self, guild_id: int | None, user_id: int, plan_id: int) -> Rendered:
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            plan = await self._own_plan(tx, couple, plan_id)
            if plan.timed_by == user_id:
                raise InvalidInputError("You chose this time, so this one is for your partner.")
            if not await tx.dates.agree(plan.id, user_id):
                raise InvalidInputError("This time is agreed already.")
            return await self._plans.render(tx, couple, plan.id)

    async def move(self, guild_id: int | None, user_id: int, plan_id: int, when: str) -> Rendered:
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            plan = await self._own_plan(tx, couple, plan_id)
            at, _ = self._when(when, couple)
            await tx.dates.move(plan.id, user_id, at, self._clock.now())
            await self._due.plan(tx, couple)
            return await self._plans.render(tx, couple, plan.id)

    async def cancel(self, guild_id: int | None, user_id: int, plan_id: int) -> Rendered:
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            plan = await self._own_plan(tx, couple, plan_id)
            await tx.dates.set_status(
                plan.id, PlanStatus.CANCELLED, was=PlanStatus.PLANNED, by=user_id
            )
            await self._due.plan(tx, couple)
            return await self._plans.render(tx, couple, plan.id)

    # /date list and /date weekly

    async def entries(self, guild_id: int | None, user_id: int) -> list[ListEntry]:
        async with self._store.read() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            found: list[ListEntry] = []
            upcoming = await tx.dates.plans(couple.id, [PlanStatus.PLANNED, PlanStatus.REFLECTING])
            for plan in upcoming:
                idea = await self._ideas.idea(tx, couple, plan.idea_id)
                if idea is not None:
                    when = format_when(plan.date_at, couple.zone)
                    found.append(ListEntry("planned", idea.title, when))
            for idea_id, _ in await tx.dates.saved(couple.id):
                idea = await self._ideas.idea(tx, couple, idea_id)
                if idea is not None:
                    detail = f"{SETTING_LABELS[idea.setting]} · {BUDGET_LABELS[idea.budget]}"
                    found.append(ListEntry("saved", idea.title, detail))
            for plan in reversed(await tx.dates.plans(couple.id, [PlanStatus.DONE])):
                idea = await self._ideas.idea(tx, couple, plan.idea_id)
                if idea is not None:
                    found.append(
                        ListEntry(
                            "done", idea.title, f"{plan.date_at.astimezone(couple.zone):%d %b %Y}"
                        )
                    )
        return found

    async def set_weekly(
        self, guild_id: int | None, user_id: int, day: str | None, at: time | None, off: bool
    ) -> tuple[int, time] | None:
        """Turn the weekly suggestion on (day and time) or off; returns what is set."""
        if not off and (day is None or at is None):
            raise InvalidInputError(
                "Give a day and a time, like `/date weekly day:fri time:18:00`, "
                "or turn it off with `/date weekly off:true`."
            )
        weekday = None
        if not off and day is not None:
            try:
                weekday = parse_weekday(day)
            except WeekdayError as exc:
                raise InvalidInputError(str(exc)) from None
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            await tx.dates.set_weekly(couple.id, weekday, None if off else at, self._clock.now())
            await self._due.plan(tx, couple)
        return None if weekday is None or at is None else (weekday, at)

    # What the plan shows, from the DB as it is now

    async def plan_note(self, tx: Tx, couple: Couple, plan_id: int) -> NotePost | None:
        plan = await tx.dates.plan(plan_id)
        idea = await self._ideas.idea(tx, couple, plan.idea_id) if plan else None
        if plan is None or idea is None:
            return None
        people: dict[str, int | None] = {"planned_by": plan.planned_by, "timed_by": plan.timed_by}
        people |= {"agreed_by": plan.agreed_by, "status_by": plan.status_by}
        people["waiting_for"] = (
            couple.other(plan.timed_by).user_id if couple.has(plan.timed_by) else None
        )
        data: dict[str, object] = {
            "plan_id": plan.id,
            **idea_data(idea),
            **people,
            "when": format_when(plan.date_at, couple.zone),
            "moved": plan.version > 1,
            "status": plan.status.value,
        }
        return self._plans.post(couple, data, people)

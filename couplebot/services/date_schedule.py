"""The scheduled part of date nights: one day-of reminder, the morning-after reflection
(an exchange of kind "date-reflection"), and the optional weekly suggestion.

Each is a due-work item whose instant follows from the plans and settings in the DB,
and each post is an outbox row with a unique key, so a restart neither loses nor
repeats one.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from couplebot.clock import Clock
from couplebot.domain.dates import (
    DATE_REFLECTION,
    OWN_IDEA_PREFIX,
    DatePlan,
    PlanStatus,
    reflection_question,
    reminder_due,
    weekly_due,
)
from couplebot.domain.exchange import Exchange, ExchangeState
from couplebot.domain.ideas import IdeaFilters, IdeaKind
from couplebot.domain.models import Couple
from couplebot.domain.weekly import next_weekly_at
from couplebot.domain.when import reflection_at
from couplebot.services.date_notes import idea_data, key_id
from couplebot.services.dates import DatesService
from couplebot.services.due import DueWork
from couplebot.services.exchanges import ExchangeEngine, KindPolicy
from couplebot.services.outbox import Outbox
from couplebot.services.ports import NotePost
from couplebot.store import OutboxItem, Store, Tx

log = logging.getLogger(__name__)

REMIND_ITEM = "date-remind"
REFLECT_ITEM = "date-reflect"
WEEKLY_ITEM = "date-weekly"
REMIND_NOTE = "date-remind"


def remind_key(plan: DatePlan) -> str:
    return f"{REMIND_NOTE}:{plan.id}:{plan.version}"


def reflection_slot(plan_id: int) -> str:
    return f"plan:{plan_id}"


class DateReflectionKind(KindPolicy):
    spec = DATE_REFLECTION
    missing_text = "That question about your date is no longer here."

    def label(self, exchange: Exchange) -> str:
        return "After your date"

    async def changed(self, tx: Tx, couple: Couple) -> None:
        """Once the reflection is revealed (or rests after a pass), the date is done."""
        for plan in await tx.dates.plans(couple.id, [PlanStatus.REFLECTING]):
            exchange = await tx.exchanges.find(
                couple.id, DATE_REFLECTION.name, reflection_slot(plan.id)
            )
            if exchange is not None and exchange.state is not ExchangeState.OPEN:
                await tx.dates.set_status(plan.id, PlanStatus.DONE, was=PlanStatus.REFLECTING)


class DateSchedule:
    def __init__(  # noqa: PLR0917 - the engines it builds on
        self,
        store: Store,
        clock: Clock,
        engine: ExchangeEngine,
        outbox: Outbox,
        due: DueWork,
        dates: DatesService,
    ) -> None:
        self._store = store
        self._clock = clock
        self._engine = engine
        self._dates = dates
        engine.add_kind(DateReflectionKind())
        outbox.register(REMIND_NOTE, self._reminder_post)
        due.register(
            self._plan,
            {
                REMIND_ITEM: self._remind_due,
                REFLECT_ITEM: self._reflect_due,
                WEEKLY_ITEM: self._weekly_due,
            },
        )

    # Planning: when each item is next due

    async def _plan(self, tx: Tx, couple: Couple, now: datetime) -> dict[str, datetime | None]:
        return {
            REMIND_ITEM: min(
                (at for _, at in await self._reminders(tx, couple, now)), default=None
            ),
            REFLECT_ITEM: min((at for _, at in await self._reflections(tx, couple)), default=None),
            WEEKLY_ITEM: await self._weekly_at(tx, couple, now),
        }

    async def _reminders(
        self, tx: Tx, couple: Couple, now: datetime
    ) -> list[tuple[DatePlan, datetime]]:
        """Reminders still to send: not sent, not already past when planned, date still ahead."""
        found = []
        for plan in await tx.dates.plans(couple.id, [PlanStatus.PLANNED]):
            due = reminder_due(plan, couple.question_time, couple.zone)
            if due is None or now >= plan.date_at or await tx.outbox.has(remind_key(plan)):
                continue
            found.append((plan, due))
        return found

    async def _reflections(self, tx: Tx, couple: Couple) -> list[tuple[DatePlan, datetime]]:
        return [
            (plan, reflection_at(plan.date_at, couple.question_time, couple.zone))
            for plan in await tx.dates.plans(couple.id, [PlanStatus.PLANNED])
        ]

    async def _weekly_at(self, tx: Tx, couple: Couple, now: datetime) -> datetime | None:
        weekly = await tx.dates.weekly(couple.id)
        if weekly is None:
            return None
        weekday, at, since = weekly
        due, due_now = weekly_due(now, weekday, at, couple.zone, since)
        if due_now and await tx.dates.weekly_card(couple.id, _weekly_slot(due, couple)):
            return next_weekly_at(now, weekday, at, couple.zone)  # this week's is out
        return due

    # Handlers: do what is due, once

    async def _remind_due(self, couple_id: int, now: datetime) -> None:
        async with self._store.write() as tx:
            couple = await tx.couples.get(couple_id)
            if couple is None:
                return
            for plan, due in await self._reminders(tx, couple, now):
                if due <= now:
                    await tx.outbox.enqueue(
                        remind_key(plan), couple_id=couple.id, kind=REMIND_NOTE, now=now
                    )

    async def _reflect_due(self, couple_id: int, now: datetime) -> None:
        async with self._store.write() as tx:
            couple = await tx.couples.get(couple_id)
            if couple is None:
                return
            for plan, due in await self._reflections(tx, couple):
                if due > now:
                    continue
                idea = await self._dates.idea(tx, couple, plan.idea_id)
                title = idea.title if idea else "your date"
                await self._engine.start(
                    tx,
                    couple,
                    DATE_REFLECTION.name,
                    reflection_slot(plan.id),
                    topic_id=plan.idea_id,
                    prompt=reflection_question(title),
                    private=plan.idea_id.startswith(OWN_IDEA_PREFIX),  # their own words
                    details={"plan_id": plan.id},
                )
                await tx.dates.set_status(plan.id, PlanStatus.REFLECTING, was=PlanStatus.PLANNED)

    async def _weekly_due(self, couple_id: int, now: datetime) -> None:
        async with self._store.write() as tx:
            couple = await tx.couples.get(couple_id)
            weekly = await tx.dates.weekly(couple_id) if couple else None
            if couple is None or weekly is None:
                return
            weekday, at, since = weekly
            due, due_now = weekly_due(now, weekday, at, couple.zone, since)
            if not due_now:
                return
            await self._dates.new_card(
                tx,
                couple,
                IdeaFilters(kind=IdeaKind.DATE),
                asked_by=None,
                weekly_slot=_weekly_slot(due, couple),
            )

    # The reminder post

    async def _reminder_post(self, tx: Tx, item: OutboxItem) -> NotePost | None:
        couple = await tx.couples.get(item.couple_id)
        plan = await tx.dates.plan(key_id(item))
        if couple is None or plan is None or plan.status is not PlanStatus.PLANNED:
            return None
        idea = await self._dates.idea(tx, couple, plan.idea_id)
        if idea is None:
            return None
        data: dict[str, Any] = {
            **idea_data(idea),
            "at": f"{plan.date_at.astimezone(couple.zone):%H:%M}",
            "partners": list(couple.user_ids),
        }
        return NotePost(couple.guild_id, couple.channel_id, REMIND_NOTE, data, couple.user_ids)


def _weekly_slot(due: datetime, couple: Couple) -> str:
    return due.astimezone(couple.zone).date().isoformat()

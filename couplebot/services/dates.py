"""Date nights and shared activities: suggest a card, save it, plan it, move or cancel it.

The scheduled part (day-of reminder, the morning-after reflection, the weekly suggestion)
is in services/date_schedule.py.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, time

from couplebot.clock import Clock
from couplebot.content import Content
from couplebot.domain.dates import (
    DatePlan,
    IdeaCard,
    PlanStatus,
    filters_from_dict,
    filters_to_dict,
)
from couplebot.domain.ideas import (
    BUDGET_LABELS,
    DATE_MINUTES,
    MAX_DESCRIPTION_LENGTH,
    MAX_TITLE_LENGTH,
    SETTING_LABELS,
    Budget,
    Connection,
    Energy,
    Idea,
    IdeaFilters,
    IdeaHistory,
    IdeaKind,
    NoMatch,
    Setting,
    choose_idea,
)
from couplebot.domain.models import Couple
from couplebot.domain.weekly import WeekdayError, parse_weekday
from couplebot.domain.when import WhenError, format_when, parse_when
from couplebot.services.checkins import is_long_distance
from couplebot.services.couples import require_couple
from couplebot.services.due import DueWork
from couplebot.services.errors import InvalidInputError
from couplebot.services.outbox import Outbox
from couplebot.services.ports import NotePost, post_marker
from couplebot.store import OutboxItem, Store, Tx

log = logging.getLogger(__name__)

CARD_NOTE = "idea-card"
PLAN_NOTE = "date-plan"
OWN_DATE_PROMPT = "On the way home, ask each other: what made this one feel like ours?"
AUTOCOMPLETE_LIMIT = 25


def card_key(card_id: int) -> str:
    return f"{CARD_NOTE}:{card_id}"


def plan_key(plan_id: int) -> str:
    return f"{PLAN_NOTE}:{plan_id}"


def key_id(item: OutboxItem) -> int:
    return int(item.dedupe_key.split(":")[1])


@dataclass(frozen=True)
class Rendered:
    """A note as the outbox would send it now, for editing its message in place."""

    post: NotePost
    marker: str


@dataclass(frozen=True)
class ListEntry:
    section: str  # "planned", "saved", "done"
    title: str
    detail: str


def idea_data(idea: Idea) -> dict[str, object]:
    return {
        "idea_kind": idea.kind.value,
        "title": idea.title,
        "description": idea.description,
        "setting": SETTING_LABELS[idea.setting],
        "budget": BUDGET_LABELS[idea.budget],
        "minutes": idea.minutes,
        "prompt": idea.prompt,
    }


class DatesService:
    def __init__(  # noqa: PLR0917 - the engines it builds on
        self,
        store: Store,
        content: Content,
        clock: Clock,
        outbox: Outbox,
        due: DueWork,
        rng: random.Random | None = None,
    ) -> None:
        self._store = store
        self._content = content
        self._clock = clock
        self._outbox = outbox
        self._due = due
        self._rng = rng or random.Random()  # noqa: S311 - picking ideas, not secrets
        self._shipped = {idea.id: idea for idea in content.ideas}
        outbox.register(CARD_NOTE, self._card_post)
        outbox.register(PLAN_NOTE, self._plan_post)

    # Ideas

    async def pool(self, tx: Tx, couple: Couple) -> list[Idea]:
        return [*self._content.ideas, *await tx.dates.own_ideas(couple.id)]

    async def idea(self, tx: Tx, couple: Couple, idea_id: str) -> Idea | None:
        shipped = self._shipped.get(idea_id)
        if shipped is not None:
            return shipped
        return next((i for i in await tx.dates.own_ideas(couple.id) if i.id == idea_id), None)

    async def new_card(
        self,
        tx: Tx,
        couple: Couple,
        filters: IdeaFilters,
        *,
        asked_by: int | None,
        current_id: str | None = None,
        weekly_slot: str | None = None,
    ) -> IdeaCard | None:
        """Choose the next idea and queue its card, in the caller's transaction."""
        history = IdeaHistory(
            shown_ids=await tx.dates.shown(couple.id),
            done_ids=await tx.dates.planned_ideas(couple.id),
            skipped_ids=await tx.dates.skipped_ideas(couple.id),
            current_id=current_id,
        )
        choice = choose_idea(
            pool=await self.pool(tx, couple),
            filters=filters,
            history=history,
            long_distance=is_long_distance(couple, await tx.checkins.settings(couple.id)),
            rng=self._rng,
        )
        if isinstance(choice, NoMatch):
            raise InvalidInputError(choice.message)
        now = self._clock.now()
        card = await tx.dates.add_card(
            couple.id,
            choice.idea,
            filters_to_dict(filters),
            choice.new_cycle,
            asked_by,
            now,
            weekly_slot=weekly_slot,
        )
        if card is None:
            return None
        await tx.dates.mark_shown(couple.id, choice.idea.id, choice.forget_ids)
        await tx.outbox.enqueue(card_key(card.id), couple_id=couple.id, kind=CARD_NOTE, now=now)
        return card

    async def suggest(self, guild_id: int | None, user_id: int, filters: IdeaFilters) -> IdeaCard:
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            card = await self.new_card(tx, couple, filters, asked_by=user_id)
            assert card is not None
        await self._outbox.flush()
        return card

    async def _own_card(self, tx: Tx, couple: Couple, card_id: int) -> IdeaCard:
        card = await tx.dates.card(card_id)
        if card is None or card.couple_id != couple.id:
            raise InvalidInputError("That idea is no longer here.")
        return card

    async def another(self, guild_id: int | None, user_id: int, card_id: int) -> Rendered:
        """Pass on this card and post the next one. Returns the passed card, as it is now."""
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            card = await self._own_card(tx, couple, card_id)
            if card.picked_by is not None:
                raise InvalidInputError("This one is already planned.")
            if not await tx.dates.skip_card(card.id, user_id, self._clock.now()):
                raise InvalidInputError("There's already another idea just below this one.")
            await self.new_card(
                tx,
                couple,
                filters_from_dict(card.filters),
                asked_by=user_id,
                current_id=card.idea_id,
            )
            rendered = await self._render_card(tx, couple, card.id)
        await self._outbox.flush()
        return rendered

    async def save(self, guild_id: int | None, user_id: int, card_id: int) -> Rendered:
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            card = await self._own_card(tx, couple, card_id)
            if not await tx.dates.save_idea(couple.id, card.idea_id, user_id, self._clock.now()):
                raise InvalidInputError("This one is saved already. It's in `/date list`.")
            await tx.dates.mark_card_saved(card.id, user_id)
            return await self._render_card(tx, couple, card.id)

    async def add_idea(  # noqa: PLR0917 - the command's options
        self,
        guild_id: int | None,
        user_id: int,
        title: str,
        setting: Setting,
        description: str | None,
        minutes: int | None,
        budget: Budget | None,
    ) -> Idea:
        cleaned = " ".join(title.split()).rstrip(".")
        about = " ".join((description or "").split())
        if len(cleaned) < 3:
            raise InvalidInputError("That title is a little short. Try a few words.")
        if len(cleaned) > MAX_TITLE_LENGTH:
            raise InvalidInputError(f"Titles can be up to {MAX_TITLE_LENGTH} characters.")
        if len(about) > MAX_DESCRIPTION_LENGTH:
            raise InvalidInputError(
                f"Descriptions can be up to {MAX_DESCRIPTION_LENGTH} characters."
            )
        low, high = DATE_MINUTES
        length = minutes or 90
        if not low <= length <= high:
            raise InvalidInputError(f"A date can take {low} to {high} minutes.")
        idea = Idea(
            id="own-new",
            kind=IdeaKind.DATE,
            title=cleaned,
            description=about or "One of your own ideas.",
            setting=setting,
            budget=budget or Budget.FREE,
            minutes=length,
            energy=Energy.CALM,
            connection=Connection.TALK,
            prompt=OWN_DATE_PROMPT,
        )
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            taken = {i.title.casefold() for i in await self.pool(tx, couple)}
            if cleaned.casefold() in taken:
                raise InvalidInputError("There's an idea with that title already.")
            return await tx.dates.add_own_idea(couple.id, user_id, idea, self._clock.now())

    async def idea_choices(
        self, guild_id: int | None, user_id: int, query: str
    ) -> list[tuple[str, str]]:
        """(title, idea id) for /date plan: saved ideas first, then titles that match."""
        async with self._store.read() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            pool = {i.id: i for i in await self.pool(tx, couple) if i.kind is IdeaKind.DATE}
            saved = [pool[i] for i, _ in await tx.dates.saved(couple.id) if i in pool]
        wanted = query.casefold().strip()
        ordered = [*saved, *(i for i in pool.values() if i not in saved)]
        found = [i for i in ordered if wanted in i.title.casefold()]
        return [(i.title, i.id) for i in found[:AUTOCOMPLETE_LIMIT]]

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
            card = await self._own_card(tx, couple, card_id)
        if card.picked_by is not None:
            raise InvalidInputError("This one is already planned.")
        return card

    async def plan_card(
        self, guild_id: int | None, user_id: int, card_id: int, when: str
    ) -> tuple[DatePlan, Rendered]:
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            card = await self._own_card(tx, couple, card_id)
            at, _ = self._when(when, couple)
            if not await tx.dates.pick_card(card.id, user_id):
                raise InvalidInputError("This one is already planned.")
            plan = await self._add_plan(tx, couple, card.idea_id, card.id, user_id, at)
            rendered = await self._render_card(tx, couple, card.id)
        await self._outbox.flush()
        return plan, rendered

    async def plan(self, guild_id: int | None, user_id: int, idea_id: str, when: str) -> DatePlan:
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            idea = await self.idea(tx, couple, idea_id.strip())
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
        await tx.outbox.enqueue(plan_key(plan.id), couple_id=couple.id, kind=PLAN_NOTE, now=now)
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
            return await self._render_plan(tx, couple, plan.id)

    async def move(self, guild_id: int | None, user_id: int, plan_id: int, when: str) -> Rendered:
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            plan = await self._own_plan(tx, couple, plan_id)
            at, _ = self._when(when, couple)
            await tx.dates.move(plan.id, user_id, at, self._clock.now())
            await self._due.plan(tx, couple)
            return await self._render_plan(tx, couple, plan.id)

    async def cancel(self, guild_id: int | None, user_id: int, plan_id: int) -> Rendered:
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            plan = await self._own_plan(tx, couple, plan_id)
            await tx.dates.set_status(
                plan.id, PlanStatus.CANCELLED, was=PlanStatus.PLANNED, by=user_id
            )
            await self._due.plan(tx, couple)
            return await self._render_plan(tx, couple, plan.id)

    # /date list and /date weekly

    async def entries(self, guild_id: int | None, user_id: int) -> list[ListEntry]:
        async with self._store.read() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            found: list[ListEntry] = []
            upcoming = await tx.dates.plans(couple.id, [PlanStatus.PLANNED, PlanStatus.REFLECTING])
            for plan in upcoming:
                idea = await self.idea(tx, couple, plan.idea_id)
                if idea is not None:
                    when = format_when(plan.date_at, couple.zone)
                    found.append(ListEntry("planned", idea.title, when))
            for idea_id, _ in await tx.dates.saved(couple.id):
                idea = await self.idea(tx, couple, idea_id)
                if idea is not None:
                    detail = f"{SETTING_LABELS[idea.setting]} · {BUDGET_LABELS[idea.budget]}"
                    found.append(ListEntry("saved", idea.title, detail))
            for plan in reversed(await tx.dates.plans(couple.id, [PlanStatus.DONE])):
                idea = await self.idea(tx, couple, plan.idea_id)
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

    # What the posts show, from the DB as it is now

    async def _render_card(self, tx: Tx, couple: Couple, card_id: int) -> Rendered:
        post = await self.card_note(tx, couple, card_id)
        assert post is not None
        return Rendered(post, post_marker(card_key(card_id)))

    async def _render_plan(self, tx: Tx, couple: Couple, plan_id: int) -> Rendered:
        post = await self.plan_note(tx, couple, plan_id)
        assert post is not None
        return Rendered(post, post_marker(plan_key(plan_id)))

    async def card_note(self, tx: Tx, couple: Couple, card_id: int) -> NotePost | None:
        card = await tx.dates.card(card_id)
        idea = await self.idea(tx, couple, card.idea_id) if card else None
        if card is None or idea is None:
            return None
        people = {"asked_by": card.asked_by, "skipped_by": card.skipped_by}
        people |= {"picked_by": card.picked_by, "saved_by": card.saved_by}
        data: dict[str, object] = {
            "card_id": card.id,
            **idea_data(idea),
            **people,
            "new_cycle": card.new_cycle,
            "weekly": card.weekly_slot is not None,
        }
        names = tuple(sorted({u for u in people.values() if u is not None}))
        return NotePost(couple.guild_id, couple.channel_id, CARD_NOTE, data, names)

    async def plan_note(self, tx: Tx, couple: Couple, plan_id: int) -> NotePost | None:
        plan = await tx.dates.plan(plan_id)
        idea = await self.idea(tx, couple, plan.idea_id) if plan else None
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
        names = tuple(sorted({u for u in people.values() if u is not None}))
        return NotePost(couple.guild_id, couple.channel_id, PLAN_NOTE, data, names)

    async def rendered_card(self, card_id: int) -> Rendered | None:
        async with self._store.read() as tx:
            card = await tx.dates.card(card_id)
            couple = await tx.couples.get(card.couple_id) if card else None
            if couple is None:
                return None
            return await self._render_card(tx, couple, card_id)

    async def _card_post(self, tx: Tx, item: OutboxItem) -> NotePost | None:
        couple = await tx.couples.get(item.couple_id)
        return None if couple is None else await self.card_note(tx, couple, key_id(item))

    async def _plan_post(self, tx: Tx, item: OutboxItem) -> NotePost | None:
        couple = await tx.couples.get(item.couple_id)
        return None if couple is None else await self.plan_note(tx, couple, key_id(item))

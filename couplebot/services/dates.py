"""Date nights and shared activities, the idea cards: suggest one, pass it for another,
save it, add an idea of your own.

Planning a date (and moving, agreeing, cancelling it, /date list, /date weekly) is in
services/date_plans.py; the scheduled part (day-of reminder, the morning-after reflection,
the weekly suggestion) is in services/date_schedule.py.
"""

from __future__ import annotations

import logging
import random

from couplebot.clock import Clock
from couplebot.content import Content
from couplebot.domain.dates import IdeaCard, filters_from_dict, filters_to_dict
from couplebot.domain.ideas import (
    DATE_MINUTES,
    MAX_DESCRIPTION_LENGTH,
    MAX_TITLE_LENGTH,
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
from couplebot.services.checkins import is_long_distance
from couplebot.services.couples import require_couple
from couplebot.services.date_notes import CARD_NOTE, DateNote, Rendered, idea_data
from couplebot.services.errors import InvalidInputError
from couplebot.services.outbox import Outbox
from couplebot.services.ports import NotePost
from couplebot.store import Store, Tx

log = logging.getLogger(__name__)

OWN_DATE_PROMPT = "On the way home, ask each other: what made this one feel like ours?"
AUTOCOMPLETE_LIMIT = 25


class DatesService:
    def __init__(
        self,
        store: Store,
        content: Content,
        clock: Clock,
        outbox: Outbox,
        rng: random.Random | None = None,
    ) -> None:
        self._store = store
        self._content = content
        self._clock = clock
        self._outbox = outbox
        self._rng = rng or random.Random()  # noqa: S311 - picking ideas, not secrets
        self._shipped = {idea.id: idea for idea in content.ideas}
        self._cards = DateNote(CARD_NOTE, outbox, self.card_note)

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
        await self._cards.enqueue(tx, couple, card.id, now)
        return card

    async def suggest(self, guild_id: int | None, user_id: int, filters: IdeaFilters) -> IdeaCard:
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            card = await self.new_card(tx, couple, filters, asked_by=user_id)
            assert card is not None
        await self._outbox.flush()
        return card

    async def own_card(self, tx: Tx, couple: Couple, card_id: int) -> IdeaCard:
        card = await tx.dates.card(card_id)
        if card is None or card.couple_id != couple.id:
            raise InvalidInputError("That idea is no longer here.")
        return card

    async def another(self, guild_id: int | None, user_id: int, card_id: int) -> Rendered:
        """Pass on this card and post the next one. Returns the passed card, as it is now."""
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            card = await self.own_card(tx, couple, card_id)
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
            rendered = await self.render_card(tx, couple, card.id)
        await self._outbox.flush()
        return rendered

    async def save(self, guild_id: int | None, user_id: int, card_id: int) -> Rendered:
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            card = await self.own_card(tx, couple, card_id)
            if not await tx.dates.save_idea(couple.id, card.idea_id, user_id, self._clock.now()):
                raise InvalidInputError("This one is saved already. It's in `/date list`.")
            await tx.dates.mark_card_saved(card.id, user_id)
            return await self.render_card(tx, couple, card.id)

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

    # What the card shows, from the DB as it is now

    async def render_card(self, tx: Tx, couple: Couple, card_id: int) -> Rendered:
        return await self._cards.render(tx, couple, card_id)

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
        return self._cards.post(couple, data, people)

    async def rendered_card(self, card_id: int) -> Rendered | None:
        async with self._store.read() as tx:
            card = await tx.dates.card(card_id)
            couple = await tx.couples.get(card.couple_id) if card else None
            if couple is None:
                return None
            return await self.render_card(tx, couple, card_id)

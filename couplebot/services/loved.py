""" "What makes me feel loved": each partner's private list, and the weekly gentle idea.

The list is only ever shown to its author. At most once a week (the rule is in
domain/loved_ideas.py) one item is offered to the other partner as an idea: as an
ephemeral reply to their next interaction, or by DM if that partner turned
`/loved dm:true` on (their own consent to receive DMs). `/loved share:false` by the
author stops it, including an idea chosen but not shown yet.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

from couplebot.clock import Clock
from couplebot.domain.checkins import (
    MAX_LOVED_ITEMS,
    LovedListError,
    add_loved,
    edit_loved,
    pick_loved_idea,
    remove_loved,
)
from couplebot.domain.loved_ideas import (
    is_quiet_moment,
    next_idea_slot,
    next_week_slot,
    token_index,
    token_matches,
    week_of,
)
from couplebot.domain.models import Couple
from couplebot.domain.schedule import is_quiet
from couplebot.services.couples import require_couple
from couplebot.services.due import DueWork
from couplebot.services.errors import InvalidInputError
from couplebot.services.outbox import Outbox
from couplebot.services.ports import NotePost
from couplebot.store import OutboxItem, Store, Tx
from couplebot.store.loved import LovedIdeaRow, LovedList

T = TypeVar("T")

IDEA_ITEM = "loved-idea"  # the due-work item
IDEA_NOTE = "loved-idea"  # the outbox row and note kind (a DM)
STALE_ITEM = "That item has changed since you opened it; please try again."


@dataclass(frozen=True)
class ShownIdea:
    idea_id: int
    owner_id: int
    item: str


class LovedService:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        outbox: Outbox,
        due: DueWork,
        rng: random.Random | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._outbox = outbox
        self._due = due
        self._rng = rng or random.Random()  # noqa: S311 - picking ideas, not secrets
        due.register(self._plan, {IDEA_ITEM: self._offer})
        outbox.register(IDEA_NOTE, self._build_idea)

    # The list (only its author ever sees it)

    async def mine(self, guild_id: int | None, user_id: int) -> LovedList:
        async with self._store.read() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            return await tx.loved.get(couple.id, user_id)

    async def check_room(self, guild_id: int | None, user_id: int) -> None:
        """Refuse at once, before a form opens, when the list is already full."""
        loved = await self.mine(guild_id, user_id)
        if len(loved.items) >= MAX_LOVED_ITEMS:
            raise InvalidInputError(
                f"Your list holds up to {MAX_LOVED_ITEMS} things; edit or remove one to make room."
            )

    async def add(self, guild_id: int | None, user_id: int, text: str) -> LovedList:
        return await self._change(guild_id, user_id, lambda items: add_loved(items, text))

    async def edit(self, guild_id: int | None, user_id: int, token: int, text: str) -> LovedList:
        def change(items: tuple[str, ...]) -> tuple[str, ...]:
            index = _index_of(items, token)
            return edit_loved(items, index, text, expected=items[index])

        return await self._change(guild_id, user_id, change)

    async def remove(self, guild_id: int | None, user_id: int, token: int) -> LovedList:
        def change(items: tuple[str, ...]) -> tuple[str, ...]:
            index = _index_of(items, token)
            return remove_loved(items, index, expected=items[index])

        return await self._change(guild_id, user_id, change)

    async def item(self, guild_id: int | None, user_id: int, token: int) -> str:
        """The item a button names, if it is still the same."""
        loved = await self.mine(guild_id, user_id)
        return loved.items[_checked(lambda: _index_of(loved.items, token))]

    async def set_options(
        self, guild_id: int | None, user_id: int, *, share: bool | None, dm: bool | None
    ) -> LovedList:
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            loved = await tx.loved.get(couple.id, user_id)
            loved = replace(
                loved,
                share=loved.share if share is None else share,
                ideas_by_dm=loved.ideas_by_dm if dm is None else dm,
            )
            await tx.loved.save(couple.id, loved, self._clock.now())
            await self._due.plan(tx, couple)
        return loved

    async def _change(
        self,
        guild_id: int | None,
        user_id: int,
        change: Callable[[tuple[str, ...]], tuple[str, ...]],
    ) -> LovedList:
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            loved = await tx.loved.get(couple.id, user_id)
            loved = replace(loved, items=_checked(lambda: change(loved.items)))
            await tx.loved.save(couple.id, loved, self._clock.now())
            await self._due.plan(tx, couple)
        return loved

    # The weekly idea

    async def _plan(self, tx: Tx, couple: Couple, now: datetime) -> dict[str, datetime | None]:
        week = week_of(now, couple.zone)
        waiting = False
        eligible = False
        for owner, taker in _pairs(couple):
            if await _offers(tx, couple, owner):
                eligible = True
                waiting = waiting or not await tx.loved.has_idea(couple.id, taker, week)
        if waiting:
            return {IDEA_ITEM: next_idea_slot(now, couple.zone)}
        return {IDEA_ITEM: next_week_slot(now, couple.zone) if eligible else None}

    async def _offer(self, couple_id: int, now: datetime) -> None:
        async with self._store.write() as tx:
            couple = await tx.couples.get(couple_id)
            if couple is None or not await self._quiet(tx, couple, now):
                return
            week = week_of(now, couple.zone)
            for owner, taker in _pairs(couple):
                loved = await tx.loved.get(couple.id, owner)
                if not (loved.share and loved.items):
                    continue
                if await tx.loved.has_idea(couple.id, taker, week):
                    continue
                mentioned = await tx.loved.mentioned(couple.id, owner)
                idea = pick_loved_idea(loved.items, mentioned, self._rng)
                assert idea is not None  # the list is not empty
                idea_id = await tx.loved.add_idea(
                    couple.id,
                    about_user_id=owner,
                    to_user_id=taker,
                    week=week,
                    item=idea.item,
                    new_cycle=idea.new_cycle,
                    now=now,
                )
                if idea_id is not None and await self._by_dm(tx, couple, taker, now):
                    await tx.loved.mark_delivered(couple.id, taker, now)
                    await tx.outbox.enqueue(
                        f"loved-idea:{idea_id}",
                        couple_id=couple.id,
                        kind=IDEA_NOTE,
                        user_id=taker,
                        now=now,
                    )

    async def _quiet(self, tx: Tx, couple: Couple, now: datetime) -> bool:
        unsent, last_post_at = await tx.loved.recent_posts(couple.id)
        due = await tx.due.of(couple.id)
        other = [at for item, at in due.items() if item != IDEA_ITEM]
        return is_quiet_moment(now, unsent_posts=unsent, last_post_at=last_post_at, other_due=other)

    async def _by_dm(self, tx: Tx, couple: Couple, taker: int, now: datetime) -> bool:
        """A DM only with the taker's consent, and never in their quiet hours."""
        if not (await tx.loved.get(couple.id, taker)).ideas_by_dm:
            return False
        partner = couple.partner(taker)
        return not is_quiet(now, couple.zone_of(taker), partner.quiet_start, partner.quiet_end)

    async def _build_idea(self, tx: Tx, item: OutboxItem) -> NotePost | None:
        idea = await tx.loved.idea(int(item.dedupe_key.rsplit(":", 1)[1]))
        couple = await tx.couples.get(item.couple_id)
        if idea is None or couple is None or not await _still_offered(tx, couple, idea):
            return None
        return NotePost(
            guild_id=couple.guild_id,
            channel_id=couple.channel_id,
            kind=IDEA_NOTE,
            data={"owner": idea.about_user_id, "item": idea.item},
            names=(idea.about_user_id,),
            dm_user_id=idea.to_user_id,
        )

    async def claim_idea(self, guild_id: int | None, user_id: int) -> ShownIdea | None:
        """The idea waiting for this partner, now counted as shown; None if there is none."""
        if guild_id is None:
            return None
        async with self._store.snapshot() as tx:  # after every interaction: never wait
            couple = await tx.couples.by_guild(guild_id)
            if couple is None or not couple.has(user_id):
                return None
            if await tx.loved.waiting_for(couple.id, user_id) is None:
                return None
        async with self._store.write() as tx:
            idea = await tx.loved.waiting_for(couple.id, user_id)
            if idea is None:
                return None
            await tx.loved.mark_delivered(couple.id, user_id, self._clock.now())
            if not await _still_offered(tx, couple, idea):
                return None
        assert idea.item is not None
        return ShownIdea(idea.id, idea.about_user_id, idea.item)

    async def release_idea(self, idea_id: int) -> None:
        """Showing it failed: it waits for the next interaction again."""
        async with self._store.write() as tx:
            await tx.loved.unmark_delivered(idea_id)


def _pairs(couple: Couple) -> list[tuple[int, int]]:
    """(list owner, the partner who may get an idea from it), both ways."""
    first, second = couple.user_ids
    return [(first, second), (second, first)]


async def _offers(tx: Tx, couple: Couple, owner: int) -> bool:
    loved = await tx.loved.get(couple.id, owner)
    return loved.share and bool(loved.items)


async def _still_offered(tx: Tx, couple: Couple, idea: LovedIdeaRow) -> bool:
    """The author still shares, and the item is still on their list as it was."""
    loved = await tx.loved.get(couple.id, idea.about_user_id)
    return loved.share and idea.item is not None and idea.item in loved.items


def _index_of(items: tuple[str, ...], token: int) -> int:
    index = token_index(token)
    if index >= len(items) or not token_matches(token, index, items[index]):
        raise LovedListError(STALE_ITEM)
    return index


def _checked(step: Callable[[], T]) -> T:
    try:
        return step()
    except LovedListError as exc:
        raise InvalidInputError(str(exc)) from None


class LovedSection:
    """Export and forget for the loved list."""

    name = "your_loved_list"

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def export(self, tx: Tx, couple: Couple, user_id: int) -> Any:
        loved = await tx.loved.get(couple.id, user_id)
        return {
            "items": list(loved.items),
            "offered_to_partner_as_ideas": loved.share,
            "partner_ideas_by_dm": loved.ideas_by_dm,
        }

    async def forget(self, tx: Tx, couple: Couple, user_id: int) -> int:
        return await tx.loved.forget(couple.id, user_id, self._clock.now())

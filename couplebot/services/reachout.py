"""Reaching out: a gentle note from one partner to the other, sent only on "Send".

Nothing is stored before "Send": the draft travels in the modal and then in the
sender's own private preview message (its embed holds the text), so the server keeps
no draft at all. On "Send" the note is stored encrypted, counted as a bid, and
posted once through the outbox; the partner answers with one of two buttons.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from couplebot.clock import Clock
from couplebot.content import Content
from couplebot.domain.checkins import Opener
from couplebot.domain.models import Couple
from couplebot.domain.reachout import Delivery, ReachoutError, Reply, clean_reachout, pick_openers
from couplebot.services.couples import require_couple
from couplebot.services.errors import InvalidInputError, NotPartnerError
from couplebot.services.outbox import Outbox
from couplebot.services.ports import NotePost
from couplebot.store import OutboxItem, Store, Tx

NOTE_KIND = "reachout"
REPLY_KIND = "reachout-reply"
GONE = "That note is no longer here."


@dataclass(frozen=True)
class Draft:
    to_user_id: int
    text: str


@dataclass(frozen=True)
class Sent:
    to_user_id: int
    first: bool  # False: this preview had been sent already


@dataclass(frozen=True)
class Answered:
    guild_id: int
    sender_id: int
    first: bool  # False: they had given this answer already


class ReachoutService:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        outbox: Outbox,
        content: Content,
        rng: random.Random | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._outbox = outbox
        self._content = content
        self._rng = rng or random.Random()  # noqa: S311 - picking openers, not secrets
        outbox.register(NOTE_KIND, self._build_note)
        outbox.register(REPLY_KIND, self._build_reply)

    async def _couple(self, guild_id: int | None, user_id: int) -> Couple:
        async with self._store.read() as tx:
            return await require_couple(tx, guild_id, user_id)

    async def openers(self, guild_id: int | None, user_id: int) -> list[tuple[int, Opener]]:
        await self._couple(guild_id, user_id)
        pool = self._content.openers
        return [(index, pool[index]) for index in pick_openers(pool, self._rng)]

    async def opener(self, guild_id: int | None, user_id: int, index: int) -> str:
        await self._couple(guild_id, user_id)
        pool = self._content.openers
        return pool[index].text if index < len(pool) else ""

    async def draft(self, guild_id: int | None, user_id: int, text: str) -> Draft:
        """Check a draft for the preview. Stores nothing."""
        couple = await self._couple(guild_id, user_id)
        return Draft(couple.other(user_id).user_id, _clean(text))

    async def check(self, guild_id: int | None, user_id: int) -> int:
        """Only the two partners may touch a preview; returns the partner's id."""
        couple = await self._couple(guild_id, user_id)
        return couple.other(user_id).user_id

    async def send(
        self,
        guild_id: int | None,
        user_id: int,
        text: str,
        delivery: Delivery,
        source_id: int,
    ) -> Sent:
        """Store the note and queue its one post; then call deliver()."""
        body = _clean(text)
        now = self._clock.now()
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            partner = couple.other(user_id).user_id
            reachout_id = await tx.reachouts.add(
                couple.id,
                from_user_id=user_id,
                to_user_id=partner,
                body=body,
                by_dm=delivery is Delivery.DM,
                source_id=source_id,
                now=now,
            )
            if reachout_id is not None:
                await tx.outbox.enqueue(
                    f"reachout:{reachout_id}",
                    couple_id=couple.id,
                    kind=NOTE_KIND,
                    user_id=user_id,
                    now=now,
                )
        return Sent(partner, first=reachout_id is not None)

    async def answer(
        self, guild_id: int | None, user_id: int, reachout_id: int, reply: Reply
    ) -> Answered:
        """The partner's one-press answer, posted once; only the partner it was sent to."""
        now = self._clock.now()
        async with self._store.write() as tx:
            note = await tx.reachouts.get(reachout_id)
            couple = await tx.couples.get(note.couple_id) if note else None
            if note is None or couple is None:
                raise InvalidInputError(GONE)
            if (guild_id is not None and guild_id != couple.guild_id) or not couple.has(user_id):
                raise NotPartnerError
            if user_id != note.to_user_id:
                raise InvalidInputError("These buttons are for your partner, to answer your note.")
            first = await tx.reachouts.mark_reply(note.id, reply.value, now)
            if first:
                await tx.outbox.enqueue(
                    f"reachout-reply:{note.id}:{reply.value}",
                    couple_id=couple.id,
                    kind=REPLY_KIND,
                    user_id=user_id,
                    now=now,
                )
        return Answered(couple.guild_id, note.from_user_id, first)

    async def deliver(self) -> None:
        await self._outbox.flush()

    async def _build_note(self, tx: Tx, item: OutboxItem) -> NotePost | None:
        note = await tx.reachouts.get(int(item.dedupe_key.rsplit(":", 1)[1]))
        couple = await tx.couples.get(item.couple_id)
        if note is None or couple is None:
            return None
        return NotePost(
            guild_id=couple.guild_id,
            channel_id=couple.channel_id,
            kind=NOTE_KIND,
            data={
                "id": note.id,
                "body": note.body,
                "from": note.from_user_id,
                "to": note.to_user_id,
            },
            names=(note.from_user_id, note.to_user_id),
            dm_user_id=note.to_user_id if note.by_dm else None,
            ping_user_id=None if note.by_dm else note.to_user_id,
        )

    async def _build_reply(self, tx: Tx, item: OutboxItem) -> NotePost | None:
        _, reachout_id, reply = item.dedupe_key.split(":")
        note = await tx.reachouts.get(int(reachout_id))
        couple = await tx.couples.get(item.couple_id)
        if note is None or couple is None:
            return None
        return NotePost(
            guild_id=couple.guild_id,
            channel_id=couple.channel_id,
            kind=REPLY_KIND,
            data={"reply": reply, "from": note.to_user_id, "to": note.from_user_id},
            names=(note.to_user_id,),
            dm_user_id=note.from_user_id if note.by_dm else None,
            ping_user_id=None if note.by_dm else note.from_user_id,
        )


def _clean(text: str) -> str:
    try:
        return clean_reachout(text)
    except ReachoutError as exc:
        raise InvalidInputError(str(exc)) from None


class ReachoutSection:
    """Export and forget for the notes a partner sent."""

    name = "your_reach_outs"

    async def export(self, tx: Tx, couple: Couple, user_id: int) -> Any:
        return [
            {
                "sent_at": note.sent_at.isoformat(),
                "text": note.body,
                "sent_as": "private message" if note.by_dm else "in your channel",
                "partner_said_thank_you": note.thanked_at is not None,
                "partner_asked_to_talk": note.talk_at is not None,
            }
            for note in await tx.reachouts.sent_by(couple.id, user_id)
        ]

    async def forget(self, tx: Tx, couple: Couple, user_id: int) -> int:
        return await tx.reachouts.forget(couple.id, user_id)

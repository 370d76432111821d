"""What the idea-card and date-plan posts share: their outbox keys, an idea's fields, and a
note as the outbox would send it now."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from couplebot.domain.ideas import BUDGET_LABELS, SETTING_LABELS, Idea
from couplebot.domain.models import Couple
from couplebot.services.outbox import Outbox
from couplebot.services.ports import NotePost, post_marker
from couplebot.store import OutboxItem, Tx

CARD_NOTE = "idea-card"
PLAN_NOTE = "date-plan"

NoteFor = Callable[[Tx, Couple, int], Awaitable[NotePost | None]]
"""Builds a card's or a plan's note from the DB as it is now (None once it is gone)."""


def key_id(item: OutboxItem) -> int:
    return int(item.dedupe_key.split(":")[1])


@dataclass(frozen=True)
class Rendered:
    """A note as the outbox would send it now, for editing its message in place."""

    post: NotePost
    marker: str


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


class DateNote:
    """One kind of date post (the idea card or the plan), keyed "<kind>:<id>": queued once,
    built by the outbox from the DB as it is then, and rendered again for an edit in place."""

    def __init__(self, kind: str, outbox: Outbox, note: NoteFor) -> None:
        self.kind = kind
        self._note = note
        outbox.register(kind, self._build)

    def key(self, note_id: int) -> str:
        return f"{self.kind}:{note_id}"

    async def enqueue(self, tx: Tx, couple: Couple, note_id: int, now: datetime) -> None:
        await tx.outbox.enqueue(self.key(note_id), couple_id=couple.id, kind=self.kind, now=now)

    def post(
        self, couple: Couple, data: dict[str, object], people: dict[str, int | None]
    ) -> NotePost:
        """The post in the couple's channel, naming everyone it mentions."""
        names = tuple(sorted({u for u in people.values() if u is not None}))
        return NotePost(couple.guild_id, couple.channel_id, self.kind, data, names)

    async def render(self, tx: Tx, couple: Couple, note_id: int) -> Rendered:
        post = await self._note(tx, couple, note_id)
        assert post is not None
        return Rendered(post, post_marker(self.key(note_id)))

    async def _build(self, tx: Tx, item: OutboxItem) -> NotePost | None:
        couple = await tx.couples.get(item.couple_id)
        return None if couple is None else await self._note(tx, couple, key_id(item))

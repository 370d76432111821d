"""What couplebot keeps about a partner: export it, forget it, and clean up after leaving."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Protocol, runtime_checkable

from couplebot.clock import Clock
from couplebot.domain.daily import DAILY, answer_of, round_of
from couplebot.domain.models import Answer, Couple, Round
from couplebot.services.couples import require_couple
from couplebot.services.errors import InvalidInputError
from couplebot.services.ports import NotePost
from couplebot.store import OutboxItem, Store, Tx

log = logging.getLogger(__name__)

WITHDRAWN_NOTE = "withdrawn"
FORGOTTEN_QUESTION = "(A question one of you wrote, since deleted.)"

# Kept this long after the bot is removed from a server, in case that was a mistake.
LEFT_GUILD_GRACE = timedelta(days=7)


class PrivacySection(Protocol):
    """What one feature keeps about a partner: it exports it and it forgets it."""

    name: str  # the key in the export document, e.g. "your_check_ins"

    async def export(self, tx: Tx, couple: Couple, user_id: int) -> Any: ...

    async def forget(self, tx: Tx, couple: Couple, user_id: int) -> int:
        """Delete what this partner wrote; returns how many rows went."""
        ...


@runtime_checkable
class ExchangeResponsesSection(PrivacySection, Protocol):
    """A section that exports the responses to some kinds of exchange in its own shape;
    "your_other_responses" leaves those kinds out, so each response is exported once."""

    exchange_kinds: frozenset[str]


class PrivacyService:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        changed: Callable[[int], Awaitable[None]],
        refresh: Callable[[int], Awaitable[None]],
    ) -> None:
        self._store = store
        self._clock = clock
        self._changed = changed  # what was deleted may change scheduled work
        self._refresh = refresh  # an exchange's status line, after its answers changed
        self._sections: list[PrivacySection] = []
        self._left_guilds: set[int] | None = None  # loaded once, kept by guild_left/joined
        self._left_loading = asyncio.Lock()
        self._kinds_exported_apart = {DAILY.name}  # daily answers are "your_answers"

    def add_section(self, section: PrivacySection) -> None:
        """A feature's own tables join export and forget."""
        self._sections.append(section)
        if isinstance(section, ExchangeResponsesSection):
            self._kinds_exported_apart |= section.exchange_kinds

    async def _other_responses(self, tx: Tx, couple_id: int, user_id: int) -> list[dict[str, Any]]:
        """This partner's responses to every kind of exchange no section exports itself
        (date reflections, ...)."""
        found = []
        for exchange_id in await tx.exchanges.responded_by(couple_id, user_id):
            exchange = await tx.exchanges.get(exchange_id)
            if exchange is None or exchange.kind in self._kinds_exported_apart:
                continue
            for response in await tx.exchanges.responses(exchange_id):
                if response.user_id == user_id:
                    found.append(
                        {
                            "kind": exchange.kind,
                            "when": exchange.slot,
                            "asked": exchange.prompt,
                            "your_response": response.values,
                            "passed": response.passed,
                            "revealed": exchange.revealed_at is not None,
                            "written_at": response.created_at.isoformat(),
                        }
                    )
        return found

    async def _answers_by(self, tx: Tx, couple_id: int, user_id: int) -> list[tuple[Round, Answer]]:
        """Every daily answer this partner gave, with its round, oldest first."""
        found = []
        for exchange_id in await tx.exchanges.responded_by(couple_id, user_id):
            exchange = await tx.exchanges.get(exchange_id)
            if exchange is None or exchange.kind != DAILY.name:
                continue
            mine = [r for r in await tx.exchanges.responses(exchange_id) if r.user_id == user_id]
            found.append((round_of(exchange), answer_of(mine[0])))
        return found

    async def export(self, guild_id: int | None, user_id: int) -> bytes:
        """Everything stored about this partner, as UTF-8 JSON."""
        async with self._store.read() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            me = couple.partner(user_id)
            answers = await self._answers_by(tx, couple.id, user_id)
            questions = await tx.couples.questions(couple.id, author_id=user_id)
            pauses = await tx.couples.pauses(couple.id, by=user_id)
            sections = {s.name: await s.export(tx, couple, user_id) for s in self._sections}
            sections["your_other_responses"] = await self._other_responses(tx, couple.id, user_id)
        document: dict[str, Any] = {
            "exported_at": self._clock.now().isoformat(),
            "user_id": str(user_id),
            "shared_settings": {
                "server_id": str(couple.guild_id),
                "channel_id": str(couple.channel_id),
                "partner_user_id": str(couple.other(user_id).user_id),
                "timezone": couple.timezone,
                "question_time": couple.question_time.strftime("%H:%M"),
                "themes": sorted(couple.themes),
                "deep_days": sorted(couple.deep_days),
            },
            "your_settings": {
                "timezone": me.timezone or couple.timezone,
                "quiet_start": me.quiet_start.strftime("%H:%M"),
                "quiet_end": me.quiet_end.strftime("%H:%M"),
            },
            "your_answers": [
                {
                    "date": round_.local_date.isoformat(),
                    "question": round_.question_text,
                    "answer": answer.body,
                    "passed": answer.passed,
                    "shared_after_pass": answer.shared,
                    "revealed": round_.revealed_at is not None,
                    "written_at": answer.created_at.isoformat(),
                    "last_edited_at": answer.updated_at.isoformat(),
                }
                for round_, answer in answers
            ],
            "your_questions": [question.text for question in questions],
            "your_pauses": [
                {"first_day": first.isoformat(), "last_day": last.isoformat()}
                for first, last in pauses
            ],
            **sections,
        }
        return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")

    async def forget(self, guild_id: int | None, user_id: int) -> int:
        """Delete this partner's answers, own questions and personal settings.

        A reveal that was decided but not yet posted is withdrawn (a reveal shows both
        answers or none), and the couple is told so in their channel.
        """
        async with self._store.read() as tx:
            couple = await require_couple(tx, guild_id, user_id)
        return await self._forget(couple.id, user_id)

    async def forget_everywhere(self, user_id: int) -> int:
        """For an operator honouring a deletion request: this person, in every couple."""
        async with self._store.read() as tx:
            couple_ids = await tx.privacy.couples_of(user_id)
        return sum([await self._forget(couple_id, user_id) for couple_id in couple_ids])

    async def _forget(self, couple_id: int, user_id: int) -> int:
        now = self._clock.now()
        async with self._store.write() as tx:
            couple = await tx.couples.get(couple_id)
            assert couple is not None
            mine = set(await tx.exchanges.responded_by(couple.id, user_id))
            withdrawn = set()
            for item in await tx.outbox.pending():
                if (
                    item.couple_id == couple.id
                    and item.kind == "reveal"
                    and item.exchange_id in mine
                ):
                    await tx.outbox.mark_posted(item.id, None, now)
                    withdrawn.add(item.exchange_id)
            for exchange_id in sorted(withdrawn):
                await tx.outbox.enqueue(
                    f"withdrawn:{exchange_id}",
                    couple_id=couple.id,
                    kind=WITHDRAWN_NOTE,
                    exchange_id=exchange_id,
                    now=now,
                )
            deleted = await tx.privacy.forget_partner(couple.id, user_id, FORGOTTEN_QUESTION)
            for section in self._sections:
                deleted += await section.forget(tx, couple, user_id)
        await self._changed(couple.id)
        for exchange_id in sorted(mine - withdrawn):
            await self._refresh(exchange_id)
        await self._store.db.checkpoint()  # no forgotten text left in the WAL file
        log.info("forgot a partner's data in couple %s (%d rows)", couple.id, deleted)
        return deleted

    async def end_couple(self, guild_id: int | None, user_id: int, partner_here: bool) -> None:
        """The partner who stayed ends the couple after the other left the server: nothing
        more is sent, and everything is deleted after the grace period."""
        if partner_here:
            raise InvalidInputError(
                "Your partner is still a member of this server, so the couple can't be ended "
                "from here. Each of you can use `/privacy forget`, or remove the bot."
            )
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            await tx.couples.end(couple.id, self._clock.now())
            await tx.due.clear(couple.id)
        log.info("couple %s ended by a partner; its data goes after the grace period", couple.id)

    async def guild_left(self, guild_id: int) -> None:
        async with self._store.write() as tx:
            if self._left_guilds is not None:
                self._left_guilds.add(guild_id)
            if await tx.privacy.mark_left(guild_id, self._clock.now()):
                couple = await tx.couples.by_guild(guild_id)
                if couple is not None:
                    await tx.due.clear(couple.id)
                log.info("removed from server %s; its data goes after the grace period", guild_id)

    async def guild_joined(self, guild_id: int) -> None:
        # At start every server is "joined" again: one query for which ones had been
        # left, not a write transaction per server that keeps clicks waiting.
        async with self._left_loading:
            if self._left_guilds is None:
                async with self._store.read() as tx:
                    self._left_guilds = await tx.privacy.left_guild_ids()
        if guild_id not in self._left_guilds:
            return
        self._left_guilds.discard(guild_id)
        async with self._store.write() as tx:
            returned = await tx.privacy.mark_returned(guild_id)
            couple = await tx.couples.by_guild(guild_id)
        if returned and couple is not None:
            log.info("back in server %s within the grace period; data kept", guild_id)
            await self._changed(couple.id)

    async def reconcile_guilds(self, present: set[int]) -> None:
        """On start: a server that removed the bot while it was offline counts as left."""
        async with self._store.read() as tx:
            missing = await tx.privacy.guild_ids() - present
        for guild_id in missing:
            await self.guild_left(guild_id)

    async def purge_left(self) -> int:
        async with self._store.write() as tx:
            deleted = await tx.privacy.delete_couples_left_before(
                self._clock.now() - LEFT_GUILD_GRACE
            )
        if deleted:
            log.info("deleted %d couple(s) whose server removed the bot", deleted)
        return deleted


async def withdrawn_note(tx: Tx, item: OutboxItem) -> NotePost | None:
    """Tells both partners that a reveal they were promised will not come."""
    couple = await tx.couples.get(item.couple_id)
    if couple is None:
        return None
    return NotePost(couple.guild_id, couple.channel_id, WITHDRAWN_NOTE, {})

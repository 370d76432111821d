"""The posts of every kind of exchange, built by the outbox from the DB as it is now:
the prompt with its status line, the reveal (both answers or none), a shared answer
after a pass, and the one reminder."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from couplebot.clock import Clock
from couplebot.domain.exchange import Exchange, ExchangeState, Response, revealable
from couplebot.domain.models import Couple
from couplebot.domain.reveal import reveal_parts
from couplebot.services.exchange_kinds import KindPolicy, question_key
from couplebot.services.outbox import Outbox
from couplebot.services.ports import (
    Messenger,
    Post,
    PromptPost,
    ReminderPost,
    RevealedAnswer,
    RevealPost,
    SharedAnswerPost,
    post_marker,
)
from couplebot.store import OutboxItem, Store, Tx

log = logging.getLogger(__name__)

RECENT_REFRESH = timedelta(days=2)


class ExchangePosts:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        outbox: Outbox,
        messenger: Messenger,
        kinds: dict[str, KindPolicy],
    ) -> None:
        self._store = store
        self._shown: dict[int, datetime] = {}  # status lines edited, not yet recorded
        self._clock = clock
        self._messenger = messenger
        self._kinds = kinds  # the engine's, shared: a kind added later is known here too
        outbox.register("question", self._prompt_post, on_sent=self._prompt_sent)
        outbox.register("reveal", self._reveal_post)
        outbox.register("share", self._shared_post)
        outbox.register("remind", self._reminder_post)

    async def _context(
        self, tx: Tx, item: OutboxItem
    ) -> tuple[Couple, Exchange, KindPolicy, list[Response]] | None:
        couple = await tx.couples.get(item.couple_id)
        exchange = await tx.exchanges.get(item.exchange_id) if item.exchange_id else None
        if couple is None or exchange is None or exchange.kind not in self._kinds:
            return None
        return (
            couple,
            exchange,
            self._kinds[exchange.kind],
            await tx.exchanges.responses(exchange.id),
        )

    def prompt_post(
        self, couple: Couple, exchange: Exchange, responses: list[Response]
    ) -> PromptPost:
        label = self._kinds[exchange.kind].label(exchange)
        return PromptPost(couple.guild_id, couple.channel_id, exchange, len(responses), label)

    async def _prompt_post(self, tx: Tx, item: OutboxItem) -> Post | None:
        found = await self._context(tx, item)
        if found is None:
            return None
        couple, exchange, _, responses = found
        return self.prompt_post(couple, exchange, responses)

    async def _prompt_sent(self, tx: Tx, item: OutboxItem, message_id: int) -> None:
        if item.exchange_id is None:
            return
        await tx.exchanges.set_message(item.exchange_id, message_id)
        # The message matters to the plans only through a reminder, which waits on a
        # first answer: a fresh prompt (the morning's fan-out) changes no plan.
        if not await tx.exchanges.responses(item.exchange_id):
            return
        exchange = await tx.exchanges.get(item.exchange_id)
        couple = await tx.couples.get(item.couple_id)
        if exchange is not None and couple is not None and exchange.kind in self._kinds:
            await self._kinds[exchange.kind].changed(tx, couple)

    async def _reveal_post(self, tx: Tx, item: OutboxItem) -> Post | None:
        found = await self._context(tx, item)
        if found is None:
            return None
        couple, exchange, policy, responses = found
        by_user = {r.user_id: r for r in responses}
        if exchange.state is not ExchangeState.REVEALED or not revealable(by_user, couple.user_ids):
            log.warning("not revealing exchange %s: an answer is gone", exchange.id)
            return None  # a reveal shows both answers or none
        bodies = [policy.text_of(r.values) for r in responses]
        groups = reveal_parts(exchange.prompt, bodies)
        last = item.part == len(groups)
        chosen = groups[item.part - 1] if item.part <= len(groups) else []
        return RevealPost(
            guild_id=couple.guild_id,
            channel_id=couple.channel_id,
            exchange=exchange,
            answers=tuple(
                RevealedAnswer(responses[i].user_id, responses[i].values) for i in chosen
            ),
            part=item.part,
            parts=len(groups),
            follow_up=policy.follow_up(exchange) if last else None,
            milestone=await policy.milestone(tx, couple, exchange) if last else None,
        )

    async def _shared_post(self, tx: Tx, item: OutboxItem) -> Post | None:
        found = await self._context(tx, item)
        if found is None:
            return None
        couple, exchange, _, responses = found
        mine = [r for r in responses if r.user_id == item.user_id and r.values and r.shared]
        if not mine:
            return None
        answer = RevealedAnswer(mine[0].user_id, mine[0].values)
        return SharedAnswerPost(couple.guild_id, couple.channel_id, exchange, answer)

    async def _reminder_post(self, tx: Tx, item: OutboxItem) -> Post | None:
        found = await self._context(tx, item)
        if found is None or item.user_id is None:
            return None
        couple, exchange, _, responses = found
        if exchange.state is not ExchangeState.OPEN or len(responses) != 1:
            return None
        return ReminderPost(item.user_id, couple.guild_id, couple.channel_id, exchange)

    # The status line

    async def refresh(self, exchange_id: int) -> None:
        """Bring the exchange message's status line up to date; harmless to repeat."""
        rendered_at = self._clock.now()
        async with self._store.snapshot() as tx:  # what is committed: never waits on writes
            exchange = await tx.exchanges.get(exchange_id)
            couple = await tx.couples.get(exchange.couple_id) if exchange else None
            if exchange is None or couple is None or exchange.message_id is None:
                return
            if exchange.kind not in self._kinds:
                return
            post = self.prompt_post(couple, exchange, await tx.exchanges.responses(exchange_id))
        try:
            await self._messenger.refresh_prompt(post, post_marker(question_key(exchange_id)))
        except Exception:
            log.exception("could not refresh the status of exchange %s", exchange_id)
            return
        self._shown[exchange_id] = rendered_at

    async def record_shown(self) -> None:
        """Write down, in one transaction, which status lines were brought up to date
        (lost in a crash, they are only edited once more after the restart)."""
        shown, self._shown = self._shown, {}
        if not shown:
            return
        try:
            async with self._store.write() as tx:
                for exchange_id, rendered_at in shown.items():
                    await tx.exchanges.status_shown(exchange_id, rendered_at)
        except Exception:
            log.warning("could not record %d refreshed status line(s); will retry", len(shown))
            self._shown = shown | self._shown

    async def refresh_recent(self) -> int:
        """On start: a status line may be stale if we stopped between saving and editing.
        Only those that changed after they were last shown are edited, one at a time."""
        async with self._store.read() as tx:
            stale = await tx.exchanges.maybe_stale(self._clock.now() - RECENT_REFRESH)
        for exchange in stale:
            await self.refresh(exchange.id)
        await self.record_shown()
        return len(stale)

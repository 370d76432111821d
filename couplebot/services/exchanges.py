"""The one engine for every "both answer, then reveal" moment.

A feature adds a kind by registering a KindPolicy: the domain ExchangeKind (name and
response fields) plus how its posts are labelled and what closes its reveal. Posting,
answering, editing, passing, sharing, the reveal-once rule and the status line are
the same for every kind.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from couplebot.clock import Clock
from couplebot.domain.exchange import (
    Action,
    Decision,
    Exchange,
    ExchangeRefusal,
    ExchangeState,
    Outcome,
    Response,
    decide,
)
from couplebot.domain.models import Couple
from couplebot.domain.reveal import reveal_parts
from couplebot.services.couples import require_couple
from couplebot.services.due import TxHandler
from couplebot.services.errors import InvalidInputError
from couplebot.services.exchange_kinds import KindPolicy, question_key, reminder_key
from couplebot.services.exchange_posts import ExchangePosts
from couplebot.services.outbox import Outbox
from couplebot.services.ports import (
    Messenger,
    PromptPost,
)
from couplebot.store import Store, Tx

log = logging.getLogger(__name__)

# (tx, couple, now) -> the exchange whose reminder is still to come, and when; or None.
ReminderAt = Callable[[Tx, Couple, datetime], Awaitable[tuple[Exchange, datetime] | None]]

__all__ = [
    "ExchangeEngine",
    "KindPolicy",
    "ReminderAt",
    "ResponseResult",
    "question_key",
    "reminder_instant",
    "reminder_key",
]

PROMPT_CHANGED = (
    "The question changed while you were writing (one of you swapped it), so I didn't "
    "save this under the new one."
)


def reminder_instant(found: tuple[Exchange, datetime] | None) -> datetime | None:
    """What a kind's planner stores for its reminder: only the instant."""
    return None if found is None else found[1]


@dataclass(frozen=True)
class ResponseResult:
    outcome: Outcome
    exchange: Exchange


class ExchangeEngine:
    def __init__(self, store: Store, clock: Clock, outbox: Outbox, messenger: Messenger) -> None:
        self._store = store
        self._clock = clock
        self._outbox = outbox
        self._messenger = messenger
        self._kinds: dict[str, KindPolicy] = {}
        self.posts = ExchangePosts(store, clock, outbox, messenger, self._kinds)

    def add_kind(self, policy: KindPolicy) -> None:
        self._kinds[policy.spec.name] = policy

    def kind(self, name: str) -> KindPolicy:
        policy = self._kinds.get(name)
        if policy is None:
            raise InvalidInputError("That is no longer here.")
        return policy

    @property
    def kinds(self) -> dict[str, KindPolicy]:
        return dict(self._kinds)

    # Starting one

    async def start(
        self,
        tx: Tx,
        couple: Couple,
        kind: str,
        slot: str,
        *,
        topic_id: str,
        prompt: str,
        private: bool = False,
        details: dict[str, Any] | None = None,
        cycle: int = 1,
        post: bool = True,
    ) -> tuple[Exchange, bool]:
        """Create the exchange and (unless post=False, e.g. a private pairing that shows
        nothing until the reveal) its prompt post, in the caller's transaction, once."""
        now = self._clock.now()
        exchange, created = await tx.exchanges.create(
            couple.id,
            kind,
            slot,
            topic_id=topic_id,
            prompt=prompt,
            private=private,
            details=details,
            cycle=cycle,
            now=now,
        )
        if created and post:
            await tx.outbox.enqueue(
                question_key(exchange.id),
                couple_id=couple.id,
                kind="question",
                exchange_id=exchange.id,
                now=now,
            )
            log.debug("%s exchange %s created for couple %s", kind, exchange.id, couple.id)
        return exchange, created

    # Answering

    async def own_exchange(self, tx: Tx, couple: Couple, kind: str, exchange_id: int) -> Exchange:
        """The exchange, if it is this couple's and of that kind; else it looks simply absent."""
        policy = self.kind(kind)
        exchange = await tx.exchanges.get(exchange_id)
        if exchange is None or exchange.couple_id != couple.id or exchange.kind != kind:
            raise InvalidInputError(policy.missing_text)
        return exchange

    async def draft(
        self, guild_id: int | None, kind: str, exchange_id: int, user_id: int
    ) -> tuple[Exchange, dict[str, str]]:
        """The exchange and the caller's own saved values (for editing), if it is open.
        Read from a snapshot: opening the form must not wait behind a fan-out's writes."""
        async with self._store.snapshot() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            exchange = await self.own_exchange(tx, couple, kind, exchange_id)
            responses = {r.user_id: r for r in await tx.exchanges.responses(exchange_id)}
        self._refuse_if(
            self.kind(kind),
            decide(exchange.state, responses, user_id, Action.ANSWER, couple.user_ids),
        )
        mine = responses.get(user_id)
        return exchange, dict(mine.values) if mine else {}

    def _refuse_if(self, policy: KindPolicy, decision: Decision) -> None:
        if decision.refusal is not None:
            raise InvalidInputError(policy.refusals[decision.refusal])

    async def answer(
        self,
        guild_id: int | None,
        kind: str,
        exchange_id: int,
        user_id: int,
        values: dict[str, str],
        *,
        topic_tag: str | None = None,
    ) -> ResponseResult:
        """Save an answer. With `topic_tag` (what the form was opened for), an answer to a
        prompt that changed meanwhile is refused rather than saved under the new one."""
        cleaned = self.kind(kind).clean(values)
        return await self._respond(
            guild_id, kind, exchange_id, user_id, Action.ANSWER, cleaned, topic_tag
        )

    async def pass_(
        self, guild_id: int | None, kind: str, exchange_id: int, user_id: int
    ) -> ResponseResult:
        return await self._respond(guild_id, kind, exchange_id, user_id, Action.PASS, {})

    async def share(
        self, guild_id: int | None, kind: str, exchange_id: int, user_id: int
    ) -> ResponseResult:
        return await self._respond(guild_id, kind, exchange_id, user_id, Action.SHARE, {})

    async def _respond(  # noqa: PLR0917 - private; every call site names the same six
        self,
        guild_id: int | None,
        kind: str,
        exchange_id: int,
        user_id: int,
        action: Action,
        values: dict[str, str],
        topic_tag: str | None = None,
    ) -> ResponseResult:
        policy = self.kind(kind)
        now = self._clock.now()
        async with self._store.write(urgent=True) as tx:  # a person waits for the reply
            couple = await require_couple(tx, guild_id, user_id)
            exchange = await self.own_exchange(tx, couple, kind, exchange_id)
            if topic_tag is not None and exchange.topic_tag != topic_tag:
                raise InvalidInputError(PROMPT_CHANGED)
            responses = {r.user_id: r for r in await tx.exchanges.responses(exchange_id)}
            decision = decide(exchange.state, responses, user_id, action, couple.user_ids)
            self._refuse_if(policy, decision)
            if decision.save:
                passed = action is Action.PASS
                await tx.exchanges.save_response(
                    exchange_id, user_id, {} if passed else values, passed=passed, now=now
                )
            if decision.rest:
                await tx.exchanges.rest(exchange_id, now)
            if decision.share:
                if not await tx.exchanges.mark_shared(exchange_id, user_id):
                    raise InvalidInputError(policy.refusals[ExchangeRefusal.NOTHING_TO_SHARE])
                await tx.outbox.enqueue(
                    f"share:{exchange_id}:{user_id}",
                    couple_id=couple.id,
                    kind="share",
                    exchange_id=exchange_id,
                    user_id=user_id,
                    now=now,
                )
            outcome = decision.outcome
            assert outcome is not None
            if decision.reveal:
                if await tx.exchanges.reveal_once(exchange_id, now):
                    fresh = {r.user_id: r for r in await tx.exchanges.responses(exchange_id)}
                    await self._queue_reveal(tx, policy, couple, exchange, fresh, now)
                else:  # a concurrent answer revealed it first
                    outcome = Outcome.UPDATED if user_id in responses else Outcome.SAVED
            await policy.changed(tx, couple)
            updated = await tx.exchanges.get(exchange_id)
            assert updated is not None
        return ResponseResult(outcome, updated)

    async def _queue_reveal(  # noqa: PLR0917 - private
        self,
        tx: Tx,
        policy: KindPolicy,
        couple: Couple,
        exchange: Exchange,
        responses: dict[int, Response],
        now: datetime,
    ) -> None:
        bodies = [policy.text_of(r.values) for r in responses.values()]
        for part, _ in enumerate(reveal_parts(exchange.prompt, bodies), start=1):
            await tx.outbox.enqueue(
                f"reveal:{exchange.id}:{part}",
                couple_id=couple.id,
                kind="reveal",
                exchange_id=exchange.id,
                part=part,
                now=now,
            )

    async def waiting_partner(self, tx: Tx, couple: Couple, exchange: Exchange) -> int | None:
        """The partner a reminder would go to: one has answered, the other not yet, and no
        reminder was queued for them. None when no reminder is due."""
        responses = await tx.exchanges.responses(exchange.id)
        if exchange.state is not ExchangeState.OPEN or len(responses) != 1:
            return None
        waiting = couple.other(responses[0].user_id).user_id
        if await tx.outbox.has(reminder_key(exchange.id, waiting)):
            return None
        return waiting

    def reminder_handler(self, reminder_at: ReminderAt) -> TxHandler:
        """The one due-item handler for a kind's gentle reminder: `reminder_at` says which
        exchange waits on whom and when (the kind's planner uses it too)."""

        async def remind_due(tx: Tx, couple: Couple, now: datetime) -> None:
            found = await reminder_at(tx, couple, now)
            if found is not None and found[1] <= now:
                await self.queue_reminder(tx, couple, found[0])

        return remind_due

    async def queue_reminder(self, tx: Tx, couple: Couple, exchange: Exchange) -> None:
        """Queue the one gentle reminder to the partner who has not answered yet, once."""
        waiting = await self.waiting_partner(tx, couple, exchange)
        if waiting is not None:
            await tx.outbox.enqueue(
                reminder_key(exchange.id, waiting),
                couple_id=couple.id,
                kind="remind",
                exchange_id=exchange.id,
                user_id=waiting,
                now=self._clock.now(),
            )

    async def settle(self, exchange_id: int) -> None:
        """After a response is acknowledged: update the status line and send what is due."""
        await self.refresh(exchange_id)
        await self._outbox.send_pending()
        async with self._store.snapshot() as tx:
            exchange = await tx.exchanges.get(exchange_id)
        if exchange is not None and exchange.kind in self._kinds:
            await self._kinds[exchange.kind].settled(exchange)

    def prompt_post(
        self, couple: Couple, exchange: Exchange, responses: list[Response]
    ) -> PromptPost:
        return self.posts.prompt_post(couple, exchange, responses)

    async def refresh(self, exchange_id: int) -> None:
        """Bring the exchange message's status line up to date; harmless to repeat."""
        await self.posts.refresh(exchange_id)

    async def refresh_recent(self) -> int:
        return await self.posts.refresh_recent()

    async def record_shown(self) -> None:
        await self.posts.record_shown()

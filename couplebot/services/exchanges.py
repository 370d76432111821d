"""The one engine for every "both answer, then reveal" moment.

A feature adds a kind by registering a KindPolicy: the domain ExchangeKind (name and
response fields) plus how its posts are labelled and what closes its reveal. Posting,
answering, editing, passing, sharing, the reveal-once rule and the status line are
the same for every kind.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from couplebot.clock import Clock
from couplebot.domain.exchange import (
    Action,
    Decision,
    Exchange,
    ExchangeKind,
    ExchangeRefusal,
    ExchangeState,
    FieldStyle,
    Outcome,
    Response,
    decide,
    revealable,
)
from couplebot.domain.models import Couple
from couplebot.domain.reveal import reveal_parts
from couplebot.services.couples import require_couple
from couplebot.services.errors import InvalidInputError
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
PROMPT_CHANGED = (
    "The question changed while you were writing (one of you swapped it), so I didn't "
    "save this under the new one."
)


def reminder_key(exchange_id: int, user_id: int) -> str:
    """The outbox key of the one reminder an exchange may send a partner."""
    return f"remind:{exchange_id}:{user_id}:1"


def question_key(exchange_id: int) -> str:
    """The outbox key of an exchange's prompt post (its marker keeps finding the message)."""
    return f"question:{exchange_id}"


class KindPolicy:
    """What a kind of exchange adds to the engine. Override what differs."""

    spec: ExchangeKind
    refusals: ClassVar[dict[ExchangeRefusal, str]] = {
        ExchangeRefusal.REVEALED: "Both answers are already revealed for this one.",
        ExchangeRefusal.RESTING: "This one is resting now.",
        ExchangeRefusal.NOT_RESTING: "There is nothing to share on this one.",
        ExchangeRefusal.NOTHING_TO_SHARE: (
            "You have no answer here to share, or it is shared already."
        ),
    }
    missing_text = "That is no longer here."
    empty_text = "Your answer was empty, so I saved nothing."

    def label(self, exchange: Exchange) -> str:
        return self.spec.modal_title

    def follow_up(self, exchange: Exchange) -> str | None:
        return None

    async def milestone(self, tx: Tx, couple: Couple, exchange: Exchange) -> int | None:
        return None

    async def changed(self, tx: Tx, couple: Couple) -> None:
        """In the transaction of a response or of the prompt's posting: e.g. replan due work."""

    async def settled(self, exchange: Exchange) -> None:
        """After a response was acknowledged and its posts sent (outside any transaction)."""

    def text_of(self, values: dict[str, str]) -> str:
        """The response as one text, to budget a reveal's length."""
        return "\n\n".join(values[f.id] for f in self.spec.fields if values.get(f.id))

    def clean(self, values: dict[str, str]) -> dict[str, str]:
        """Validated field values; raises InvalidInputError with one clear sentence."""
        cleaned: dict[str, str] = {}
        for field in self.spec.fields:
            value = (values.get(field.id) or "").strip()
            if field.style is FieldStyle.SCALE and value and value not in {"1", "2", "3", "4", "5"}:
                raise InvalidInputError(f"{field.label} is a number from 1 to 5.")
            if not value:
                if field.required:
                    raise InvalidInputError(self.empty_text)
                continue
            if len(value) > field.max_length:
                raise InvalidInputError(
                    f"{field.label} can be up to {field.max_length} characters."
                )
            cleaned[field.id] = value
        if not cleaned:
            raise InvalidInputError(self.empty_text)
        return cleaned


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
        outbox.register("question", self._prompt_post, on_sent=self._prompt_sent)
        outbox.register("reveal", self._reveal_post)
        outbox.register("share", self._shared_post)
        outbox.register("remind", self._reminder_post)

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
        """The exchange and the caller's own saved values (for editing), if it is open."""
        async with self._store.read() as tx:
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
        async with self._store.write() as tx:
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
        await self._outbox.flush()
        async with self._store.read() as tx:
            exchange = await tx.exchanges.get(exchange_id)
        if exchange is not None and exchange.kind in self._kinds:
            await self._kinds[exchange.kind].settled(exchange)

    # Posts the outbox builds from the DB as it is now

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
        async with self._store.read() as tx:
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

    async def refresh_recent(self) -> None:
        """On start: a status line may be stale if we stopped between saving and editing."""
        async with self._store.read() as tx:
            recent = await tx.exchanges.posted_since(self._clock.now() - RECENT_REFRESH)
        for exchange in recent:
            await self.refresh(exchange.id)

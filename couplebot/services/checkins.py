"""Check-ins, appreciations and bids for connection: the between-questions moments.

A private check-in is only stored. Shared check-ins of both partners within 24 hours
are paired into a "checkin" exchange (no prompt post) whose two responses are the
check-ins' values, so the engine reveals them side by side, once.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from couplebot.clock import Clock
from couplebot.content import Content
from couplebot.domain.checkin_exchanges import CHECKIN, CHECKIN_PROMPT
from couplebot.domain.checkins import CheckIn, CheckInError, pick_bid, shared_pair
from couplebot.domain.exchange import Exchange, ExchangeRefusal, ExchangeState
from couplebot.domain.models import Couple
from couplebot.services.couples import require_couple
from couplebot.services.due import DueWork
from couplebot.services.errors import InvalidInputError
from couplebot.services.exchanges import ExchangeEngine, KindPolicy
from couplebot.services.outbox import Outbox
from couplebot.services.ports import NotePost, Post
from couplebot.store import OutboxItem, Store, Tx
from couplebot.store.checkins import Appreciation, BidOffer, CheckinSettings, StoredCheckIn

log = logging.getLogger(__name__)

PAIR_ITEM = "checkin-pair"
MAX_APPRECIATION_LENGTH = 500
LET_THEM_KNOW_NOTE = "checkin-know"
APPRECIATION_NOTE = "appreciation"


def _ref(item: OutboxItem) -> int:
    """The row id an outbox key like `appreciation:<id>` names."""
    return int(item.dedupe_key.rsplit(":", 1)[1])


def is_long_distance(couple: Couple, settings: CheckinSettings) -> bool:
    """Marked so in /long-distance, or the partners live in different time zones."""
    first, second = couple.user_ids
    return settings.long_distance or couple.zone_of(first).key != couple.zone_of(second).key


@dataclass(frozen=True)
class CheckinResult:
    check_in: StoredCheckIn
    revealed: bool  # it completed a shared pair: both are in the channel now


class CheckinKind(KindPolicy):
    spec = CHECKIN
    refusals: ClassVar[dict[ExchangeRefusal, str]] = {
        **KindPolicy.refusals,
        ExchangeRefusal.REVEALED: "These check-ins are already in the channel.",
    }

    def __init__(self, due: DueWork) -> None:
        self._due = due

    def label(self, exchange: Exchange) -> str:
        return CHECKIN_PROMPT

    async def changed(self, tx: Tx, couple: Couple) -> None:
        await self._due.plan_soon(tx, couple, PAIR_ITEM)  # its planner, in a later batch


class CheckinService:
    def __init__(  # noqa: PLR0917 - the engines it builds on
        self,
        store: Store,
        content: Content,
        clock: Clock,
        engine: ExchangeEngine,
        outbox: Outbox,
        due: DueWork,
        rng: random.Random | None = None,
    ) -> None:
        self._store = store
        self._content = content
        self._clock = clock
        self._engine = engine
        self._outbox = outbox
        self._due = due
        self._rng = rng or random.Random()  # noqa: S311 - picking bids, not secrets
        engine.add_kind(CheckinKind(due))
        outbox.register(LET_THEM_KNOW_NOTE, self._let_them_know_post)
        outbox.register(APPRECIATION_NOTE, self._appreciation_post)
        due.register(self._plan, {PAIR_ITEM: self._pair_due})

    # /checkin

    async def check_in(  # noqa: PLR0917 - the command's four options
        self,
        guild_id: int | None,
        user_id: int,
        mood: int,
        closeness: int,
        need: str | None,
        share: bool,
    ) -> CheckinResult:
        """Store the check-in; a shared one that completes a pair is revealed."""
        now = self._clock.now()
        try:
            check_in = CheckIn(user_id, now, mood, closeness, need, share)
        except CheckInError as exc:
            raise InvalidInputError(str(exc)) from None
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            stored = await tx.checkins.add(couple.id, check_in)
            exchange_id = await self._pair(tx, couple) if share else None
            if exchange_id is not None:
                await self._due.plan(tx, couple)  # finishes the pairing if we stop right here
        if exchange_id is None:
            return CheckinResult(stored, revealed=False)
        await self._complete(couple, exchange_id)
        return CheckinResult(stored, revealed=True)

    async def _pair(self, tx: Tx, couple: Couple) -> int | None:
        """Pair both partners' latest shared check-ins (within 24 h) into an exchange."""
        waiting = await tx.checkins.unpaired_shared(couple.id)
        values = [stored.check_in() for stored in waiting]
        pair = shared_pair(values, couple.user_ids)
        if pair is None:
            return None
        first, second = (
            next(w for w, v in zip(waiting, values, strict=True) if v is c) for c in pair
        )
        exchange, _ = await self._engine.start(
            tx,
            couple,
            CHECKIN.name,
            f"{first.id}-{second.id}",
            topic_id=CHECKIN.name,
            prompt=CHECKIN_PROMPT,
            post=False,
        )
        # Earlier waiting check-ins are superseded by these two: none is paired later.
        await tx.checkins.pair_into([stored.id for stored in waiting], exchange.id)
        return exchange.id

    async def _complete(self, couple: Couple, exchange_id: int) -> None:
        """Give the exchange each partner's check-in as their response; the second reveals."""
        async with self._store.read() as tx:
            exchange = await tx.exchanges.get(exchange_id)
            answered = {r.user_id for r in await tx.exchanges.responses(exchange_id)}
            paired = await tx.checkins.paired(exchange_id)
        if exchange is None or exchange.state is not ExchangeState.OPEN:
            return
        for stored in sorted(paired, key=lambda s: s.at):
            if stored.user_id in answered:
                continue
            values = {"mood": str(stored.mood), "closeness": str(stored.closeness)}
            if stored.need:
                values["need"] = stored.need
            await self._engine.answer(
                couple.guild_id, CHECKIN.name, exchange_id, stored.user_id, values
            )

    async def settle(self) -> None:
        await self._outbox.flush()

    async def _plan(self, tx: Tx, couple: Couple, now: datetime) -> dict[str, datetime | None]:
        return {PAIR_ITEM: now if await tx.checkins.open_pairings(couple.id) else None}

    async def _pair_due(self, couple_id: int, now: datetime) -> None:
        async with self._store.read() as tx:
            couple = await tx.couples.get(couple_id)
            open_ids = await tx.checkins.open_pairings(couple_id) if couple else []
        for exchange_id in open_ids:
            assert couple is not None
            await self._complete(couple, exchange_id)

    async def let_them_know(self, guild_id: int | None, user_id: int, checkin_id: int) -> None:
        """One gentle line in the channel that a shared check-in waits; never its content."""
        now = self._clock.now()
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            stored = await tx.checkins.get(checkin_id)
            if stored is None or stored.couple_id != couple.id or stored.user_id != user_id:
                raise InvalidInputError("That check-in is not here any more.")
            if not stored.shared:
                raise InvalidInputError("That check-in is private, so I keep it to myself.")
            if stored.exchange_id is not None:
                raise InvalidInputError("You've both shared, so your check-ins are out already.")
            sent = await tx.outbox.enqueue(
                f"{LET_THEM_KNOW_NOTE}:{checkin_id}",
                couple_id=couple.id,
                kind=LET_THEM_KNOW_NOTE,
                user_id=user_id,
                now=now,
            )
        if not sent:
            raise InvalidInputError("I've let them know already. No need to say it twice.")
        await self._outbox.flush()

    async def _let_them_know_post(self, tx: Tx, item: OutboxItem) -> Post | None:
        couple = await tx.couples.get(item.couple_id)
        stored = await tx.checkins.get(_ref(item))
        if couple is None or stored is None or item.user_id is None:
            return None
        data = {"user_id": item.user_id}
        return NotePost(
            couple.guild_id, couple.channel_id, LET_THEM_KNOW_NOTE, data, (item.user_id,)
        )

    # /appreciate

    async def appreciate(self, guild_id: int | None, user_id: int, text: str) -> Appreciation:
        cleaned = text.strip()
        if not cleaned:
            raise InvalidInputError("Write a few words of thanks, and I'll pass them on.")
        if len(cleaned) > MAX_APPRECIATION_LENGTH:
            raise InvalidInputError(
                f"A note can be up to {MAX_APPRECIATION_LENGTH} characters, "
                f"and this is {len(cleaned)}."
            )
        now = self._clock.now()
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            appreciation = await tx.checkins.add_appreciation(couple.id, user_id, cleaned, now)
            await tx.outbox.enqueue(
                f"{APPRECIATION_NOTE}:{appreciation.id}",
                couple_id=couple.id,
                kind=APPRECIATION_NOTE,
                user_id=user_id,
                now=now,
            )
        return appreciation

    async def _appreciation_post(self, tx: Tx, item: OutboxItem) -> Post | None:
        couple = await tx.couples.get(item.couple_id)
        appreciation = await tx.checkins.appreciation(_ref(item))
        if couple is None or appreciation is None:
            return None
        partner = couple.other(appreciation.user_id).user_id
        return NotePost(
            couple.guild_id,
            couple.channel_id,
            APPRECIATION_NOTE,
            {"from": appreciation.user_id, "to": partner, "text": appreciation.text},
            names=(appreciation.user_id,),
            ping_user_id=partner,
        )

    # /bid

    async def suggest_bid(
        self, guild_id: int | None, user_id: int, after_offer: int | None = None
    ) -> tuple[BidOffer, str]:
        """A small gesture for today, not shown to this partner before in this cycle."""
        if not self._content.bids:
            raise InvalidInputError("I have no small ideas to offer just now.")
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            last_id = None
            if after_offer is not None:
                last_id = (await self._own_offer(tx, couple, user_id, after_offer)).bid_id
            settings = await tx.checkins.settings(couple.id)
            cycle, shown = await tx.checkins.bid_cycle(couple.id, user_id)
            choice = pick_bid(
                self._content.bids,
                shown,
                long_distance=is_long_distance(couple, settings),
                rng=self._rng,
                last_id=last_id,
            )
            if choice.new_cycle:
                cycle += 1
            offer = await tx.checkins.add_offer(
                couple.id, user_id, choice.bid.id, cycle, self._clock.now()
            )
        return offer, choice.bid.text

    async def _own_offer(self, tx: Tx, couple: Couple, user_id: int, offer_id: int) -> BidOffer:
        offer = await tx.checkins.offer(offer_id)
        if offer is None or offer.couple_id != couple.id or offer.user_id != user_id:
            raise InvalidInputError("That idea was offered to someone else, or it is gone.")
        return offer

    async def take_bid(self, guild_id: int | None, user_id: int, offer_id: int) -> str:
        """'I'll do this': counted as a bid; nothing is sent to the partner."""
        now = self._clock.now()
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            offer = await self._own_offer(tx, couple, user_id, offer_id)
            if not await tx.checkins.accept_offer(offer.id, now):
                raise InvalidInputError("You've taken this one on already.")
            await tx.checkins.add_bid_made(couple.id, user_id, "bid", offer.id, now)
        bid = next((b for b in self._content.bids if b.id == offer.bid_id), None)
        return bid.text if bid else ""

    # Settings

    async def set_long_distance(self, guild_id: int | None, user_id: int, on: bool) -> None:
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            settings = await tx.checkins.settings(couple.id)
            await tx.checkins.save_settings(
                couple.id,
                CheckinSettings(
                    long_distance=on,
                    weekly_on=settings.weekly_on,
                    weekly_weekday=settings.weekly_weekday,
                    weekly_time=settings.weekly_time,
                ),
            )

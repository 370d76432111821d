"""The daily question: one round a morning, a gentle reminder, skip and history."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import ClassVar

from couplebot.clock import Clock
from couplebot.content import Content
from couplebot.domain.daily import DAILY, answer_of, is_private, round_details, round_of
from couplebot.domain.exchange import Exchange, ExchangeRefusal, ExchangeState
from couplebot.domain.milestones import milestone_on
from couplebot.domain.models import Answer, Couple, Round
from couplebot.domain.questions import CUSTOM_THEME, THEMES, Depth, Question
from couplebot.domain.schedule import local_date, next_round, reminder_due_at, todays_round
from couplebot.domain.selection import choose_question
from couplebot.services.couples import require_couple
from couplebot.services.due import DueWork
from couplebot.services.errors import InvalidInputError
from couplebot.services.exchanges import ExchangeEngine, KindPolicy, reminder_instant
from couplebot.services.outbox import Outbox
from couplebot.store import Store, Tx

log = logging.getLogger(__name__)

ROUND_ITEM = "daily"
REMIND_ITEM = "daily-remind"


@dataclass(frozen=True)
class HistoryPage:
    round: Round | None
    answers: tuple[Answer, ...]
    page: int
    pages: int


@dataclass(frozen=True)
class TodayResult:
    round: Round
    created: bool


class DailyKind(KindPolicy):
    spec = DAILY
    refusals: ClassVar[dict[ExchangeRefusal, str]] = {
        **KindPolicy.refusals,
        ExchangeRefusal.RESTING: "This question is resting; a new one comes tomorrow.",
    }
    missing_text = "That question is no longer here. Today's is in the channel."

    def __init__(self, content: Content, due: DueWork) -> None:
        self._content = content
        self._due = due

    def label(self, exchange: Exchange) -> str:
        theme = str(exchange.details.get("theme", ""))
        if theme == CUSTOM_THEME:
            return "Your own question"
        return THEMES.get(theme) or theme

    def follow_up(self, exchange: Exchange) -> str | None:
        own = exchange.details.get("follow_up")
        if own:
            return str(own)
        follow_ups = self._content.follow_ups_for(round_of(exchange).depth)
        return follow_ups[exchange.id % len(follow_ups)] if follow_ups else None

    async def milestone(self, tx: Tx, couple: Couple, exchange: Exchange) -> int | None:
        states = await tx.exchanges.states(couple.id, DAILY.name)
        together = {date.fromisoformat(slot) for slot, revealed, _ in states if revealed}
        return milestone_on(together, date.fromisoformat(exchange.slot))

    async def changed(self, tx: Tx, couple: Couple) -> None:
        await self._due.plan_soon(tx, couple, REMIND_ITEM)  # its planner, in a later batch


class DailyService:
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
        self._rng = rng or random.Random()  # noqa: S311 - picking questions, not secrets
        engine.add_kind(DailyKind(content, due))
        due.register(
            self._plan,
            {},
            tx_handlers={
                ROUND_ITEM: self._round_due,
                REMIND_ITEM: engine.reminder_handler(self._reminder_at),
            },
        )

    # Scheduling

    async def _plan(self, tx: Tx, couple: Couple, now: datetime) -> dict[str, datetime | None]:
        return {
            ROUND_ITEM: await self._next_round_at(tx, couple, now),
            REMIND_ITEM: reminder_instant(await self._reminder_at(tx, couple, now)),
        }

    async def _next_round_at(self, tx: Tx, couple: Couple, now: datetime) -> datetime:
        """Today's due instant while today's round may still come; else the next morning's."""
        timing = todays_round(now, couple.question_time, couple.zone)
        if timing.status != "missed":
            exists = await tx.exchanges.find(couple.id, DAILY.name, timing.local_date.isoformat())
            paused = await tx.couples.paused_until(couple.id, timing.local_date) is not None
            if exists is None and not paused:
                return timing.due_at
        after = max(now, timing.due_at)
        return next_round(after, couple.question_time, couple.zone)[1]

    async def _round_due(self, tx: Tx, couple: Couple, now: datetime) -> None:
        """The morning's round, in the due-work batch's transaction (many couples per one)."""
        timing = todays_round(now, couple.question_time, couple.zone)
        if timing.status != "due":
            return
        day = timing.local_date
        if await tx.couples.paused_until(couple.id, day) is not None:
            return
        exchange, created = await self._create_round(tx, couple, day)
        if created:
            log.info("round %s created for couple %s on %s", exchange.id, couple.id, day)

    async def _reminder_at(
        self, tx: Tx, couple: Couple, now: datetime
    ) -> tuple[Exchange, datetime] | None:
        """Today's round and when its one gentle reminder is due, if one is still to come."""
        today = local_date(now, couple.zone)
        exchange = await tx.exchanges.find(couple.id, DAILY.name, today.isoformat())
        if exchange is None or exchange.message_id is None:
            return None
        if await tx.couples.paused_until(couple.id, today):
            return None
        waiting_id = await self._engine.waiting_partner(tx, couple, exchange)
        if waiting_id is None:
            return None
        waiting = couple.partner(waiting_id)
        responses = await tx.exchanges.responses(exchange.id)
        due = reminder_due_at(
            posted_at=exchange.created_at,
            first_answer_at=responses[0].created_at,
            tz=couple.zone_of(waiting.user_id),
            quiet_start=waiting.quiet_start,
            quiet_end=waiting.quiet_end,
        )
        return None if due is None else (exchange, due)

    async def _start_round(
        self, couple_id: int, day: date, *, only_if_unpaused: bool
    ) -> TodayResult | None:
        slot = day.isoformat()
        async with self._store.read() as tx:
            existing = await tx.exchanges.find(couple_id, DAILY.name, slot)
            paused = only_if_unpaused and await tx.couples.paused_until(couple_id, day) is not None
        if existing is not None:
            return TodayResult(round_of(existing), created=False)
        if paused:
            return None
        async with self._store.write() as tx:
            couple = await tx.couples.get(couple_id)
            if couple is None:
                return None
            exchange, created = await self._create_round(tx, couple, day)
            await self._due.plan(tx, couple)
        if created:
            log.info("round %s created for couple %s on %s", exchange.id, couple.id, day)
        return TodayResult(round_of(exchange), created)

    async def _create_round(self, tx: Tx, couple: Couple, day: date) -> tuple[Exchange, bool]:
        existing = await tx.exchanges.find(couple.id, DAILY.name, day.isoformat())
        if existing is not None:
            return existing, False
        question, cycle = await self._pick(tx, couple, day)
        return await self._engine.start(
            tx,
            couple,
            DAILY.name,
            day.isoformat(),
            topic_id=question.id,
            prompt=question.text,
            private=is_private(question),
            details=round_details(question),
            cycle=cycle,
        )

    async def _pick(
        self, tx: Tx, couple: Couple, day: date, exclude: tuple[str, ...] = ()
    ) -> tuple[Question, int]:
        """Today's question; `exclude` is today's when swapping it (today's round exists)."""
        pool = [*self._content.questions, *await tx.couples.questions(couple.id)]
        rounds_before = await tx.exchanges.count(couple.id, DAILY.name) - (1 if exclude else 0)
        asked = await tx.exchanges.topics_in_cycle(couple.id, DAILY.name, couple.question_cycle)
        latest = await tx.exchanges.latest(couple.id, DAILY.name)
        previous_was_deep = (
            latest is not None
            and latest.slot == (day - timedelta(days=1)).isoformat()
            and round_of(latest).depth is Depth.DEEP
        )
        choice = choose_question(
            pool=pool,
            asked_ids=asked,
            enabled_themes=couple.themes,
            deep_today=day.weekday() in couple.deep_days,
            previous_was_deep=previous_was_deep,
            rng=self._rng,
            exclude_ids=exclude,
            first_week=self._content.first_week,
            rounds_so_far=rounds_before,
        )
        cycle = couple.question_cycle
        if choice.new_cycle:
            cycle = await tx.couples.start_new_cycle(couple.id)
        return choice.question, cycle

    # Commands

    async def today(self, guild_id: int | None, user_id: int) -> TodayResult:
        """Post today's round now if it is not out yet (ignores the morning time and pauses)."""
        async with self._store.read() as tx:
            couple = await require_couple(tx, guild_id, user_id)
        day = local_date(self._clock.now(), couple.zone)
        result = await self._start_round(couple.id, day, only_if_unpaused=False)
        assert result is not None
        await self._outbox.flush()
        async with self._store.read() as tx:
            fresh = await tx.exchanges.get(result.round.id)
        assert fresh is not None
        return TodayResult(round_of(fresh), result.created)

    async def skip(self, guild_id: int | None, user_id: int) -> Round:
        """Swap today's question while nobody has answered it."""
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            day = local_date(self._clock.now(), couple.zone)
            exchange = await tx.exchanges.find(couple.id, DAILY.name, day.isoformat())
            if exchange is None:
                raise InvalidInputError(
                    "There is no question out today yet. `/question now` brings one."
                )
            if exchange.state is not ExchangeState.OPEN or await tx.exchanges.responses(
                exchange.id
            ):
                raise InvalidInputError(
                    "Today's question already has an answer, so it stays. A new one comes tomorrow."
                )
            question, cycle = await self._pick(tx, couple, day, exclude=(exchange.topic_id,))
            await tx.exchanges.replace_prompt(
                exchange.id,
                topic_id=question.id,
                prompt=question.text,
                private=is_private(question),
                details=round_details(question),
                cycle=cycle,
            )
            swapped = await tx.exchanges.get(exchange.id)
            assert swapped is not None
        await self._engine.refresh(swapped.id)
        return round_of(swapped)

    async def history(self, guild_id: int | None, user_id: int, page: int) -> HistoryPage:
        async with self._store.read() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            total = await tx.exchanges.count_revealed(couple.id, DAILY.name)
            page = max(0, min(page, total - 1))
            found = await tx.exchanges.revealed(couple.id, DAILY.name, offset=page, limit=1)
            if not found:
                return HistoryPage(None, (), 0, 0)
            answers = tuple(
                answer_of(r) for r in await tx.exchanges.responses(found[0].id) if r.values
            )
            return HistoryPage(round_of(found[0]), answers, page, total)

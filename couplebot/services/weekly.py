"""The weekly "how are we?" check-in: one post a week, two private answers, one reveal."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import ClassVar

from couplebot.clock import Clock
from couplebot.content import Content
from couplebot.domain.checkin_exchanges import WEEKLY
from couplebot.domain.checkins import WEEKLY_APPRECIATIONS_HEADING, WEEKLY_OPENING
from couplebot.domain.exchange import Exchange, ExchangeRefusal
from couplebot.domain.models import Couple
from couplebot.domain.schedule import local_date, parse_hhmm
from couplebot.domain.weekly import (
    WEEKDAY_NAMES,
    WeekdayError,
    next_weekly_at,
    parse_weekday,
    weekly_reminder_at,
)
from couplebot.services.checkins import is_long_distance
from couplebot.services.couples import require_couple
from couplebot.services.due import DueWork
from couplebot.services.errors import InvalidInputError
from couplebot.services.exchanges import ExchangeEngine, KindPolicy, reminder_instant
from couplebot.store import Store, Tx
from couplebot.store.checkins import Appreciation, CheckinSettings

log = logging.getLogger(__name__)

POST_ITEM = "weekly"
REMIND_ITEM = "weekly-remind"
# A weekly post missed (the bot was down) still goes out this long after its time.
POST_GRACE = timedelta(hours=12)
MAX_LISTED = 8
MAX_LISTED_LENGTH = 300
WEEK = timedelta(days=7)


def weekly_prompt(appreciations: Sequence[Appreciation]) -> str:
    """The week's words: the opening and the appreciations the two sent each other."""
    if not appreciations:
        return WEEKLY_OPENING
    lines = []
    for item in appreciations[-MAX_LISTED:]:
        text = " ".join(item.text.split())
        if len(text) > MAX_LISTED_LENGTH:
            text = text[: MAX_LISTED_LENGTH - 1].rstrip() + "…"
        lines.append(f"• <@{item.user_id}>: {text}")
    return f"{WEEKLY_OPENING}\n\n**{WEEKLY_APPRECIATIONS_HEADING}**\n" + "\n".join(lines)


class WeeklyKind(KindPolicy):
    spec = WEEKLY
    refusals: ClassVar[dict[ExchangeRefusal, str]] = {
        **KindPolicy.refusals,
        ExchangeRefusal.REVEALED: "You've both checked in this week already.",
        ExchangeRefusal.RESTING: "This week's check-in is resting. A new one comes next week.",
    }
    missing_text = "That check-in is no longer here."

    def __init__(self, content: Content, due: DueWork) -> None:
        self._content = content
        self._due = due
        self.answered: Callable[[int], Awaitable[None]] | None = None  # e.g. the signals

    def label(self, exchange: Exchange) -> str:
        return "How are we?"

    async def settled(self, exchange: Exchange) -> None:
        if self.answered is not None:
            await self.answered(exchange.couple_id)

    def follow_up(self, exchange: Exchange) -> str | None:
        follow_ups = self._content.weekly_follow_ups
        return follow_ups[exchange.id % len(follow_ups)] if follow_ups else None

    async def changed(self, tx: Tx, couple: Couple) -> None:
        await self._due.plan_soon(tx, couple, REMIND_ITEM)  # its planner, in a later batch


class WeeklyService:
    def __init__(
        self,
        store: Store,
        content: Content,
        clock: Clock,
        engine: ExchangeEngine,
        due: DueWork,
    ) -> None:
        self._store = store
        self._clock = clock
        self._engine = engine
        self._due = due
        self.kind = WeeklyKind(content, due)
        engine.add_kind(self.kind)
        due.register(
            self._plan,
            {},
            tx_handlers={
                POST_ITEM: self._post_due,
                REMIND_ITEM: engine.reminder_handler(self._reminder_at),
            },
        )

    # Scheduling

    async def _plan(self, tx: Tx, couple: Couple, now: datetime) -> dict[str, datetime | None]:
        return {
            POST_ITEM: await self._next_post_at(tx, couple, now),
            REMIND_ITEM: reminder_instant(await self._reminder_at(tx, couple, now)),
        }

    async def _next_post_at(self, tx: Tx, couple: Couple, now: datetime) -> datetime | None:
        """This week's instant while its post may still go out; else next week's."""
        settings = await tx.checkins.settings(couple.id)
        if not settings.weekly_on:
            return None
        day, at = settings.weekly_weekday, settings.weekly_time
        current = next_weekly_at(now - WEEK, day, at, couple.zone)
        if current > now:
            return current
        slot = local_date(current, couple.zone)
        if now - current <= POST_GRACE:
            posted = await tx.exchanges.find(couple.id, WEEKLY.name, slot.isoformat())
            paused = await tx.couples.paused_until(couple.id, slot) is not None
            if posted is None and not paused:
                return current
        return next_weekly_at(now, day, at, couple.zone)

    async def _post_due(self, tx: Tx, couple: Couple, now: datetime) -> None:
        """This week's check-in, in the due-work batch's transaction (many couples per
        one, as the morning's rounds: a first start may owe it to every couple)."""
        due = await self._next_post_at(tx, couple, now)
        if due is None or due > now:
            return
        appreciations = await tx.checkins.appreciations(couple.id, due - WEEK, now)
        exchange, created = await self._engine.start(
            tx,
            couple,
            WEEKLY.name,
            local_date(due, couple.zone).isoformat(),
            topic_id=WEEKLY.name,
            prompt=weekly_prompt(appreciations),
            private=True,  # it quotes the appreciations, which are private text
            details={"appreciations": [a.id for a in appreciations]},
        )
        if created:
            await self._due.plan(tx, couple)  # other features may plan from the check-in
            log.info("weekly check-in %s created for couple %s", exchange.id, couple.id)

    async def _reminder_at(
        self, tx: Tx, couple: Couple, now: datetime
    ) -> tuple[Exchange, datetime] | None:
        """The latest check-in and its one gentle reminder, on the day after the post, to
        the partner yet to answer."""
        exchange = await tx.exchanges.latest(couple.id, WEEKLY.name)
        if exchange is None or exchange.message_id is None:
            return None
        waiting_id = await self._engine.waiting_partner(tx, couple, exchange)
        if waiting_id is None:
            return None
        waiting = couple.partner(waiting_id)
        responses = await tx.exchanges.responses(exchange.id)
        tz = couple.zone_of(waiting.user_id)
        next_day = local_date(exchange.created_at, tz) + timedelta(days=1)
        if local_date(now, tz) > next_day:
            return None  # a skipped week simply rests
        due = weekly_reminder_at(
            posted_at=exchange.created_at,
            tz=tz,
            quiet_start=waiting.quiet_start,
            quiet_end=waiting.quiet_end,
            first_answer_at=responses[0].created_at,
        )
        if due is None or local_date(due, tz) != next_day:
            return None
        return exchange, due

    # /weekly-checkin

    async def configure(
        self,
        guild_id: int | None,
        user_id: int,
        *,
        day: str | None = None,
        at: str | None = None,
        off: bool = False,
    ) -> CheckinSettings:
        """Change the weekday and time (turning it back on), or turn it off."""
        try:
            weekday = parse_weekday(day) if day is not None else None
            wall_time = parse_hhmm(at) if at is not None else None
        except (WeekdayError, ValueError) as exc:
            raise InvalidInputError(str(exc)) from None
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            current = await tx.checkins.settings(couple.id)
            changed = CheckinSettings(
                long_distance=current.long_distance,
                weekly_on=not off,
                weekly_weekday=current.weekly_weekday if weekday is None else weekday,
                weekly_time=wall_time or current.weekly_time,
            )
            await tx.checkins.save_settings(couple.id, changed)
            await self._due.plan(tx, couple)
        return changed

    async def settings_lines(self, guild_id: int | None, user_id: int) -> list[tuple[str, str]]:
        """(name, value) lines for /settings."""
        async with self._store.read() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            settings = await tx.checkins.settings(couple.id)
        return [
            ("Weekly check-in", describe_weekly(settings)),
            ("Long distance", "yes" if is_long_distance(couple, settings) else "no"),
        ]


def describe_weekly(settings: CheckinSettings) -> str:
    if not settings.weekly_on:
        return "off"
    return f"{WEEKDAY_NAMES[settings.weekly_weekday]}s at {settings.weekly_time:%H:%M}"

"""Setting up a couple and changing how the bot works for them."""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from couplebot.clock import Clock
from couplebot.domain.models import Couple
from couplebot.domain.questions import DEFAULT_THEMES, MAX_QUESTION_LENGTH, THEMES, Question
from couplebot.domain.schedule import local_date, parse_hhmm, parse_timezone
from couplebot.domain.weekly import WeekdayError, parse_weekday
from couplebot.services.errors import (
    InvalidInputError,
    NoCoupleError,
    NotAcceptedError,
    NotInServerError,
    NotPartnerError,
)
from couplebot.store import NewPartner, Store, Tx

MAX_PAUSE_DAYS = 60
# Format characters (zero-width spaces, joiners), separators and controls show nothing.
INVISIBLE = frozenset({"Cf", "Zs", "Zl", "Zp", "Cc", "Co", "Cn"})


@dataclass(frozen=True)
class SetupRequest:
    guild_id: int | None
    channel_id: int
    caller_id: int
    partner_id: int
    partner_is_bot: bool
    partner_is_member: bool
    timezone: str
    time: str
    partner_timezone: str | None


@dataclass(frozen=True)
class CoupleSettings:
    couple: Couple
    paused_until: date | None
    custom_questions: int


async def require_couple(tx: Tx, guild_id: int | None, user_id: int) -> Couple:
    """The guild's couple, if the user is one of its two partners."""
    if guild_id is None:
        raise NotInServerError
    couple = await tx.couples.by_guild(guild_id)
    if couple is None or couple.ended:
        raise NoCoupleError
    if not couple.has(user_id):
        raise NotPartnerError
    if not couple.accepted:
        raise NotAcceptedError
    return couple


def parse_weekdays(text: str) -> frozenset[int]:
    """'sat, sun' -> {5, 6}; 'none' -> {}. Only day names and their usual abbreviations."""
    cleaned = text.strip().lower()
    if cleaned in {"none", "no", "off", ""}:
        return frozenset()
    days = set()
    for word in cleaned.replace(",", " ").split():
        try:
            days.add(parse_weekday(word))
        except WeekdayError:
            raise InvalidInputError(
                f"I don't know the day `{word[:20]}`. Use day names like `wed, sat`, or `none`."
            ) from None
    return frozenset(days)


class CouplesService:
    def __init__(
        self, store: Store, clock: Clock, changed: Callable[[int], Awaitable[None]]
    ) -> None:
        self._store = store
        self._clock = clock
        self._changed = changed  # settings that time scheduled work changed

    async def setup(self, request: SetupRequest) -> tuple[Couple, bool]:
        """Register or update the guild's couple. Returns (couple, waits for acceptance).

        A new couple exists only once the named partner accepts (`accept`); until then
        a new /setup from anyone replaces the request, so a third member who ran it first
        cannot lock the couple out. Changing times later needs no new acceptance.
        """
        if request.guild_id is None:
            raise NotInServerError
        if request.partner_id == request.caller_id:
            raise InvalidInputError(
                "Pick your partner rather than yourself; couplebot needs the two of you."
            )
        if request.partner_is_bot:
            raise InvalidInputError("That's a bot account. Pick your partner's own account.")
        if not request.partner_is_member:
            raise InvalidInputError(
                "Your partner isn't a member of this server yet. Invite them, then run "
                "`/setup` again."
            )
        zone = _zone(request.timezone)
        partner_zone = _zone(request.partner_timezone) if request.partner_timezone else None
        at = _hhmm(request.time)
        now = self._clock.now()
        async with self._store.write() as tx:
            existing = await tx.couples.by_guild(request.guild_id)
            if existing is not None and (existing.ended or not existing.accepted):
                await tx.couples.delete_unused(request.guild_id)
                existing = None
            if existing is not None:
                if not existing.has(request.caller_id):
                    raise InvalidInputError(
                        "This server already has a couple set up, and couplebot serves one "
                        "couple per server."
                    )
                if not existing.has(request.partner_id):
                    raise InvalidInputError(
                        "You're already set up with someone else here. To change partners, "
                        "make a new server for the two of you."
                    )
            caller_zone = None if existing is None else existing.partner(request.caller_id).timezone
            partner_zone_name = partner_zone.key if partner_zone else None
            if existing is not None and partner_zone is None:
                partner_zone_name = existing.partner(request.partner_id).timezone
            themes = set(DEFAULT_THEMES) if existing is None else set(existing.themes)
            if existing is None and partner_zone is not None and partner_zone.key != zone.key:
                themes.add("long-distance")
            caller = NewPartner(request.caller_id, caller_zone)
            partner = NewPartner(request.partner_id, partner_zone_name)
            couple = await tx.couples.save(
                guild_id=request.guild_id,
                channel_id=request.channel_id,
                timezone=zone.key,
                question_time=at,
                themes=themes,
                partners=(caller, partner),
                now=now,
            )
        await self._changed(couple.id)
        return couple, existing is None

    async def accept(self, guild_id: int | None, couple_id: int, user_id: int) -> Couple:
        """The named partner says yes: the couple exists and its schedule starts."""
        async with self._store.write() as tx:
            couple = await tx.couples.by_guild(guild_id) if guild_id is not None else None
            if couple is None or couple.id != couple_id:
                raise InvalidInputError("That setup is no longer here. `/setup` starts a new one.")
            if user_id != couple.partners[1].user_id:
                raise InvalidInputError("Only the partner named in this setup can accept it.")
            await tx.couples.accept(couple.id, self._clock.now())
            accepted = await tx.couples.get(couple.id)
            assert accepted is not None
        await self._changed(couple.id)
        return accepted

    async def settings(self, guild_id: int | None, user_id: int) -> CoupleSettings:
        async with self._store.read() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            today = local_date(self._clock.now(), couple.zone)
            return CoupleSettings(
                couple=couple,
                paused_until=await tx.couples.paused_until(couple.id, today),
                custom_questions=len(await tx.couples.questions(couple.id)),
            )

    async def pause(self, guild_id: int | None, user_id: int, days: int) -> date | None:
        """Pause for `days` days from today (0 resumes). Returns the last paused day."""
        if not 0 <= days <= MAX_PAUSE_DAYS:
            raise InvalidInputError(f"Pick between 0 and {MAX_PAUSE_DAYS} days (0 resumes now).")
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            today = local_date(self._clock.now(), couple.zone)
            await tx.couples.end_pauses(couple.id, today)
            last = None if days == 0 else today + timedelta(days=days - 1)
            if last is not None:
                await tx.couples.add_pause(couple.id, today, last, user_id, self._clock.now())
        await self._changed(couple.id)
        return last

    async def set_quiet_hours(
        self, guild_id: int | None, user_id: int, start: str, end: str
    ) -> tuple[time, time]:
        quiet_start, quiet_end = _hhmm(start), _hhmm(end)
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            await tx.couples.set_quiet_hours(couple.id, user_id, quiet_start, quiet_end)
        await self._changed(couple.id)
        return quiet_start, quiet_end

    async def set_themes(
        self, guild_id: int | None, user_id: int, themes: set[str]
    ) -> frozenset[str]:
        unknown = themes - set(THEMES)
        if unknown:
            raise InvalidInputError("That theme is not one I know. Pick from the list.")
        if not themes:
            raise InvalidInputError("Keep at least one theme on, so there is something to ask.")
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            await tx.couples.set_themes(couple.id, themes, self._clock.now())
        return frozenset(themes)

    async def set_deep_days(self, guild_id: int | None, user_id: int, text: str) -> frozenset[int]:
        days = parse_weekdays(text)
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            await tx.couples.set_deep_days(couple.id, days, self._clock.now())
        return days

    async def add_question(
        self, guild_id: int | None, user_id: int, text: str, existing: list[Question]
    ) -> Question:
        cleaned = " ".join(text.split())
        visible = "".join(c for c in cleaned if unicodedata.category(c) not in INVISIBLE)
        if len(visible.strip()) < 10:
            raise InvalidInputError("That question is a little short. Try a full sentence.")
        if len(cleaned) > MAX_QUESTION_LENGTH:
            raise InvalidInputError(
                f"Questions can be up to {MAX_QUESTION_LENGTH} characters; "
                f"this one is {len(cleaned)}."
            )
        async with self._store.write() as tx:
            couple = await require_couple(tx, guild_id, user_id)
            lowered = cleaned.casefold()
            pool = existing + await tx.couples.questions(couple.id)
            if any(q.text.casefold() == lowered for q in pool):
                raise InvalidInputError("That question is already in your rotation.")
            return await tx.couples.add_question(couple.id, user_id, cleaned, self._clock.now())


def _zone(name: str) -> ZoneInfo:
    try:
        return parse_timezone(name)
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from None


def _hhmm(text: str) -> time:
    try:
        return parse_hhmm(text)
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from None

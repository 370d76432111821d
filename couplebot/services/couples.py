"""Setting up a couple and changing how the bot works for them."""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, time, timedelta
from enum import Enum
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
from couplebot.store import NewPartner, PartnerChange, Store, Tx

MAX_PAUSE_DAYS = 60
# A partner change nobody accepted lapses after this; the couple stays as it was.
PARTNER_CHANGE_LAPSES = timedelta(days=7)
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


class SetupOutcome(Enum):
    WAITS_FOR_ACCEPT = "waits"  # a new couple: the named partner must accept
    UPDATED = "updated"  # the same two: times and zones changed, nothing to accept
    CHANGE_REQUESTED = "change"  # someone new: they must accept; until then nothing changes


@dataclass(frozen=True)
class SetupResult:
    couple: Couple
    outcome: SetupOutcome
    replaced_user_id: int | None = None  # the partner a requested change would replace


@dataclass(frozen=True)
class AcceptResult:
    couple: Couple
    replaced_user_id: int | None = None  # set when a partner change was accepted


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


def first_themes(couple_zone: str, partner_zone: str | None) -> set[str]:
    """A new couple's themes: the defaults, and long-distance when the partner's time
    zone is another one."""
    themes = set(DEFAULT_THEMES)
    if partner_zone is not None and partner_zone != couple_zone:
        themes.add("long-distance")
    return themes


class CouplesService:
    def __init__(
        self, store: Store, clock: Clock, changed: Callable[[int], Awaitable[None]]
    ) -> None:
        self._store = store
        self._clock = clock
        self._changed = changed  # settings that time scheduled work changed

    async def setup(self, request: SetupRequest) -> SetupResult:
        """Register or update the guild's couple.

        A new couple exists only once the named partner accepts (`accept`); until then
        a new /setup from anyone replaces the request, so a third member who ran it first
        cannot lock the couple out. Changing times later needs no new acceptance; naming
        someone else requests a partner change, which that person must accept.
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
                    change = PartnerChange(
                        couple_id=existing.id,
                        requested_by=request.caller_id,
                        new_partner=NewPartner(
                            request.partner_id, partner_zone.key if partner_zone else None
                        ),
                        channel_id=request.channel_id,
                        timezone=zone.key,
                        question_time=at,
                        requested_at=now,
                    )
                    await tx.couples.request_change(change)
                    replaced = existing.other(request.caller_id).user_id
                    return SetupResult(existing, SetupOutcome.CHANGE_REQUESTED, replaced)
            caller_zone = None if existing is None else existing.partner(request.caller_id).timezone
            partner_zone_name = partner_zone.key if partner_zone else None
            if existing is not None and partner_zone is None:
                partner_zone_name = existing.partner(request.partner_id).timezone
            themes = (
                first_themes(zone.key, partner_zone_name) if existing is None else existing.themes
            )
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
        outcome = SetupOutcome.WAITS_FOR_ACCEPT if existing is None else SetupOutcome.UPDATED
        return SetupResult(couple, outcome)

    async def accept(self, guild_id: int | None, couple_id: int, user_id: int) -> AcceptResult:
        """The named partner says yes: the couple exists and its schedule starts. For a
        partner change: the old couple ends as `/couple end` ends one (its data goes
        after the grace period) and a new one starts, fresh, with the times asked for."""
        async with self._store.write() as tx:
            couple = await tx.couples.by_guild(guild_id) if guild_id is not None else None
            if couple is None or couple.id != couple_id:
                raise InvalidInputError("That setup is no longer here. `/setup` starts a new one.")
            change = await tx.couples.pending_change(couple.id) if couple.accepted else None
            if change is not None:
                result = await self._change_partner(tx, couple, change, user_id)
            elif user_id != couple.partners[1].user_id:
                raise InvalidInputError("Only the partner named in this setup can accept it.")
            else:
                await tx.couples.accept(couple.id, self._clock.now())
                accepted = await tx.couples.get(couple.id)
                assert accepted is not None
                result = AcceptResult(accepted)
        if result is None:
            raise InvalidInputError(
                "This request has lapsed, so nothing changed. `/setup` can ask again."
            )
        await self._changed(result.couple.id)
        return result

    async def _change_partner(
        self, tx: Tx, old: Couple, change: PartnerChange, user_id: int
    ) -> AcceptResult | None:
        """None: the request lapsed (and is dropped)."""
        now = self._clock.now()
        if user_id != change.new_partner.user_id:
            raise InvalidInputError("Only the partner named in this setup can accept it.")
        if now - change.requested_at > PARTNER_CHANGE_LAPSES or not old.has(change.requested_by):
            await tx.couples.drop_change(old.id)
            return None
        stays = old.partner(change.requested_by)
        await tx.couples.retire(old.id, now)
        await tx.due.clear(old.id)
        zone = parse_timezone(change.timezone)
        new = await tx.couples.save(
            guild_id=old.guild_id,
            channel_id=change.channel_id,
            timezone=zone.key,
            question_time=change.question_time,
            themes=first_themes(zone.key, change.new_partner.timezone),
            partners=(NewPartner(stays.user_id, stays.timezone), change.new_partner),
            now=now,
        )
        await tx.couples.set_quiet_hours(new.id, stays.user_id, stays.quiet_start, stays.quiet_end)
        await tx.couples.accept(new.id, now)
        accepted = await tx.couples.get(new.id)
        assert accepted is not None
        return AcceptResult(accepted, old.other(change.requested_by).user_id)

    async def decline(self, guild_id: int | None, couple_id: int, user_id: int) -> None:
        """The person asked, or the partner who asked, says no: nothing changes."""
        async with self._store.write() as tx:
            couple = await tx.couples.by_guild(guild_id) if guild_id is not None else None
            change = await tx.couples.pending_change(couple_id) if couple else None
            if couple is None or couple.id != couple_id or change is None:
                raise InvalidInputError("That request is no longer open.")
            if user_id not in {change.requested_by, change.new_partner.user_id}:
                raise InvalidInputError("Only the two people in this request can answer it.")
            await tx.couples.drop_change(couple.id)

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

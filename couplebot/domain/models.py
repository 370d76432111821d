"""The couple, their rounds and answers, as the rest of the bot sees them."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from couplebot.domain.questions import Depth


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)


class Partner(Frozen):
    user_id: int
    position: int
    timezone: str | None
    quiet_start: time
    quiet_end: time


class Couple(Frozen):
    id: int
    guild_id: int
    channel_id: int
    timezone: str
    question_time: time
    deep_days: frozenset[int]
    themes: frozenset[str]
    question_cycle: int
    partners: tuple[Partner, Partner]
    accepted: bool = True  # the partner named in /setup pressed Accept
    ended: bool = False  # ended by the partner who stayed; deleted after the grace period

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def user_ids(self) -> tuple[int, int]:
        return (self.partners[0].user_id, self.partners[1].user_id)

    def has(self, user_id: int) -> bool:
        return user_id in self.user_ids

    def partner(self, user_id: int) -> Partner:
        for partner in self.partners:
            if partner.user_id == user_id:
                return partner
        raise KeyError(user_id)

    def other(self, user_id: int) -> Partner:
        for partner in self.partners:
            if partner.user_id != user_id:
                return partner
        raise KeyError(user_id)

    def zone_of(self, user_id: int) -> ZoneInfo:
        return ZoneInfo(self.partner(user_id).timezone or self.timezone)


class RoundState(StrEnum):
    OPEN = "open"
    REVEALED = "revealed"
    RESTING = "resting"  # someone passed; nothing revealed unless shared


class Answer(Frozen):
    user_id: int
    body: str | None
    passed: bool
    shared: bool
    created_at: datetime
    updated_at: datetime


class Round(Frozen):
    id: int
    couple_id: int
    local_date: date
    question_id: str
    question_text: str
    depth: Depth
    theme: str
    follow_up: str | None
    cycle: int
    created_at: datetime
    message_id: int | None
    revealed_at: datetime | None
    closed_at: datetime | None

    @property
    def state(self) -> RoundState:
        if self.revealed_at is not None:
            return RoundState.REVEALED
        if self.closed_at is not None:
            return RoundState.RESTING
        return RoundState.OPEN

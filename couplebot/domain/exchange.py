"""An exchange: one prompt, two private responses, revealed together exactly once.

The daily question, the weekly check-in, a pair of shared check-ins and a date
reflection are kinds of exchange. A kind names itself and the fields a response
has; this module owns the state machine every kind shares.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from couplebot.domain.models import Frozen


class ExchangeState(StrEnum):
    OPEN = "open"
    REVEALED = "revealed"
    RESTING = "resting"  # someone passed; nothing is revealed unless its author shares it


class FieldStyle(StrEnum):
    SHORT = "short"
    PARAGRAPH = "paragraph"
    SCALE = "scale"  # a number from 1 to 5


@dataclass(frozen=True)
class ResponseField:
    """One field of a response, as a modal asks for it."""

    id: str
    label: str
    style: FieldStyle = FieldStyle.PARAGRAPH
    required: bool = True
    max_length: int = 4000
    placeholder: str | None = None


@dataclass(frozen=True)
class ExchangeKind:
    """What makes a kind of exchange: its name and the fields a response has."""

    name: str
    fields: tuple[ResponseField, ...]
    modal_title: str

    def field(self, field_id: str) -> ResponseField | None:
        return next((f for f in self.fields if f.id == field_id), None)


class Exchange(Frozen):
    id: int
    couple_id: int
    kind: str
    slot: str  # which one of its kind: a local date, a week, a date plan id...
    topic_id: str  # what is asked: a question id, an idea id...
    prompt: str
    prompt_private: bool
    details: dict[str, Any]
    cycle: int
    created_at: datetime
    message_id: int | None
    revealed_at: datetime | None
    closed_at: datetime | None

    @property
    def topic_tag(self) -> str:
        """A short fingerprint of what is asked: a form carries it, so an answer written for
        a prompt that was swapped meanwhile is not saved under the new one."""
        return hashlib.sha256(f"{self.topic_id}\n{self.prompt}".encode()).hexdigest()[:8]

    @property
    def state(self) -> ExchangeState:
        if self.revealed_at is not None:
            return ExchangeState.REVEALED
        if self.closed_at is not None:
            return ExchangeState.RESTING
        return ExchangeState.OPEN


class Response(Frozen):
    user_id: int
    values: dict[str, str]
    passed: bool
    shared: bool
    created_at: datetime
    updated_at: datetime


class Action(StrEnum):
    ANSWER = "answer"
    PASS = "pass"  # noqa: S105 - an action, not a password
    SHARE = "share"


class Outcome(StrEnum):
    SAVED = "saved"
    UPDATED = "updated"
    REVEALED = "revealed"
    PASSED = "passed"
    SHARED = "shared"


class ExchangeRefusal(StrEnum):
    REVEALED = "revealed"  # both answers are out already
    RESTING = "resting"  # someone passed
    NOTHING_TO_SHARE = "nothing-to-share"
    NOT_RESTING = "not-resting"  # sharing is for after a pass


@dataclass(frozen=True)
class Decision:
    """What a response does to an exchange, before the store makes it so."""

    outcome: Outcome | None = None
    refusal: ExchangeRefusal | None = None
    save: bool = False
    rest: bool = False  # close the exchange: nothing will be revealed
    reveal: bool = False  # both answered: reveal now (the store makes it happen once)
    share: bool = False  # show the author's own answer after a pass


def decide(
    state: ExchangeState,
    responses: Mapping[int, Response],
    user_id: int,
    action: Action,
    partners: tuple[int, int],
) -> Decision:
    """The one rule set for every kind.

    Answers can be edited until the reveal. A pass rests the exchange for both: nothing
    is revealed, and the other's answer stays hidden unless its author shares it. The
    reveal happens when both partners have answered and neither passed.
    """
    if action is Action.SHARE:
        if state is not ExchangeState.RESTING:
            return Decision(refusal=ExchangeRefusal.NOT_RESTING)
        mine = responses.get(user_id)
        if mine is None or mine.passed or mine.shared or not mine.values:
            return Decision(refusal=ExchangeRefusal.NOTHING_TO_SHARE)
        return Decision(outcome=Outcome.SHARED, share=True)
    if state is ExchangeState.REVEALED:
        return Decision(refusal=ExchangeRefusal.REVEALED)
    if state is ExchangeState.RESTING:
        return Decision(refusal=ExchangeRefusal.RESTING)
    if action is Action.PASS:
        return Decision(outcome=Outcome.PASSED, save=True, rest=True)
    other = partners[1] if user_id == partners[0] else partners[0]
    theirs = responses.get(other)
    if theirs is not None and not theirs.passed:
        return Decision(outcome=Outcome.REVEALED, save=True, reveal=True)
    outcome = Outcome.UPDATED if user_id in responses else Outcome.SAVED
    return Decision(outcome=outcome, save=True)


def revealable(responses: Mapping[int, Response], partners: tuple[int, int]) -> bool:
    """A reveal shows both answers or none: both present, neither passed."""
    return all(
        (found := responses.get(user)) is not None and not found.passed and found.values
        for user in partners
    )

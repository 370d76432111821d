"""The two exchange kinds check-ins add: a pair of shared check-ins, and the weekly one."""

from __future__ import annotations

from couplebot.domain.checkins import (
    MAX_NEED_LENGTH,
    NEED_LABEL,
    WEEKLY_CLOSE_MOMENT_LABEL,
    WEEKLY_MORE_OF_LABEL,
)
from couplebot.domain.exchange import ExchangeKind, FieldStyle, ResponseField
from couplebot.domain.weekly import MAX_WEEKLY_ANSWER_LENGTH

CHECKIN = ExchangeKind(
    name="checkin",
    fields=(
        ResponseField(id="mood", label="Mood", style=FieldStyle.SCALE),
        ResponseField(id="closeness", label="Closeness", style=FieldStyle.SCALE),
        ResponseField(id="need", label=NEED_LABEL, required=False, max_length=MAX_NEED_LENGTH),
    ),
    modal_title="Check in",
)
CHECKIN_PROMPT = "Where you both are right now"

WEEKLY = ExchangeKind(
    name="weekly",
    fields=(
        ResponseField(
            id="closeness", label="How close I feel to you (1-5)", style=FieldStyle.SCALE
        ),
        ResponseField(
            id="close_moment",
            label=WEEKLY_CLOSE_MOMENT_LABEL,
            required=False,
            max_length=MAX_WEEKLY_ANSWER_LENGTH,
        ),
        ResponseField(
            id="more_of",
            label=WEEKLY_MORE_OF_LABEL,
            required=False,
            max_length=MAX_WEEKLY_ANSWER_LENGTH,
        ),
    ),
    modal_title="How are we?",
)

"""The daily question as a kind of exchange, and its round view."""

from __future__ import annotations

from datetime import date

from couplebot.domain.exchange import Exchange, ExchangeKind, Response, ResponseField
from couplebot.domain.models import Answer, Round
from couplebot.domain.questions import CUSTOM_THEME, Depth, Question
from couplebot.domain.reveal import MAX_ANSWER_LENGTH

DAILY = ExchangeKind(
    name="daily",
    fields=(
        ResponseField(
            id="answer",
            label="Your answer",
            max_length=MAX_ANSWER_LENGTH,
            placeholder="Only you can see this until you have both answered.",
        ),
    ),
    modal_title="Your answer",
)


def round_details(question: Question) -> dict[str, str | None]:
    return {"depth": question.depth.value, "theme": question.theme, "follow_up": question.follow_up}


def is_private(question: Question) -> bool:
    """A couple's own question is their private text, encrypted like their answers."""
    return question.theme == CUSTOM_THEME


def round_of(exchange: Exchange) -> Round:
    details = exchange.details
    return Round(
        id=exchange.id,
        couple_id=exchange.couple_id,
        local_date=date.fromisoformat(exchange.slot),
        question_id=exchange.topic_id,
        question_text=exchange.prompt,
        depth=Depth(details.get("depth", Depth.MEDIUM.value)),
        theme=str(details.get("theme", "")),
        follow_up=details.get("follow_up"),
        cycle=exchange.cycle,
        created_at=exchange.created_at,
        message_id=exchange.message_id,
        revealed_at=exchange.revealed_at,
        closed_at=exchange.closed_at,
    )


def answer_of(response: Response) -> Answer:
    return Answer(
        user_id=response.user_id,
        body=response.values.get("answer"),
        passed=response.passed,
        shared=response.shared,
        created_at=response.created_at,
        updated_at=response.updated_at,
    )

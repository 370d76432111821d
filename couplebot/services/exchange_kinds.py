"""What a kind of exchange adds to the engine, and the outbox keys every kind shares."""

from __future__ import annotations

from typing import ClassVar

from couplebot.domain.exchange import Exchange, ExchangeKind, ExchangeRefusal, FieldStyle
from couplebot.domain.models import Couple
from couplebot.services.errors import InvalidInputError
from couplebot.store import Tx


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
        """After a response was acknowledged and its posts sent or queued (outside any
        transaction)."""

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

"""What check-ins, appreciations, bids and weekly answers keep about a partner."""

from __future__ import annotations

from typing import Any

from couplebot.domain.checkin_exchanges import WEEKLY
from couplebot.domain.models import Couple
from couplebot.services.weekly import weekly_prompt
from couplebot.store import Tx


class CheckinsPrivacy:
    """Check-ins, appreciations and bids: exported, and forgotten with the weekly quotes."""

    name = "your_check_ins"

    async def export(self, tx: Tx, couple: Couple, user_id: int) -> Any:
        return [
            {
                "at": c.at.isoformat(),
                "mood": c.mood,
                "closeness": c.closeness,
                "need": c.need,
                "shared": c.shared,
                "revealed_together": c.exchange_id is not None,
            }
            for c in await tx.checkins.by_user(couple.id, user_id)
        ]

    async def forget(self, tx: Tx, couple: Couple, user_id: int) -> int:
        deleted = await tx.checkins.forget_user(couple.id, user_id)
        await _requote_weekly(tx, couple)
        return deleted


class AppreciationsPrivacy:
    name = "your_appreciations"

    async def export(self, tx: Tx, couple: Couple, user_id: int) -> Any:
        return [
            {"at": a.at.isoformat(), "text": a.text}
            for a in await tx.checkins.appreciations_by(couple.id, user_id)
        ]

    async def forget(self, tx: Tx, couple: Couple, user_id: int) -> int:
        return 0  # CheckinsPrivacy deletes them with the rest of this partner's rows


class BidsPrivacy:
    name = "your_bids"

    async def export(self, tx: Tx, couple: Couple, user_id: int) -> Any:
        return [
            {
                "bid_id": o.bid_id,
                "suggested_at": o.at.isoformat(),
                "taken_on_at": o.accepted_at.isoformat() if o.accepted_at else None,
            }
            for o in await tx.checkins.offers_by(couple.id, user_id)
        ]

    async def forget(self, tx: Tx, couple: Couple, user_id: int) -> int:
        return 0  # CheckinsPrivacy deletes them


class WeeklyPrivacy:
    """Weekly answers are exchange responses: the engine's forget removes them."""

    name = "your_weekly_check_ins"
    exchange_kinds = frozenset({WEEKLY.name})  # exported here, not in your_other_responses

    async def export(self, tx: Tx, couple: Couple, user_id: int) -> Any:
        found = []
        for exchange_id in await tx.exchanges.responded_by(couple.id, user_id):
            exchange = await tx.exchanges.get(exchange_id)
            if exchange is None or exchange.kind != WEEKLY.name:
                continue
            for response in await tx.exchanges.responses(exchange_id):
                if response.user_id == user_id:
                    found.append(
                        {
                            "week_of": exchange.slot,
                            "answer": dict(response.values),
                            "passed": response.passed,
                            "revealed": exchange.revealed_at is not None,
                        }
                    )
        return found

    async def forget(self, tx: Tx, couple: Couple, user_id: int) -> int:
        return 0


async def _requote_weekly(tx: Tx, couple: Couple) -> None:
    """Weekly prompts quote appreciations; drop the quotes of ones that are gone."""
    for slot, _, _ in await tx.exchanges.states(couple.id, WEEKLY.name):
        exchange = await tx.exchanges.find(couple.id, WEEKLY.name, slot)
        if exchange is None:
            continue
        ids = [int(i) for i in exchange.details.get("appreciations", [])]
        kept = [a for i in ids if (a := await tx.checkins.appreciation(i)) is not None]
        if len(kept) == len(ids):
            continue
        await tx.exchanges.replace_prompt(
            exchange.id,
            topic_id=exchange.topic_id,
            prompt=weekly_prompt(kept),
            private=True,
            details={**exchange.details, "appreciations": [a.id for a in kept]},
            cycle=exchange.cycle,
        )


SECTIONS = (CheckinsPrivacy(), AppreciationsPrivacy(), BidsPrivacy(), WeeklyPrivacy())

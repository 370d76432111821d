"""What check-ins, weekly check-ins, bids and reach-outs add to the distance history."""

from __future__ import annotations

from datetime import datetime

from couplebot.domain.checkin_exchanges import WEEKLY
from couplebot.domain.models import Couple
from couplebot.domain.signals import BidKind, BidPoint, CheckinPoint, WeeklyPoint
from couplebot.services.history import HistoryPoints
from couplebot.store import Tx


class CheckinHistory:
    """A HistoryProvider over the check-in repository and the weekly exchanges."""

    async def points(self, tx: Tx, couple: Couple, since: datetime) -> HistoryPoints:
        checkins = [
            CheckinPoint(c.user_id, c.at, c.mood, c.closeness, c.shared)
            for c in await tx.checkins.checkins(couple.id, since)
        ]
        weeklies = []
        for exchange in await tx.exchanges.of_kind_since(couple.id, WEEKLY.name, since):
            revealed = exchange.revealed_at is not None
            for response in await tx.exchanges.responses(exchange.id):
                closeness = response.values.get("closeness")
                if response.passed or not closeness:
                    continue
                weeklies.append(
                    WeeklyPoint(response.user_id, response.updated_at, int(closeness), revealed)
                )
        bids = [
            BidPoint(b.user_id, b.at, BidKind(b.source))
            for b in await tx.checkins.bids(couple.id, since)
        ]
        bids += [
            BidPoint(user_id, at, BidKind.REACHOUT)
            for user_id, at in await tx.reachouts.reachouts(couple.id, since)
        ]
        return HistoryPoints(checkins=checkins, weeklies=weeklies, bids=bids)

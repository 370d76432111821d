"""Check-ins, appreciations, bids made and offered, and the weekly check-in's settings.

Free text (a check-in's need, an appreciation) is encrypted here; nothing else is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

import aiosqlite

from couplebot.domain.checkins import CheckIn
from couplebot.domain.weekly import WEEKLY_DEFAULT_TIME, WEEKLY_DEFAULT_WEEKDAY
from couplebot.store.base import Repository, hhmm, parse_ts, ts


@dataclass(frozen=True)
class StoredCheckIn:
    """A check-in as stored: what the distance signals read (`checkins(couple, since)`)."""

    id: int
    couple_id: int
    user_id: int
    at: datetime
    mood: int
    closeness: int
    need: str | None
    shared: bool
    exchange_id: int | None  # the shared reveal it was paired into, if any

    def check_in(self) -> CheckIn:
        return CheckIn(self.user_id, self.at, self.mood, self.closeness, self.need, self.shared)


@dataclass(frozen=True)
class Appreciation:
    id: int
    couple_id: int
    user_id: int
    at: datetime
    text: str


@dataclass(frozen=True)
class BidMade:
    user_id: int
    at: datetime
    source: str  # "appreciation" or "bid"


@dataclass(frozen=True)
class BidOffer:
    id: int
    couple_id: int
    user_id: int
    bid_id: str
    cycle: int
    at: datetime
    accepted_at: datetime | None


@dataclass(frozen=True)
class CheckinSettings:
    long_distance: bool = False
    weekly_on: bool = True
    weekly_weekday: int = WEEKLY_DEFAULT_WEEKDAY
    weekly_time: time = WEEKLY_DEFAULT_TIME


class CheckinsRepository(Repository):
    # Check-ins

    def _check_in(self, row: aiosqlite.Row) -> StoredCheckIn:
        return StoredCheckIn(
            id=row["id"],
            couple_id=row["couple_id"],
            user_id=row["user_id"],
            at=datetime.fromisoformat(row["at"]),
            mood=row["mood"],
            closeness=row["closeness"],
            need=self._cipher.decrypt(row["need"]) if row["need"] is not None else None,
            shared=bool(row["shared"]),
            exchange_id=row["exchange_id"],
        )

    async def add(self, couple_id: int, check_in: CheckIn) -> StoredCheckIn:
        need = self._cipher.encrypt(check_in.need) if check_in.need else None
        row = await self._one(
            "INSERT INTO checkins (couple_id, user_id, at, mood, closeness, need, shared) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *",
            (
                couple_id,
                check_in.user_id,
                ts(check_in.at),
                check_in.mood,
                check_in.closeness,
                need,
                int(check_in.shared),
            ),
        )
        assert row is not None
        return self._check_in(row)

    async def get(self, checkin_id: int) -> StoredCheckIn | None:
        row = await self._one("SELECT * FROM checkins WHERE id = ?", (checkin_id,))
        return self._check_in(row) if row else None

    async def checkins(self, couple_id: int, since: datetime) -> list[StoredCheckIn]:
        """The couple's check-ins (private and shared) at or after `since`, oldest first."""
        rows = await self._all(
            "SELECT * FROM checkins WHERE couple_id = ? AND at >= ? ORDER BY at, id",
            (couple_id, ts(since)),
        )
        return [self._check_in(r) for r in rows]

    async def unpaired_shared(self, couple_id: int) -> list[StoredCheckIn]:
        rows = await self._all(
            "SELECT * FROM checkins WHERE couple_id = ? AND shared = 1 AND exchange_id IS NULL "
            "ORDER BY at, id",
            (couple_id,),
        )
        return [self._check_in(r) for r in rows]

    async def pair_into(self, checkin_ids: list[int], exchange_id: int) -> None:
        for checkin_id in checkin_ids:
            await self._run(
                "UPDATE checkins SET exchange_id = ? WHERE id = ? AND exchange_id IS NULL",
                (exchange_id, checkin_id),
            )

    async def paired(self, exchange_id: int) -> list[StoredCheckIn]:
        """The check-ins an exchange pairs: the latest one of each partner in it."""
        rows = await self._all(
            "SELECT * FROM checkins WHERE exchange_id = ? ORDER BY at DESC, id DESC",
            (exchange_id,),
        )
        latest: dict[int, StoredCheckIn] = {}
        for row in rows:
            found = self._check_in(row)
            latest.setdefault(found.user_id, found)
        return list(latest.values())

    async def open_pairings(self, couple_id: int) -> list[int]:
        """Ids of shared-check-in exchanges that are neither revealed nor resting yet."""
        rows = await self._all(
            "SELECT DISTINCT exchanges.id FROM checkins "
            "JOIN exchanges ON exchanges.id = checkins.exchange_id "
            "WHERE checkins.couple_id = ? AND exchanges.revealed_at IS NULL "
            "AND exchanges.closed_at IS NULL ORDER BY exchanges.id",
            (couple_id,),
        )
        return [int(r["id"]) for r in rows]

    # Appreciations

    async def add_appreciation(
        self, couple_id: int, user_id: int, text: str, now: datetime
    ) -> Appreciation:
        row = await self._one(
            "INSERT INTO appreciations (couple_id, user_id, at, body) VALUES (?, ?, ?, ?) "
            "RETURNING id",
            (couple_id, user_id, ts(now), self._cipher.encrypt(text)),
        )
        assert row is not None
        await self.add_bid_made(couple_id, user_id, "appreciation", int(row["id"]), now)
        return Appreciation(int(row["id"]), couple_id, user_id, now, text)

    async def appreciation(self, appreciation_id: int) -> Appreciation | None:
        row = await self._one("SELECT * FROM appreciations WHERE id = ?", (appreciation_id,))
        return self._appreciation(row) if row else None

    async def appreciations(
        self, couple_id: int, since: datetime, until: datetime
    ) -> list[Appreciation]:
        rows = await self._all(
            "SELECT * FROM appreciations WHERE couple_id = ? AND at >= ? AND at <= ? "
            "ORDER BY at, id",
            (couple_id, ts(since), ts(until)),
        )
        return [self._appreciation(r) for r in rows]

    def _appreciation(self, row: aiosqlite.Row) -> Appreciation:
        return Appreciation(
            row["id"],
            row["couple_id"],
            row["user_id"],
            datetime.fromisoformat(row["at"]),
            self._cipher.decrypt(row["body"]),
        )

    # Bids

    async def add_bid_made(
        self, couple_id: int, user_id: int, source: str, ref: int, now: datetime
    ) -> bool:
        changed = await self._run(
            "INSERT INTO bids_made (couple_id, user_id, at, source, ref) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (source, ref) DO NOTHING",
            (couple_id, user_id, ts(now), source, ref),
        )
        return changed == 1

    async def bids(self, couple_id: int, since: datetime) -> list[BidMade]:
        """Bids for connection made at or after `since`, oldest first."""
        rows = await self._all(
            "SELECT user_id, at, source FROM bids_made WHERE couple_id = ? AND at >= ? "
            "ORDER BY at, id",
            (couple_id, ts(since)),
        )
        return [BidMade(r["user_id"], datetime.fromisoformat(r["at"]), r["source"]) for r in rows]

    def _offer(self, row: aiosqlite.Row) -> BidOffer:
        return BidOffer(
            row["id"],
            row["couple_id"],
            row["user_id"],
            row["bid_id"],
            row["cycle"],
            datetime.fromisoformat(row["at"]),
            parse_ts(row["accepted_at"]),
        )

    async def offer(self, offer_id: int) -> BidOffer | None:
        row = await self._one("SELECT * FROM bid_offers WHERE id = ?", (offer_id,))
        return self._offer(row) if row else None

    async def bid_cycle(self, couple_id: int, user_id: int) -> tuple[int, set[str]]:
        """This partner's current cycle and the bid ids shown in it."""
        row = await self._one(
            "SELECT COALESCE(MAX(cycle), 1) AS cycle FROM bid_offers "
            "WHERE couple_id = ? AND user_id = ?",
            (couple_id, user_id),
        )
        cycle = int(row["cycle"]) if row else 1
        rows = await self._all(
            "SELECT bid_id FROM bid_offers WHERE couple_id = ? AND user_id = ? AND cycle = ?",
            (couple_id, user_id, cycle),
        )
        return cycle, {r["bid_id"] for r in rows}

    async def add_offer(
        self, couple_id: int, user_id: int, bid_id: str, cycle: int, now: datetime
    ) -> BidOffer:
        row = await self._one(
            "INSERT INTO bid_offers (couple_id, user_id, bid_id, cycle, at) "
            "VALUES (?, ?, ?, ?, ?) RETURNING *",
            (couple_id, user_id, bid_id, cycle, ts(now)),
        )
        assert row is not None
        return self._offer(row)

    async def accept_offer(self, offer_id: int, now: datetime) -> bool:
        changed = await self._run(
            "UPDATE bid_offers SET accepted_at = ? WHERE id = ? AND accepted_at IS NULL",
            (ts(now), offer_id),
        )
        return changed == 1

    async def offers_by(self, couple_id: int, user_id: int) -> list[BidOffer]:
        rows = await self._all(
            "SELECT * FROM bid_offers WHERE couple_id = ? AND user_id = ? ORDER BY id",
            (couple_id, user_id),
        )
        return [self._offer(r) for r in rows]

    # Settings

    async def settings(self, couple_id: int) -> CheckinSettings:
        row = await self._one("SELECT * FROM checkin_settings WHERE couple_id = ?", (couple_id,))
        if row is None:
            return CheckinSettings()
        return CheckinSettings(
            long_distance=bool(row["long_distance"]),
            weekly_on=bool(row["weekly_on"]),
            weekly_weekday=int(row["weekly_weekday"]),
            weekly_time=time.fromisoformat(row["weekly_time"]),
        )

    async def save_settings(self, couple_id: int, settings: CheckinSettings) -> None:
        await self._run(
            "INSERT INTO checkin_settings (couple_id, long_distance, weekly_on, weekly_weekday, "
            "weekly_time) VALUES (?, ?, ?, ?, ?) ON CONFLICT (couple_id) DO UPDATE SET "
            "long_distance = excluded.long_distance, weekly_on = excluded.weekly_on, "
            "weekly_weekday = excluded.weekly_weekday, weekly_time = excluded.weekly_time",
            (
                couple_id,
                int(settings.long_distance),
                int(settings.weekly_on),
                settings.weekly_weekday,
                hhmm(settings.weekly_time),
            ),
        )

    # Privacy

    async def by_user(self, couple_id: int, user_id: int) -> list[StoredCheckIn]:
        rows = await self._all(
            "SELECT * FROM checkins WHERE couple_id = ? AND user_id = ? ORDER BY at, id",
            (couple_id, user_id),
        )
        return [self._check_in(r) for r in rows]

    async def appreciations_by(self, couple_id: int, user_id: int) -> list[Appreciation]:
        rows = await self._all(
            "SELECT * FROM appreciations WHERE couple_id = ? AND user_id = ? ORDER BY at, id",
            (couple_id, user_id),
        )
        return [self._appreciation(r) for r in rows]

    async def forget_user(self, couple_id: int, user_id: int) -> int:
        deleted = 0
        for table in ("checkins", "appreciations", "bids_made", "bid_offers"):
            deleted += await self._run(
                f"DELETE FROM {table} WHERE couple_id = ? AND user_id = ?",  # noqa: S608 - fixed names
                (couple_id, user_id),
            )
        return deleted

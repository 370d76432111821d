"""Notices shown once on a partner's next command, and channels that refused the bot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from couplebot.store.base import Repository, due_ts, ts

EITHER_PARTNER = 0  # a notice for whichever partner runs a command first
CHANNEL_PERMISSIONS = "channel-permissions"  # the notice that goes with a channel hold


@dataclass(frozen=True)
class Notice:
    couple_id: int
    user_id: int
    kind: str
    detail: str
    created_at: datetime


@dataclass(frozen=True)
class ChannelHold:
    couple_id: int
    missing: tuple[str, ...]
    held_at: datetime
    retry_at: datetime


class NoticesRepository(Repository):
    async def add(
        self, couple_id: int, user_id: int, kind: str, detail: str, now: datetime
    ) -> bool:
        """Record a notice; False if one of that kind already waits for that person."""
        inserted = await self._run(
            "INSERT INTO notices (couple_id, user_id, kind, detail, created_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (couple_id, user_id, kind) DO NOTHING",
            (couple_id, user_id, kind, detail, ts(now)),
        )
        return inserted == 1

    async def waiting(self, couple_id: int, user_id: int) -> list[Notice]:
        """Notices for this partner, or for either partner, oldest first."""
        rows = await self._all(
            "SELECT * FROM notices WHERE couple_id = ? AND user_id IN (?, ?) "
            "ORDER BY created_at, kind",
            (couple_id, user_id, EITHER_PARTNER),
        )
        return [
            Notice(
                r["couple_id"],
                r["user_id"],
                r["kind"],
                r["detail"],
                datetime.fromisoformat(r["created_at"]),
            )
            for r in rows
        ]

    async def remove(self, couple_id: int, user_id: int, kind: str) -> int:
        return await self._run(
            "DELETE FROM notices WHERE couple_id = ? AND user_id = ? AND kind = ?",
            (couple_id, user_id, kind),
        )

    async def forget_partner(self, couple_id: int, user_id: int) -> int:
        return await self._run(
            "DELETE FROM notices WHERE couple_id = ? AND user_id = ?", (couple_id, user_id)
        )

    # Channels that refused the bot

    async def hold(
        self, couple_id: int, missing: tuple[str, ...], now: datetime, retry_at: datetime
    ) -> bool:
        """Hold the couple's posts until retry_at; True if it was not held before."""
        existing = await self.hold_of(couple_id)
        await self._run(
            "INSERT INTO channel_holds (couple_id, missing, held_at, retry_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (couple_id) DO UPDATE SET "
            "missing = excluded.missing, retry_at = excluded.retry_at",
            (couple_id, ",".join(missing), ts(now), due_ts(retry_at)),
        )
        return existing is None

    async def hold_of(self, couple_id: int) -> ChannelHold | None:
        row = await self._one("SELECT * FROM channel_holds WHERE couple_id = ?", (couple_id,))
        if row is None:
            return None
        return ChannelHold(
            row["couple_id"],
            tuple(m for m in row["missing"].split(",") if m),
            datetime.fromisoformat(row["held_at"]),
            datetime.fromisoformat(row["retry_at"]),
        )

    async def holds(self) -> dict[int, datetime]:
        """couple id -> when its held posts are tried again (few rows: a small table)."""
        rows = await self._all("SELECT couple_id, retry_at FROM channel_holds")
        return {r["couple_id"]: datetime.fromisoformat(r["retry_at"]) for r in rows}

    async def release(self, couple_id: int) -> bool:
        """The channel takes posts again: the hold goes, and its notice if not yet shown."""
        await self.remove(couple_id, EITHER_PARTNER, CHANNEL_PERMISSIONS)
        released = await self._run("DELETE FROM channel_holds WHERE couple_id = ?", (couple_id,))
        return released == 1

"""The outbox of posts to make and the due-work queue of what is scheduled."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from couplebot.store.base import ACTIVE_COUPLE, Repository, due_ts, ts


@dataclass(frozen=True)
class OutboxItem:
    id: int
    dedupe_key: str
    couple_id: int
    kind: str
    exchange_id: int | None
    user_id: int | None
    part: int
    created_at: datetime


@dataclass(frozen=True)
class DueItem:
    couple_id: int
    item: str
    due_at: datetime


class OutboxRepository(Repository):
    async def enqueue(
        self,
        dedupe_key: str,
        *,
        couple_id: int,
        kind: str,
        now: datetime,
        exchange_id: int | None = None,
        user_id: int | None = None,
        part: int = 1,
    ) -> bool:
        """Record a post to make; False if that key was already recorded."""
        inserted = await self._run(
            "INSERT INTO outbox (dedupe_key, couple_id, kind, exchange_id, user_id, part, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING",
            (dedupe_key, couple_id, kind, exchange_id, user_id, part, ts(now)),
        )
        return inserted == 1

    async def has(self, dedupe_key: str) -> bool:
        return (
            await self._one("SELECT 1 FROM outbox WHERE dedupe_key = ?", (dedupe_key,)) is not None
        )

    async def pending(self, *, after_id: int = 0) -> list[OutboxItem]:
        """Unsent rows in the order they were recorded; `after_id`: only newer ones."""
        rows = await self._all(
            "SELECT * FROM outbox WHERE sent_at IS NULL AND id > ? ORDER BY id", (after_id,)
        )
        return [
            OutboxItem(
                id=r["id"],
                dedupe_key=r["dedupe_key"],
                couple_id=r["couple_id"],
                kind=r["kind"],
                exchange_id=r["exchange_id"],
                user_id=r["user_id"],
                part=r["part"],
                created_at=datetime.fromisoformat(r["created_at"]),
            )
            for r in rows
        ]

    async def mark_posted(self, item_id: int, message_id: int | None, now: datetime) -> None:
        await self._run(
            "UPDATE outbox SET sent_at = ?, message_id = ? WHERE id = ? AND sent_at IS NULL",
            (ts(now), message_id, item_id),
        )


class DueWorkRepository(Repository):
    async def set(self, couple_id: int, item: str, due_at: datetime | None) -> None:
        """Store when the couple's item is next due; None: nothing is due."""
        if due_at is None:
            await self._run(
                "DELETE FROM due_work WHERE couple_id = ? AND item = ?", (couple_id, item)
            )
            return
        await self._run(
            "INSERT INTO due_work (couple_id, item, due_at) VALUES (?, ?, ?) "
            "ON CONFLICT (couple_id, item) DO UPDATE SET due_at = excluded.due_at",
            (couple_id, item, due_ts(due_at)),
        )

    async def change(self, couple_id: int, changes: dict[str, datetime | None]) -> None:
        """Store several of the couple's items at once (as `set`), in two statements."""
        gone = [item for item, due_at in changes.items() if due_at is None]
        if gone:
            marks = ",".join("?" * len(gone))
            await self._run(
                f"DELETE FROM due_work WHERE couple_id = ? AND item IN ({marks})",  # noqa: S608
                (couple_id, *gone),
            )
        rows = [(couple_id, i, due_ts(d)) for i, d in changes.items() if d is not None]
        if rows:
            await self._sql.run_many(
                "INSERT INTO due_work (couple_id, item, due_at) VALUES (?, ?, ?) "
                "ON CONFLICT (couple_id, item) DO UPDATE SET due_at = excluded.due_at",
                rows,
            )

    async def clear(self, couple_id: int) -> None:
        await self._run("DELETE FROM due_work WHERE couple_id = ?", (couple_id,))

    async def due(self, now: datetime, limit: int = 500) -> list[DueItem]:
        """What is due by `now`, earliest first: read by index, never a scan of couples."""
        rows = await self._all(
            "SELECT couple_id, item, due_at FROM due_work WHERE due_at <= ? "
            "ORDER BY due_at LIMIT ?",
            (due_ts(now), limit),
        )
        return [
            DueItem(r["couple_id"], r["item"], datetime.fromisoformat(r["due_at"])) for r in rows
        ]

    async def next_due(self) -> datetime | None:
        row = await self._one("SELECT MIN(due_at) AS due_at FROM due_work")
        return datetime.fromisoformat(row["due_at"]) if row and row["due_at"] else None

    async def active_couples(self) -> list[int]:
        """Every couple whose due work runs (server still has the bot, both accepted)."""
        rows = await self._all(
            f"SELECT id FROM couples WHERE {ACTIVE_COUPLE} ORDER BY id"  # noqa: S608 - a constant
        )
        return [int(r["id"]) for r in rows]

    async def unplanned_couples(self) -> list[int]:
        """Active couples with no due work stored at all (every planned couple has one)."""
        rows = await self._all(
            f"SELECT id FROM couples AS c WHERE {ACTIVE_COUPLE} AND NOT EXISTS "  # noqa: S608
            "(SELECT 1 FROM due_work AS d WHERE d.couple_id = c.id) ORDER BY id"
        )
        return [int(r["id"]) for r in rows]

    async def active_among(self, couple_ids: Sequence[int]) -> frozenset[int]:
        """Which of `couple_ids` are active (as in `active_couples`), in one statement."""
        if not couple_ids:
            return frozenset()
        marks = ",".join("?" * len(couple_ids))
        rows = await self._all(
            f"SELECT id FROM couples WHERE id IN ({marks}) AND {ACTIVE_COUPLE}",  # noqa: S608
            tuple(couple_ids),
        )
        return frozenset(int(r["id"]) for r in rows)

    async def of_many(self, couple_ids: Sequence[int]) -> dict[int, dict[str, datetime]]:
        """What is stored for each of `couple_ids` (an empty dict: nothing), one statement."""
        stored: dict[int, dict[str, datetime]] = {c: {} for c in couple_ids}
        if not couple_ids:
            return stored
        marks = ",".join("?" * len(couple_ids))
        for r in await self._all(
            f"SELECT couple_id, item, due_at FROM due_work WHERE couple_id IN ({marks})",  # noqa: S608
            tuple(couple_ids),
        ):
            stored[int(r["couple_id"])][r["item"]] = datetime.fromisoformat(r["due_at"])
        return stored

    async def of(self, couple_id: int) -> dict[str, datetime]:
        rows = await self._all(
            "SELECT item, due_at FROM due_work WHERE couple_id = ?", (couple_id,)
        )
        return {r["item"]: datetime.fromisoformat(r["due_at"]) for r in rows}

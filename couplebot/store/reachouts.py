"""Sent reach-outs: the note (encrypted), how it went, and the partner's one-press reply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from couplebot.store.base import Repository, due_ts, parse_ts, ts

_REPLY_COLUMNS = {"thanks": "thanked_at", "talk": "talk_at"}


@dataclass(frozen=True)
class Reachout:
    id: int
    couple_id: int
    from_user_id: int
    to_user_id: int
    body: str
    by_dm: bool
    sent_at: datetime
    thanked_at: datetime | None
    talk_at: datetime | None


class ReachoutsRepository(Repository):
    def _reachout(self, row: aiosqlite.Row) -> Reachout:
        return Reachout(
            id=row["id"],
            couple_id=row["couple_id"],
            from_user_id=row["from_user_id"],
            to_user_id=row["to_user_id"],
            body=self._cipher.decrypt(row["body"]),
            by_dm=bool(row["by_dm"]),
            sent_at=datetime.fromisoformat(row["sent_at"]),
            thanked_at=parse_ts(row["thanked_at"]),
            talk_at=parse_ts(row["talk_at"]),
        )

    async def add(
        self,
        couple_id: int,
        *,
        from_user_id: int,
        to_user_id: int,
        body: str,
        by_dm: bool,
        source_id: int,
        now: datetime,
    ) -> int | None:
        """Record a sent note; None if this preview was already sent."""
        row = await self._one(
            "INSERT INTO reachouts (couple_id, from_user_id, to_user_id, body, by_dm, "
            "source_id, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (source_id) DO NOTHING RETURNING id",
            (
                couple_id,
                from_user_id,
                to_user_id,
                self._cipher.encrypt(body),
                int(by_dm),
                source_id,
                due_ts(now),  # fixed width, so `since` compares as text
            ),
        )
        return int(row["id"]) if row is not None else None

    async def get(self, reachout_id: int) -> Reachout | None:
        row = await self._one("SELECT * FROM reachouts WHERE id = ?", (reachout_id,))
        return self._reachout(row) if row is not None else None

    async def sent_by(self, couple_id: int, user_id: int) -> list[Reachout]:
        rows = await self._all(
            "SELECT * FROM reachouts WHERE couple_id = ? AND from_user_id = ? ORDER BY id",
            (couple_id, user_id),
        )
        return [self._reachout(row) for row in rows]

    async def reachouts(self, couple_id: int, since: datetime) -> list[tuple[int, datetime]]:
        """(sender, sent at) of every reach-out since `since`, oldest first: each is a bid."""
        rows = await self._all(
            "SELECT from_user_id, sent_at FROM reachouts WHERE couple_id = ? AND sent_at >= ? "
            "ORDER BY sent_at, id",
            (couple_id, due_ts(since)),
        )
        return [(int(r["from_user_id"]), datetime.fromisoformat(r["sent_at"])) for r in rows]

    async def mark_reply(self, reachout_id: int, reply: str, now: datetime) -> bool:
        """Record the partner's reply once; False if they gave this one already."""
        column = _REPLY_COLUMNS[reply]
        changed = await self._run(
            f"UPDATE reachouts SET {column} = ? WHERE id = ? AND {column} IS NULL",  # noqa: S608 - fixed names
            (ts(now), reachout_id),
        )
        return changed == 1

    async def forget(self, couple_id: int, user_id: int) -> int:
        """Delete the notes this partner sent."""
        return await self._run(
            "DELETE FROM reachouts WHERE couple_id = ? AND from_user_id = ?", (couple_id, user_id)
        )

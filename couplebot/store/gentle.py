"""Gentle notes: which notes were decided for a couple (for the rate limits), held
until quiet hours end, and whether the couple wants them at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from couplebot.store.base import Repository, due_ts, parse_ts, ts


@dataclass(frozen=True)
class GentleNote:
    id: int
    couple_id: int
    dedupe_key: str
    kind: str
    user_id: int | None  # the one partner a private note goes to; None: to both
    decided_at: datetime
    deliver_at: datetime
    queued_at: datetime | None


def _note(row: aiosqlite.Row) -> GentleNote:
    return GentleNote(
        id=row["id"],
        couple_id=row["couple_id"],
        dedupe_key=row["dedupe_key"],
        kind=row["kind"],
        user_id=row["user_id"],
        decided_at=datetime.fromisoformat(row["decided_at"]),
        deliver_at=datetime.fromisoformat(row["deliver_at"]),
        queued_at=parse_ts(row["queued_at"]),
    )


class GentleNotesRepository(Repository):
    async def decide(
        self,
        couple_id: int,
        dedupe_key: str,
        *,
        kind: str,
        user_id: int | None,
        now: datetime,
        deliver_at: datetime,
    ) -> bool:
        """Record a note to send at `deliver_at`; False if that key was already decided."""
        inserted = await self._run(
            "INSERT INTO gentle_notes (couple_id, dedupe_key, kind, user_id, decided_at, "
            "deliver_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING",
            (couple_id, dedupe_key, kind, user_id, due_ts(now), due_ts(deliver_at)),
        )
        return inserted == 1

    async def since(self, couple_id: int, since: datetime) -> list[GentleNote]:
        """Notes decided for the couple since `since`, oldest first."""
        rows = await self._all(
            "SELECT * FROM gentle_notes WHERE couple_id = ? AND decided_at >= ? "
            "ORDER BY decided_at, id",
            (couple_id, due_ts(since)),
        )
        return [_note(r) for r in rows]

    async def by_key(self, dedupe_key: str) -> GentleNote | None:
        row = await self._one("SELECT * FROM gentle_notes WHERE dedupe_key = ?", (dedupe_key,))
        return _note(row) if row else None

    async def drop(self, note_id: int) -> None:
        """A held note that waited too long: it goes, as if never decided."""
        await self._run("DELETE FROM gentle_notes WHERE id = ? AND queued_at IS NULL", (note_id,))

    async def held(self, couple_id: int) -> list[GentleNote]:
        """Notes decided but not handed to the outbox yet, soonest first."""
        rows = await self._all(
            "SELECT * FROM gentle_notes WHERE couple_id = ? AND queued_at IS NULL "
            "ORDER BY deliver_at, id",
            (couple_id,),
        )
        return [_note(r) for r in rows]

    async def mark_queued(self, note_id: int, now: datetime) -> bool:
        changed = await self._run(
            "UPDATE gentle_notes SET queued_at = ? WHERE id = ? AND queued_at IS NULL",
            (ts(now), note_id),
        )
        return changed == 1

    async def drop_held(self, couple_id: int) -> int:
        """Forget notes not sent yet (gentle notes were turned off)."""
        return await self._run(
            "DELETE FROM gentle_notes WHERE couple_id = ? AND queued_at IS NULL", (couple_id,)
        )

    async def to_partner(self, couple_id: int, user_id: int) -> list[GentleNote]:
        rows = await self._all(
            "SELECT * FROM gentle_notes WHERE couple_id = ? AND user_id = ? ORDER BY decided_at",
            (couple_id, user_id),
        )
        return [_note(r) for r in rows]

    async def forget_partner(self, couple_id: int, user_id: int) -> int:
        return await self._run(
            "DELETE FROM gentle_notes WHERE couple_id = ? AND user_id = ?", (couple_id, user_id)
        )

    async def enabled(self, couple_id: int) -> bool:
        row = await self._one(
            "SELECT enabled FROM gentle_note_settings WHERE couple_id = ?", (couple_id,)
        )
        return True if row is None else bool(row["enabled"])

    async def set_enabled(self, couple_id: int, enabled: bool, now: datetime) -> None:
        await self._run(
            "INSERT INTO gentle_note_settings (couple_id, enabled, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (couple_id) DO UPDATE SET enabled = excluded.enabled, "
            "updated_at = excluded.updated_at",
            (couple_id, int(enabled), ts(now)),
        )

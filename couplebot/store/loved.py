"""The "what makes me feel loved" lists and the weekly ideas drawn from them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from couplebot.store.base import Repository, parse_ts, ts


@dataclass(frozen=True)
class LovedList:
    user_id: int
    items: tuple[str, ...]
    share: bool  # may the other partner be offered an item as an idea
    ideas_by_dm: bool  # does this partner take the other's ideas by DM

    @classmethod
    def empty(cls, user_id: int) -> LovedList:
        return cls(user_id, (), share=True, ideas_by_dm=False)


@dataclass(frozen=True)
class LovedIdeaRow:
    id: int
    about_user_id: int
    to_user_id: int
    week: date
    item: str | None  # None once its author asked to be forgotten
    created_at: datetime
    delivered_at: datetime | None


class LovedRepository(Repository):
    async def get(self, couple_id: int, user_id: int) -> LovedList:
        row = await self._one(
            "SELECT * FROM loved_lists WHERE couple_id = ? AND user_id = ?", (couple_id, user_id)
        )
        if row is None:
            return LovedList.empty(user_id)
        items = json.loads(self._cipher.decrypt(row["items"]))
        return LovedList(user_id, tuple(items), bool(row["share"]), bool(row["ideas_by_dm"]))

    async def save(self, couple_id: int, loved: LovedList, now: datetime) -> None:
        await self._run(
            "INSERT INTO loved_lists (couple_id, user_id, items, share, ideas_by_dm, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (couple_id, user_id) DO UPDATE SET "
            "items = excluded.items, share = excluded.share, "
            "ideas_by_dm = excluded.ideas_by_dm, updated_at = excluded.updated_at",
            (
                couple_id,
                loved.user_id,
                self._cipher.encrypt(json.dumps(list(loved.items), ensure_ascii=False)),
                int(loved.share),
                int(loved.ideas_by_dm),
                ts(now),
            ),
        )

    async def add_idea(
        self,
        couple_id: int,
        *,
        about_user_id: int,
        to_user_id: int,
        week: date,
        item: str,
        new_cycle: bool,
        now: datetime,
    ) -> int | None:
        """Record this week's idea for `to_user_id`; None if they already have one this week."""
        row = await self._one(
            "INSERT INTO loved_ideas (couple_id, about_user_id, to_user_id, week, item, "
            "new_cycle, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (couple_id, to_user_id, week) DO NOTHING RETURNING id",
            (
                couple_id,
                about_user_id,
                to_user_id,
                week.isoformat(),
                self._cipher.encrypt(item),
                int(new_cycle),
                ts(now),
            ),
        )
        return int(row["id"]) if row is not None else None

    async def has_idea(self, couple_id: int, to_user_id: int, week: date) -> bool:
        row = await self._one(
            "SELECT 1 FROM loved_ideas WHERE couple_id = ? AND to_user_id = ? AND week = ?",
            (couple_id, to_user_id, week.isoformat()),
        )
        return row is not None

    async def mentioned(self, couple_id: int, about_user_id: int) -> list[str]:
        """Items of this partner's list offered since their current cycle began."""
        rows = await self._all(
            "SELECT item, new_cycle FROM loved_ideas WHERE couple_id = ? AND about_user_id = ? "
            "ORDER BY id DESC",
            (couple_id, about_user_id),
        )
        found = []
        for row in rows:
            if row["item"] is not None:
                found.append(self._cipher.decrypt(row["item"]))
            if row["new_cycle"]:
                break
        return found

    def _idea(self, row: aiosqlite.Row) -> LovedIdeaRow:
        item = row["item"]
        return LovedIdeaRow(
            id=row["id"],
            about_user_id=row["about_user_id"],
            to_user_id=row["to_user_id"],
            week=date.fromisoformat(row["week"]),
            item=self._cipher.decrypt(item) if item is not None else None,
            created_at=datetime.fromisoformat(row["created_at"]),
            delivered_at=parse_ts(row["delivered_at"]),
        )

    async def idea(self, idea_id: int) -> LovedIdeaRow | None:
        row = await self._one("SELECT * FROM loved_ideas WHERE id = ?", (idea_id,))
        return self._idea(row) if row is not None else None

    async def waiting_for(self, couple_id: int, to_user_id: int) -> LovedIdeaRow | None:
        """The newest idea not yet shown to this partner."""
        row = await self._one(
            "SELECT * FROM loved_ideas WHERE couple_id = ? AND to_user_id = ? "
            "AND delivered_at IS NULL AND item IS NOT NULL ORDER BY id DESC LIMIT 1",
            (couple_id, to_user_id),
        )
        return self._idea(row) if row is not None else None

    async def mark_delivered(self, couple_id: int, to_user_id: int, now: datetime) -> int:
        """Every idea waiting for this partner counts as shown (older ones are superseded)."""
        return await self._run(
            "UPDATE loved_ideas SET delivered_at = ? WHERE couple_id = ? AND to_user_id = ? "
            "AND delivered_at IS NULL",
            (ts(now), couple_id, to_user_id),
        )

    async def unmark_delivered(self, idea_id: int) -> None:
        await self._run("UPDATE loved_ideas SET delivered_at = NULL WHERE id = ?", (idea_id,))

    async def recent_posts(self, couple_id: int) -> tuple[int, datetime | None]:
        """(the couple's posts waiting unsent, when their latest post was recorded).

        Reads the outbox table, to tell whether a moment is quiet enough for an idea.
        """
        unsent = await self._one(
            "SELECT COUNT(*) AS n FROM outbox WHERE couple_id = ? AND sent_at IS NULL",
            (couple_id,),
        )
        latest = await self._one(
            "SELECT created_at FROM outbox WHERE couple_id = ? ORDER BY id DESC LIMIT 1",
            (couple_id,),
        )
        return (
            int(unsent["n"]) if unsent else 0,
            parse_ts(latest["created_at"]) if latest else None,
        )

    async def forget(self, couple_id: int, user_id: int, now: datetime) -> int:
        """Delete this partner's list and blank the ideas drawn from it (the weeks stay taken)."""
        deleted = await self._run(
            "DELETE FROM loved_lists WHERE couple_id = ? AND user_id = ?", (couple_id, user_id)
        )
        deleted += await self._run(
            "UPDATE loved_ideas SET item = NULL, delivered_at = COALESCE(delivered_at, ?) "
            "WHERE couple_id = ? AND about_user_id = ? AND item IS NOT NULL",
            (ts(now), couple_id, user_id),
        )
        return deleted

"""Forgetting a partner, and the servers that removed the bot."""

from __future__ import annotations

from datetime import datetime

from couplebot.store.base import Repository, ts


class PrivacyRepository(Repository):
    async def forget_partner(self, couple_id: int, user_id: int, blank_prompt: str) -> int:
        """Delete what this partner wrote or set; returns how many rows went.

        Their own questions also leave the exchanges that asked them (the prompt becomes
        `blank_prompt`). Outbox rows stay: they hold no text, and their keys keep a post
        (a reminder, say) from being made twice.
        """
        own = await self._all(
            "SELECT id FROM custom_questions WHERE couple_id = ? AND author_id = ?",
            (couple_id, user_id),
        )
        for row in own:
            await self._run(
                "UPDATE exchanges SET prompt = ? "
                "WHERE couple_id = ? AND topic_id = ? AND prompt_private = 1",
                (self._cipher.encrypt(blank_prompt), couple_id, f"custom-{row['id']}"),
            )
        deleted = await self._run(
            "DELETE FROM responses WHERE user_id = ? "
            "AND exchange_id IN (SELECT id FROM exchanges WHERE couple_id = ?)",
            (user_id, couple_id),
        )
        deleted += await self._run(
            "DELETE FROM custom_questions WHERE couple_id = ? AND author_id = ?",
            (couple_id, user_id),
        )
        await self._run(
            "UPDATE partners SET timezone = NULL, quiet_start = '22:00', quiet_end = '08:00' "
            "WHERE couple_id = ? AND user_id = ?",
            (couple_id, user_id),
        )
        return deleted

    async def couples_of(self, user_id: int) -> list[int]:
        rows = await self._all(
            "SELECT couple_id FROM partners WHERE user_id = ? ORDER BY couple_id", (user_id,)
        )
        return [int(r["couple_id"]) for r in rows]

    async def guild_ids(self) -> set[int]:
        """Servers of couples the bot still serves (not yet marked as left)."""
        rows = await self._all(
            "SELECT guild_id FROM couples WHERE left_at IS NULL AND former_guild_id IS NULL"
        )
        return {int(r["guild_id"]) for r in rows}

    async def left_guild_ids(self) -> set[int]:
        """Servers marked as left (their couples wait out the grace period)."""
        rows = await self._all("SELECT guild_id FROM couples WHERE left_at IS NOT NULL")
        return {int(r["guild_id"]) for r in rows}

    async def mark_left(self, guild_id: int, now: datetime) -> bool:
        changed = await self._run(
            "UPDATE couples SET left_at = ? WHERE guild_id = ? AND left_at IS NULL",
            (ts(now), guild_id),
        )
        return changed == 1

    async def mark_returned(self, guild_id: int) -> bool:
        changed = await self._run(
            "UPDATE couples SET left_at = NULL WHERE guild_id = ? AND left_at IS NOT NULL",
            (guild_id,),
        )
        return changed == 1

    async def delete_couples_left_before(self, cutoff: datetime) -> int:
        return await self._run(
            "DELETE FROM couples WHERE (left_at IS NOT NULL AND left_at < ?) "
            "OR (ended_at IS NOT NULL AND ended_at < ?)",
            (ts(cutoff), ts(cutoff)),
        )

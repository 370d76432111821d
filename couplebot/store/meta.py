"""Small key-value facts about the installation (e.g. the slash-command hash)."""

from __future__ import annotations

from couplebot.store.base import Repository


class MetaRepository(Repository):
    async def get(self, key: str) -> str | None:
        row = await self._one("SELECT value FROM meta WHERE key = ?", (key,))
        return str(row["value"]) if row else None

    async def set(self, key: str, value: str) -> None:
        await self._run(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

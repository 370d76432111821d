"""What every repository shares: one open transaction, the cipher, and row helpers."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime, time
from typing import Any

from couplebot.store.crypto import Cipher
from couplebot.store.sql import Sql

# The couples couplebot serves: accepted, not ended, and their server still has the bot.
ACTIVE_COUPLE = "left_at IS NULL AND ended_at IS NULL AND accepted_at IS NOT NULL"


def ts(instant: datetime) -> str:
    return instant.isoformat()


def due_ts(instant: datetime) -> str:
    """A fixed-width UTC timestamp, so due instants compare correctly as text."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def parse_ts(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def hhmm(value: time) -> str:
    return value.strftime("%H:%M")


class Repository:
    """Bound to one open transaction; the store hands one of each out per transaction."""

    def __init__(self, sql: Sql, cipher: Cipher) -> None:
        self._sql = sql
        self._cipher = cipher

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        rows = await self._sql.all(sql, params)
        return rows[0] if rows else None

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return await self._sql.all(sql, params)

    async def _run(self, sql: str, params: Sequence[Any] = ()) -> int:
        return await self._sql.run(sql, params)

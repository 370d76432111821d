"""What every repository shares: one open transaction, the cipher, and row helpers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time
from typing import Any

import aiosqlite

from couplebot.store.crypto import Cipher

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

    def __init__(self, conn: aiosqlite.Connection, cipher: Cipher) -> None:
        self._conn = conn
        self._cipher = cipher

    # One trip to aiosqlite's thread per statement (not three: execute, fetch, close);
    # under load every trip waits for the loop and the thread in turn.

    async def _one(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        rows = list(await self._conn.execute_fetchall(sql, params))
        return rows[0] if rows else None

    async def _all(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        return list(await self._conn.execute_fetchall(sql, params))

    async def _run(self, sql: str, params: Sequence[Any] = ()) -> int:
        cursor = await self._conn.execute(sql, params)
        return cursor.rowcount

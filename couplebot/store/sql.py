"""How one open transaction runs its statements: through aiosqlite's thread, or inline.

A trip to aiosqlite's thread lets the loop run on while SQLite works, but each one waits
for a turn of the loop and of the thread; on a busy loop that is milliseconds, where a
small indexed statement takes microseconds. So small units of work (a reply's write, a
click's read, a post's build and its sent mark) run inline, on the loop's thread, their
BEGIN and COMMIT too (a commit's fsync is well under a millisecond on an SSD); whatever
may touch many rows (the morning's batches, planning, export) keeps to the thread.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

import aiosqlite


class Sql:
    """The statements of one open transaction, each a trip to aiosqlite's thread."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return list(await self._conn.execute_fetchall(sql, params))

    async def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Rows changed."""
        cursor = await self._conn.execute(sql, params)
        return cursor.rowcount

    async def run_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self._conn.executemany(sql, rows)


class InlineSql(Sql):
    """The same statements run at once on the loop's thread, on the connection aiosqlite
    owns; safe because the caller holds that connection's lock (its thread is idle)."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        super().__init__(conn)
        self._raw: sqlite3.Connection = conn._conn  # aiosqlite's own sqlite3 connection

    async def all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return self._raw.execute(sql, params).fetchall()

    async def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self._raw.execute(sql, params).rowcount

    async def run_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self._raw.executemany(sql, rows)

    def try_begin_immediate(self, busy_timeout_ms: int) -> bool:
        """BEGIN IMMEDIATE at once, or False if another process holds the write lock (the
        caller then waits for it in the thread, not here on the loop)."""
        self._raw.execute("PRAGMA busy_timeout = 0")
        try:
            self._raw.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode not in {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}:
                raise
            return False
        finally:
            self._raw.execute(f"PRAGMA busy_timeout = {busy_timeout_ms:d}")
        return True

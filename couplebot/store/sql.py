"""How one open transaction runs its statements: through aiosqlite's thread, or inline.

A trip to aiosqlite's thread lets the loop run on while SQLite works, but each one waits
for a turn of the loop and of the thread; on a busy loop that is milliseconds, where a
small indexed statement takes microseconds. So the few small statements a person waits
on (a reply's write, a click's read) run inline, on the loop's thread; everything that
may touch many rows (the fan-out, planning, export) keeps to the thread.
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

"""The aiosqlite connections (the main one, and a few for snapshot reads beside a write),
serialized transactions and numbered migrations."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

import aiosqlite

from couplebot.store.crypto import Cipher, check_key, record_key_check
from couplebot.store.errors import (
    DamagedDatabaseError,
    SaveFailedError,
    SchemaTooNewError,
    StoreError,
)
from couplebot.store.priority_lock import PriorityLock
from couplebot.store.sql import InlineSql, Sql

__all__ = [
    "DamagedDatabaseError",
    "Database",
    "SaveFailedError",
    "SchemaTooNewError",
    "StoreError",
    "migrations",
    "owner_only",
]

log = logging.getLogger(__name__)
SIDE_FILES = ("-wal", "-shm", "-journal")
BACKUP_ADVICE = "restore it from a backup as the README's section Backup and restore explains"

_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")
# Snapshot readers: reads that must answer fast run side by side, each on its own
# connection (and aiosqlite thread), instead of queueing on one.
READERS = 3


def owner_only(database: Path) -> None:
    """Create the database file mode 600 (SQLite gives its WAL and SHM files the same mode),
    and take group and other access away from an existing one and its side files."""
    if not database.exists() and database.parent.is_dir():
        try:
            os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except OSError:
            return  # SQLite reports why the file cannot be made
    for candidate in (database, *(Path(f"{database}{side}") for side in SIDE_FILES)):
        try:
            mode = candidate.stat().st_mode
            if candidate.is_file() and mode & 0o077:
                candidate.chmod(mode & 0o700)
        except OSError:
            continue  # not there, or not ours: SQLite reports what matters


async def _quick_check(conn: aiosqlite.Connection, path: Path) -> None:
    try:
        async with conn.execute("PRAGMA quick_check") as cursor:
            rows = [str(row[0]) for row in await cursor.fetchall()]
        problem = None if rows == ["ok"] else " ".join(" ".join(rows[:2]).split()) or "?"
    except sqlite3.OperationalError:
        raise  # busy or locked: not damage
    except sqlite3.DatabaseError as exc:
        problem = str(exc)
    if problem is not None:
        raise DamagedDatabaseError(
            f"The database at {path} is damaged (quick_check: {problem.rstrip('.')}), so "
            f"couplebot will not use it; {BACKUP_ADVICE}."
        )


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every shipped migration, in order."""
    found = []
    for entry in resources.files("couplebot.store").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort()
    return found


async def _connect(path: Path) -> aiosqlite.Connection:
    # Inline statements (store/sql.py) use the connection from the loop's thread too.
    connecting = aiosqlite.connect(str(path), isolation_level=None, check_same_thread=False)
    try:
        return await connecting
    except sqlite3.Error as exc:
        # aiosqlite stops its worker thread without waiting for it; wait here, or the
        # thread reports to a loop that asyncio.run() has closed (a stray traceback).
        await asyncio.to_thread(connecting._thread.join, 5)
        raise StoreError(f"Could not open the database at {path}: {exc}.") from exc


class Database:
    """Owns the connections. Every unit of work on the main one holds the lock, so
    transactions never interleave, and an urgent write (someone waits on it) goes ahead
    of background ones; snapshot reads go to a pool of read connections (WAL lets them
    run beside a write), so a click's read never queues behind the fan-out's writes."""

    def __init__(self, conn: aiosqlite.Connection, busy_timeout_ms: int) -> None:
        self._conn = conn
        self._busy_timeout_ms = busy_timeout_ms
        self._lock = PriorityLock()
        self._readers: list[aiosqlite.Connection] = []
        self._free_readers: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()

    @classmethod
    async def open(
        cls,
        path: Path | str,
        *,
        migrate: bool = True,
        busy_timeout_ms: int = 5000,
        cipher: Cipher | None = None,
    ) -> Database:
        """Open (creating it owner-only), refuse a damaged file, migrate, and check the key."""
        path = Path(path)
        owner_only(path)
        conn = await _connect(path)
        db = cls(conn, busy_timeout_ms)
        try:
            conn.row_factory = aiosqlite.Row
            await conn.execute("PRAGMA journal_mode=WAL")
            await _configure(conn, busy_timeout_ms)
            owner_only(path)  # the WAL and SHM files SQLite made beside it
            await _quick_check(conn, path)
            if cipher is not None:
                await check_key(conn, cipher, path)
            if migrate:
                await db.migrate()
            else:
                await db.check_schema()
            if cipher is not None:
                await record_key_check(conn, cipher)
            for _ in range(READERS):
                reader = await _open_reader(path, busy_timeout_ms)
                db._readers.append(reader)
                db._free_readers.put_nowait(reader)
        except sqlite3.Error as exc:
            await db._close_all()
            raise StoreError(f"Could not open the database at {path}: {exc}.") from exc
        except BaseException:
            await db._close_all()
            raise
        return db

    async def _close_all(self) -> None:
        for reader in self._readers:
            await reader.close()
        await self._conn.close()

    async def close(self) -> None:
        async with self._lock, self._every_reader():
            await self._close_all()

    def connections(self) -> list[aiosqlite.Connection]:
        return [self._conn, *self._readers]

    @asynccontextmanager
    async def _every_reader(self) -> AsyncIterator[None]:
        """No snapshot read runs until this is over (each reader is taken in turn)."""
        taken = [await self._free_readers.get() for _ in self._readers]
        try:
            yield
        finally:
            for reader in taken:
                self._free_readers.put_nowait(reader)

    async def schema_version(self) -> int:
        async with self._conn.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def check_schema(self) -> int:
        version = await self.schema_version()
        known = max((v for v, _, _ in migrations()), default=0)
        if version > known:
            raise SchemaTooNewError(
                f"The database schema is version {version}, newer than this couplebot "
                f"knows ({known}); upgrade couplebot before starting it on this database."
            )
        return version

    async def migrate(self) -> list[str]:
        """Apply pending migrations, each in its own transaction. Returns their names."""
        applied = []
        async with self._lock:
            current = await self.check_schema()
            for version, name, sql in migrations():
                if version <= current:
                    continue
                statements = [s for s in sql.split(";\n") if s.strip()]
                try:
                    await self._conn.execute("BEGIN IMMEDIATE")
                    for statement in statements:
                        await self._conn.execute(statement)
                    await self._conn.execute(f"PRAGMA user_version = {version:d}")
                    await self._conn.execute("COMMIT")
                except sqlite3.Error as exc:
                    if self._conn.in_transaction:
                        await self._conn.execute("ROLLBACK")
                    raise StoreError(f"Migration {name} failed: {exc}.") from exc
                log.info("applied migration %s", name)
                applied.append(name)
        return applied

    async def checkpoint(self) -> None:
        """Fold the WAL into the database and empty it (after deleting private text)."""
        async with self._lock, self._every_reader():
            await self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def urgent_waiting(self) -> bool:
        """A write someone is waiting on is queued behind the one in progress."""
        return self._lock.urgent_waiting()

    @asynccontextmanager
    async def transaction(self, *, urgent: bool = False, small: bool = False) -> AsyncIterator[Sql]:
        """A write transaction (BEGIN IMMEDIATE), committed on success, rolled back on error.
        `urgent`: someone is waiting on it (a reply's submit), so it goes ahead of
        background writes and reads queued for the lock. `small`: a few statements on a
        few rows, so they run inline (store/sql.py) and the lock is held for as short as
        can be; an urgent write is always small."""
        async with self._lock.hold(urgent=urgent):
            sql = InlineSql(self._conn) if urgent or small else Sql(self._conn)
            try:
                await self._begin_immediate(sql)
            except sqlite3.OperationalError as exc:
                raise SaveFailedError(str(exc)) from exc
            try:
                yield sql
                await sql.run("COMMIT")
            except BaseException as exc:
                if self._conn.in_transaction:  # SQLite may have rolled back by itself
                    await sql.run("ROLLBACK")
                if isinstance(exc, sqlite3.OperationalError | sqlite3.DatabaseError):
                    raise SaveFailedError(str(exc)) from exc
                raise

    async def _begin_immediate(self, sql: Sql) -> None:
        if isinstance(sql, InlineSql) and sql.try_begin_immediate(self._busy_timeout_ms):
            return
        await self._conn.execute("BEGIN IMMEDIATE")  # waits for another process in the thread

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Sql]:
        """A consistent read in line with the writes: it waits for the writes begun or queued
        before it, so it sees them (a tick right after a reply sees what that reply saved)."""
        async with self._lock:
            await self._conn.execute("BEGIN")
            try:
                yield Sql(self._conn)
            finally:
                await self._conn.execute("COMMIT")

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Sql]:
        """A consistent read of what is committed now, on a read connection: it never
        waits for a write, and runs inline. For a few small reads that must answer fast
        (a click opening a form), never for a scan of many rows."""
        reader = await self._free_readers.get()
        sql = InlineSql(reader)
        try:
            await sql.run("BEGIN")
            try:
                yield sql
            finally:
                await sql.run("COMMIT")
        finally:
            self._free_readers.put_nowait(reader)


async def _configure(conn: aiosqlite.Connection, busy_timeout_ms: int) -> None:
    await conn.execute("PRAGMA synchronous=FULL")
    await conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms):d}")
    await conn.execute("PRAGMA foreign_keys=ON")
    await conn.execute("PRAGMA secure_delete=ON")  # deleted text is overwritten


async def _open_reader(path: Path, busy_timeout_ms: int) -> aiosqlite.Connection:
    """The read connection: query_only, so a write slipped into a read fails loudly."""
    reader = await _connect(path)
    try:
        reader.row_factory = aiosqlite.Row
        await _configure(reader, busy_timeout_ms)
        await reader.execute("PRAGMA query_only=ON")
    except BaseException:
        await reader.close()
        raise
    return reader

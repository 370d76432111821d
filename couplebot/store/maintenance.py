"""What the operator's commands read and copy: status, backup, verify, restore.

Plain sqlite3, without the bot or its event loop. Status and backup only read, so they
work while the bot runs; restore replaces the file, so the CLI holds the lock around it.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from couplebot.domain.schedule import next_round
from couplebot.store.base import ACTIVE_COUPLE
from couplebot.store.crypto import (
    Cipher,
    holds_encrypted_text,
    key_file_for,
    key_fits,
    write_key_file,
)
from couplebot.store.db import SIDE_FILES, migrations, owner_only
from couplebot.store.errors import StoreError

DUE_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class DueRound:
    couple_id: int
    local_date: date
    due_at: datetime  # UTC


@dataclass(frozen=True)
class Status:
    schema_version: int
    known_version: int
    couples: int  # set up, accepted, not ended, the bot still in their server
    couples_left: int  # their server removed the bot: deleted after the grace
    couples_ended: int  # ended or replaced: deleted after the grace
    couples_waiting: int  # a /setup the named partner has not accepted yet
    due_soon: list[DueRound]
    pending_posts: int
    oldest_pending: datetime | None
    last_post: datetime | None


@dataclass(frozen=True)
class Verified:
    schema_version: int
    key_checked: bool  # False: the database holds nothing encrypted to try the key on


@contextmanager
def read_only(database: Path) -> Iterator[sqlite3.Connection]:
    """A connection that only reads and never creates the file. It is opened read-write
    (mode=rw) so that, when it is the last one to close, SQLite tidies the WAL away."""
    if not database.is_file():
        raise StoreError(f"There is no database at {database}.")
    uri = f"file:{quote(str(database.resolve()))}?mode=rw"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=5)
    except sqlite3.Error as exc:
        raise StoreError(f"Could not open the database at {database}: {exc}.") from exc
    try:
        yield conn
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"Could not read the database at {database}: {exc}.") from exc
    finally:
        conn.close()


def read_status(database: Path, now: datetime) -> Status:
    with read_only(database) as conn:
        conn.execute("BEGIN")  # one snapshot for every number below
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        known = max(v for v, _, _ in migrations())
        if version == 0:
            return Status(0, known, 0, 0, 0, 0, [], 0, None, None)
        couples = conn.execute(
            f"SELECT id, timezone, question_time FROM couples WHERE {ACTIVE_COUPLE} ORDER BY id"  # noqa: S608
        ).fetchall()
        left, ended, waiting = conn.execute(
            "SELECT COUNT(*) FILTER (WHERE left_at IS NOT NULL),"
            " COUNT(*) FILTER (WHERE left_at IS NULL AND ended_at IS NOT NULL),"
            " COUNT(*) FILTER (WHERE left_at IS NULL AND ended_at IS NULL"
            " AND accepted_at IS NULL) FROM couples"
        ).fetchone()
        pending, oldest = conn.execute(
            "SELECT COUNT(*), MIN(created_at) FROM outbox WHERE sent_at IS NULL"
        ).fetchone()
        (last,) = conn.execute(
            "SELECT MAX(sent_at) FROM outbox WHERE message_id IS NOT NULL"
        ).fetchone()
        due = [
            found
            for couple_id, zone, at in couples
            if (found := _due_soon(conn, couple_id, zone, at, now)) is not None
        ]
        conn.execute("COMMIT")
    return Status(
        schema_version=version,
        known_version=known,
        couples=len(couples),
        couples_left=int(left),
        couples_ended=int(ended),
        couples_waiting=int(waiting),
        due_soon=due,
        pending_posts=int(pending),
        oldest_pending=datetime.fromisoformat(oldest) if oldest else None,
        last_post=datetime.fromisoformat(last) if last else None,
    )


def count_couples(database: Path) -> int:
    """Couples the bot serves now: accepted, not ended, still in their server."""
    with read_only(database) as conn:
        (count,) = conn.execute(
            f"SELECT COUNT(*) FROM couples WHERE {ACTIVE_COUPLE}"  # noqa: S608 - a constant
        ).fetchone()
    return int(count)


def _due_soon(
    conn: sqlite3.Connection, couple_id: int, zone: str, at: str, now: datetime
) -> DueRound | None:
    """The couple's next round if it is due within the hour, not out yet and not paused."""
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    day, due_at = next_round(now, time.fromisoformat(at), tz)
    if due_at - now > DUE_WINDOW:
        return None
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    made_sql = (  # the daily rounds became exchanges of kind 'daily' in schema 3
        "SELECT 1 FROM exchanges WHERE couple_id = ? AND kind = 'daily' AND slot = ?"
        if "exchanges" in tables
        else "SELECT 1 FROM rounds WHERE couple_id = ? AND local_date = ?"
    )
    made = conn.execute(made_sql, (couple_id, day.isoformat())).fetchone()
    paused = conn.execute(
        "SELECT 1 FROM pauses WHERE couple_id = ? AND first_day <= ? AND last_day >= ?",
        (couple_id, day.isoformat(), day.isoformat()),
    ).fetchone()
    return None if made or paused else DueRound(couple_id, day, due_at)


# Backup


def backup_to(database: Path, target: Path) -> None:
    """A consistent copy through SQLite's online backup API (the bot may keep writing), made
    in a temporary file beside the target, synced, then linked into place (never over a file).
    The copy is a single file: its journal mode is set back from WAL to DELETE."""
    if target.exists() or target.is_symlink():
        raise StoreError(f"{target} already exists; choose a new name for the backup.")
    if not target.parent.is_dir():
        raise StoreError(f"The folder {target.parent} does not exist.")
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        owner_only(temporary)
        with read_only(database) as source:
            copy = sqlite3.connect(temporary)
            try:
                source.backup(copy)
                copy.execute("PRAGMA journal_mode=DELETE")
            finally:
                copy.close()
        sync_file(temporary)
        os.link(temporary, target)
        sync_file(target.parent)
    except sqlite3.Error as exc:
        raise StoreError(f"The backup of {database} failed: {exc}.") from exc
    except OSError as exc:
        raise StoreError(f"The backup to {target} could not be written ({exc.strerror}).") from exc
    finally:
        for leftover in (temporary, *(Path(f"{temporary}{side}") for side in SIDE_FILES)):
            leftover.unlink(missing_ok=True)


def verify(database: Path, key: bytes | None) -> Verified:
    """It opens, passes quick_check, is a schema this couplebot knows, and the key fits."""
    with read_only(database) as conn:
        rows = [str(row[0]) for row in conn.execute("PRAGMA quick_check").fetchall()]
        if rows != ["ok"]:
            problem = " ".join(" ".join(rows[:2]).split())
            raise StoreError(f"{database} is damaged (quick_check: {problem.rstrip('.')}).")
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        known = max(v for v, _, _ in migrations())
        if version > known:
            raise StoreError(
                f"{database} is at schema version {version}, newer than this couplebot "
                f"knows ({known}); upgrade couplebot first."
            )
        fits = key_fits(conn, Cipher(key)) if key is not None else None
    if fits is False:
        raise StoreError(f"The key does not open the encrypted text in {database}.")
    if key is None and holds_encrypted_text(database):
        raise StoreError(f"{database} holds encrypted text, but no key was found for it.")
    return Verified(version, fits is True)


# Restore


def restore_from(
    backup: Path, database: Path, key: bytes | None, *, key_file: bool, stamp: str
) -> Path | None:
    """Put the backup in place of the database, keeping the current one (and its key file)
    aside as `<database>.before-restore-<stamp>`; returns that path, or None if there was no
    database. With key_file, the key is written beside the restored database. The caller
    holds the lock."""
    staged = database.with_name(f".{database.name}.restoring.{os.getpid()}")
    aside = database.with_name(f"{database.name}.before-restore-{stamp}")
    try:
        backup_to(backup, staged)
        verify(staged, key)
        kept: Path | None = None
        if database.exists():
            database.rename(aside)
            kept = aside
            wal = Path(f"{database}-wal")
            if wal.exists() and wal.stat().st_size > 0:  # committed pages not yet in the file
                wal.rename(Path(f"{aside}-wal"))
            wal.unlink(missing_ok=True)
            Path(f"{database}-shm").unlink(missing_ok=True)
            if key_file_for(database).exists():
                key_file_for(database).rename(key_file_for(aside))
        if key_file and key is not None:
            write_key_file(key_file_for(database), key)
        staged.rename(database)
        sync_file(database.parent)
    except OSError as exc:
        raise StoreError(
            f"Restoring {database} failed ({exc.strerror}); look at {aside} and {database} "
            "before starting the bot."
        ) from exc
    finally:
        staged.unlink(missing_ok=True)
    return kept


def sync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

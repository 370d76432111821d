"""Encryption at rest for free text (answers, custom questions) with Fernet, and the key.

The key is COUPLEBOT_SECRET_KEY or a key file beside the database. A new key file is only
ever made for a database that holds no encrypted text, and the database keeps a key check
(a known value, encrypted) so that a wrong key is refused at start instead of being used.
"""

from __future__ import annotations

import binascii
import os
import sqlite3
import stat
from pathlib import Path
from urllib.parse import quote

import aiosqlite
from cryptography.fernet import Fernet, InvalidToken

from couplebot.store.errors import BadKeyError, StoreError

KEY_CHECK_META = "key_check"
KEY_CHECK_TEXT = "couplebot key check"
MAKE_A_KEY = (
    "make one with `python -c 'from cryptography.fernet import Fernet; "
    "print(Fernet.generate_key().decode())'`"
)
# Where encrypted text lives, in every released schema (a table absent from one is skipped;
# the key check covers tables added later).
_ENCRYPTED_SAMPLES = {
    "answers": "SELECT body FROM answers WHERE body IS NOT NULL LIMIT 1",
    "custom_questions": "SELECT text FROM custom_questions LIMIT 1",
    "rounds": "SELECT question_text FROM rounds WHERE theme = 'custom' LIMIT 1",  # schemas 1-2
    "response_fields": "SELECT value FROM response_fields LIMIT 1",
    "exchanges": "SELECT prompt FROM exchanges WHERE prompt_private = 1 LIMIT 1",
}


class Cipher:
    def __init__(self, key: bytes) -> None:
        try:
            self._fernet = Fernet(key)
        except (ValueError, binascii.Error) as exc:
            raise BadKeyError(f"COUPLEBOT_SECRET_KEY is not a valid key; {MAKE_A_KEY}.") from exc

    def encrypt(self, text: str) -> str:
        return self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError) as exc:
            raise StoreError(
                "Stored text cannot be decrypted with this key; is COUPLEBOT_SECRET_KEY "
                "or the key file beside the database the one it was written with?"
            ) from exc

    def opens(self, token: str) -> bool:
        try:
            self.decrypt(token)
        except StoreError:
            return False
        return True


def key_file_for(database: Path) -> Path:
    return database.with_name(database.name + ".key")


def load_or_create_key(database: Path, configured: str | None) -> bytes:
    """The configured key, else the key file beside the DB, else a new key file (owner-only,
    written atomically), but only for a database that holds no encrypted text yet."""
    if configured is not None and configured.strip():
        return configured_key(configured)
    path = key_file_for(database)
    key = read_key_file(path)
    if key is not None:
        return key
    if holds_encrypted_text(database):
        raise BadKeyError(
            f"The key file {path} is missing, but {database} was written with a key: put the "
            "key file back from your backup (or set COUPLEBOT_SECRET_KEY), since a new key "
            "could not read what it holds."
        )
    return write_new_key_file(path)


def configured_key(configured: str) -> bytes:
    text = configured.strip()
    try:
        key = text.encode("ascii")
    except UnicodeEncodeError:
        raise BadKeyError(
            "COUPLEBOT_SECRET_KEY has a character no key has (a key is 44 ASCII letters, "
            f"digits, - and _, ending in =); {MAKE_A_KEY}."
        ) from None
    if not _is_fernet_key(key):
        raise BadKeyError(
            "COUPLEBOT_SECRET_KEY is not a valid key (a key is 44 ASCII letters, digits, "
            f"- and _, ending in =); {MAKE_A_KEY}."
        )
    return key


def read_key_file(path: Path) -> bytes | None:
    """The key in this file; None if there is no file; BadKeyError naming what is wrong."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise BadKeyError(f"The key file {path} cannot be reached ({exc.strerror}).") from None
    if stat.S_ISLNK(info.st_mode) and not path.exists():
        raise BadKeyError(
            f"The key file {path} is a link to {os.readlink(path)}, which does not exist; "
            "put the key back there or replace the link with the key file."
        )
    if path.is_dir():
        raise BadKeyError(
            f"The key file {path} is a directory, not a file; move it away and put the key "
            "file there."
        )
    try:
        data = path.read_bytes()
    except PermissionError:
        raise BadKeyError(
            f"The key file {path} cannot be read by this user; give it to the user couplebot "
            "runs as (chmod 600)."
        ) from None
    except OSError as exc:
        raise BadKeyError(f"The key file {path} cannot be read ({exc.strerror}).") from None
    key = data.strip()
    if not key:
        raise BadKeyError(
            f"The key file {path} is empty; put the key back from your backup (an empty key "
            "file is what an interrupted write leaves behind)."
        )
    if not _is_fernet_key(key):
        raise BadKeyError(
            f"The key file {path} does not hold a valid key; put the key back from your backup."
        )
    return key


def write_new_key_file(path: Path) -> bytes:
    """A new key, written to a temporary file, synced, then linked into place (never over
    an existing file), so a full disk or a crash cannot leave a partial key behind."""
    key = Fernet.generate_key()
    write_key_file(path, key)
    return key


def write_key_file(path: Path, key: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(key + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temporary, path)
        _sync_folder(path.parent)
    except FileExistsError:
        raise BadKeyError(f"The key file {path} appeared while couplebot was writing it.") from None
    except OSError as exc:
        raise BadKeyError(f"The key file {path} could not be written ({exc.strerror}).") from None
    finally:
        temporary.unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _is_fernet_key(key: bytes) -> bool:
    try:
        Fernet(key)
    except (ValueError, binascii.Error):
        return False
    return True


def holds_encrypted_text(database: Path) -> bool:
    """Whether the database file holds a key check or any encrypted text (read-only look)."""
    if not database.is_file() or database.stat().st_size == 0:
        return False
    uri = f"file:{quote(str(database.resolve()))}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        raise StoreError(f"Could not open the database at {database}: {exc}.") from exc
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if (
            "meta" in tables
            and conn.execute("SELECT 1 FROM meta WHERE key = ?", (KEY_CHECK_META,)).fetchone()
        ):
            return True
        return any(
            conn.execute(sql).fetchone()
            for table, sql in _ENCRYPTED_SAMPLES.items()
            if table in tables
        )
    except sqlite3.Error as exc:
        raise StoreError(f"Could not open the database at {database}: {exc}.") from exc
    finally:
        conn.close()


async def check_key(conn: aiosqlite.Connection, cipher: Cipher, database: Path) -> None:
    """Refuse a key that does not open the key check (or, lacking one, the encrypted text).
    Runs before migrations, so a wrong key leaves an old database as it was."""
    async with conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'") as cur:
        tables = {row[0] for row in await cur.fetchall()}
    if "meta" in tables:
        async with conn.execute("SELECT value FROM meta WHERE key = ?", (KEY_CHECK_META,)) as cur:
            row = await cur.fetchone()
        if row is not None:
            if not cipher.opens(row[0]) or cipher.decrypt(row[0]) != KEY_CHECK_TEXT:
                raise _wrong_key(database)
            return
    for table, sql in _ENCRYPTED_SAMPLES.items():
        if table not in tables:
            continue
        async with conn.execute(sql) as cur:
            sample = await cur.fetchone()
        if sample is not None and not cipher.opens(sample[0]):
            raise _wrong_key(database)


async def record_key_check(conn: aiosqlite.Connection, cipher: Cipher) -> None:
    """Store the key check once (after migrations: the meta table exists)."""
    await conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
        (KEY_CHECK_META, cipher.encrypt(KEY_CHECK_TEXT)),
    )


def key_fits(conn: sqlite3.Connection, cipher: Cipher) -> bool | None:
    """Whether this key opens the database's key check (or, lacking one, its encrypted
    text); None when there is nothing encrypted to try it on."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    if "meta" in tables:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (KEY_CHECK_META,)).fetchone()
        if row is not None:
            return cipher.opens(row[0]) and cipher.decrypt(row[0]) == KEY_CHECK_TEXT
    for table, sql in _ENCRYPTED_SAMPLES.items():
        sample = conn.execute(sql).fetchone() if table in tables else None
        if sample is not None:
            return cipher.opens(sample[0])
    return None


def _wrong_key(database: Path) -> BadKeyError:
    return BadKeyError(
        f"This key is not the one {database} was written with (COUPLEBOT_SECRET_KEY, or else "
        f"the key file {key_file_for(database)}); put the right key back from your backup."
    )

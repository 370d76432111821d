"""One couplebot process per database: an exclusive flock on `<database>.lock`.

The kernel drops the lock when the process ends, however it ends, so a crash never leaves
a stale lock. The file holds the PID of the holder, to name it to a second process.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType


class LockHeldError(Exception):
    """Another process holds the database; the message is one sentence for the operator."""


def lock_file_for(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


class DatabaseLock:
    """`with DatabaseLock(db, "run"):` holds the lock for the block, or raises LockHeldError."""

    def __init__(self, database: Path, purpose: str) -> None:
        self.database = database
        self.path = lock_file_for(database)
        self.purpose = purpose
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise LockHeldError(
                f"Another couplebot process ({holder}) is using {self.database}, so "
                f"couplebot {self.purpose} stops here; stop that one first."
            ) from None
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> DatabaseLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()


def holder(database: Path) -> str | None:
    """ "PID n" of the process holding the database's lock right now, or None."""
    try:
        fd = os.open(lock_file_for(database), os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return _read_holder(fd)
    finally:
        os.close(fd)
    return None


def _read_holder(fd: int) -> str:
    text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    return f"PID {text}" if text.isdigit() else "PID unknown"

"""What can go wrong with the store; each message is one sentence meant for people."""

from __future__ import annotations


class StoreError(Exception):
    """The database cannot be used; the message is meant for people."""


class SchemaTooNewError(StoreError):
    pass


class SaveFailedError(StoreError):
    """A write did not happen (locked, full, read-only). Nothing was half-written."""


class DamagedDatabaseError(StoreError):
    """PRAGMA quick_check found a problem: the file must be restored from a backup."""


class BadKeyError(StoreError):
    """The key is missing, malformed, or not the one the database was written with."""

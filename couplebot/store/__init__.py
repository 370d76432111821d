"""Persistence: SQLite through aiosqlite. The only package with SQL."""

from couplebot.store.db import Database, SaveFailedError, SchemaTooNewError, StoreError
from couplebot.store.repository import NewPartner, OutboxItem, Store, Tx

__all__ = [
    "Database",
    "NewPartner",
    "OutboxItem",
    "SaveFailedError",
    "SchemaTooNewError",
    "Store",
    "StoreError",
    "Tx",
]

"""Persistence: SQLite through aiosqlite. The only package with SQL."""

from couplebot.store.db import Database, SaveFailedError, SchemaTooNewError, StoreError
from couplebot.store.repository import CUSTOM_THEME, NewPartner, OutboxItem, Store, Tx

__all__ = [
    "CUSTOM_THEME",
    "Database",
    "NewPartner",
    "OutboxItem",
    "SaveFailedError",
    "SchemaTooNewError",
    "Store",
    "StoreError",
    "Tx",
]

"""Persistence: SQLite through aiosqlite. The only package with SQL."""

from couplebot.store.couples import NewPartner, PartnerChange
from couplebot.store.db import Database, SaveFailedError, SchemaTooNewError, StoreError
from couplebot.store.outbox import DueItem, OutboxItem
from couplebot.store.repository import Store, Tx

__all__ = [
    "Database",
    "DueItem",
    "NewPartner",
    "OutboxItem",
    "PartnerChange",
    "SaveFailedError",
    "SchemaTooNewError",
    "Store",
    "StoreError",
    "Tx",
]

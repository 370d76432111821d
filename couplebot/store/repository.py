"""The store: hands out transactions, and each transaction its narrow repositories."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from couplebot.store.checkins import CheckinsRepository
from couplebot.store.couples import CouplesRepository
from couplebot.store.crypto import Cipher, load_or_create_key
from couplebot.store.dates import DatesRepository
from couplebot.store.db import Database
from couplebot.store.exchanges import ExchangesRepository
from couplebot.store.gentle import GentleNotesRepository
from couplebot.store.loved import LovedRepository
from couplebot.store.meta import MetaRepository
from couplebot.store.notices import NoticesRepository
from couplebot.store.outbox import DueWorkRepository, OutboxRepository
from couplebot.store.privacy import PrivacyRepository
from couplebot.store.reachouts import ReachoutsRepository
from couplebot.store.sql import Sql


class Tx:
    """One open transaction, e.g. `tx.exchanges.reveal_once(...)`."""

    def __init__(self, sql: Sql, cipher: Cipher) -> None:
        self.couples = CouplesRepository(sql, cipher)
        self.exchanges = ExchangesRepository(sql, cipher)
        self.outbox = OutboxRepository(sql, cipher)
        self.due = DueWorkRepository(sql, cipher)
        self.privacy = PrivacyRepository(sql, cipher)
        self.meta = MetaRepository(sql, cipher)
        self.checkins = CheckinsRepository(sql, cipher)
        self.gentle = GentleNotesRepository(sql, cipher)
        self.loved = LovedRepository(sql, cipher)
        self.reachouts = ReachoutsRepository(sql, cipher)
        self.dates = DatesRepository(sql, cipher)
        self.notices = NoticesRepository(sql, cipher)


class Store:
    """The database plus the cipher for private text; hands out transactions."""

    def __init__(self, db: Database, cipher: Cipher) -> None:
        self.db = db
        self._cipher = cipher

    @classmethod
    async def open(cls, path: Path, *, secret_key: str | None = None) -> Store:
        cipher = Cipher(load_or_create_key(path, secret_key))
        return cls(await Database.open(path, cipher=cipher), cipher)

    async def close(self) -> None:
        await self.db.close()

    @asynccontextmanager
    async def write(self, *, urgent: bool = False, small: bool = False) -> AsyncIterator[Tx]:
        """A write transaction; `urgent` when someone waits on it, `small` when it is a few
        statements on a few rows (Database.transaction)."""
        async with self.db.transaction(urgent=urgent, small=small) as sql:
            yield Tx(sql, self._cipher)

    def urgent_waiting(self) -> bool:
        """Someone's write waits behind the write in progress (Database.urgent_waiting)."""
        return self.db.urgent_waiting()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Tx]:
        async with self.db.reading() as sql:
            yield Tx(sql, self._cipher)

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Tx]:
        """What is committed now, without waiting for writes in progress (Database.snapshot)."""
        async with self.db.snapshot() as sql:
            yield Tx(sql, self._cipher)

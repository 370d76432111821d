"""Test helper: the daily round's view of the store, on top of the exchange repositories.

Store tests were written against round-level calls; this keeps what they assert the
same while the store itself only knows exchanges of any kind.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime
from typing import Any

from couplebot.domain.daily import DAILY, answer_of, is_private, round_details, round_of
from couplebot.domain.models import Answer, Round
from couplebot.domain.questions import Question
from couplebot.store import Store, Tx


class DailyTx:
    def __init__(self, tx: Tx) -> None:
        self.tx = tx

    async def save_couple(self, **kwargs: Any) -> Any:
        return await self.tx.couples.save(**kwargs)

    async def couple_by_guild(self, guild_id: int) -> Any:
        return await self.tx.couples.by_guild(guild_id)

    async def create_round(
        self, couple_id: int, day: date, question: Question, cycle: int, now: datetime
    ) -> tuple[Round, bool]:
        exchange, created = await self.tx.exchanges.create(
            couple_id,
            DAILY.name,
            day.isoformat(),
            topic_id=question.id,
            prompt=question.text,
            private=is_private(question),
            details=round_details(question),
            cycle=cycle,
            now=now,
        )
        return round_of(exchange), created

    async def round(self, round_id: int) -> Round | None:
        exchange = await self.tx.exchanges.get(round_id)
        return round_of(exchange) if exchange else None

    async def latest_round(self, couple_id: int) -> Round | None:
        exchange = await self.tx.exchanges.latest(couple_id, DAILY.name)
        return round_of(exchange) if exchange else None

    async def answers(self, round_id: int) -> list[Answer]:
        return [answer_of(r) for r in await self.tx.exchanges.responses(round_id)]

    async def save_answer(
        self, round_id: int, user_id: int, body: str | None, *, passed: bool, now: datetime
    ) -> None:
        values = {} if body is None else {"answer": body}
        await self.tx.exchanges.save_response(round_id, user_id, values, passed=passed, now=now)

    async def mark_revealed(self, round_id: int, now: datetime) -> bool:
        return await self.tx.exchanges.reveal_once(round_id, now)

    async def enqueue(self, key: str, *, round_id: int | None = None, **kwargs: Any) -> bool:
        return await self.tx.outbox.enqueue(key, exchange_id=round_id, **kwargs)

    async def pending_posts(self) -> Any:
        return await self.tx.outbox.pending()

    async def add_custom_question(self, *args: Any) -> Question:
        return await self.tx.couples.add_question(*args)

    async def custom_questions(self, couple_id: int) -> list[Question]:
        return await self.tx.couples.questions(couple_id)

    async def add_pause(self, *args: Any) -> None:
        await self.tx.couples.add_pause(*args)

    async def pauses(self, couple_id: int) -> list[tuple[date, date]]:
        return await self.tx.couples.pauses(couple_id)

    async def meta(self, key: str) -> str | None:
        return await self.tx.meta.get(key)

    async def guild_ids(self) -> set[int]:
        return await self.tx.privacy.guild_ids()


class DailyStore:
    """Wraps a Store so its transactions speak in daily rounds."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.db = store.db

    async def close(self) -> None:
        await self.store.close()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[DailyTx]:
        async with self.store.write() as tx:
            yield DailyTx(tx)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[DailyTx]:
        async with self.store.read() as tx:
            yield DailyTx(tx)

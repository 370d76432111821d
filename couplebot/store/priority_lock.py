"""The main connection's lock: a person's reply gets the database before background work.

Waiters are served in order within each class; an urgent waiter (a write someone is
waiting on, e.g. an answer's submit) goes ahead of every background one (outbox marks,
the morning's round batches, reads after a reply). So that a steady stream of replies
cannot starve the background, a background waiter gets its turn after at most
URGENT_IN_A_ROW urgent ones have gone ahead of it.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

URGENT_IN_A_ROW = 4


class PriorityLock:
    def __init__(self) -> None:
        self._held = False
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._background: deque[asyncio.Future[None]] = deque()
        self._urgent_streak = 0

    def locked(self) -> bool:
        return self._held

    def urgent_waiting(self) -> bool:
        """Someone's write waits for the lock (a long holder should let go soon)."""
        return any(not waiter.done() for waiter in self._urgent)

    @asynccontextmanager
    async def hold(self, *, urgent: bool = False) -> AsyncIterator[None]:
        await self.acquire(urgent=urgent)
        try:
            yield
        finally:
            self.release()

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(self, *_exc: object) -> None:
        self.release()

    async def acquire(self, *, urgent: bool = False) -> None:
        if not self._held:  # (when free, nobody waits: release hands it straight on)
            self._held = True
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = self._urgent if urgent else self._background
        queue.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # handed over just as we were cancelled: pass it on
            elif waiter in queue:
                queue.remove(waiter)
            raise

    def release(self) -> None:
        """Hand the lock straight to the next waiter (it stays held), or free it."""
        if not self._held:
            raise RuntimeError("PriorityLock released while not held")
        if self._urgent_streak < URGENT_IN_A_ROW:
            queues = (self._urgent, self._background)
        else:
            queues = (self._background, self._urgent)
        for queue in queues:
            while queue:
                waiter = queue.popleft()
                if waiter.done():  # cancelled while waiting
                    continue
                # Count only the urgent ones that go ahead of a waiting background one.
                ahead = queue is self._urgent and bool(self._background)
                self._urgent_streak = self._urgent_streak + 1 if ahead else 0
                waiter.set_result(None)
                return
        self._urgent_streak = 0
        self._held = False

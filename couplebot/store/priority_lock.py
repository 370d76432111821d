"""The main connection's lock: a person's reply gets the database before background work.

Waiters are served in order within each class; an urgent waiter (a write someone is
waiting on, e.g. an answer's submit) goes ahead of every background one (outbox marks,
the morning's round batches, reads after a reply). So that a steady stream of replies
cannot starve the background, a background waiter that has waited BACKGROUND_WAITS_AT_MOST
goes next. (This was a count, a background turn after 4 urgent ones: when a morning's
batch held the lock 50 ms, that let through fewer replies than came, and their queue
grew to seconds.)
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

BACKGROUND_WAITS_AT_MOST = 0.1  # seconds, while urgent waiters go ahead


class PriorityLock:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._held = False
        self._clock = clock
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._background: deque[tuple[asyncio.Future[None], float]] = deque()  # + queued at

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
        entry = (waiter, self._clock())
        if urgent:
            self._urgent.append(waiter)
        else:
            self._background.append(entry)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # handed over just as we were cancelled: pass it on
            elif urgent and waiter in self._urgent:
                self._urgent.remove(waiter)
            elif not urgent and entry in self._background:
                self._background.remove(entry)
            raise

    def release(self) -> None:
        """Hand the lock straight to the next waiter (it stays held), or free it."""
        if not self._held:
            raise RuntimeError("PriorityLock released while not held")
        while self._background and self._background[0][0].done():  # cancelled waiters
            self._background.popleft()
        overdue = bool(self._background) and (
            self._clock() - self._background[0][1] >= BACKGROUND_WAITS_AT_MOST
        )
        if not overdue and self._hand_on_urgent():
            return
        if self._background:  # (its first waiter is live: the cancelled went above)
            waiter, _ = self._background.popleft()
            waiter.set_result(None)
            return
        self._held = False

    def _hand_on_urgent(self) -> bool:
        while self._urgent:
            waiter = self._urgent.popleft()
            if not waiter.done():  # (else cancelled while waiting)
                waiter.set_result(None)
                return True
        return False

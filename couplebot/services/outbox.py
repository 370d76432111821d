"""The one outbox sender: sends what pending rows describe, once, in order per couple.

It knows no feature. Features register a builder per row kind (what to send for a
row, from the DB as it is now) and, if they need it, a hook for when a row was sent.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from couplebot.clock import Clock
from couplebot.services.ports import Messenger, Post, UndeliverableError, post_marker
from couplebot.store import OutboxItem, Store, Tx

log = logging.getLogger(__name__)

# Discord dedupes a nonce for a few minutes; older unsent posts are looked up first.
NONCE_TRUST_WINDOW = timedelta(minutes=2)
# A send that takes longer may still have happened; it stays pending and is retried
# with the same nonce, which Discord (and the history check) turn into a no-op.
SEND_TIMEOUT_SECONDS = 30.0

Builder = Callable[[Tx, OutboxItem], Awaitable[Post | None]]
SentHook = Callable[[Tx, OutboxItem, int], Awaitable[None]]


def nonce_for(dedupe_key: str) -> str:
    """A stable nonce (<= 25 chars) for a post, so Discord drops a resend."""
    return "cb" + hashlib.sha256(dedupe_key.encode()).hexdigest()[:23]


class Outbox:
    def __init__(self, store: Store, messenger: Messenger, clock: Clock) -> None:
        self._store = store
        self._messenger = messenger
        self._clock = clock
        self._builders: dict[str, Builder] = {}
        self._sent_hooks: dict[str, SentHook] = {}
        self._flush_lock = asyncio.Lock()

    def register(self, kind: str, builder: Builder, on_sent: SentHook | None = None) -> None:
        self._builders[kind] = builder
        if on_sent is not None:
            self._sent_hooks[kind] = on_sent

    async def flush(self) -> int:
        """Send every pending post once, one flush at a time. Returns how many were sent."""
        async with self._flush_lock:
            async with self._store.read() as tx:
                pending = await tx.outbox.pending()
            sent = 0
            # One thread of posts (an exchange's, or a couple's others) waits for its
            # earlier posts; other threads go on.
            held_back: set[tuple[int, int | None]] = set()
            for item in pending:
                thread = (item.couple_id, item.exchange_id)
                if thread in held_back:
                    continue
                try:
                    if await self._deliver(item):
                        sent += 1
                except TimeoutError:
                    log.warning("sending %s timed out; will retry", item.dedupe_key)
                    held_back.add(thread)
                except Exception:
                    log.exception("could not send %s; will retry", item.dedupe_key)
                    held_back.add(thread)
            return sent

    async def _deliver(self, item: OutboxItem) -> bool:
        post = await self._build(item)
        marker = post_marker(item.dedupe_key)
        message_id: int | None = None
        if post is not None:
            try:
                async with asyncio.timeout(SEND_TIMEOUT_SECONDS):
                    if self._clock.now() - item.created_at > NONCE_TRUST_WINDOW:
                        message_id = await self._messenger.find_sent(post, marker)
                    if message_id is None:
                        message_id = await self._messenger.send(
                            post, nonce=nonce_for(item.dedupe_key), marker=marker
                        )
            except UndeliverableError as exc:
                log.warning("giving up on %s: %s", item.dedupe_key, exc)
                post = None
        async with self._store.write() as tx:
            await tx.outbox.mark_posted(item.id, message_id, self._clock.now())
            hook = self._sent_hooks.get(item.kind)
            if hook is not None and message_id is not None:
                await hook(tx, item, message_id)
        return post is not None

    async def _build(self, item: OutboxItem) -> Post | None:
        builder = self._builders.get(item.kind)
        if builder is None:
            log.warning("no builder for outbox kind %s", item.kind)
            return None
        async with self._store.read() as tx:
            return await builder(tx, item)

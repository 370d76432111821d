"""The one outbox sender: sends what pending rows describe, once, in order per couple.

It knows no feature. Features register a builder per row kind (what to send for a
row, from the DB as it is now) and, if they need it, a hook for when a row was sent.

Sending is concurrent across couples (CONCURRENCY workers, so at most that many posts
in flight; the REST budget and discord.py's route buckets pace them) and strictly in row
order within a couple: a worker takes a couple's next post from a queue of couples, and
the couple goes back to the queue's end only once that post is sent, so no two posts of
a couple are ever in flight at once. A couple whose post failed sends nothing more in
this flush, while every other couple goes on. Waiting couples are rows in the queue, not
tasks: a morning's 10,000 posts keep 40 coroutines alive, not 10,000 (the collector
scans every live one). A couple whose channel refused a post (a lost permission) is
held: its posts wait until the hold's retry time, or until the hold is lifted
(services/notices.py).

A sent post is marked sent in a group commit: the marks (and sent hooks) of the posts
that went out within a few milliseconds share one write transaction, so a morning's
fan-out costs one commit per batch instead of one per post. A post's caller (and its
couple's next post) waits until its mark is committed; a crash before that leaves the
row pending, and the nonce (or the history check) turns the resend into a no-op.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from couplebot.clock import Clock
from couplebot.services.ports import Messenger, Post, UndeliverableError, post_marker
from couplebot.store import OutboxItem, Store, Tx

log = logging.getLogger(__name__)

# Discord dedupes a nonce for a few minutes; a post that may have been sent longer ago
# than this is looked up in the channel before it is sent again.
NONCE_TRUST_WINDOW = timedelta(minutes=2)
# A send that takes longer may still have happened; it stays pending and is retried
# with the same nonce, which Discord (and the history check) turn into a no-op.
SEND_TIMEOUT_SECONDS = 30.0
CONCURRENCY = 40
# A group commit of sent marks waits this long for more marks, or until this many.
COMMIT_AFTER_SECONDS = 0.005
COMMIT_AT_MOST = 50

Builder = Callable[[Tx, OutboxItem], Awaitable[Post | None]]
SentHook = Callable[[Tx, OutboxItem, int], Awaitable[None]]
# Discord refused a post for good: a hook records what to tell the couple; True keeps
# the row pending (its couple's posts wait, see channel_holds) instead of dropping it.
RefusedHook = Callable[[Tx, OutboxItem, UndeliverableError], Awaitable[bool]]


class PostHeldError(Exception):
    """A refused post was kept: its couple sends nothing more until the hold lifts."""


def nonce_for(dedupe_key: str) -> str:
    """A stable nonce (<= 25 chars) for a post, so Discord drops a resend."""
    return "cb" + hashlib.sha256(dedupe_key.encode()).hexdigest()[:23]


class _Flush:
    """One pass over the pending rows: the couples with posts to send, and the workers."""

    def __init__(self) -> None:
        self.last_id = 0
        self.posts: dict[int, deque[OutboxItem]] = {}  # couples queued or being sent to
        self.ready: deque[int] = deque()  # couples waiting for a worker, in turn
        self.blocked: set[int] = set()  # couples whose post failed in this pass
        self.workers: set[asyncio.Task[None]] = set()
        self.sent = 0
        self.idle = asyncio.Event()
        self.idle.set()

    def add(self, row: OutboxItem) -> None:
        if row.couple_id in self.blocked:
            return
        if row.couple_id not in self.posts:
            self.posts[row.couple_id] = deque()
            self.ready.append(row.couple_id)
        self.posts[row.couple_id].append(row)

    def next_post(self) -> OutboxItem | None:
        """The next couple's next post; its couple waits for `done(post)`."""
        while self.ready:
            couple_id = self.ready.popleft()
            if couple_id in self.blocked:
                del self.posts[couple_id]
                continue
            return self.posts[couple_id].popleft()
        return None

    def done(self, post: OutboxItem) -> None:
        """The post was sent (or failed): its couple's next one may go."""
        if self.posts[post.couple_id] and post.couple_id not in self.blocked:
            self.ready.append(post.couple_id)
        else:
            del self.posts[post.couple_id]

    def worker_ended(self, task: asyncio.Task[None]) -> None:
        self.workers.discard(task)
        if not self.workers:
            self.idle.set()


class Outbox:
    def __init__(self, store: Store, messenger: Messenger, clock: Clock) -> None:
        self._store = store
        self._messenger = messenger
        self._clock = clock
        self._builders: dict[str, Builder] = {}
        self._sent_hooks: dict[str, SentHook] = {}
        self._refused_hooks: list[RefusedHook] = []
        self._holds: dict[int, datetime] = {}  # held couples -> when to try them again
        self._flush_lock = asyncio.Lock()
        self._more = asyncio.Event()  # rows were committed while a flush runs
        self._started = clock.now()
        self._first_tried: dict[int, datetime] = {}  # by this process, rows it created
        self._background: asyncio.Task[int] | None = None
        self._marks: list[tuple[OutboxItem, int | None, asyncio.Future[None]]] = []
        self._marks_full = asyncio.Event()
        self._committer: asyncio.Task[None] | None = None
        self._retry: Callable[[], None] | None = None

    def retry_with(self, retry: Callable[[], None]) -> None:
        """Whoever runs the scheduler: `retry()` asks for a flush a little later. It is
        called when a send failed, so the post is tried again soon, not at a safety tick."""
        self._retry = retry

    def _failed(self, item: OutboxItem, flush: _Flush) -> None:
        flush.blocked.add(item.couple_id)
        if self._retry is not None:
            self._retry()

    def register(self, kind: str, builder: Builder, on_sent: SentHook | None = None) -> None:
        self._builders[kind] = builder
        if on_sent is not None:
            self._sent_hooks[kind] = on_sent

    def on_refused(self, hook: RefusedHook) -> None:
        self._refused_hooks.append(hook)

    def kick(self) -> None:
        """New rows are committed: a running flush picks them up, or one starts."""
        if self._flush_lock.locked():
            self._more.set()
        elif self._background is None or self._background.done():
            self._background = asyncio.create_task(self.flush(), name="outbox-flush")

    async def send_pending(self) -> None:
        """After a person's action committed posts: a flush already running (the morning's
        fan-out) takes them in, and the caller does not wait for that flush to end (it
        held every reply's handler, and its interaction, for up to minutes); else a flush
        runs now."""
        if self._flush_lock.locked():
            self._more.set()
            return
        await self.flush()

    async def flush(self) -> int:
        """Send every pending post once, one flush at a time. Returns how many were sent."""
        self._more.set()  # a flush already running reads again before it ends
        async with self._flush_lock:
            return await self._drive(_Flush())

    async def _drive(self, flush: _Flush) -> int:
        try:
            while True:
                self._more.clear()
                async with self._store.read() as tx:
                    rows = await tx.outbox.pending(after_id=flush.last_id)
                    self._holds = await tx.notices.holds()
                now = self._clock.now()
                flush.blocked.update(c for c, retry_at in self._holds.items() if retry_at > now)
                for row in rows:
                    flush.last_id = max(flush.last_id, row.id)
                    flush.add(row)
                while flush.ready and len(flush.workers) < CONCURRENCY:
                    worker = asyncio.create_task(self._work(flush), name="outbox-worker")
                    flush.workers.add(worker)
                    flush.idle.clear()
                    worker.add_done_callback(flush.worker_ended)
                if not rows and flush.idle.is_set():
                    return flush.sent
                more = asyncio.ensure_future(self._more.wait())
                idle = asyncio.ensure_future(flush.idle.wait())
                await asyncio.wait({more, idle}, return_when=asyncio.FIRST_COMPLETED)
                more.cancel()
                idle.cancel()
        finally:
            for worker in list(flush.workers):  # (only when the flush itself was cancelled)
                worker.cancel()

    async def _work(self, flush: _Flush) -> None:
        """Send posts, one at a time, while couples are waiting."""
        while (item := flush.next_post()) is not None:
            try:
                sent = await self._deliver(item)  # (not `+= await`: workers interleave)
                flush.sent += sent
            except PostHeldError:
                flush.blocked.add(item.couple_id)
            except TimeoutError:
                log.warning("sending %s timed out; will retry", item.dedupe_key)
                self._failed(item, flush)
            except Exception:
                log.exception("could not send %s; will retry", item.dedupe_key)
                self._failed(item, flush)
            finally:
                flush.done(item)

    def _may_have_been_sent_long_ago(self, item: OutboxItem, now: datetime) -> bool:
        """Rows this process created were tried by nobody else: trust the nonce until
        our own first try is older than the window. Older rows: by their age."""
        if item.created_at < self._started:
            return now - item.created_at > NONCE_TRUST_WINDOW
        first = self._first_tried.setdefault(item.id, now)
        return now - first > NONCE_TRUST_WINDOW

    async def _deliver(self, item: OutboxItem) -> bool:
        post = await self._build(item)
        marker = post_marker(item.dedupe_key)
        message_id: int | None = None
        refused: UndeliverableError | None = None
        if post is not None:
            try:
                async with asyncio.timeout(SEND_TIMEOUT_SECONDS):
                    if self._may_have_been_sent_long_ago(item, self._clock.now()):
                        message_id = await self._messenger.find_sent(post, marker)
                    if message_id is None:
                        message_id = await self._messenger.send(
                            post, nonce=nonce_for(item.dedupe_key), marker=marker
                        )
            except UndeliverableError as exc:
                refused, post = exc, None
        if refused is not None:
            await self._refused(item, refused)  # raises PostHeldError if the post waits
        await self._mark_sent(item, message_id)
        self._first_tried.pop(item.id, None)
        return post is not None

    async def _mark_sent(self, item: OutboxItem, message_id: int | None) -> None:
        """Returns once the mark is committed, together with the others of its group."""
        done = asyncio.get_running_loop().create_future()
        self._marks.append((item, message_id, done))
        if len(self._marks) >= COMMIT_AT_MOST:
            self._marks_full.set()
        if self._committer is None or self._committer.done():
            self._committer = asyncio.create_task(self._commit_marks(), name="outbox-marks")
        await done

    async def _commit_marks(self) -> None:
        while self._marks:
            if len(self._marks) < COMMIT_AT_MOST:
                try:
                    async with asyncio.timeout(COMMIT_AFTER_SECONDS):
                        await self._marks_full.wait()
                except TimeoutError:
                    pass
            group, self._marks = self._marks[:COMMIT_AT_MOST], self._marks[COMMIT_AT_MOST:]
            if len(self._marks) < COMMIT_AT_MOST:
                self._marks_full.clear()
            try:
                async with self._store.write(small=True) as tx:  # a few rows per post
                    for item, message_id, _ in group:
                        await self._record_sent(tx, item, message_id)
            except Exception:  # then one by one, so one row's trouble stays its own
                for item, message_id, done in group:
                    try:
                        async with self._store.write() as tx:
                            await self._record_sent(tx, item, message_id)
                    except Exception as exc:
                        _settle(done, exc)
                    else:
                        _settle(done)
            else:
                for _, _, done in group:
                    _settle(done)

    async def _refused(self, item: OutboxItem, refused: UndeliverableError) -> None:
        """Discord refused the post for good: the hooks say whether it waits (a hold)."""
        held = False
        async with self._store.write() as tx:
            for refused_hook in self._refused_hooks:
                held = await refused_hook(tx, item, refused) or held
        if held:
            log.warning(
                "holding %s (refused: %s) until its channel is fixed", item.dedupe_key, refused
            )
            raise PostHeldError(item.dedupe_key)
        log.warning("giving up on %s: %s", item.dedupe_key, refused)

    async def _record_sent(self, tx: Tx, item: OutboxItem, message_id: int | None) -> None:
        await tx.outbox.mark_posted(item.id, message_id, self._clock.now())
        hook = self._sent_hooks.get(item.kind)
        if hook is not None and message_id is not None:
            await hook(tx, item, message_id)
        if message_id is not None and item.couple_id in self._holds:
            await tx.notices.release(item.couple_id)  # the channel takes posts again
            self._holds.pop(item.couple_id, None)

    async def _build(self, item: OutboxItem) -> Post | None:
        builder = self._builders.get(item.kind)
        if builder is None:
            log.warning("no builder for outbox kind %s", item.kind)
            return None
        async with self._store.snapshot() as tx:  # the item and what it shows are committed
            return await builder(tx, item)


def _settle(done: asyncio.Future[None], error: Exception | None = None) -> None:
    if done.done():  # its waiter was cancelled (e.g. at shutdown)
        return
    if error is None:
        done.set_result(None)
    else:
        done.set_exception(error)

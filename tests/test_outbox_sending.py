"""The outbox's sender: concurrent across couples, in order within each, each post once,
and a couple's failure stays its own. Waiting couples cost no task each."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from couplebot.clock import ManualClock
from couplebot.services import outbox as outbox_module
from couplebot.services.outbox import Outbox
from couplebot.services.ports import NotePost, Post, PromptPost
from couplebot.store import OutboxItem, Tx

from .conftest import store_with_couples

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
COUPLES = outbox_module.CONCURRENCY * 5
POSTS_EACH = 3
FAILING = (7, "post-7-2")  # this couple's second post fails once


class RecordingMessenger:
    def __init__(self) -> None:
        self.sent: list[str] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self.most_tasks = 0
        self.failed_once = False
        self.rng = random.Random(3)

    async def send(self, post: Post, *, nonce: str, marker: str) -> int | None:
        assert isinstance(post, NotePost)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        self.most_tasks = max(self.most_tasks, len(asyncio.all_tasks()))
        try:
            await asyncio.sleep(self.rng.uniform(0, 0.003))
            key = post.data["key"]
            if key == FAILING[1] and not self.failed_once:
                self.failed_once = True
                raise RuntimeError("Discord had a bad moment")
            self.sent.append(key)
            return len(self.sent)
        finally:
            self.in_flight -= 1

    async def find_sent(self, post: Post, marker: str) -> int | None:
        return None

    async def refresh_prompt(self, post: PromptPost, marker: str) -> None:
        raise AssertionError("no status lines here")


async def _build(tx: Tx, item: OutboxItem) -> Post | None:
    return NotePost(guild_id=1, channel_id=2, kind="test", data={"key": item.dedupe_key})


async def test_posts_go_out_concurrently_in_order_per_couple_each_once(tmp_path: Path) -> None:
    store = await store_with_couples(
        tmp_path / "outbox.db", COUPLES, created=NOW - timedelta(days=3)
    )
    messenger = RecordingMessenger()
    outbox = Outbox(store, messenger, ManualClock(NOW))
    outbox.register("test", _build)
    try:
        async with store.write() as tx:
            for part in range(1, POSTS_EACH + 1):  # interleaved, as a morning's rows are
                for couple_id in range(1, COUPLES + 1):
                    key = f"post-{couple_id}-{part}"
                    await tx.outbox.enqueue(key, couple_id=couple_id, kind="test", now=NOW)
        tasks_before = len(asyncio.all_tasks())
        first = await outbox.flush()
        first_sent = list(messenger.sent)
        second = await outbox.flush()
        async with store.read() as tx:
            still_pending = await tx.outbox.pending()
    finally:
        await store.close()

    failing_couple = FAILING[0]
    assert f"post-{failing_couple}-3" not in first_sent  # held back behind its failed post
    assert first == COUPLES * POSTS_EACH - 2 and second == 2
    assert still_pending == []
    assert sorted(messenger.sent) == sorted(
        f"post-{c}-{p}" for c in range(1, COUPLES + 1) for p in range(1, POSTS_EACH + 1)
    )
    for couple_id in range(1, COUPLES + 1):
        mine = [k for k in messenger.sent if k.startswith(f"post-{couple_id}-")]
        assert mine == [f"post-{couple_id}-{p}" for p in range(1, POSTS_EACH + 1)]
    assert 1 < messenger.most_in_flight <= outbox_module.CONCURRENCY
    # A worker per post in flight, not a task per waiting couple (plus the flush's own few).
    assert messenger.most_tasks - tasks_before <= outbox_module.CONCURRENCY + 5


class GatedMessenger(RecordingMessenger):
    """Every send waits until the gate opens (a fan-out that takes a while)."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()

    async def send(self, post: Post, *, nonce: str, marker: str) -> int | None:
        await self.gate.wait()
        return await super().send(post, nonce=nonce, marker=marker)


async def test_a_reply_joins_a_running_flush_instead_of_waiting_for_it(tmp_path: Path) -> None:
    """A reply's posts go to the flush under way (the morning's), and the reply's handler
    returns at once instead of waiting for every morning post to go out."""
    store = await store_with_couples(tmp_path / "join.db", 3, created=NOW - timedelta(days=3))
    messenger = GatedMessenger()
    outbox = Outbox(store, messenger, ManualClock(NOW))
    outbox.register("test", _build)
    try:
        async with store.write() as tx:
            for couple_id in (1, 2):
                await tx.outbox.enqueue(
                    f"morning-{couple_id}", couple_id=couple_id, kind="test", now=NOW
                )
        morning = asyncio.create_task(outbox.flush())
        for _ in range(20):
            await asyncio.sleep(0)
        async with store.write() as tx:
            await tx.outbox.enqueue("reveal-3", couple_id=3, kind="test", now=NOW)
        await asyncio.wait_for(outbox.send_pending(), timeout=1)  # the gate is still shut
        assert messenger.sent == []
        messenger.gate.set()
        assert await morning == 3  # the running flush took the reply's post in
        assert await outbox.flush() == 0
    finally:
        await store.close()
    assert sorted(messenger.sent) == ["morning-1", "morning-2", "reveal-3"]

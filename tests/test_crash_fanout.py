"""kill -9 the real bot during a concurrent morning fan-out: every couple gets its
question exactly once, and nothing is lost.

Many couples are due the same minute; the fake Discord runs with its rate-limit model
and a little latency, so dozens of posts are in flight (and sent marks wait in a group
commit) when the process is SIGKILLed: as the fake logs the n-th REST request (Discord
did the post, the bot never heard back), or a few milliseconds later (while it writes
to its database). After each kill the bot is started again, under the same virtual
clock (tests/crash_bot.py), until the morning is out. At the end each channel holds
one question, each couple one round, the outbox no pending row, and every round's
message is the one in its channel.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from couplebot.fake_discord import FakeDiscord, FakeGuild
from couplebot.store import Store
from couplebot.store.bulk import NewCouple, write_accepted_couples

from .conftest import TEST_KEY
from .test_crash import BotProcess, Kill

pytestmark = pytest.mark.slow

COUPLES = 150
DUE = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # every couple asks at 08:00 UTC
KILLS = (Kill(40), Kill(25, delay=0.01), Kill(30), Kill(12, delay=0.003))
FINISH_TIMEOUT = 60.0


@pytest.fixture
async def limited_fake() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord(spec_path=None, rate_limits=True, latency=0.04)
    await fake.start()
    yield fake
    await fake.close()


async def _couples_due_at_eight(fake: FakeDiscord, database: Path) -> list[FakeGuild]:
    """COUPLES servers, and their couples accepted as /setup leaves them (plain SQL)."""
    guilds = []
    for i in range(COUPLES):
        a, b = fake.add_user(f"A{i}"), fake.add_user(f"B{i}")
        guilds.append(fake.add_guild(f"Couple {i}", [a, b]))
    store = await Store.open(database, secret_key=TEST_KEY)
    await store.close()
    couples = [NewCouple(g.id, g.channel_id, (g.members[1].id, g.members[2].id)) for g in guilds]
    write_accepted_couples(
        database, couples, question_time=DUE.time(), created=DUE - timedelta(days=30)
    )
    return guilds


def _questions(fake: FakeDiscord, guild: FakeGuild) -> list[dict[str, Any]]:
    return [
        m
        for m in fake.channel_messages(guild.channel_id)
        if any("Today's question" in (e.get("title") or "") for e in m.get("embeds", []))
    ]


async def test_kill_9_during_a_concurrent_fan_out(
    limited_fake: FakeDiscord, tmp_path: Path
) -> None:
    fake = limited_fake
    bot = BotProcess(fake, tmp_path, KILLS, clock_at=DUE - timedelta(seconds=1))
    guilds = await _couples_due_at_eight(fake, bot.database)
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + FINISH_TIMEOUT
        while not all(_questions(fake, g) for g in guilds):
            assert loop.time() < deadline, f"the morning is not out\n{bot.describe()}"
            await bot.ensure_running()  # again after each kill
            await asyncio.sleep(0.02)
        await bot.no_more_kills()
        await bot.ensure_running()  # the last kill may have landed after the last post
        await asyncio.sleep(0.3)  # room for a late duplicate to show
        exit_code = await bot.stop()
    finally:
        await bot.close()
    context = bot.describe()
    print(f"{len(bot.done)} kills landed: " + "; ".join(bot.done))  # shown with -rP

    assert exit_code == 0, f"exit code {exit_code} after SIGTERM\n{context}"
    assert len(bot.done) == len(KILLS), f"not every planned kill landed\n{context}"
    assert fake.traffic.rate_limited == 0, f"{fake.traffic.as_dict()}\n{context}"
    posted = {g.channel_id: _questions(fake, g) for g in guilds}
    twice = [channel for channel, messages in posted.items() if len(messages) != 1]
    assert twice == [], f"{len(twice)} channels without exactly one question\n{context}"

    conn = sqlite3.connect(bot.database)
    try:
        rounds = conn.execute(
            "SELECT c.channel_id, COUNT(e.id), MAX(e.message_id), MAX(o.message_id) "
            "FROM couples AS c LEFT JOIN exchanges AS e ON e.couple_id = c.id "
            "AND e.kind = 'daily' LEFT JOIN outbox AS o ON o.exchange_id = e.id "
            "AND o.kind = 'question' GROUP BY c.id"
        ).fetchall()
        pending = conn.execute("SELECT dedupe_key FROM outbox WHERE sent_at IS NULL").fetchall()
    finally:
        conn.close()
    assert pending == [], f"pending posts {pending}\n{context}"
    assert len(rounds) == COUPLES, context
    for channel, count, message_id, outbox_message_id in rounds:
        assert count == 1, f"channel {channel}: {count} rounds\n{context}"
        shown = int(posted[channel][0]["id"])
        assert message_id == shown == outbox_message_id, f"channel {channel}\n{context}"
    assert bot.log_problems() == [], context

"""Sharding in the fake Discord: GET /gateway/bot, per-shard sessions, 4011, linear logins."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from couplebot.fake_discord import FakeDiscord, FakeGuild, point_discord_py_at


@app_commands.command(name="hello", description="Say hello")
async def hello(interaction: discord.Interaction) -> None:
    await interaction.response.send_message(f"hello from {interaction.guild_id or 'a DM'}")


class ShardedBot(commands.AutoShardedBot):
    def __init__(self) -> None:
        super().__init__(
            command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.05
        )

    async def setup_hook(self) -> None:
        self.tree.add_command(hello)
        await self.tree.sync()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """No 5-second pause between shards: the fake has no identify rate limit."""


def shard(guild: FakeGuild, count: int) -> int:
    return (guild.id >> 22) % count


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord(shards=2)
    await server.start()
    undo = point_discord_py_at(server)
    try:
        yield server
    finally:
        undo()
        await server.close()
    assert server.violations == []


async def _run_until_ready(bot: commands.Bot, fake: FakeDiscord) -> asyncio.Task[None]:
    task = asyncio.create_task(bot.start(fake.token))
    await fake.wait_until(lambda: bot.is_ready() or task.done(), timeout=10)
    if task.done():
        task.result()
    return task


async def _stop(bot: commands.Bot, task: asyncio.Task[None]) -> None:
    await bot.close()
    await asyncio.wait({task}, timeout=5)


async def test_auto_sharded_bot_gets_each_guild_on_its_shard(fake: FakeDiscord) -> None:
    alice = fake.add_user("alice")
    guilds = [fake.add_guild(f"g{i}", [alice], on_shard=(i % 2, 2)) for i in range(4)]
    guilds += [fake.add_guild(f"free{i}", [alice]) for i in range(3)]
    bot = ShardedBot()
    task = await _run_until_ready(bot, fake)
    try:
        assert ("GET", "/gateway/bot") in [(r.method, r.path) for r in fake.requests]
        assert bot.shard_count == 2
        assert sorted(bot.shards) == [0, 1]
        seen = {g.id: g for g in bot.guilds}
        assert set(seen) == {g.id for g in guilds}
        assert not any(g.unavailable for g in seen.values())

        sessions = sorted(fake.gateway_sessions, key=lambda s: s.shard_id)
        assert [(s.shard_id, s.shard_count, s.live) for s in sessions] == [
            (0, 2, True),
            (1, 2, True),
        ]
        for session in sessions:
            expected = {g.id for g in guilds if shard(g, 2) == session.shard_id}
            assert set(session.guild_ids) == expected
            assert len(expected) >= 2  # on_shard put two guilds on each shard

        # Each shard carries its own guilds' interactions, and DMs come on shard 0.
        for guild in (guilds[0], guilds[1]):
            interaction = await fake.slash(alice, "hello", guild=guild)
            await interaction.wait_response()
            assert interaction.text == f"hello from {guild.id}"
        direct = await fake.slash(alice, "hello", guild=None)
        await direct.wait_response()
        assert direct.text == "hello from a DM"

        # A guild that joins later arrives on its own shard.
        late = fake.add_guild("late", [alice], on_shard=(1, 2))
        await fake.wait_until(lambda: bot.get_guild(late.id) is not None)
        [second] = [s for s in fake.gateway_sessions if s.shard_id == 1]
        assert second.guild_ids[-1] == late.id
    finally:
        await _stop(bot, task)


async def test_gateway_bot_recommends_one_shard_per_thousand_guilds() -> None:
    async with FakeDiscord(spec_path=None) as fake, aiohttp.ClientSession() as session:
        headers = {"Authorization": f"Bot {fake.token}"}
        for _ in range(1001):
            fake.add_guild("g", [])
        async with session.get(fake.api_base + "/gateway/bot", headers=headers) as response:
            body = await response.json()
        assert body["shards"] == 2
        assert body["url"] == fake.gateway_url
        fake.shards = 5
        async with session.get(fake.api_base + "/gateway/bot", headers=headers) as response:
            assert (await response.json())["shards"] == 5


async def test_unsharded_bot_past_2500_guilds_is_closed_with_4011(fake: FakeDiscord) -> None:
    for i in range(2501):
        fake.add_guild(f"g{i}", [])
    bot = commands.Bot(command_prefix="!", intents=discord.Intents.default())
    try:
        with pytest.raises(discord.ConnectionClosed) as closed:
            await asyncio.wait_for(bot.start(fake.token), 20)
        assert closed.value.code == 4011
        assert fake.identify_count == 0
        assert fake.gateway_sessions == []
    finally:
        await bot.close()


async def _identify(fake: FakeDiscord, shard: list[int] | None) -> tuple[Any, list[Any]]:
    """(close code or None, frames received) for one raw IDENTIFY."""
    async with aiohttp.ClientSession() as session, session.ws_connect(fake.gateway_url) as ws:
        assert (await ws.receive_json())["op"] == 10
        identify: dict[str, Any] = {"token": fake.token, "intents": 0}
        if shard is not None:
            identify["shard"] = shard
        await ws.send_json({"op": 2, "d": identify})
        first = await ws.receive()
        if first.type is aiohttp.WSMsgType.CLOSE:
            return first.data, []
        ready = first.json()
        if ready["op"] == 9:  # Invalid Session: refused
            return None, [ready]
        frames = [ready] + [await ws.receive_json() for _ in ready["d"]["guilds"]]
        return None, frames


async def test_raw_identify_with_shards_and_invalid_shards() -> None:
    async with FakeDiscord(spec_path=None) as fake:
        guilds = [fake.add_guild(f"g{i}", []) for i in range(2501)]
        assert (await _identify(fake, None))[0] == 4011
        assert (await _identify(fake, [2, 2]))[0] == 4010
        assert (await _identify(fake, [0, 0]))[0] == 4010
        for shard_id in (0, 1):
            code, frames = await _identify(fake, [shard_id, 2])
            assert code is None
            assert frames[0]["t"] == "READY"
            assert frames[0]["d"]["shard"] == [shard_id, 2]
            created = {int(f["d"]["id"]) for f in frames[1:]}
            assert {f["t"] for f in frames[1:]} == {"GUILD_CREATE"}
            assert created == {g.id for g in guilds if shard(g, 2) == shard_id}


async def test_identify_is_limited_per_bucket_of_max_concurrency() -> None:
    """Discord: one IDENTIFY per interval in each bucket `shard_id % max_concurrency`;
    one more in the same bucket is answered with op 9 Invalid Session."""
    async with FakeDiscord(spec_path=None, max_concurrency=2, identify_interval=60) as fake:
        for i in range(4):
            fake.add_guild(f"g{i}", [], on_shard=(i, 4))
        accepted = [(await _identify(fake, [shard_id, 4]))[1][0]["t"] for shard_id in (0, 1)]
        assert accepted == ["READY", "READY"]  # buckets 0 and 1: side by side
        for shard_id in (2, 3, 0):  # buckets 0, 1, 0 again: within the interval
            code, [refused] = await _identify(fake, [shard_id, 4])
            assert code is None
            assert (refused["op"], refused["d"]) == (9, False)
        assert fake.identify_count == 2
        assert fake.identify_limit.refused == 3
        assert sorted(s.shard_id for s in fake.gateway_sessions) == [0, 1]
    async with FakeDiscord(spec_path=None, max_concurrency=16) as fake:
        headers = {"Authorization": f"Bot {fake.token}"}
        async with (
            aiohttp.ClientSession() as session,
            session.get(fake.api_base + "/gateway/bot", headers=headers) as response,
        ):
            limits = (await response.json())["session_start_limit"]
        assert limits["max_concurrency"] == 16
        for shard_id in (0, 0, 0):  # no interval set: no IDENTIFY limit
            assert (await _identify(fake, [shard_id, 1]))[1][0]["t"] == "READY"


class CountingDict(dict[int, dict[str, Any]]):
    """A dict that counts the entries read, by any means, and stops past a budget."""

    def __init__(self, entries: dict[int, dict[str, Any]], budget: int) -> None:
        super().__init__(entries)
        self.reads = 0
        self.budget = budget

    def _read(self) -> None:
        self.reads += 1
        if self.reads > self.budget:
            raise AssertionError(f"read more than {self.budget} channel entries")

    def __getitem__(self, key: int) -> dict[str, Any]:
        self._read()
        return super().__getitem__(key)

    def get(self, key: int, default: Any = None) -> Any:
        self._read()
        return super().get(key, default)

    def __iter__(self) -> Iterator[int]:
        for key in super().__iter__():
            self._read()
            yield key

    def values(self) -> Any:
        return [self[key] for key in self]

    def items(self) -> Any:
        return [(key, self[key]) for key in self]


def test_login_payload_for_10000_guilds_reads_no_channel_table() -> None:
    """Building READY and every GUILD_CREATE must not scan all channels per guild."""
    fake = FakeDiscord(spec_path=None)
    alice = fake.add_user("alice")
    guilds = [fake.add_guild(f"g{i}", [alice]) for i in range(10_000)]
    for i in range(2_000):  # DM channels too, which belong to no guild
        fake.dm_channel_id(fake.add_user(f"u{i}"))
    world = fake._world
    # A scan per guild would read 10,000 x 12,000 entries: allow one read per guild.
    counting = CountingDict(world.channels, budget=len(guilds))
    world.channels = counting
    gateway = fake._gateway
    events = gateway.login_events("s", (0, 1), gateway.guilds_on_shard(0, 1))
    assert [name for name, _ in events[:2]] == ["READY", "GUILD_CREATE"]
    assert len(events) == 1 + len(guilds)
    for guild, (_, payload) in zip(guilds, events[1:], strict=True):
        assert [c["id"] for c in payload["channels"]] == [str(guild.channel_id)]
        assert len(payload["members"]) == 2
    assert counting.reads <= counting.budget  # (CountingDict stops a scan early)

"""The fake Discord's rate-limit model: the model itself, its headers, and discord.py against it."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from couplebot.bot import CoupleBot
from couplebot.fake_discord import (
    FakeDiscord,
    FakeGuild,
    FakeUser,
    RateLimitPolicy,
    TrafficCounters,
    point_discord_py_at,
)
from couplebot.fake_discord._ratelimit import RateLimiter

from .conftest import Couple, set_up
from .test_daily_e2e import answer, post_today, reveal_messages

MESSAGES = "/channels/{channel}/messages"


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _limiter(policy: RateLimitPolicy) -> tuple[RateLimiter, ManualClock, TrafficCounters]:
    """A limiter on a manual clock; its wall clock reads 1,700,000,000 s plus the clock."""
    clock, counters = ManualClock(), TrafficCounters()
    limiter = RateLimiter(
        policy, counters, clock=clock, wall_clock=lambda: 1_700_000_000.0 + clock.now
    )
    return limiter, clock, counters


def test_route_bucket_counts_down_then_429s_until_its_window_ends() -> None:
    limiter, clock, counters = _limiter(RateLimitPolicy())
    post = {"channel": "1"}
    remaining = []
    for _ in range(5):
        verdict = limiter.admit("POST", MESSAGES, post, interaction=False)
        assert verdict.limited is None
        remaining.append(verdict.headers["X-RateLimit-Remaining"])
        assert verdict.headers["X-RateLimit-Limit"] == "5"
        assert verdict.headers["X-RateLimit-Reset-After"] == "5.000"
        assert verdict.headers["X-RateLimit-Reset"] == f"{1_700_000_000 + 1000 + 5:.3f}"
    assert remaining == ["4", "3", "2", "1", "0"]
    bucket = verdict.headers["X-RateLimit-Bucket"]
    assert re.fullmatch(r"[0-9a-f]{32}", bucket)

    clock.now += 1.25
    refused = limiter.admit("POST", MESSAGES, post, interaction=False)
    assert refused.limited == "route"
    assert refused.retry_after == pytest.approx(3.75)
    response = refused.response()
    assert response.status == 429
    assert response.headers["Via"]
    assert response.headers["X-RateLimit-Scope"] == "user"
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert response.headers["X-RateLimit-Reset-After"] == "3.750"
    assert response.headers["Retry-After"] == "4"
    assert response.headers["Content-Type"] == "application/json"
    assert "X-RateLimit-Global" not in response.headers
    assert isinstance(response.body, bytes)
    assert json.loads(response.body) == {
        "message": "You are being rate limited.",
        "retry_after": 3.75,
        "global": False,
    }

    # Another channel has a bucket of its own, with the same bucket hash; edits another hash.
    other = limiter.admit("POST", MESSAGES, {"channel": "2"}, interaction=False)
    assert other.headers["X-RateLimit-Remaining"] == "4"
    assert other.headers["X-RateLimit-Bucket"] == bucket
    edit = limiter.admit(
        "PATCH", MESSAGES + "/{message}", {"channel": "1", "message": "9"}, interaction=False
    )
    assert edit.limited is None
    assert edit.headers["X-RateLimit-Bucket"] != bucket

    clock.now += 3.75
    assert (
        limiter.admit("POST", MESSAGES, post, interaction=False).headers["X-RateLimit-Remaining"]
        == "4"
    )
    assert counters.rate_limited_route == 1
    assert counters.rate_limited_by_route == {"POST /channels/{channel}/messages": 1}
    assert counters.rate_limited_global == 0


def test_global_budget_spares_interaction_endpoints() -> None:
    policy = RateLimitPolicy(global_limit=3, global_window=1.0, routes=())
    limiter, clock, counters = _limiter(policy)
    for user in range(3):
        verdict = limiter.admit(
            "GET", "/users/{user_id}", {"user_id": str(user)}, interaction=False
        )
        assert verdict.limited is None
        assert verdict.headers == {}  # a route without a bucket sends no bucket headers
    clock.now += 0.4
    refused = limiter.admit("GET", "/users/{user_id}", {"user_id": "9"}, interaction=False)
    assert refused.limited == "global"
    assert refused.retry_after == pytest.approx(0.6)
    response = refused.response()
    assert response.headers["X-RateLimit-Global"] == "true"
    assert response.headers["X-RateLimit-Scope"] == "global"
    assert response.headers["Via"]
    assert isinstance(response.body, bytes)
    assert json.loads(response.body)["global"] is True
    callback = "/interactions/{interaction}/{token}/callback"
    for n in range(20):
        params = {"interaction": str(n), "token": "t"}
        assert limiter.admit("POST", callback, params, interaction=True).limited is None
    clock.now += 0.6
    assert (
        limiter.admit("GET", "/users/{user_id}", {"user_id": "9"}, interaction=False).limited
        is None
    )
    assert counters.rate_limited_global == 1
    assert counters.peak_global_window == 3


def test_calls_are_judged_when_they_arrived_not_when_a_busy_loop_gets_to_them() -> None:
    """Calls that arrived 0.34 s apart but are judged together after a lag (the fake's
    loop was busy) are counted at their arrivals: 3 per second is never exceeded."""
    limiter, clock, counters = _limiter(RateLimitPolicy(global_limit=3, routes=()))
    user = {"user_id": "1"}
    arrivals = [1000 + 0.34 * i for i in range(9)]
    for batch in (arrivals[:4], arrivals[4:]):
        clock.now = batch[-1] + 0.3  # judged in one bunch, a while after they arrived
        for arrived in batch:
            verdict = limiter.admit(
                "GET", "/users/{user_id}", user, interaction=False, arrived=arrived
            )
            assert verdict.limited is None
    assert counters.rate_limited_global == 0
    clock.now = arrivals[-1]
    fourth = limiter.admit("GET", "/users/{user_id}", user, interaction=False)
    assert fourth.limited == "global"  # one more at the last arrival is one too many


def test_expired_buckets_do_not_pile_up() -> None:
    limiter, clock, _ = _limiter(RateLimitPolicy(global_limit=10**9))
    for channel in range(10_001):
        limiter.admit("POST", MESSAGES, {"channel": f"old{channel}"}, interaction=False)
    clock.now += 60
    for channel in range(10_002):
        limiter.admit("POST", MESSAGES, {"channel": f"new{channel}"}, interaction=False)
    kept = {major[0][:3] for _, major in limiter._buckets}
    assert kept == {"new"}


def test_scaled_policy_keeps_counts_and_shrinks_windows() -> None:
    scaled = RateLimitPolicy().scaled(0.1)
    assert scaled.global_limit == 50
    assert scaled.global_window == pytest.approx(0.1)
    [create] = [r for r in scaled.routes if r.method == "POST" and r.template == MESSAGES]
    assert (create.limit, create.per) == (5, pytest.approx(0.5))


async def test_headers_on_the_wire_and_a_429_past_the_bucket() -> None:
    async with FakeDiscord(spec_path=None, rate_limits=True) as fake:
        guild = fake.add_guild("Us", [fake.add_user("alice")])
        url = f"{fake.api_base}/channels/{guild.channel_id}/messages"
        headers = {"Authorization": f"Bot {fake.token}"}
        async with aiohttp.ClientSession() as session:
            seen = []
            for i in range(5):
                async with session.post(url, json={"content": f"m{i}"}, headers=headers) as ok:
                    assert ok.status == 200
                    seen.append(ok.headers)
            assert [h["X-RateLimit-Remaining"] for h in seen] == ["4", "3", "2", "1", "0"]
            reset_after = float(seen[-1]["X-RateLimit-Reset-After"])
            assert 0 < reset_after <= 5
            assert float(seen[-1]["X-RateLimit-Reset"]) == pytest.approx(
                time.time() + reset_after, abs=1.0
            )
            assert len({h["X-RateLimit-Bucket"] for h in seen}) == 1
            async with session.post(url, json={"content": "m5"}, headers=headers) as refused:
                assert refused.status == 429
                assert refused.headers["Via"]
                body = await refused.json()
            assert body["global"] is False
            assert 0 < body["retry_after"] <= 5
        assert len(fake.channel_messages(guild.channel_id)) == 5
        assert fake.traffic.rate_limited_route == 1
        assert fake.traffic.invalid_requests == 1
        assert fake.traffic.requests == 6


@app_commands.command(name="hello", description="Say hello")
async def hello(interaction: discord.Interaction) -> None:
    await interaction.response.defer(thinking=True)
    await interaction.followup.send("hello")


class TinyBot(commands.Bot):
    def __init__(self) -> None:
        super().__init__(
            command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.05
        )

    async def setup_hook(self) -> None:
        self.tree.add_command(hello)
        await self.tree.sync()


@dataclass
class Env:
    fake: FakeDiscord
    bot: TinyBot
    alice: FakeUser
    guilds: list[FakeGuild]

    def channel(self, index: int) -> discord.TextChannel:
        channel = self.bot.get_channel(self.guilds[index].channel_id)
        assert isinstance(channel, discord.TextChannel)
        return channel


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    fake = FakeDiscord()
    await fake.start()
    undo = point_discord_py_at(fake)
    alice = fake.add_user("alice")
    guilds = [fake.add_guild(f"g{i}", [alice]) for i in range(5)]
    bot = TinyBot()
    task = asyncio.create_task(bot.start(fake.token))
    try:
        await fake.wait_until(lambda: bot.is_ready() or task.done())
        assert bot.is_ready(), task.exception()
        fake.traffic.reset()  # count from here on
        yield Env(fake, bot, alice, guilds)
    finally:
        await bot.close()
        await task
        undo()
        await fake.close()
    assert fake.violations == []


async def test_discord_py_paces_itself_by_the_bucket_headers(env: Env) -> None:
    env.fake.rate_limits = RateLimitPolicy().scaled(0.1)  # 5 messages per 0.5 s per channel
    channel = env.channel(0)
    await asyncio.gather(*(channel.send(f"m{i}") for i in range(12)))
    for i in range(6):
        await env.channel(1).send(f"n{i}")
    assert len(env.fake.channel_messages(env.guilds[0].channel_id)) == 12
    assert len(env.fake.channel_messages(env.guilds[1].channel_id)) == 6
    assert env.fake.traffic.rate_limited == 0
    assert env.fake.traffic.requests == 18


async def test_past_the_global_budget_discord_py_waits_and_retries(env: Env) -> None:
    env.fake.rate_limits = RateLimitPolicy(global_limit=10, global_window=0.5, routes=())
    sends = [env.channel(i % 5).send(f"m{i}") for i in range(25)]
    sent = await asyncio.gather(*sends)
    traffic = env.fake.traffic
    assert traffic.rate_limited_global >= 1
    assert traffic.rate_limited_route == 0
    assert traffic.peak_global_window == 10
    assert traffic.requests == 25 + traffic.rate_limited_global
    posted = [m["content"] for g in env.guilds for m in env.fake.channel_messages(g.channel_id)]
    assert sorted(posted) == sorted(m.content for m in sent)
    assert len(set(posted)) == 25


async def test_interaction_endpoints_are_exempt_from_the_global_budget(env: Env) -> None:
    env.fake.rate_limits = RateLimitPolicy(global_limit=2, global_window=2.0, routes=())
    await env.channel(0).send("one")
    await env.channel(0).send("two")  # the global budget is spent for 2 s
    for _ in range(3):
        interaction = await env.fake.slash(env.alice, "hello", guild=env.guilds[0])
        await interaction.wait_followup()
        assert interaction.text == "hello"
    traffic = env.fake.traffic
    assert traffic.interaction_requests == 6  # a callback and a followup each
    assert traffic.rate_limited_global == 0
    await env.channel(0).send("three")  # waits out the window after one global 429
    assert traffic.rate_limited_global == 1


async def test_latency_lets_calls_overlap(env: Env) -> None:
    env.fake.latency = 0.3
    await asyncio.gather(*(env.channel(i).send("hi") for i in range(4)))
    assert env.fake.traffic.max_in_flight >= 2
    assert env.fake.traffic.in_flight == 0


async def test_couplebot_morning_within_discords_limits(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    fake.rate_limits = True
    fake.latency = 0.02
    await set_up(fake, couple)
    await post_today(fake, couple)
    await answer(fake, couple, couple.alex, "The walk home in the rain.")
    await answer(fake, couple, couple.sam, "Breakfast on the balcony.")
    await fake.wait_until(lambda: len(reveal_messages(fake, couple)) >= 1)
    assert fake.traffic.rate_limited == 0
    assert fake.traffic.interaction_requests > 0

"""The real CoupleBot as an AutoShardedBot: couples on two shards are both served."""

from __future__ import annotations

import discord

from couplebot.fake_discord import FakeDiscord, message_text

from .conftest import BotRunner, Couple, set_up
from .test_daily_e2e import answer, post_today, reveal_messages, round_messages


def _couple_on(fake: FakeDiscord, shard: int, count: int) -> Couple:
    alex, sam, guest = (fake.add_user(n) for n in (f"Alex{shard}", f"Sam{shard}", "Robin"))
    guild = fake.add_guild(f"shard {shard}", [alex, sam, guest], on_shard=(shard, count))
    return Couple(guild, alex, sam, guest)


async def test_couples_on_two_shards_are_both_served(fake: FakeDiscord, runner: BotRunner) -> None:
    fake.shards = 2
    couples = [_couple_on(fake, shard, 2) for shard in (0, 1)]
    bot = await runner.start(identify_pause=0)
    assert ("GET", "/gateway/bot") in [(r.method, r.path) for r in fake.requests]
    assert bot.shard_count == 2
    sessions = sorted(fake.gateway_sessions, key=lambda s: s.shard_id)
    assert [(s.shard_id, list(s.guild_ids)) for s in sessions] == [
        (0, [couples[0].guild.id]),
        (1, [couples[1].guild.id]),
    ]
    for couple in couples:
        assert bot.get_guild(couple.guild.id) is not None
        setup = await set_up(fake, couple)
        assert "All set" in setup.text, setup.text
        await post_today(fake, couple)
        await answer(fake, couple, couple.alex, f"Tea on {couple.guild.name}.")
        await answer(fake, couple, couple.sam, f"Rain on {couple.guild.name}.")
        await fake.wait_until(lambda c=couple: len(reveal_messages(fake, c)) == 1)
        [reveal] = reveal_messages(fake, couple)
        assert f"Tea on {couple.guild.name}." in message_text(reveal)
        assert f"Rain on {couple.guild.name}." in message_text(reveal)
        assert "Answer" not in message_text(round_messages(fake, couple)[0])


async def test_a_fixed_shard_count_is_used_as_given(fake: FakeDiscord, runner: BotRunner) -> None:
    couples = [_couple_on(fake, shard, 3) for shard in (0, 1, 2)]
    fake.shards = 1  # what Discord recommends is not used (only its max_concurrency)
    bot = await runner.start(shard_count=3, identify_pause=0)
    assert bot.shard_count == 3
    assert sorted(s.shard_id for s in fake.gateway_sessions) == [0, 1, 2]
    assert {g.id for g in bot.guilds} == {c.guild.id for c in couples}
    for couple in couples:
        shard = bot.get_guild(couple.guild.id)
        assert isinstance(shard, discord.Guild)
        assert shard.shard_id == couples.index(couple)


async def test_shards_identify_once_per_interval_in_each_bucket(
    fake: FakeDiscord, runner: BotRunner
) -> None:
    """Discord refuses a second IDENTIFY within 5 s in one bucket (`shard_id %
    max_concurrency`): the bot spaces its shards' IDENTIFYs per bucket, never refused."""
    fake.shards = 4
    fake.identify_limit.max_concurrency = 2
    fake.identify_limit.interval = 0.3
    couples = [_couple_on(fake, shard, 4) for shard in range(4)]
    bot = await runner.start(identify_pause=0.3)
    await fake.wait_until(lambda: len(fake.gateway_sessions) == 4)
    assert fake.identify_limit.refused == 0
    assert fake.identify_count == 4
    assert {g.id for g in bot.guilds} == {c.guild.id for c in couples}


async def test_shards_in_different_buckets_do_not_wait_for_each_other(
    fake: FakeDiscord, runner: BotRunner
) -> None:
    """With max_concurrency 2, shards 0 and 1 share no bucket and IDENTIFY at once: an
    interval far longer than the start's timeout cannot hold either of them up."""
    fake.shards = 2
    fake.identify_limit.max_concurrency = 2
    fake.identify_limit.interval = 3600
    couples = [_couple_on(fake, shard, 2) for shard in range(2)]
    bot = await runner.start(identify_pause=3600)
    assert fake.identify_limit.refused == 0
    assert sorted(s.shard_id for s in fake.gateway_sessions) == [0, 1]
    assert {g.id for g in bot.guilds} == {c.guild.id for c in couples}

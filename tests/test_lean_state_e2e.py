"""The bot keeps no per-guild objects of discord.py's (couplebot/lean_state.py), and still
knows its servers: a full-size GUILD_CREATE leaves nothing cached, an outage is not a
removal, a removal starts the grace, and commands in the server work."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from couplebot.bot import CoupleBot
from couplebot.fake_discord import FakeDiscord
from couplebot.fake_discord._state import MEMBER_PERMISSIONS
from tests.daily_store import DailyStore

from .conftest import BotRunner, Couple, set_up

SEND_MESSAGES = 1 << 11


def production_sized(payload: dict[str, Any], guild_id: int) -> dict[str, Any]:
    """The fake's GUILD_CREATE with what real Discord adds: roles, channels, emojis."""
    roles = [
        dict(payload["roles"][0], id=str(guild_id + 100 + i), name=f"role {i}", position=i + 1)
        for i in range(40)
    ]
    channels = [
        {
            "id": str(guild_id + 200 + i),
            "type": 0,
            "name": f"channel-{i}",
            "position": i + 1,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
        }
        for i in range(30)
    ]
    emojis = [
        {
            "id": str(guild_id + 300 + i),
            "name": f"emoji{i}",
            "roles": [],
            "require_colons": True,
            "managed": False,
            "animated": False,
            "available": True,
        }
        for i in range(20)
    ]
    return dict(
        payload,
        unavailable=False,
        roles=payload["roles"] + roles,
        channels=payload["channels"] + channels,
        emojis=emojis,
    )


async def _left_ids(bot: CoupleBot) -> set[int]:
    async with bot.store.read() as tx:
        return set(await tx.privacy.left_guild_ids())


async def test_a_full_guild_payload_leaves_nothing_cached_and_the_server_works(
    fake: FakeDiscord, couple: Couple, bot: CoupleBot
) -> None:
    guild_id = couple.guild.id
    payload = production_sized(fake._world.guild_payload(couple.guild), guild_id)
    joined: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def on_guild_available(guild: Any) -> None:
        if not joined.done():
            joined.set_result(guild.id)

    bot.add_listener(on_guild_available)
    await fake.dispatch("GUILD_CREATE", payload)
    assert await asyncio.wait_for(joined, 10) == guild_id
    guild = bot.get_guild(guild_id)
    assert guild is not None and not guild.unavailable
    assert list(guild.roles) == [] and list(guild.channels) == [] and guild.me is None
    assert list(bot.emojis) == []  # a stock state keeps every guild's emojis
    assert [g.id for g in bot.guilds] == [guild_id] and len(bot.guilds) == 1
    # Interactions carry what commands need: permissions, channel, member.
    fake.app_permissions = MEMBER_PERMISSIONS & ~SEND_MESSAGES
    refused = await set_up(fake, couple)
    assert "Send Messages" in refused.text and "All set" not in refused.text
    fake.app_permissions = MEMBER_PERMISSIONS
    accepted = await set_up(fake, couple)
    assert "All set" in accepted.text, accepted.text


async def test_an_outage_is_not_a_removal_and_a_removal_starts_the_grace(
    fake: FakeDiscord, couple: Couple, runner: BotRunner
) -> None:
    bot = await runner.start()
    await set_up(fake, couple)
    guild_id = couple.guild.id
    await fake.dispatch("GUILD_DELETE", {"id": str(guild_id), "unavailable": True})
    await fake.wait_until(lambda: getattr(bot.get_guild(guild_id), "unavailable", False))
    assert [g.id for g in bot.guilds] == [guild_id]  # still ours, only out of reach
    runner.clock.advance(timedelta(days=8))
    await bot.tick()
    assert guild_id not in await _left_ids(bot)
    async with DailyStore(bot.store).read() as tx:
        assert await tx.couple_by_guild(guild_id) is not None

    await fake.dispatch(
        "GUILD_CREATE", dict(fake._world.guild_payload(couple.guild), unavailable=False)
    )
    await fake.wait_until(lambda: getattr(bot.get_guild(guild_id), "unavailable", True) is False)
    await fake.dispatch("GUILD_DELETE", {"id": str(guild_id)})
    await fake.wait_until(lambda: bot.get_guild(guild_id) is None)
    for _ in range(500):  # the listener writes after the state drops the server
        if guild_id in await _left_ids(bot):
            break
        await asyncio.sleep(0.01)
    assert guild_id in await _left_ids(bot)
    assert list(bot.guilds) == []
    runner.clock.advance(timedelta(days=8))
    await bot.tick()
    async with DailyStore(bot.store).read() as tx:
        assert await tx.couple_by_guild(guild_id) is None

"""Partners' display names, looked up once (no privileged members intent needed)."""

from __future__ import annotations

import logging

import discord

log = logging.getLogger(__name__)

NEUTRAL_NAME = "Your partner"
_cache: dict[tuple[int, int], str] = {}


async def display_name(client: discord.Client, guild_id: int, user_id: int) -> str:
    key = (guild_id, user_id)
    if key in _cache:
        return _cache[key]
    guild = client.get_guild(guild_id)
    member: discord.Member | discord.User | None = guild.get_member(user_id) if guild else None
    try:
        if member is None and guild is not None:
            member = await guild.fetch_member(user_id)
        if member is None:
            member = await client.fetch_user(user_id)
    except discord.HTTPException:
        log.warning("could not look up a display name; using a neutral one")
        return NEUTRAL_NAME
    _cache[key] = member.display_name
    return member.display_name

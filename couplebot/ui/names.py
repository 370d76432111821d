"""Partners' display names, looked up once (no privileged members intent needed)."""

from __future__ import annotations

import logging
from collections import OrderedDict

import discord

log = logging.getLogger(__name__)

NEUTRAL_NAME = "Your partner"
# The names of the couples posted to lately: a bounded cache, not one entry per couple.
CACHE_SIZE = 1024
_cache: OrderedDict[tuple[int, int], str] = OrderedDict()


async def display_name(client: discord.Client, guild_id: int, user_id: int) -> str:
    """The partner's name in that server: nickname, else global name, else username."""
    key = (guild_id, user_id)
    if key in _cache:
        _cache.move_to_end(key)
        return _cache[key]
    guild = client.get_guild(guild_id)
    member = guild.get_member(user_id) if guild else None
    try:
        if member is not None:
            name = member.display_name
        else:
            # Works before the gateway is up too (the start-up catch-up posts early).
            data = await client.http.get_member(guild_id, user_id)
            user = data["user"]
            name = data.get("nick") or user.get("global_name") or user["username"]
    except discord.HTTPException:
        log.warning("could not look up a display name; using a neutral one")
        return NEUTRAL_NAME
    _cache[key] = name
    if len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
    return name

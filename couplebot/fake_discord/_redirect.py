"""Point an in-process discord.py at a FakeDiscord."""

from __future__ import annotations

from collections.abc import Callable

import discord.gateway
import discord.http
import yarl

from couplebot.fake_discord.server import FakeDiscord


def point_discord_py_at(fake: FakeDiscord) -> Callable[[], None]:
    """Redirect discord.py's REST base and gateway URL to the fake; returns an undo."""
    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)

    def undo() -> None:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    return undo

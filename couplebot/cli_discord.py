"""The commands that talk to Discord: `couplebot run`'s serving and `sync-commands`.

Apart from cli.py so that discord.py and the bot are loaded only by the commands that need
them.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

import aiohttp
import discord

from couplebot.bot import EXTENSIONS, CoupleBot, point_discord_at
from couplebot.cli import EXIT_OK, EXIT_PROBLEM, EXIT_USAGE, version
from couplebot.config import Settings, check_database_path, secret_of
from couplebot.content import Content, default_content_dir, load_content
from couplebot.store import Store
from couplebot.store.maintenance import count_couples

log = logging.getLogger("couplebot")


async def serve(settings: Settings, content: Content, token: str) -> int:
    point_discord_at(settings.discord_api_base, settings.discord_gateway_url)
    store = await Store.open(settings.database, secret_key=secret_of(settings))
    try:
        bot = CoupleBot(
            store=store,
            content=content,
            shard_count=settings.shards,
            guild_ready_timeout=settings.guild_ready_timeout,
        )
        _log_start_once(bot, settings.database)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, lambda: asyncio.ensure_future(bot.close()))
        try:
            async with bot:
                await bot.start(token)
        except discord.LoginFailure:
            print(
                "Discord did not accept DISCORD_TOKEN; copy the bot token again from the "
                "Developer Portal.",
                file=sys.stderr,
            )
            return EXIT_USAGE
        except (aiohttp.ClientError, OSError) as exc:
            print(
                f"Could not reach Discord ({exc.__class__.__name__}); check the network "
                "or COUPLEBOT_DISCORD_API_BASE and try again.",
                file=sys.stderr,
            )
            return EXIT_PROBLEM
        except discord.PrivilegedIntentsRequired:
            print(
                "Discord refused an intent couplebot does not need; please report this.",
                file=sys.stderr,
            )
            return EXIT_PROBLEM
    finally:
        await store.close()
    log.info("stopped cleanly")
    return EXIT_OK


def _log_start_once(bot: CoupleBot, database: Path) -> None:
    """One line when the bot is first ready: version, database, couples, command sync."""
    started = False
    shown = database.resolve()

    async def on_ready() -> None:
        nonlocal started
        if started:
            return
        started = True
        synced = getattr(bot, "commands_synced", None)
        log.info(
            "couplebot %s started: database %s, %d couple(s), slash commands %s",
            version(),
            shown,
            count_couples(database),
            "synced" if synced else "unchanged (not synced)",
        )

    bot.add_listener(on_ready, "on_ready")


# sync-commands


def sync_commands(settings: Settings, args: argparse.Namespace) -> int:
    """`couplebot sync-commands [--guild ID]`."""
    if settings.discord_token is None:
        print("couplebot sync-commands needs DISCORD_TOKEN, like couplebot run.", file=sys.stderr)
        return EXIT_USAGE
    check_database_path(settings.database)
    token = settings.discord_token.get_secret_value()
    try:
        count = asyncio.run(_sync(settings, token, args.guild))
    except discord.LoginFailure:
        print("Discord did not accept DISCORD_TOKEN; copy it again.", file=sys.stderr)
        return EXIT_USAGE
    except (aiohttp.ClientError, OSError) as exc:
        print(f"Could not reach Discord ({exc.__class__.__name__}).", file=sys.stderr)
        return EXIT_PROBLEM
    where = f"to server {args.guild}" if args.guild else "globally"
    print(f"Synced {count} slash commands {where}.")
    return EXIT_OK


async def _sync(settings: Settings, token: str, guild_id: int | None) -> int:
    """Send the command tree to Discord without starting the bot (no gateway, no posts)."""
    point_discord_at(settings.discord_api_base, settings.discord_gateway_url)
    store = await Store.open(settings.database, secret_key=secret_of(settings))
    try:
        content = load_content(settings.content_dir or default_content_dir())
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        async with discord.Client(intents=discord.Intents.none()) as probe:
            await probe.login(token)
            application_id = probe.application_id
        bot = CoupleBot(
            store=store, content=content, tick_seconds=None, application_id=application_id
        )
        async with bot:
            await bot.http.static_login(token)
            for extension in EXTENSIONS:
                await bot.load_extension(extension)
            if guild_id is None:
                synced = await bot.tree.sync()
            else:
                guild = discord.Object(guild_id)
                bot.tree.copy_global_to(guild=guild)
                synced = await bot.tree.sync(guild=guild)
    finally:
        await store.close()
    return len(synced)

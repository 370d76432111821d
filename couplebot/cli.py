"""`couplebot run | demo | check-content | migrate`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

import aiohttp
import discord

from couplebot.bot import CoupleBot, point_discord_at
from couplebot.config import (
    Settings,
    SettingsError,
    check_database_path,
    configure_logging,
    load_settings,
)
from couplebot.content import (
    Content,
    ContentError,
    check_content,
    default_content_dir,
    describe_default_mornings,
    load_content,
)
from couplebot.store import Store, StoreError

log = logging.getLogger("couplebot")

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_USAGE = 2

RUN_NEEDS = (
    "couplebot run needs a bot token: set DISCORD_TOKEN in the environment or in a .env "
    "file (or try `couplebot demo` to see the bot without one)."
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="couplebot", description="A gentle daily-question bot for couples on Discord."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("run", help="connect to Discord and run the bot")
    demo = commands.add_parser(
        "demo", help="play a couple's morning against a built-in fake Discord"
    )
    demo.add_argument("--quiet", action="store_true", help="print only the transcript")
    check = commands.add_parser("check-content", help="validate the question decks")
    check.add_argument("content_dir", nargs="?", type=Path, help="default: the shipped content")
    commands.add_parser("migrate", help="apply database migrations and exit")
    args = parser.parse_args(argv)

    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    configure_logging(settings.log_level)

    try:
        if args.command == "run":
            return _run(settings)
        if args.command == "demo":
            from couplebot.demo import run_demo  # noqa: PLC0415 - keeps `run` from loading the fake

            morning = run_demo(_content(settings), quiet=args.quiet, spec=settings.discord_spec)
            return asyncio.run(morning)
        if args.command == "check-content":
            return _check(args.content_dir or settings.content_dir or default_content_dir())
        return asyncio.run(_migrate(settings))
    except (SettingsError, ContentError, StoreError) as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE


def _content(settings: Settings) -> Content:
    return load_content(settings.content_dir or default_content_dir())


def _check(content_dir: Path) -> int:
    problems = check_content(content_dir)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {content_dir}", file=sys.stderr)
        return EXIT_PROBLEM
    content = load_content(content_dir)
    print(f"{len(content.questions)} questions and {len(content.follow_ups)} follow-ups look good.")
    print(describe_default_mornings(content))
    return EXIT_OK


async def _migrate(settings: Settings) -> int:
    check_database_path(settings.database)
    store = await Store.open(settings.database, secret_key=_secret(settings))
    try:
        version = await store.db.schema_version()
    finally:
        await store.close()
    print(f"{settings.database} is at schema version {version}.")
    return EXIT_OK


def _secret(settings: Settings) -> str | None:
    return settings.secret_key.get_secret_value() if settings.secret_key else None


def _run(settings: Settings) -> int:
    if settings.discord_token is None:
        print(RUN_NEEDS, file=sys.stderr)
        return EXIT_USAGE
    check_database_path(settings.database)
    content = _content(settings)
    return asyncio.run(_serve(settings, content, settings.discord_token.get_secret_value()))


async def _serve(settings: Settings, content: Content, token: str) -> int:
    point_discord_at(settings.discord_api_base, settings.discord_gateway_url)
    store = await Store.open(settings.database, secret_key=_secret(settings))
    try:
        bot = CoupleBot(store=store, content=content, shard_count=settings.shards)
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


if __name__ == "__main__":
    sys.exit(main())

"""`couplebot run | demo | check-content | migrate | status | backup | restore | sync-commands`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path

import aiohttp
import discord

from couplebot import cli_maintenance
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
from couplebot.lock import DatabaseLock, LockHeldError
from couplebot.serving import run_serving
from couplebot.store import Store, StoreError
from couplebot.store.maintenance import count_couples

log = logging.getLogger("couplebot")

EXIT_OK = 0
EXIT_PROBLEM = 1
EXIT_USAGE = 2

RUN_NEEDS = (
    "couplebot run needs a bot token: set DISCORD_TOKEN in the environment or in a .env "
    "file (or try `couplebot demo` to see the bot without one)."
)


def version() -> str:
    """The installed distribution's version (pyproject.toml is its one source)."""
    try:
        return metadata.version("couplebot")
    except metadata.PackageNotFoundError:
        return "(not installed)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="couplebot", description="A gentle daily-question bot for couples on Discord."
    )
    parser.add_argument("--version", action="version", version=f"couplebot {version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("run", help="connect to Discord and run the bot")
    demo = commands.add_parser(
        "demo", help="play a couple's morning against a built-in fake Discord"
    )
    demo.add_argument("--quiet", action="store_true", help="print only the transcript")
    check = commands.add_parser("check-content", help="validate the question decks")
    check.add_argument("content_dir", nargs="?", type=Path, help="default: the shipped content")
    commands.add_parser("migrate", help="apply database migrations and exit")
    cli_maintenance.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        configure_logging(settings.log_level, settings.log_format, settings.log_file)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE

    commands: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
        "run": lambda s, _: _run(s),
        "demo": _demo,
        "check-content": lambda s, a: _check(
            a.content_dir or s.content_dir or default_content_dir()
        ),
        "migrate": lambda s, _: _migrate(s),
        **cli_maintenance.COMMANDS,
    }
    try:
        return commands[args.command](settings, args)
    except (SettingsError, ContentError, StoreError, LockHeldError) as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE


def content_for(settings: Settings) -> Content:
    return load_content(settings.content_dir or default_content_dir())


def secret_of(settings: Settings) -> str | None:
    return settings.secret_key.get_secret_value() if settings.secret_key else None


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    from couplebot.demo import run_demo  # noqa: PLC0415 - keeps `run` from loading the fake

    return run_serving(
        run_demo(content_for(settings), quiet=args.quiet, spec=settings.discord_spec)
    )


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


def _migrate(settings: Settings) -> int:
    check_database_path(settings.database)
    with DatabaseLock(settings.database, "migrate"):
        version_now = asyncio.run(_open_and_close(settings))
    print(f"{settings.database} is at schema version {version_now}.")
    return EXIT_OK


async def _open_and_close(settings: Settings) -> int:
    store = await Store.open(settings.database, secret_key=secret_of(settings))
    try:
        return await store.db.schema_version()
    finally:
        await store.close()


def _run(settings: Settings) -> int:
    if settings.discord_token is None:
        print(RUN_NEEDS, file=sys.stderr)
        return EXIT_USAGE
    check_database_path(settings.database)
    content = content_for(settings)
    token = settings.discord_token.get_secret_value()
    with DatabaseLock(settings.database, "run"):
        return run_serving(_serve(settings, content, token))


async def _serve(settings: Settings, content: Content, token: str) -> int:
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


if __name__ == "__main__":
    sys.exit(main())

"""`couplebot run | demo | check-content | migrate | status | backup | restore | sync-commands`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path

from couplebot import cli_maintenance
from couplebot.config import (
    Settings,
    SettingsError,
    check_database_path,
    configure_logging,
    load_settings,
    secret_of,
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
        # discord.py and the bot load here, not at the top: the one-shot commands (migrate,
        # status, backup...) start in a third of the time without them. Before run_serving,
        # which freezes what is loaded by then out of the collector.
        from couplebot.cli_discord import serve  # noqa: PLC0415

        return run_serving(serve(settings, content, token))


if __name__ == "__main__":
    sys.exit(main())

"""The operator's commands: `couplebot status | backup | restore | forget | sync-commands`."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from couplebot.clock import SystemClock
from couplebot.config import Settings, check_database_path, secret_of
from couplebot.content import default_content_dir, load_content
from couplebot.lock import DatabaseLock, holder
from couplebot.store import Store, StoreError
from couplebot.store.crypto import configured_key, key_file_for, read_key_file, write_key_file
from couplebot.store.maintenance import Status, backup_to, read_status, restore_from, verify

if TYPE_CHECKING:
    from couplebot.services.ports import Post, PromptPost

STUCK_AFTER = timedelta(minutes=15)
EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2


def add_commands(commands: Any) -> None:
    commands.add_parser(
        "status",
        help="what the database says (the bot need not run); exit 1 when posts are stuck",
    )
    backup = commands.add_parser(
        "backup", help="copy the database (safe while the bot runs) and its key, then verify"
    )
    backup.add_argument("path", type=Path, help="a new file, or a folder to put it in")
    restore = commands.add_parser(
        "restore", help="put a backup in place of the database (the bot must be stopped)"
    )
    restore.add_argument("path", type=Path, help="a backup made by `couplebot backup`")
    forget = commands.add_parser(
        "forget", help="delete what couplebot keeps about one person (a deletion request)"
    )
    forget.add_argument("--user", type=int, required=True, metavar="ID", help="their Discord id")
    sync = commands.add_parser("sync-commands", help="send the slash commands to Discord now")
    sync.add_argument("--guild", type=int, metavar="ID", help="only this server, at once")


# status


def status(settings: Settings, args: argparse.Namespace) -> int:
    now = SystemClock().now()
    report = read_status(settings.database, now)
    running = holder(settings.database)
    print(f"database      {settings.database.resolve()}")
    print(f"schema        version {report.schema_version} {_schema_note(report)}")
    print(f"bot           {f'running ({running})' if running else 'not running'}")
    others = [
        f"{n} {what}"
        for n, what in (
            (report.couples_waiting, "waiting for the partner to accept"),
            (report.couples_ended, "ended, deleted after the 7-day grace"),
            (report.couples_left, "whose server removed the bot"),
        )
        if n
    ]
    also = f" (and {'; '.join(others)})" if others else ""
    print(f"couples       {report.couples}{also}")
    due = ", ".join(f"couple {r.couple_id} at {_clock(r.due_at)}" for r in report.due_soon)
    print(f"next hour     {len(report.due_soon)} round(s) due{': ' + due if due else ''}")
    oldest = (
        f", the oldest waiting {_ago(now - report.oldest_pending)}" if report.oldest_pending else ""
    )
    print(f"outbox        {report.pending_posts} post(s) pending{oldest}")
    last = report.last_post
    print(f"last post     {f'{_clock(last)} ({_ago(now - last)} ago)' if last else 'none yet'}")
    problem = _problem(report, now)
    print(f"health        {problem or 'ok'}")
    return EXIT_PROBLEM if problem else EXIT_OK


def _schema_note(report: Status) -> str:
    if report.schema_version > report.known_version:
        return f"(newer than this couplebot knows, {report.known_version}: upgrade couplebot)"
    if report.schema_version < report.known_version:
        return f"(the bot migrates it to {report.known_version} when it starts)"
    return "(current)"


def _problem(report: Status, now: datetime) -> str | None:
    if report.schema_version > report.known_version:
        return "STUCK: the database is newer than this couplebot"
    if report.oldest_pending is not None and now - report.oldest_pending > STUCK_AFTER:
        minutes = int(STUCK_AFTER.total_seconds() // 60)
        return f"STUCK: a post has waited more than {minutes} minutes"
    return None


def _clock(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _ago(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 120:
        return f"{minutes} min"
    hours = minutes // 60
    return f"{hours} h" if hours < 48 else f"{hours // 24} days"


# backup and restore


def _key_in_settings(settings: Settings) -> bytes | None:
    if settings.secret_key is None or not settings.secret_key.get_secret_value().strip():
        return None
    return configured_key(settings.secret_key.get_secret_value())


def backup(settings: Settings, args: argparse.Namespace) -> int:
    database: Path = settings.database
    target: Path = args.path
    if target.is_dir():
        stamp = SystemClock().now().strftime("%Y%m%d-%H%M%S")
        target = target / f"{database.stem}-{stamp}{database.suffix or '.db'}"
    from_env = _key_in_settings(settings)
    key = from_env if from_env is not None else read_key_file(key_file_for(database))
    backup_to(database, target)
    try:
        if from_env is None and key is not None:
            write_key_file(key_file_for(target), key)
            key = read_key_file(key_file_for(target))  # verify the pair as it lies on disk
        verified = verify(target, key)
    except StoreError:
        target.unlink(missing_ok=True)
        key_file_for(target).unlink(missing_ok=True)
        raise
    checked = ", the key opens it" if verified.key_checked else ", nothing encrypted in it yet"
    print(f"Backed up {database} to {target}: verified (quick_check ok{checked}).")
    if from_env is not None:
        print(
            "The key comes from COUPLEBOT_SECRET_KEY, so it is not in the backup: keep a copy "
            "of it with the backup, or the answers in it cannot be read."
        )
    elif key is not None:
        print(f"Its key is {key_file_for(target)}: keep the two files together, and safe.")
    return EXIT_OK


def restore(settings: Settings, args: argparse.Namespace) -> int:
    database: Path = settings.database
    source: Path = args.path
    check_database_path(database)
    from_env = _key_in_settings(settings)
    with DatabaseLock(database, "restore"):
        if from_env is not None:
            key: bytes | None = from_env
        else:
            key = read_key_file(key_file_for(source)) or read_key_file(key_file_for(database))
        verified = verify(source, key)
        stamp = SystemClock().now().strftime("%Y%m%d-%H%M%S")
        kept = restore_from(source, database, key, key_file=from_env is None, stamp=stamp)
    print(f"Restored {database} from {source} (schema version {verified.schema_version}).")
    if kept is not None:
        print(f"The database it replaced is kept as {kept}, in case you need it.")
    return EXIT_OK


# sync-commands


def sync_commands(settings: Settings, args: argparse.Namespace) -> int:
    from couplebot.cli_discord import sync_commands as sync  # noqa: PLC0415 - loads discord.py

    return sync(settings, args)


# forget


class _Offline:
    """The CLI's messenger: it works on the database only. Nothing is sent from here;
    anything queued waits in the outbox for the bot."""

    async def send(self, post: Post, *, nonce: str, marker: str) -> int | None:
        raise OSError("couplebot forget does not post; the bot sends queued posts")

    async def find_sent(self, post: Post, marker: str) -> int | None:
        return None

    async def refresh_prompt(self, post: PromptPost, marker: str) -> None:
        return None


def forget_user(settings: Settings, args: argparse.Namespace) -> int:
    check_database_path(settings.database)
    with DatabaseLock(settings.database, "forget"):
        deleted = asyncio.run(_forget(settings, args.user))
    print(
        f"Deleted what couplebot kept about user {args.user}: {deleted} row(s), in every "
        "couple they were part of. Their partner's own answers stay theirs."
    )
    return EXIT_OK


async def _forget(settings: Settings, user_id: int) -> int:
    store = await Store.open(settings.database, secret_key=secret_of(settings))
    try:
        content = load_content(settings.content_dir or default_content_dir())
        from couplebot.services import build_services  # noqa: PLC0415 - slow, forget only

        services = build_services(store, content, _Offline(), SystemClock())
        return await services.privacy.forget_everywhere(user_id)
    finally:
        await store.close()


COMMANDS: dict[str, Callable[[Settings, argparse.Namespace], int]] = {
    "forget": forget_user,
    "status": status,
    "backup": backup,
    "restore": restore,
    "sync-commands": sync_commands,
}

"""Key and database safety, at the level an operator meets it: the real `couplebot` process.

A lost, wrong or broken key, a second process on one database, a damaged page, file modes
and what the log may hold.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from couplebot.domain.questions import Depth, Question
from couplebot.fake_discord import FakeDiscord
from couplebot.store import NewPartner, Store
from couplebot.store.crypto import KEY_CHECK_META, key_file_for, write_key_file
from couplebot.store.errors import BadKeyError

from .conftest import Couple
from .daily_store import DailyStore
from .process_helpers import bot_process, couplebot, morning
from .test_cli import assert_one_sentence

NOW = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)
SECRET = "I never told you how scared I was that winter."
UNREACHABLE = "unreachable-token"


async def database_with_an_answer(database: Path, secret_key: str | None = None) -> None:
    """A couple, a round and one encrypted answer, written through the real store."""
    store = DailyStore(await Store.open(database, secret_key=secret_key))
    try:
        async with store.write() as tx:
            couple = await tx.save_couple(
                guild_id=1,
                channel_id=2,
                timezone="Europe/Berlin",
                question_time=datetime(2026, 1, 1, 8, 0).time(),
                themes={"everyday"},
                partners=(NewPartner(11, None), NewPartner(12, None)),
                now=NOW,
            )
            question = Question(id="q-1", text="What?", depth=Depth.LIGHT, theme="everyday")
            round_, _ = await tx.create_round(couple.id, NOW.date(), question, 1, NOW)
            await tx.save_answer(round_.id, 11, SECRET, passed=False, now=NOW)
    finally:
        await store.close()


def start(tmp_path: Path, database: Path, **settings: str) -> tuple[int, str]:
    """`couplebot run` up to the point where it would reach Discord (which it cannot)."""
    result = couplebot(
        tmp_path,
        "run",
        DISCORD_TOKEN=UNREACHABLE,
        COUPLEBOT_DATABASE=str(database),
        COUPLEBOT_LOG_LEVEL="ERROR",
        **settings,
    )
    return result.returncode, result.stderr


# Keys


async def test_a_lost_key_file_is_not_replaced(tmp_path: Path) -> None:
    database = tmp_path / "couplebot.db"
    await database_with_an_answer(database)
    key_file_for(database).unlink()

    code, err = start(tmp_path, database)

    assert code == 2, err
    sentence = assert_one_sentence(err)
    assert "is missing" in sentence and "back from your backup" in sentence
    assert not key_file_for(database).exists()
    assert list(tmp_path.glob("*.tmp")) == []


async def test_a_lost_key_file_is_not_replaced_even_before_any_answer(tmp_path: Path) -> None:
    """The key check alone marks the database as written with a key."""
    database = tmp_path / "couplebot.db"
    assert couplebot(tmp_path, "migrate", COUPLEBOT_DATABASE=str(database)).returncode == 0
    key_file_for(database).unlink()
    code, err = start(tmp_path, database)
    assert code == 2 and "is missing" in assert_one_sentence(err)
    assert not key_file_for(database).exists()


async def test_a_new_database_gets_an_owner_only_key_file_and_a_key_check(tmp_path: Path) -> None:
    database = tmp_path / "couplebot.db"
    result = couplebot(tmp_path, "migrate", COUPLEBOT_DATABASE=str(database))
    assert result.returncode == 0, result.stderr
    key_file = key_file_for(database)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_bytes().strip()
    conn = sqlite3.connect(database)
    (token,) = conn.execute("SELECT value FROM meta WHERE key = ?", (KEY_CHECK_META,)).fetchone()
    conn.close()
    assert Fernet(key).decrypt(token.encode()) == b"couplebot key check"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


async def test_a_wrong_key_is_refused_at_start(tmp_path: Path) -> None:
    database = tmp_path / "couplebot.db"
    await database_with_an_answer(database)
    right = key_file_for(database).read_bytes()
    other = Fernet.generate_key().decode()

    code, err = start(tmp_path, database, COUPLEBOT_SECRET_KEY=other)
    assert code == 2, err
    assert "not the one" in assert_one_sentence(err)

    key_file_for(database).write_bytes(Fernet.generate_key() + b"\n")
    code, err = start(tmp_path, database)
    assert code == 2, err
    assert "not the one" in assert_one_sentence(err)

    key_file_for(database).write_bytes(right)  # the right key opens it again
    code, err = start(tmp_path, database)
    assert code == 1 and "Could not reach Discord" in err, err


async def test_a_database_from_before_the_key_check_is_checked_against_its_answers(
    tmp_path: Path,
) -> None:
    database = tmp_path / "couplebot.db"
    key = Fernet.generate_key().decode()
    await database_with_an_answer(database, secret_key=key)
    conn = sqlite3.connect(database)
    conn.execute("DELETE FROM meta WHERE key = ?", (KEY_CHECK_META,))
    conn.commit()
    conn.close()

    code, err = start(tmp_path, database, COUPLEBOT_SECRET_KEY=Fernet.generate_key().decode())
    assert code == 2 and "not the one" in assert_one_sentence(err)

    code, err = start(tmp_path, database, COUPLEBOT_SECRET_KEY=key)
    assert code == 1, err  # past the key, stopped only by the unreachable Discord
    conn = sqlite3.connect(database)
    assert conn.execute("SELECT 1 FROM meta WHERE key = ?", (KEY_CHECK_META,)).fetchone()
    conn.close()


BAD_KEYS = {
    "non-ascii-env": ({"COUPLEBOT_SECRET_KEY": "clé-" + "x" * 40}, None, "no key has"),
    "malformed-env": ({"COUPLEBOT_SECRET_KEY": "hunter2"}, None, "not a valid key"),
    "short-env": ({"COUPLEBOT_SECRET_KEY": Fernet.generate_key().decode()[:-4]}, None, "valid"),
    "directory": ({}, "directory", "is a directory"),
    "dangling-link": ({}, "dangling", "which does not exist"),
    "empty-file": ({}, "empty", "is empty"),
    "garbage-file": ({}, "garbage", "does not hold a valid key"),
    "binary-file": ({}, "binary", "does not hold a valid key"),
}


@pytest.mark.parametrize("case", BAD_KEYS, ids=list(BAD_KEYS))
async def test_every_bad_key_state_is_one_sentence_naming_it(tmp_path: Path, case: str) -> None:
    settings, file_state, expected = BAD_KEYS[case]
    database = tmp_path / "couplebot.db"
    await database_with_an_answer(database)
    key_file = key_file_for(database)
    if file_state is not None:
        key_file.unlink()
        if file_state == "directory":
            key_file.mkdir()
        elif file_state == "dangling":
            key_file.symlink_to(tmp_path / "usb-stick" / "couplebot.db.key")
        elif file_state == "empty":
            key_file.write_bytes(b"")
        elif file_state == "garbage":
            key_file.write_text("not a key, just notes\n", encoding="utf-8")
        else:
            key_file.write_bytes(bytes(range(256)))

    for command in ("run", "migrate"):
        result = couplebot(
            tmp_path,
            command,
            DISCORD_TOKEN=UNREACHABLE,
            COUPLEBOT_DATABASE=str(database),
            **settings,
        )
        assert result.returncode == 2, result.stderr
        assert expected in assert_one_sentence(result.stderr)
    assert list(tmp_path.glob(".*.tmp")) == []


def test_a_new_key_file_is_never_left_partial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk during the write (fsync fails): no key file and no temporary file stay."""
    path = tmp_path / "couplebot.db.key"

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(BadKeyError, match="No space left on device"):
        write_key_file(path, Fernet.generate_key())
    assert list(tmp_path.iterdir()) == []


# One process per database


async def test_a_second_run_on_the_same_database_exits_2_naming_the_first(
    fake: FakeDiscord, couple: Couple, tmp_path: Path
) -> None:
    database = tmp_path / "couplebot.db"
    async with bot_process(fake, tmp_path, database) as first:
        second = couplebot(tmp_path, "run", **_fake_env(fake, database))
        assert second.returncode == 2, second.stderr
        sentence = assert_one_sentence(second.stderr)
        assert f"PID {first.process.pid}" in sentence
        assert first.process.returncode is None
        migrate = couplebot(tmp_path, "migrate", COUPLEBOT_DATABASE=str(database))
        assert migrate.returncode == 2 and f"PID {first.process.pid}" in migrate.stderr

        first.process.send_signal(signal.SIGKILL)  # a crash releases the lock
        await asyncio.wait_for(first.process.wait(), timeout=10)
    after = couplebot(tmp_path, "migrate", COUPLEBOT_DATABASE=str(database))
    assert after.returncode == 0, after.stderr


def _fake_env(fake: FakeDiscord, database: Path) -> dict[str, str]:
    return {
        "DISCORD_TOKEN": fake.token,
        "COUPLEBOT_DISCORD_API_BASE": fake.api_base,
        "COUPLEBOT_DISCORD_GATEWAY_URL": fake.gateway_url,
        "COUPLEBOT_DATABASE": str(database),
    }


# A damaged database


async def test_a_damaged_page_is_refused_at_start_pointing_to_the_backup(tmp_path: Path) -> None:
    database = tmp_path / "couplebot.db"
    await database_with_an_answer(database)
    conn = sqlite3.connect(database)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'response_fields'"
    ).fetchone()[0]
    conn.close()
    with database.open("r+b") as handle:  # scribble over the answer texts' b-tree page
        handle.seek((root - 1) * page_size)
        handle.write(b"\xa5" * page_size)
    before = database.read_bytes()

    code, err = start(tmp_path, database)

    assert code == 2, err
    sentence = assert_one_sentence(err)
    assert "is damaged" in sentence and "Backup and restore" in sentence
    assert database.read_bytes() == before


# File modes and logs


async def test_files_are_owner_only_and_the_debug_log_holds_no_private_text(
    fake: FakeDiscord, couple: Couple, tmp_path: Path
) -> None:
    database = tmp_path / "couplebot.db"
    log_file = tmp_path / "couplebot.log"
    settings = {"COUPLEBOT_LOG_LEVEL": "DEBUG", "COUPLEBOT_LOG_FILE": str(log_file)}
    async with bot_process(fake, tmp_path, database, **settings) as bot:
        await morning(fake, couple, SECRET, "Sam's own private words")
        modes = {
            path.name: stat.S_IMODE(path.stat().st_mode)
            for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm"), log_file)
        }
        modes[key_file_for(database).name] = stat.S_IMODE(key_file_for(database).stat().st_mode)
    assert set(modes.values()) == {0o600}, modes
    for text in (log_file.read_text(encoding="utf-8"), bot.log):
        assert SECRET not in text and "Sam's own private words" not in text
        assert "gAAAAA" not in text, "a Fernet token (ciphertext) reached the log"
        assert "aiosqlite" not in text
        assert fake.token not in text
    assert "DEBUG" in log_file.read_text(encoding="utf-8")  # the level really was DEBUG


async def test_the_start_line_and_no_library_chatter_at_the_default_level(
    fake: FakeDiscord, couple: Couple, tmp_path: Path
) -> None:
    database = tmp_path / "couplebot.db"
    async with bot_process(fake, tmp_path, database) as bot:
        log = bot.log
    start_line = re.search(
        r"couplebot (\S+) started: database (\S+), (\d+) couple\(s\), slash commands (\w+)", log
    )
    assert start_line is not None, log
    assert start_line.group(2) == str(database.resolve())
    assert (start_line.group(3), start_line.group(4)) == ("0", "synced")
    info_lines = [line for line in log.splitlines() if " INFO " in line]
    assert info_lines, log
    assert all(" couplebot" in line for line in info_lines), log

    async with bot_process(fake, tmp_path, database) as again:
        assert "slash commands unchanged (not synced)" in again.log


async def test_json_logs_are_one_object_per_line(
    fake: FakeDiscord, couple: Couple, tmp_path: Path
) -> None:
    database = tmp_path / "couplebot.db"
    async with bot_process(fake, tmp_path, database, COUPLEBOT_LOG_FORMAT="json") as bot:
        lines = [line for line in bot.log.splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]
    assert all({"time", "level", "logger", "message"} <= set(e) for e in entries)
    assert any(" started: database " in e["message"] for e in entries)

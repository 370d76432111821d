"""Upgrades: a database from every released schema version migrates to today's, through the
real `couplebot migrate`, and the bot reads back everything it held."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from couplebot.domain.questions import CUSTOM_THEME
from couplebot.store import Store
from couplebot.store.crypto import KEY_CHECK_META
from couplebot.store.db import migrations

from .daily_store import DailyStore
from .fixtures.make_schema_fixtures import (
    ALEX,
    ANSWERS,
    CUSTOM_QUESTION,
    KEY,
    RELEASED,
    SAM,
    build,
    fixture_path,
)
from .process_helpers import couplebot
from .test_cli import assert_one_sentence

LATEST = max(version for version, _, _ in migrations())


def schema(database: Path) -> set[tuple[str, str, str]]:
    conn = sqlite3.connect(database)
    try:
        return set(conn.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL"))
    finally:
        conn.close()


def upgraded(tmp_path: Path, version: int) -> Path:
    database = tmp_path / "couplebot.db"
    shutil.copy(fixture_path(version), database)
    result = couplebot(tmp_path, "migrate", COUPLEBOT_DATABASE=str(database),
                       COUPLEBOT_SECRET_KEY=KEY)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(f"is at schema version {LATEST}.")
    return database


def test_every_released_version_has_a_fixture() -> None:
    assert set(RELEASED) <= {v for v, _, _ in migrations()}
    for version in RELEASED:
        assert fixture_path(version).is_file(), "run python -m tests.fixtures.make_schema_fixtures"


@pytest.mark.parametrize("version", RELEASED)
def test_released_migrations_are_unchanged(tmp_path: Path, version: int) -> None:
    """Migrations are forward-only: the shipped 001..N still make the fixture's schema."""
    fresh = tmp_path / "fresh.db"
    build(version, fresh)
    assert schema(fresh) == schema(fixture_path(version))


@pytest.mark.parametrize("version", RELEASED)
async def test_an_old_database_migrates_with_nothing_lost(tmp_path: Path, version: int) -> None:
    database = upgraded(tmp_path, version)
    store = DailyStore(await Store.open(database, secret_key=KEY))
    try:
        async with store.read() as tx:
            couple = await tx.couple_by_guild(501)
            first, custom = await tx.round(1), await tx.round(2)
            first_answers, custom_answers = await tx.answers(1), await tx.answers(2)
            questions = await tx.custom_questions(1)
            pauses = await tx.pauses(1)
            pending = await tx.pending_posts()
            commands_hash = await tx.meta("commands_hash")
            served = await tx.guild_ids()
    finally:
        await store.close()

    assert couple is not None
    assert (couple.timezone, couple.question_time) == ("Europe/Berlin", time(7, 30))
    assert (couple.deep_days, couple.themes) == ({5, 6}, {"everyday", "memories"})
    assert couple.question_cycle == 2
    alex, sam = couple.partners
    assert (alex.user_id, alex.timezone, alex.quiet_start) == (ALEX, None, time(22, 0))
    assert (sam.user_id, sam.timezone, sam.quiet_end) == (SAM, "America/Toronto", time(7, 0))
    assert served == {501}  # the couple that left (schema 2) is kept, not served

    assert first is not None and custom is not None
    assert (first.question_text, first.follow_up, first.local_date) == (
        "What made you smile today?",
        "follow-01",
        date(2026, 3, 2),
    )
    assert first.revealed_at is not None and first.message_id == 7001
    assert (custom.question_text, custom.theme) == (CUSTOM_QUESTION, CUSTOM_THEME)
    assert custom.closed_at is not None and custom.revealed_at is None
    assert {(a.user_id, a.body) for a in first_answers} == {
        (user, text) for (round_id, user), text in ANSWERS.items() if round_id == 1
    }
    by_user = {a.user_id: a for a in custom_answers}
    assert (by_user[ALEX].body, by_user[ALEX].shared) == (ANSWERS[(2, ALEX)], True)
    assert (by_user[SAM].body, by_user[SAM].passed) == (None, True)
    assert [q.text for q in questions] == [CUSTOM_QUESTION]
    assert pauses == [(date(2026, 3, 10), date(2026, 3, 12))]
    assert pending == []
    assert commands_hash == "fixture-hash"

    conn = sqlite3.connect(database)
    try:
        sent = conn.execute("SELECT dedupe_key, sent_at, message_id FROM outbox").fetchall()
        (check,) = conn.execute(
            "SELECT value FROM meta WHERE key = ?", (KEY_CHECK_META,)
        ).fetchone()
        left = conn.execute("SELECT guild_id, left_at FROM couples WHERE left_at IS NOT NULL")
        left_rows = left.fetchall()
    finally:
        conn.close()
    assert len(sent) == 4 and all(s and m for _, s, m in sent)
    assert Fernet(KEY.encode()).decrypt(check.encode()) == b"couplebot key check"
    assert left_rows == ([(502, "2026-03-05T00:00:00+00:00")] if version >= 2 else [])


@pytest.mark.parametrize("version", RELEASED)
def test_an_old_database_refuses_a_wrong_key_before_migrating(tmp_path: Path, version: int) -> None:
    database = tmp_path / "couplebot.db"
    shutil.copy(fixture_path(version), database)
    result = couplebot(tmp_path, "migrate", COUPLEBOT_DATABASE=str(database),
                       COUPLEBOT_SECRET_KEY=Fernet.generate_key().decode())  # fmt: skip
    assert result.returncode == 2
    assert "not the one" in assert_one_sentence(result.stderr)
    assert schema(database) == schema(fixture_path(version)), "migrated under a wrong key"


def test_a_migrated_database_migrates_no_further(tmp_path: Path) -> None:
    database = upgraded(tmp_path, RELEASED[0])
    before = schema(database)
    again = couplebot(tmp_path, "migrate", COUPLEBOT_DATABASE=str(database),
                      COUPLEBOT_SECRET_KEY=KEY)  # fmt: skip
    assert again.returncode == 0 and schema(database) == before

"""The store on real SQLite files: migrations, pragmas, idempotence, encryption, crashes, locks."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time as wall
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from couplebot.domain.questions import CUSTOM_THEME, Depth, Question
from couplebot.store import (
    Database,
    NewPartner,
    SaveFailedError,
    SchemaTooNewError,
    Store,
    StoreError,
    Tx,
)
from couplebot.store.crypto import Cipher, key_file_for
from couplebot.store.db import migrations
from tests.daily_store import DailyStore

from .conftest import TEST_KEY

NOW = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)
DAY = date(2026, 6, 1)
ALEX, SAM = 1001, 1002
QUESTION = Question(
    id="everyday-001", text="What made you smile today?", depth=Depth.LIGHT, theme="everyday"
)
OTHER_QUESTION = Question(
    id="everyday-002", text="What would you like more of?", depth=Depth.MEDIUM, theme="everyday"
)
SECRET_ANSWER = "I felt far from you on Sunday, plaintext-marker-7f3a"
SECRET_QUESTION = "When did you last feel chosen by me? plaintext-marker-91bc"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "couplebot.db"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[Store]:
    opened = DailyStore(await Store.open(db_path, secret_key=TEST_KEY))
    try:
        yield opened
    finally:
        await opened.close()


async def add_couple(tx: Tx, guild_id: int = 1) -> int:
    couple = await tx.save_couple(
        guild_id=guild_id,
        channel_id=guild_id + 100,
        timezone="Europe/Berlin",
        question_time=time(8, 0),
        themes=["everyday"],
        partners=(NewPartner(ALEX, None), NewPartner(SAM, None)),
        now=NOW,
    )
    return couple.id


async def couple_with_round(store: Store) -> tuple[int, int]:
    async with store.write() as tx:
        couple_id = await add_couple(tx)
        round_, _ = await tx.create_round(couple_id, DAY, QUESTION, 1, NOW)
    return couple_id, round_.id


def raw(path: Path, sql: str) -> list[tuple[object, ...]]:
    """Run SQL through the plain sqlite3 module, outside the store."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


# Migrations


async def test_migrations_are_applied_at_open_and_recorded(
    db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    shipped = migrations()
    assert [version for version, _, _ in shipped] == list(range(1, len(shipped) + 1))
    caplog.set_level(logging.INFO, logger="couplebot.store.db")

    db = await Database.open(db_path)
    try:
        assert await db.schema_version() == len(shipped)
    finally:
        await db.close()
    applied = [r.getMessage() for r in caplog.records if "applied migration" in r.getMessage()]
    assert applied == [f"applied migration {name}" for _, name, _ in shipped]
    assert raw(db_path, "PRAGMA user_version") == [(len(shipped),)]
    tables = {row[0] for row in raw(db_path, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"couples", "partners", "exchanges", "responses", "outbox", "meta", "due_work"} <= tables

    caplog.clear()
    again = await Database.open(db_path)
    try:
        assert await again.migrate() == []
        assert await again.schema_version() == len(shipped)
    finally:
        await again.close()
    assert not [r for r in caplog.records if "applied migration" in r.getMessage()]


async def test_a_newer_schema_refuses_to_open(db_path: Path) -> None:
    known = len(migrations())
    db = await Database.open(db_path)
    await db.close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {known + 1}")
    conn.close()

    with pytest.raises(SchemaTooNewError, match="upgrade couplebot"):
        await Database.open(db_path)
    with pytest.raises(SchemaTooNewError, match="upgrade couplebot"):
        DailyStore(await Store.open(db_path, secret_key=TEST_KEY))
    assert raw(db_path, "PRAGMA user_version") == [(known + 1,)]


async def test_a_file_that_is_not_a_database_gives_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StoreError, match=r"notes\.db: file is not a database\.$"):
        await Database.open(path)


async def test_a_directory_as_database_gives_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="Could not open the database"):
        await Database.open(tmp_path)


# Connection settings


async def test_connection_uses_wal_full_sync_foreign_keys_and_busy_timeout(
    store: Store, db_path: Path
) -> None:
    for unit in (store.db.snapshot, store.db.transaction):  # the read and the main connection
        async with unit() as sql:
            values = {}
            for pragma in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout"):
                [(values[pragma],)] = await sql.all(f"PRAGMA {pragma}")
        assert values == {
            "journal_mode": "wal",
            "synchronous": 2,
            "foreign_keys": 1,
            "busy_timeout": 5000,
        }
    assert raw(db_path, "PRAGMA journal_mode") == [("wal",)]  # persisted in the file

    with pytest.raises(SaveFailedError, match="FOREIGN KEY"):
        async with store.write() as tx:
            await tx.add_pause(999, DAY, DAY, ALEX, NOW)


async def test_a_snapshot_runs_beside_a_write_and_sees_only_what_was_committed(
    store: Store,
) -> None:
    async with store.db.transaction() as writer:
        await writer.run("INSERT INTO meta (key, value) VALUES ('probe', 'half done')")
        async with store.db.snapshot() as reader:  # does not wait for the write lock
            rows = await reader.all("SELECT value FROM meta WHERE key='probe'")
        assert rows == []
    async with store.db.snapshot() as reader:
        rows = await reader.all("SELECT value FROM meta WHERE key='probe'")
    assert [tuple(r) for r in rows] == [("half done",)]


async def test_a_write_inside_a_snapshot_is_refused(store: Store) -> None:
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        async with store.db.snapshot() as reader:
            await reader.run("INSERT INTO meta (key, value) VALUES ('probe', 'x')")


async def test_busy_timeout_can_be_lowered(db_path: Path) -> None:
    db = await Database.open(db_path, busy_timeout_ms=120)
    try:
        async with db.reading() as sql:
            [(timeout,)] = await sql.all("PRAGMA busy_timeout")
    finally:
        await db.close()
    assert timeout == 120


# Idempotence


async def test_create_round_is_idempotent_per_couple_and_local_date(
    store: Store, db_path: Path
) -> None:
    async with store.write() as tx:
        couple_id = await add_couple(tx)
        first, created_first = await tx.create_round(couple_id, DAY, QUESTION, 1, NOW)
    async with store.write() as tx:
        second, created_second = await tx.create_round(couple_id, DAY, OTHER_QUESTION, 1, NOW)
        next_day, created_next = await tx.create_round(
            couple_id, date(2026, 6, 2), OTHER_QUESTION, 1, NOW
        )

    assert created_first and not created_second and created_next
    assert second.id == first.id and second.question_id == QUESTION.id
    assert next_day.id != first.id
    assert raw(
        db_path, f"SELECT COUNT(*) FROM exchanges WHERE kind = 'daily' AND slot = '{DAY}'"
    ) == [(1,)]


async def test_concurrent_create_round_makes_one_round(store: Store, db_path: Path) -> None:
    async with store.write() as tx:
        couple_id = await add_couple(tx)

    async def create() -> bool:
        async with store.write() as tx:
            await asyncio.sleep(0)
            _, created = await tx.create_round(couple_id, DAY, QUESTION, 1, NOW)
            return created

    results = await asyncio.gather(*(create() for _ in range(10)))
    assert sorted(results) == [False] * 9 + [True]
    assert raw(db_path, "SELECT COUNT(*) FROM exchanges WHERE kind = 'daily'") == [(1,)]


async def test_enqueue_with_the_same_dedupe_key_records_one_post(
    store: Store, db_path: Path
) -> None:
    couple_id, round_id = await couple_with_round(store)
    key = f"question:{round_id}"
    async with store.write() as tx:
        first = await tx.enqueue(key, couple_id=couple_id, kind="question", now=NOW)
    async with store.write() as tx:
        again = await tx.enqueue(key, couple_id=couple_id, kind="reveal", now=NOW)
        other = await tx.enqueue(f"reveal:{round_id}", couple_id=couple_id, kind="reveal", now=NOW)

    assert (first, again, other) == (True, False, True)
    assert raw(db_path, f"SELECT kind FROM outbox WHERE dedupe_key = '{key}'") == [("question",)]
    assert raw(db_path, "SELECT COUNT(*) FROM outbox") == [(2,)]


async def test_mark_revealed_wins_exactly_once_across_concurrent_tasks(store: Store) -> None:
    _, round_id = await couple_with_round(store)

    async def reveal() -> bool:
        async with store.write() as tx:
            await asyncio.sleep(0)  # give the other tasks every chance to interleave
            return await tx.mark_revealed(round_id, NOW)

    results = await asyncio.gather(*(reveal() for _ in range(25)))
    assert results.count(True) == 1
    async with store.read() as tx:
        round_ = await tx.round(round_id)
    assert round_ is not None and round_.revealed_at == NOW


async def test_an_error_inside_a_write_leaves_nothing_behind(store: Store) -> None:
    couple_id, round_id = await couple_with_round(store)

    class Interrupted(Exception):
        pass

    async def interrupted_write() -> None:
        async with store.write() as tx:
            await tx.save_answer(round_id, ALEX, "half", passed=False, now=NOW)
            await tx.enqueue(f"reveal:{round_id}", couple_id=couple_id, kind="reveal", now=NOW)
            raise Interrupted

    with pytest.raises(Interrupted):
        await interrupted_write()
    async with store.read() as tx:
        assert await tx.answers(round_id) == []
        assert await tx.pending_posts() == []


# Encryption at rest


async def test_answers_and_custom_questions_are_encrypted_at_rest(db_path: Path) -> None:
    store = DailyStore(await Store.open(db_path, secret_key=TEST_KEY))
    try:
        async with store.write() as tx:
            couple_id = await add_couple(tx)
            custom = await tx.add_custom_question(couple_id, ALEX, SECRET_QUESTION, NOW)
            round_, _ = await tx.create_round(couple_id, DAY, custom, 1, NOW)
            await tx.save_answer(round_.id, ALEX, SECRET_ANSWER, passed=False, now=NOW)
        async with store.read() as tx:
            answers = await tx.answers(round_.id)
            stored_round = await tx.round(round_.id)
            customs = await tx.custom_questions(couple_id)
        # While the store is open the writes may still sit in the WAL file: check it too.
        files = [p for p in db_path.parent.iterdir() if p.name.startswith(db_path.name)]
        for path in files:
            data = path.read_bytes()
            assert b"plaintext-marker" not in data, path.name
            assert b"What made you smile" not in data  # only shipped question text stays plain
    finally:
        await store.close()

    assert [a.body for a in answers] == [SECRET_ANSWER]
    assert stored_round is not None and stored_round.question_text == SECRET_QUESTION
    assert stored_round.theme == CUSTOM_THEME
    assert [q.text for q in customs] == [SECRET_QUESTION]

    dump = "\n".join(sqlite3.connect(db_path).iterdump())
    assert "plaintext-marker" not in dump
    assert "I felt far from you" not in dump
    assert b"plaintext-marker" not in db_path.read_bytes()


async def test_shipped_question_text_is_stored_plainly(store: Store, db_path: Path) -> None:
    """The contrast that shows the check above can fail: unencrypted text is found in the file."""
    await couple_with_round(store)
    dump = "\n".join(sqlite3.connect(db_path).iterdump())
    assert QUESTION.text in dump


async def test_a_key_file_is_created_owner_only_and_reused(db_path: Path) -> None:
    key_file = key_file_for(db_path)
    assert not key_file.exists()
    store = DailyStore(await Store.open(db_path))
    try:
        assert key_file.exists()
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        round_id = (await couple_with_round(store))[1]
        async with store.write() as tx:
            await tx.save_answer(round_id, SAM, SECRET_ANSWER, passed=False, now=NOW)
    finally:
        await store.close()
    key = key_file.read_bytes()
    Fernet(key.strip())  # a real Fernet key

    reopened = DailyStore(await Store.open(db_path))
    try:
        async with reopened.read() as tx:
            answers = await tx.answers(round_id)
    finally:
        await reopened.close()
    assert key_file.read_bytes() == key
    assert [a.body for a in answers] == [SECRET_ANSWER]


async def test_a_wrong_key_gives_a_clear_store_error(db_path: Path) -> None:
    store = DailyStore(await Store.open(db_path, secret_key=TEST_KEY))
    try:
        round_id = (await couple_with_round(store))[1]
        async with store.write() as tx:
            await tx.save_answer(round_id, ALEX, SECRET_ANSWER, passed=False, now=NOW)
    finally:
        await store.close()

    # Refused when opening (the key check), before any answer is read with it.
    with pytest.raises(StoreError, match="COUPLEBOT_SECRET_KEY") as caught:
        await Store.open(db_path, secret_key=Fernet.generate_key().decode())
    assert SECRET_ANSWER not in str(caught.value)

    with pytest.raises(StoreError, match="not a valid key"):
        DailyStore(await Store.open(db_path, secret_key="not-a-fernet-key"))


# Crash and reopen

CRASH_SCRIPT = textwrap.dedent(
    """
    import asyncio, os, sys
    from datetime import UTC, date, datetime
    from pathlib import Path

    from couplebot.store import Store
    from tests.daily_store import DailyStore

    async def main(path, key, round_id):
        store = DailyStore(await Store.open(Path(path), secret_key=key))
        now = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)
        async with store.write() as tx:
            await tx.save_answer(round_id, 1001, "committed answer", passed=False, now=now)
        async with store.db.reading() as sql:
            await sql.run("PRAGMA cache_size = 2")  # spill uncommitted pages to the WAL
        async with store.write() as tx:
            await tx.save_answer(round_id, 1002, "half-done answer", passed=False, now=now)
            for n in range(400):
                await tx.enqueue(f"remind:{round_id}:{n}:" + "x" * 60, couple_id=1,
                                 kind="remind", round_id=round_id, now=now)
            print("mid-transaction", flush=True)
            os._exit(1)

    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
    """
)


async def test_a_crash_mid_transaction_keeps_committed_work_and_drops_the_rest(
    db_path: Path,
) -> None:
    store = DailyStore(await Store.open(db_path, secret_key=TEST_KEY))
    try:
        couple_id, round_id = await couple_with_round(store)
    finally:
        await store.close()
    assert couple_id == 1

    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        CRASH_SCRIPT,
        str(db_path),
        TEST_KEY,
        str(round_id),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(child.communicate(), timeout=20)
    assert child.returncode == 1, err.decode()
    assert out.decode().strip() == "mid-transaction", err.decode()

    reopened = DailyStore(await Store.open(db_path, secret_key=TEST_KEY))
    try:
        async with reopened.read() as tx:
            answers = await tx.answers(round_id)
            pending = await tx.pending_posts()
    finally:
        await reopened.close()
    assert [(a.user_id, a.body) for a in answers] == [(ALEX, "committed answer")]
    assert pending == []
    assert raw(db_path, "PRAGMA integrity_check") == [("ok",)]


# Locks


async def test_a_locked_database_fails_the_write_cleanly(db_path: Path) -> None:
    store = DailyStore(
        Store(await Database.open(db_path, busy_timeout_ms=200), Cipher(TEST_KEY.encode()))
    )
    try:
        _, round_id = await couple_with_round(store)
        locker = sqlite3.connect(db_path, isolation_level=None, timeout=0)
        try:
            locker.execute("BEGIN EXCLUSIVE")
            locker.execute("INSERT INTO meta (key, value) VALUES ('locker', 'was here')")
            started = wall.monotonic()
            with pytest.raises(SaveFailedError, match="locked"):
                async with store.write() as tx:
                    await tx.save_answer(round_id, ALEX, "blocked", passed=False, now=NOW)
            waited = wall.monotonic() - started
            locker.execute("ROLLBACK")
        finally:
            locker.close()
        assert 0.15 <= waited < 5, waited  # waited for busy_timeout, not the 5 s default

        # The store is not wedged: the lock is gone and the next write goes through.
        async with store.write() as tx:
            await tx.save_answer(round_id, SAM, "after the lock", passed=False, now=NOW)
        async with store.read() as tx:
            answers = await tx.answers(round_id)
            locker_meta = await tx.meta("locker")
    finally:
        await store.close()
    assert [(a.user_id, a.body) for a in answers] == [(SAM, "after the lock")]
    assert locker_meta is None
    assert raw(db_path, "PRAGMA integrity_check") == [("ok",)]


async def test_opening_while_another_writer_holds_the_lock_is_a_store_error(
    db_path: Path,
) -> None:
    db = await Database.open(db_path, migrate=False)  # the file, in WAL mode, no tables
    await db.close()
    locker = sqlite3.connect(db_path, isolation_level=None, timeout=0)
    try:
        locker.execute("BEGIN EXCLUSIVE")
        with pytest.raises(StoreError, match="locked"):
            await Database.open(db_path, busy_timeout_ms=50)
        locker.execute("ROLLBACK")
    finally:
        locker.close()
    assert raw(db_path, "PRAGMA user_version") == [(0,)]


async def test_small_and_urgent_writes_run_inline_and_roll_back_on_error(store: Store) -> None:
    from couplebot.store.sql import InlineSql

    async def half_done(options: dict[str, bool]) -> None:
        async with store.db.transaction(**options) as sql:
            await sql.run("INSERT INTO meta (key, value) VALUES ('dropped', 'no')")
            raise RuntimeError("half done")

    for options in ({"urgent": True}, {"small": True}):
        async with store.db.transaction(**options) as sql:
            assert isinstance(sql, InlineSql)
            await sql.run("INSERT INTO meta (key, value) VALUES ('kept', 'yes')")
        with pytest.raises(RuntimeError):
            await half_done(options)
        async with store.db.snapshot() as reader:
            rows = await reader.all("SELECT key FROM meta WHERE key IN ('kept', 'dropped')")
        assert [r[0] for r in rows] == ["kept"]
        async with store.db.transaction() as sql:
            assert not isinstance(sql, InlineSql)  # background work keeps to the thread
            await sql.run("DELETE FROM meta WHERE key = 'kept'")

"""The operator's commands as a real process: status, backup, restore, sync-commands."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.fernet import Fernet

from couplebot.domain.questions import Depth, Question
from couplebot.fake_discord import FakeDiscord
from couplebot.store import NewPartner, Store
from couplebot.store.crypto import key_file_for

from .conftest import Couple
from .daily_store import DailyStore
from .process_helpers import bot_process, couplebot, fake_settings, morning
from .test_cli import assert_one_sentence, clean_env

QUESTION = Question(id="q-1", text="What?", depth=Depth.LIGHT, theme="everyday")


def db_env(database: Path, **more: str) -> dict[str, str]:
    return {"COUPLEBOT_DATABASE": str(database), **more}


def rows(database: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(database)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def execute(database: Path, sql: str, *params: object) -> None:
    conn = sqlite3.connect(database)
    try:
        conn.execute(sql, params)
        conn.commit()
    finally:
        conn.close()


async def couple_due_in(database: Path, minutes: int, *, with_round: bool = False) -> None:
    """A couple in UTC whose question time is `minutes` from now (real time)."""
    due = datetime.now(UTC) + timedelta(minutes=minutes)
    store = DailyStore(await Store.open(database))
    try:
        async with store.write() as tx:
            couple = await tx.save_couple(
                guild_id=1,
                channel_id=2,
                timezone="UTC",
                question_time=due.time().replace(second=0, microsecond=0),
                themes={"everyday"},
                partners=(NewPartner(11, None), NewPartner(12, None)),
                now=datetime.now(UTC),
            )
            await tx.tx.couples.accept(couple.id, datetime.now(UTC))
            if with_round:
                await tx.create_round(couple.id, due.date(), QUESTION, 1, datetime.now(UTC))
    finally:
        await store.close()


def field(output: str, name: str) -> str:
    for line in output.splitlines():
        if line.startswith(name):
            return line[len(name) :].strip()
    raise AssertionError(f"no {name!r} line in:\n{output}")


# status


async def test_status_of_a_healthy_running_bot(
    fake: FakeDiscord, couple: Couple, tmp_path: Path
) -> None:
    database = tmp_path / "couplebot.db"
    async with bot_process(fake, tmp_path, database) as bot:
        await morning(fake, couple, "Alex's words", "Sam's words")
        for _ in range(50):  # the reveal's last posts may still be on their way
            result = await asyncio.to_thread(couplebot, tmp_path, "status", **db_env(database))
            if "0 post(s) pending" in result.stdout:
                break
            await asyncio.sleep(0.1)
        assert result.returncode == 0, result.stdout + result.stderr
        out = result.stdout
        assert field(out, "bot") == f"running (PID {bot.process.pid})"
    assert field(out, "couples") == "1"
    assert field(out, "schema").endswith("(current)")
    assert field(out, "outbox") == "0 post(s) pending"
    assert "UTC (" in field(out, "last post") and "min ago)" in field(out, "last post")
    assert field(out, "health") == "ok"
    assert "Alex's words" not in out and "Sam's words" not in out


async def test_status_exits_1_when_a_post_is_stuck(tmp_path: Path) -> None:
    database = tmp_path / "couplebot.db"
    await couple_due_in(database, 600)
    now = datetime.now(UTC)
    insert = (
        "INSERT INTO outbox (dedupe_key, couple_id, kind, created_at) VALUES (?, 1, 'question', ?)"
    )
    execute(database, insert, "fresh", (now - timedelta(minutes=2)).isoformat())
    fresh = couplebot(tmp_path, "status", **db_env(database))
    assert fresh.returncode == 0, fresh.stdout
    assert field(fresh.stdout, "outbox") == "1 post(s) pending, the oldest waiting 2 min"

    execute(database, insert, "stuck", (now - timedelta(minutes=16)).isoformat())
    stuck = couplebot(tmp_path, "status", **db_env(database))
    assert stuck.returncode == 1, stuck.stdout
    assert field(stuck.stdout, "outbox") == "2 post(s) pending, the oldest waiting 16 min"
    assert field(stuck.stdout, "health").startswith("STUCK")
    assert field(stuck.stdout, "bot") == "not running"


async def test_status_counts_rounds_due_in_the_next_hour(tmp_path: Path) -> None:
    soon, later, out_already = (tmp_path / name for name in ("soon.db", "later.db", "out.db"))
    await couple_due_in(soon, 30)
    await couple_due_in(later, 90)
    await couple_due_in(out_already, 30, with_round=True)
    assert field(couplebot(tmp_path, "status", **db_env(soon)).stdout, "next hour").startswith(
        "1 round(s) due: couple 1 at "
    )
    for database in (later, out_already):
        result = couplebot(tmp_path, "status", **db_env(database))
        assert field(result.stdout, "next hour") == "0 round(s) due"


async def test_status_counts_only_the_couples_it_serves(tmp_path: Path) -> None:
    database = tmp_path / "couplebot.db"
    await couple_due_in(database, 30)  # couple 1: served
    store = await Store.open(database)
    try:
        async with store.write() as tx:
            now = datetime.now(UTC)
            for guild in (21, 22, 23, 24):
                await tx.couples.save(
                    guild_id=guild,
                    channel_id=guild * 10,
                    timezone="UTC",
                    question_time=now.time().replace(second=0, microsecond=0),
                    themes={"everyday"},
                    partners=(NewPartner(guild * 100, None), NewPartner(guild * 100 + 1, None)),
                    now=now,
                )
            await tx.couples.accept(2, now)
            await tx.couples.end(2, now)  # ended: waits out the grace
            # 3: nobody accepted yet
            await tx.couples.accept(4, now)
            await tx.privacy.mark_left(24, now)  # the server removed the bot
            await tx.couples.accept(5, now)  # served, nothing due in the next hour
    finally:
        await store.close()

    out = couplebot(tmp_path, "status", **db_env(database)).stdout

    assert field(out, "couples") == (
        "2 (and 1 waiting for the partner to accept; 1 ended, deleted after the 7-day grace;"
        " 1 whose server removed the bot)"
    )
    assert field(out, "next hour").startswith("1 round(s) due: couple 1 at ")


def test_status_without_a_database_is_one_sentence(tmp_path: Path) -> None:
    result = couplebot(tmp_path, "status", **db_env(tmp_path / "nowhere.db"))
    assert result.returncode == 2
    assert "There is no database" in assert_one_sentence(result.stderr)
    assert not (tmp_path / "nowhere.db").exists()


# backup

WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from datetime import UTC, datetime
    from pathlib import Path
    from couplebot.domain.questions import Depth, Question
    from couplebot.store import NewPartner, Store
    from tests.daily_store import DailyStore

    async def main(path, stop):
        store = DailyStore(await Store.open(Path(path)))
        now = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)
        async with store.write() as tx:
            couple = await tx.save_couple(
                guild_id=1, channel_id=2, timezone="UTC", question_time=now.time(),
                themes={"everyday"}, partners=(NewPartner(11, None), NewPartner(12, None)),
                now=now)
        print("ready", flush=True)
        n = 0
        while not Path(stop).exists():  # until the test has its backups
            question = Question(id=f"q-{n}", text="What?", depth=Depth.LIGHT, theme="everyday")
            async with store.write() as tx:
                day = datetime.fromordinal(now.toordinal() + n).date()
                round_, _ = await tx.create_round(couple.id, day, question, 1, now)
                await tx.save_answer(round_.id, 11, f"answer number {n}", passed=False, now=now)
                await tx.save_answer(round_.id, 12, f"reply number {n}", passed=False, now=now)
            n += 1
        await store.close()
        print("done", flush=True)

    asyncio.run(main(sys.argv[1], sys.argv[2]))
    """
)


async def test_backups_taken_while_a_process_writes_are_consistent(tmp_path: Path) -> None:
    database = tmp_path / "couplebot.db"
    stop = tmp_path / "stop"
    writer = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        WRITER,
        str(database),
        str(stop),
        cwd=Path(__file__).resolve().parent.parent,
        env=clean_env(),
        stdout=asyncio.subprocess.PIPE,
    )
    assert writer.stdout is not None
    assert (await asyncio.wait_for(writer.stdout.readline(), 30)).strip() == b"ready"
    backups = []
    for number in range(4):
        target = tmp_path / f"backup-{number}.db"
        result = await asyncio.to_thread(
            couplebot, tmp_path, "backup", str(target), **db_env(database)
        )
        assert result.returncode == 0, result.stderr
        assert "verified (quick_check ok, the key opens it)" in result.stdout
        backups.append(target)
    stop.touch()
    assert (await asyncio.wait_for(writer.stdout.read(), 60)).strip() == b"done"
    assert await writer.wait() == 0

    key = Fernet(key_file_for(database).read_bytes().strip())
    counts = []
    for backup in backups:
        assert rows(backup, "PRAGMA integrity_check") == [("ok",)]
        assert key_file_for(backup).read_bytes() == key_file_for(database).read_bytes()
        exchanges = rows(backup, "SELECT COUNT(*) FROM exchanges")[0][0]
        values = [v for (v,) in rows(backup, "SELECT value FROM response_fields")]
        assert len(values) == 2 * exchanges, "a round's two answers were split by the backup"
        texts = sorted(key.decrypt(v.encode()).decode() for v in values)
        assert texts == sorted(
            [f"answer number {n}" for n in range(exchanges)]
            + [f"reply number {n}" for n in range(exchanges)]
        )
        counts.append(exchanges)
    assert counts == sorted(counts)
    final = rows(database, "SELECT COUNT(*) FROM exchanges")[0][0]
    assert 0 < counts[0] < counts[-1] < final, (counts, final)


def test_a_backup_of_a_key_from_the_environment_reminds_to_keep_the_key(tmp_path: Path) -> None:
    database = tmp_path / "couplebot.db"
    key = Fernet.generate_key().decode()
    assert (
        couplebot(tmp_path, "migrate", **db_env(database, COUPLEBOT_SECRET_KEY=key)).returncode == 0
    )
    target = tmp_path / "backups"
    target.mkdir()
    result = couplebot(
        tmp_path, "backup", str(target), **db_env(database, COUPLEBOT_SECRET_KEY=key)
    )
    assert result.returncode == 0, result.stderr
    assert "COUPLEBOT_SECRET_KEY, so it is not in the backup" in result.stdout
    (made,) = target.iterdir()
    assert made.name.startswith("couplebot-") and made.suffix == ".db"
    assert key not in result.stdout + result.stderr

    again = couplebot(tmp_path, "backup", str(made), **db_env(database, COUPLEBOT_SECRET_KEY=key))
    assert again.returncode == 2 and "already exists" in assert_one_sentence(again.stderr)


# restore


async def test_restore_refuses_while_the_bot_runs_then_restores_and_keeps_the_old_db(
    fake: FakeDiscord, couple: Couple, tmp_path: Path
) -> None:
    database = tmp_path / "couplebot.db"
    backup = tmp_path / "backup.db"
    async with bot_process(fake, tmp_path, database) as bot:
        await morning(fake, couple, "before the backup", "me too")
        made = couplebot(tmp_path, "backup", str(backup), **db_env(database))  # while it runs
        assert made.returncode == 0, made.stderr
        refused = couplebot(tmp_path, "restore", str(backup), **db_env(database))
        assert refused.returncode == 2
        assert f"PID {bot.process.pid}" in assert_one_sentence(refused.stderr)
    execute(database, "UPDATE couples SET question_time = '09:45'")  # a change after the backup

    restored = couplebot(tmp_path, "restore", str(backup), **db_env(database))

    assert restored.returncode == 0, restored.stderr
    assert rows(database, "SELECT question_time FROM couples") == [("08:00",)]
    (aside,) = (p for p in tmp_path.glob("couplebot.db.before-restore-*") if p.suffix != ".key")
    assert rows(aside, "SELECT question_time FROM couples") == [("09:45",)]
    assert key_file_for(aside).exists()
    assert str(aside) in restored.stdout
    async with bot_process(fake, tmp_path, database) as again:  # the restored pair opens
        status = couplebot(tmp_path, "status", **db_env(database))
        assert field(status.stdout, "couples") == "1"
        assert again.process.returncode is None


async def test_restore_refuses_a_backup_its_key_does_not_open(tmp_path: Path) -> None:
    database = tmp_path / "couplebot.db"
    backup = tmp_path / "backup.db"
    await couple_due_in(database, 600, with_round=True)
    store = DailyStore(await Store.open(database))
    async with store.write() as tx:
        await tx.save_answer(1, 11, "private", passed=False, now=datetime.now(UTC))
    await store.close()
    assert couplebot(tmp_path, "backup", str(backup), **db_env(database)).returncode == 0
    key_file_for(backup).write_bytes(Fernet.generate_key() + b"\n")
    before = database.read_bytes()

    result = couplebot(tmp_path, "restore", str(backup), **db_env(database))

    assert result.returncode == 2
    assert "does not open" in assert_one_sentence(result.stderr)
    assert database.read_bytes() == before
    assert list(tmp_path.glob("*before-restore*")) == []


# sync-commands


async def test_sync_commands_globally_and_to_one_server(
    fake: FakeDiscord, couple: Couple, tmp_path: Path
) -> None:
    database = tmp_path / "couplebot.db"
    settings = fake_settings(fake, database)
    result = await asyncio.to_thread(couplebot, tmp_path, "sync-commands", **settings)
    assert result.returncode == 0, result.stderr
    names = {c["name"] for c in fake.global_commands}
    assert {"setup", "question", "privacy"} <= names
    assert result.stdout.strip() == f"Synced {len(names)} slash commands globally."

    guild = couple.guild.id
    result = await asyncio.to_thread(
        couplebot, tmp_path, "sync-commands", "--guild", str(guild), **settings
    )
    assert result.returncode == 0, result.stderr
    assert {c["name"] for c in fake.guild_commands[guild]} == names
    assert fake.identify_count == 0, "sync-commands must not connect the gateway"
    assert fake.channel_messages(couple.guild.channel_id) == []

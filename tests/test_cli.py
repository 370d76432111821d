"""`couplebot` on the command line: exit codes, one-sentence errors, migrate, and clean stops."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from couplebot.cli import RUN_NEEDS, main
from couplebot.fake_discord import SPEC_ENV_VAR, FakeDiscord
from couplebot.store.db import migrations

from .conftest import Couple

TOKEN = "MTIz.secret-token-never-printed.4242"
BAD_DECK = """\
theme = "everyday"

[[question]]
id = "everyday-001"
depth = "bottomless"
text = "What made you smile today?"
"""
# A file:line problem as check_content prints it: "<path>.toml:<line>: <message>".
PROBLEM_LINE = re.compile(r"^\S+\.toml:\d+: \S.*$")


def clean_env(**settings: str) -> dict[str, str]:
    """This process's environment without any couplebot setting (but the spec path)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name.upper() != "DISCORD_TOKEN"
        and (not name.upper().startswith("COUPLEBOT_") or name == SPEC_ENV_VAR)
    }
    # Should a test go wrong and the bot really start, it must not reach the real Discord.
    env["COUPLEBOT_DISCORD_API_BASE"] = "http://127.0.0.1:9/api/v10"
    env["COUPLEBOT_DISCORD_GATEWAY_URL"] = "ws://127.0.0.1:9/gateway"
    # The fake sends every server right after READY: no need for discord.py's 2 s grace.
    env["COUPLEBOT_GUILD_READY_TIMEOUT"] = "0.5"
    env.update(settings)
    return env


def couplebot(cwd: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "couplebot.cli", *args],
        cwd=cwd,
        env=clean_env(**settings),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def assert_one_sentence(output: str) -> str:
    text = output.strip()
    assert "Traceback" not in output, output
    assert len(text.splitlines()) == 1, output
    assert text.endswith("."), output
    assert len(re.findall(r"[.!?](?:\s|$)", text)) == 1, output
    return text


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run main() in-process from an empty folder with no couplebot settings in the env."""
    for name in list(os.environ):
        if name.upper() == "DISCORD_TOKEN" or (
            name.upper().startswith("COUPLEBOT_") and name != SPEC_ENV_VAR
        ):
            monkeypatch.delenv(name)
    # Should a test go wrong and the bot really start, it must not reach the real Discord.
    monkeypatch.setenv("COUPLEBOT_DISCORD_API_BASE", "http://127.0.0.1:9/api/v10")
    monkeypatch.setenv("COUPLEBOT_DISCORD_GATEWAY_URL", "ws://127.0.0.1:9/gateway")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def bad_content(tmp_path: Path) -> Path:
    prompts = tmp_path / "bad-content" / "prompts"
    prompts.mkdir(parents=True)
    (prompts / "everyday.toml").write_text(BAD_DECK, encoding="utf-8")
    return prompts.parent


# Missing and bad settings


@pytest.mark.parametrize("token", [None, "   "], ids=["unset", "blank"])
def test_run_without_a_token_exits_2_with_one_sentence(tmp_path: Path, token: str | None) -> None:
    settings = {} if token is None else {"DISCORD_TOKEN": token}
    result = couplebot(tmp_path, "run", **settings)
    assert result.returncode == 2
    assert assert_one_sentence(result.stderr) == RUN_NEEDS
    assert result.stdout == ""
    assert not (tmp_path / "couplebot.db").exists()


@pytest.mark.parametrize("dotenv", [None, "DISCORD_TOKEN=\n", "DISCORD_TOKEN=  \n"])
def test_main_run_without_a_token_returns_2(
    in_tmp: Path, capsys: pytest.CaptureFixture[str], dotenv: str | None
) -> None:
    if dotenv is not None:
        (in_tmp / ".env").write_text(dotenv, encoding="utf-8")
    assert main(["run"]) == 2
    assert assert_one_sentence(capsys.readouterr().err) == RUN_NEEDS


BAD_SETTINGS = [
    ("COUPLEBOT_LOG_LEVEL", "chatty"),
    ("COUPLEBOT_DISCORD_API_BASE", "not a url"),
    ("COUPLEBOT_DISCORD_API_BASE", "ftp://x"),
    ("COUPLEBOT_DISCORD_API_BASE", "https://"),
    ("COUPLEBOT_DISCORD_GATEWAY_URL", "http://127.0.0.1:9/gateway"),
    ("COUPLEBOT_DISCORD_GATEWAY_URL", "127.0.0.1:9"),
    ("COUPLEBOT_DATABASE", "{tmp}/no-such-folder/couplebot.db"),
]


@pytest.mark.parametrize(("name", "value"), BAD_SETTINGS)
@pytest.mark.parametrize("command", ["run", "migrate"])
def test_main_refuses_a_bad_setting_in_one_sentence_naming_it(
    in_tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    name: str,
    value: str,
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    monkeypatch.setenv(name, value.format(tmp=in_tmp))
    assert main([command]) == 2
    captured = capsys.readouterr()
    sentence = assert_one_sentence(captured.err)
    assert sentence.startswith(name), sentence
    assert TOKEN not in captured.err + captured.out
    assert not (in_tmp / "couplebot.db").exists()


@pytest.mark.parametrize(
    ("name", "value"),
    [BAD_SETTINGS[0], BAD_SETTINGS[1], BAD_SETTINGS[4], BAD_SETTINGS[6]],
    ids=["log-level", "api-base", "gateway", "database-folder"],
)
def test_a_bad_setting_exits_2_with_one_sentence_naming_it(
    tmp_path: Path, name: str, value: str
) -> None:
    result = couplebot(tmp_path, "run", DISCORD_TOKEN=TOKEN, **{name: value.format(tmp=tmp_path)})
    assert result.returncode == 2, result.stderr
    sentence = assert_one_sentence(result.stderr)
    assert sentence.startswith(name), sentence
    assert TOKEN not in result.stderr + result.stdout


def test_a_database_in_a_read_only_folder_exits_2(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root bypasses file permissions")
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = couplebot(
            tmp_path, "run", DISCORD_TOKEN=TOKEN, COUPLEBOT_DATABASE=str(folder / "bot.db")
        )
    finally:
        folder.chmod(0o755)
    assert result.returncode == 2
    assert "not writable" in assert_one_sentence(result.stderr)


def test_a_database_that_is_not_sqlite_exits_2_with_one_sentence(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("groceries: oat milk, lemons\n" * 200, encoding="utf-8")
    result = couplebot(tmp_path, "run", DISCORD_TOKEN=TOKEN, COUPLEBOT_DATABASE=str(notes))
    assert result.returncode == 2, result.stderr
    assert "not a database" in assert_one_sentence(result.stderr)
    assert notes.read_text(encoding="utf-8").startswith("groceries")


def test_migrate_on_a_file_that_is_not_sqlite_returns_2(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = in_tmp / "notes.txt"
    notes.write_text("groceries: oat milk, lemons\n" * 200, encoding="utf-8")
    monkeypatch.setenv("COUPLEBOT_DATABASE", str(notes))
    assert main(["migrate"]) == 2
    assert "not a database" in assert_one_sentence(capsys.readouterr().err)


def test_a_folder_as_database_exits_2_with_one_sentence(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    result = couplebot(tmp_path, "migrate", COUPLEBOT_DATABASE=str(folder))
    assert result.returncode == 2
    assert "Could not open the database" in assert_one_sentence(result.stderr)


def newer_database(folder: Path) -> tuple[Path, int]:
    database = folder / "couplebot.db"
    newer = len(migrations()) + 1
    conn = sqlite3.connect(database)
    conn.execute(f"PRAGMA user_version = {newer}")
    conn.close()
    return database, newer


def user_version(database: Path) -> int:
    conn = sqlite3.connect(database)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def test_migrate_on_a_newer_schema_exits_2_saying_to_upgrade(tmp_path: Path) -> None:
    database, newer = newer_database(tmp_path)
    result = couplebot(tmp_path, "migrate", COUPLEBOT_DATABASE=str(database))
    assert result.returncode == 2, result.stderr
    assert "upgrade couplebot" in assert_one_sentence(result.stderr)
    assert result.stdout == ""
    assert user_version(database) == newer


def test_run_on_a_newer_schema_returns_2_saying_to_upgrade(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database, newer = newer_database(in_tmp)
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    monkeypatch.setenv("COUPLEBOT_DATABASE", str(database))
    assert main(["run"]) == 2
    assert "upgrade couplebot" in assert_one_sentence(capsys.readouterr().err)
    assert user_version(database) == newer


def test_bad_content_dir_exits_2_naming_file_and_line(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    monkeypatch.setenv("COUPLEBOT_CONTENT_DIR", str(bad_content(in_tmp)))
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert any(
        PROBLEM_LINE.match(line) and "everyday.toml:5:" in line for line in err.splitlines()
    ), err


def test_a_missing_content_dir_exits_2(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    monkeypatch.setenv("COUPLEBOT_CONTENT_DIR", str(in_tmp / "nowhere"))
    assert main(["run"]) == 2
    assert "nowhere" in capsys.readouterr().err


# .env and secrets


def test_dotenv_in_the_working_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f"DISCORD_TOKEN={TOKEN}\nCOUPLEBOT_LOG_LEVEL=bogus\n", encoding="utf-8"
    )
    result = couplebot(tmp_path, "run")
    assert result.returncode == 2
    sentence = assert_one_sentence(result.stderr)
    assert sentence.startswith("COUPLEBOT_LOG_LEVEL"), sentence
    assert TOKEN not in result.stderr + result.stdout


# check-content and migrate


def test_check_content_passes_on_shipped_content(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check-content"]) == 0
    out = capsys.readouterr().out
    assert re.fullmatch(
        r"\d+ questions and \d+ follow-ups look good\.\n"
        r"Mornings each depth lasts .*: light \d+, medium \d+, deep \d+\.\n",
        out,
    ), out


def test_check_content_fails_with_file_and_line_on_a_bad_deck(
    in_tmp: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content_dir = bad_content(in_tmp)
    assert main(["check-content", str(content_dir)]) == 1
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines, captured
    assert all(PROBLEM_LINE.match(line) for line in lines), lines
    assert any("everyday.toml:5:" in line and "bottomless" in line for line in lines), lines
    assert "problem" in captured.err


def test_migrate_creates_the_database_and_prints_its_version(
    in_tmp: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (in_tmp / "data").mkdir()
    database = in_tmp / "data" / "couples.db"
    monkeypatch.setenv("COUPLEBOT_DATABASE", str(database))
    version = len(migrations())
    expected = f"{database} is at schema version {version}.\n"

    assert main(["migrate"]) == 0
    assert capsys.readouterr().out == expected
    assert database.is_file()
    conn = sqlite3.connect(database)
    assert conn.execute("PRAGMA user_version").fetchone() == (version,)
    conn.close()

    assert main(["migrate"]) == 0
    assert capsys.readouterr().out == expected
    assert not (in_tmp / "couplebot.db").exists()


def test_the_database_commands_never_load_discord_py(tmp_path: Path) -> None:
    """migrate, status and backup start in a third of the time without discord.py and the bot
    (each test that runs one pays for it, and so does an operator's cron job)."""
    script = (
        "import sys\n"
        "from couplebot.cli import main\n"
        "for command in (['migrate'], ['status'], ['backup', 'copy.db']):\n"
        "    main(command)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in {'discord', 'aiohttp'}"
        " or m in {'couplebot.bot', 'couplebot.services'})\n"
        "print(loaded)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=clean_env(COUPLEBOT_DATABASE=str(tmp_path / "couplebot.db")),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Backed up" in done.stdout and (tmp_path / "copy.db").is_file(), done.stdout
    assert done.stdout.splitlines()[-1] == "[]", done.stdout


# Signals


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_run_stops_cleanly_on_a_signal(
    fake: FakeDiscord, couple: Couple, tmp_path: Path, signum: signal.Signals
) -> None:
    database = tmp_path / "couplebot.db"
    log_path = tmp_path / "couplebot.log"
    env = clean_env(
        DISCORD_TOKEN=fake.token,
        COUPLEBOT_DISCORD_API_BASE=fake.api_base,
        COUPLEBOT_DISCORD_GATEWAY_URL=fake.gateway_url,
        COUPLEBOT_DATABASE=str(database),
        COUPLEBOT_LOG_LEVEL="DEBUG",
    )
    with log_path.open("wb") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "couplebot.cli",
            "run",
            cwd=tmp_path,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:

        def ready_or_dead() -> bool:
            log = log_path.read_text(encoding="utf-8")
            return process.returncode is not None or (
                fake.identify_count >= 1 and "ready as" in log
            )

        await fake.wait_until(ready_or_dead, timeout=45)
        assert process.returncode is None, log_path.read_text(encoding="utf-8")
        assert {command["name"] for command in fake.commands} >= {"setup", "question"}

        process.send_signal(signum)
        started = time.monotonic()
        returncode = await asyncio.wait_for(process.wait(), timeout=10)
        stopped_in = time.monotonic() - started
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    log = log_path.read_text(encoding="utf-8")
    assert returncode == 0, log
    assert stopped_in < 10
    assert "ready as couplebot" in log
    assert "couplebot: stopped cleanly" in log
    assert log.index("ready as couplebot") < log.index("couplebot: stopped cleanly")
    assert "Traceback" not in log
    assert fake.token not in log

    assert not Path(f"{database}-wal").exists(), "the database was not closed"
    conn = sqlite3.connect(database)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("SELECT COUNT(*) FROM meta WHERE key = 'commands_hash'").fetchone() == (
            1,
        )
    finally:
        conn.close()


def test_run_when_discord_is_unreachable_says_so_in_one_sentence(tmp_path: Path) -> None:
    result = couplebot(
        tmp_path,
        "run",
        DISCORD_TOKEN="not-a-real-token",
        COUPLEBOT_DATABASE=str(tmp_path / "bot.db"),
        COUPLEBOT_LOG_LEVEL="ERROR",
    )
    assert result.returncode == 1, result.stderr
    assert "Could not reach Discord" in assert_one_sentence(result.stderr)
    assert "not-a-real-token" not in result.stderr

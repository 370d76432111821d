"""Shared by bench_memory and bench_startup: N couples (guilds in the fake Discord,
couples in the database, optionally a full morning behind them) and the real
`couplebot run` as a child process against that fake."""

from __future__ import annotations

import asyncio
import json
import os
import platform
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as day_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from couplebot.content import default_content_dir, load_content
from couplebot.domain.daily import DAILY, round_details
from couplebot.fake_discord import FakeDiscord, FakeGuild
from couplebot.services.exchanges import question_key
from couplebot.store import Store
from couplebot.store.couples import NewPartner

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).with_name("results")
KEY = "ilQ59BLUQNN-xiqFY8hCn2IOJwD63rYtPLcx3FhQtIE="
# A couple in a fixed-offset zone where it is about 06:00 now, asking at 23:30: no
# morning is due while the benchmark runs, and the local date cannot change.
QUESTION_TIME = day_time(23, 30)
STALE_COUPLES = 10  # a morning's answers saved while the bot was down, status not edited


def morning_zone(now: datetime) -> str:
    offset = (6 - now.hour) % 24
    offset = offset - 24 if offset > 14 else offset
    return "Etc/GMT" + (f"{-offset:+d}" if offset else "")


@dataclass
class World:
    fake: FakeDiscord
    guilds: list[FakeGuild]
    database: Path
    zone: str


async def build_world(workdir: Path, couples: int, *, morning: bool) -> World:
    """Guilds in the fake, couples (and, with `morning`, today's posted round with one
    answer each) in a fresh database: what a bot left behind after a busy morning."""
    fake = FakeDiscord(spec_path=None)
    await fake.start()
    now = datetime.now(UTC)
    zone = morning_zone(now)
    slot = now.astimezone(ZoneInfo(zone)).date().isoformat()
    questions = load_content(default_content_dir()).questions
    database = workdir / "bot.db"
    store = await Store.open(database, secret_key=KEY)
    guilds = []
    try:
        async with store.write() as tx:
            for i in range(couples):
                a, b = fake.add_user(f"a{i}"), fake.add_user(f"b{i}")
                guild = fake.add_guild(f"couple {i}", [a, b])
                guilds.append(guild)
                couple = await tx.couples.save(
                    guild_id=guild.id,
                    channel_id=guild.channel_id,
                    timezone=zone,
                    question_time=QUESTION_TIME,
                    themes=(),
                    partners=(NewPartner(a.id, None), NewPartner(b.id, None)),
                    now=now - timedelta(days=1),
                )
                if not morning:
                    continue
                question = questions[i % len(questions)]
                exchange, _ = await tx.exchanges.create(
                    couple.id,
                    DAILY.name,
                    slot,
                    topic_id=question.id,
                    prompt=question.text,
                    details=round_details(question),
                    now=now - timedelta(hours=1),
                )
                key = question_key(exchange.id)
                await tx.outbox.enqueue(
                    key, couple_id=couple.id, kind="question", exchange_id=exchange.id, now=now
                )
                message = fake._world.new_message(
                    guild.channel_id, {"embeds": [{"description": question.text}]}, []
                )
                [item] = [p for p in await tx.outbox.pending() if p.dedupe_key == key]
                await tx.outbox.mark_posted(item.id, int(message["id"]), now)
                await tx.exchanges.set_message(exchange.id, int(message["id"]))
                answered = now - timedelta(minutes=30 if i >= STALE_COUPLES else 1)
                await tx.exchanges.save_response(
                    exchange.id, a.id, {"answer": f"answer {i}"}, passed=False, now=answered
                )
            if morning:
                await _mark_statuses_shown(tx, now - timedelta(minutes=10))
    finally:
        await store.close()
    return World(fake, guilds, database, zone)


async def _mark_statuses_shown(tx: Any, at: datetime) -> None:
    """What the bot records after editing a status line, if this version records it:
    every status was edited 10 minutes ago, so only the last answers are unseen."""
    conn = tx.exchanges._conn
    columns = [row[1] async for row in await conn.execute("PRAGMA table_info(exchanges)")]
    if "status_shown_at" in columns:
        await conn.execute("UPDATE exchanges SET status_shown_at = ?", (at.isoformat(),))


class BotProcess:
    """`python -m couplebot.cli run` against the fake; its log in workdir."""

    def __init__(self, world: World, workdir: Path, env: dict[str, str] | None = None) -> None:
        self.world = world
        self.extra_env = env or {}  # e.g. COUPLEBOT_SHARDS
        self.workdir = workdir
        self.proc: asyncio.subprocess.Process | None = None
        self.started = 0.0
        self.log = workdir / "bot.log"

    async def start(self) -> None:
        fake = self.world.fake
        env = {k: v for k, v in os.environ.items() if not k.startswith("COUPLEBOT_")}
        env.update(
            DISCORD_TOKEN=fake.token,
            COUPLEBOT_DISCORD_API_BASE=fake.api_base,
            COUPLEBOT_DISCORD_GATEWAY_URL=fake.gateway_url,
            COUPLEBOT_DATABASE=str(self.world.database),
            COUPLEBOT_SECRET_KEY=KEY,
            COUPLEBOT_LOG_LEVEL="INFO",
            PYTHONPATH=str(ROOT),
        )
        env.update(self.extra_env)
        self.started = time.perf_counter()
        with self.log.open("wb") as out:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "couplebot.cli",
                "run",
                cwd=self.workdir,
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
            )

    def since_start(self) -> float:
        return time.perf_counter() - self.started

    def logged(self, text: str) -> bool:
        return text in self.log.read_text(errors="replace")

    def rss_kib(self) -> int:
        assert self.proc is not None
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        [line] = [line for line in status.splitlines() if line.startswith("VmRSS:")]
        return int(line.split()[1])

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 15)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


async def wait_for(predicate: Any, timeout: float, what: str, interval: float = 0.01) -> None:
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        await asyncio.sleep(interval)


def write_result(name: str, figures: dict[str, Any], out: Path | None = None) -> Path:
    """Into bench/results/<name>.json, or into `out`."""
    RESULTS.mkdir(exist_ok=True)
    figures = {
        "benchmark": name,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        **figures,
    }
    path = out or RESULTS / f"{name}.json"
    path.write_text(json.dumps(figures, indent=2) + "\n")
    return path

"""What the benchmarks share: a fake Discord with N couples' servers, a database holding
those couples (written with plain SQL, fast), the real bot as a child process, and
timing of what reaches the fake."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import platform
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as wall_time
from pathlib import Path
from typing import Any

from couplebot.fake_discord import FakeDiscord, FakeGuild, RecordedRequest, _gateway
from couplebot.store import Store
from couplebot.store.bulk import NewCouple, write_accepted_couples

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LAUNCHER = Path(__file__).with_name("_bot.py")
KEY = "ilQ59BLUQNN-xiqFY8hCn2IOJwD63rYtPLcx3FhQtIE="
# Monday 1 June 2026; every benchmark couple lives in UTC.
DAY = datetime(2026, 6, 1, tzinfo=UTC)


def at(hour: int, minute: int = 0, second: float = 0) -> datetime:
    return DAY + timedelta(hours=hour, minutes=minute, seconds=second)


class TimedLog(list[RecordedRequest]):
    """Stands in for the fake's request log; remembers when each request was answered."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def append(self, item: RecordedRequest) -> None:
        super().append(item)
        self.times.append(time.time())


async def start_fake(*, rate_limits: bool, latency: float, validate: bool) -> FakeDiscord:
    # Sharding is benchmark 4's matter: here one session may hold every server.
    _gateway.MAX_GUILDS_PER_SESSION = 10**9
    fake = FakeDiscord(
        spec_path="default" if validate else None, rate_limits=rate_limits, latency=latency
    )
    await fake.start()
    fake.requests = TimedLog()
    return fake


def collector_off() -> None:
    """Once the fake's world is built: keep this process's collector off (it lives only for
    the run). It plays Discord, and its pauses are not the bot's: its heap only grows
    (every request and message is kept), so full collections stalled its loop longer and
    longer, 40-80 ms in the fan-out (arrivals read late, in a bunch) and 86-250 ms every
    7 s in benchmark 3 at 1,000 couples (counted as reply latency)."""
    gc.freeze()
    gc.disable()


def add_couples(fake: FakeDiscord, n: int) -> list[FakeGuild]:
    guilds = []
    for i in range(n):
        a, b = fake.add_user(f"A{i}"), fake.add_user(f"B{i}")
        guilds.append(fake.add_guild(f"Couple {i}", [a, b]))
    return guilds


async def populate(database: Path, guilds: list[FakeGuild], question_time: wall_time) -> None:
    """Migrate a new database, then write the couples as /setup would, in one transaction."""
    store = await Store.open(database, secret_key=KEY)
    await store.close()
    write_accepted_couples(
        database, new_couples(guilds), question_time=question_time, created=DAY - timedelta(days=30)
    )


def new_couples(guilds: list[FakeGuild]) -> list[NewCouple]:
    return [NewCouple(g.id, g.channel_id, (g.members[1].id, g.members[2].id)) for g in guilds]


@dataclass
class BotProcess:
    """The bot as a child process whose virtual clock starts at `now`."""

    fake: FakeDiscord
    workdir: Path
    now: datetime
    proc: asyncio.subprocess.Process | None = None
    stats_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.stats_path = self.workdir / "bot-stats.jsonl"

    @property
    def database(self) -> Path:
        return self.workdir / "bot.db"

    async def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("COUPLEBOT_")}
        env.update(
            DISCORD_TOKEN=self.fake.token,
            COUPLEBOT_DISCORD_API_BASE=self.fake.api_base,
            COUPLEBOT_DISCORD_GATEWAY_URL=self.fake.gateway_url,
            COUPLEBOT_DATABASE=str(self.database),
            COUPLEBOT_SECRET_KEY=KEY,
            COUPLEBOT_LOG_LEVEL=os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
            BENCH_NOW=self.now.isoformat(),
            BENCH_STATS=str(self.stats_path),
            PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        )
        self.log = (self.workdir / "bot.log").open("wb")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            str(LAUNCHER),
            cwd=self.workdir,
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=self.log,
            stderr=asyncio.subprocess.STDOUT,
        )

    def stats(self) -> list[dict[str, Any]]:
        if not self.stats_path.exists():
            return []
        return [json.loads(line) for line in self.stats_path.read_text().splitlines() if line]

    def real_time_of(self, virtual: datetime) -> float:
        """When `virtual` happens in the child, on this process's time.time()."""
        start = next(s for s in self.stats() if s["event"] == "start")
        return float(start["real_at_virtual_start"]) + (virtual - self.now).total_seconds()

    def cpu_seconds(self) -> float:
        """User + system CPU time of the child so far (Linux /proc)."""
        assert self.proc is not None
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_kib(self) -> int:
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    async def wait_ready(self, timeout: float) -> float:
        """Seconds until the bot identified on the gateway (its catch-up on start is done)."""
        started = time.perf_counter()
        while self.fake.identify_count == 0:
            self.check_alive()
            if time.perf_counter() - started > timeout:
                raise RuntimeError(f"the bot did not connect in {timeout}s\n{self.tail()}")
            await asyncio.sleep(0.05)
        return time.perf_counter() - started

    def check_alive(self) -> None:
        assert self.proc is not None
        if self.proc.returncode is not None:
            raise RuntimeError(f"the bot exited with {self.proc.returncode}\n{self.tail()}")

    def tail(self) -> str:
        path = self.workdir / "bot.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    async def stop(self) -> int | None:
        if self.proc is None or self.proc.returncode is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.proc.wait(), 20)
        except TimeoutError:
            self.proc.kill()
            return await self.proc.wait()


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_avg": os.getloadavg(),
        "git": _git_head(),
    }


def _git_head() -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        return "unknown"


def write_result(name: str, result: dict[str, Any], out: Path | None) -> Path:
    path = out or RESULTS / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**result, "machine": machine()}, indent=2) + "\n")
    return path

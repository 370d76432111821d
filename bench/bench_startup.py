"""Benchmark 5, start-up: process start to ready and to answering the first interaction.

`couplebot run` starts twice against a fake Discord with the bot in N servers: on an
empty database (nobody set up yet), and with N couples and a full morning behind them
(each couple's round posted today and answered by one partner; for a few the answer
came after the status line was last edited, as when the bot stops between saving and
editing). Both runs have the same shards, and the fake enforces Discord's IDENTIFY rate
(one per 5 s in each of `max_concurrency` buckets), so both pay the same IDENTIFY floor
of (ceil(shards / max_concurrency) - 1) x 5 s, printed beside the span measured.
As soon as the gateway is connected, /help is sent in the first server, and again every
50 ms until one is answered. Reported per run: seconds to the first IDENTIFY, to "ready",
to the first /help answered, and the message edits sent in the first 10 s. Goal: at most
2 s more than empty; no burst of edits. The couples are accepted and their due work
planned, as a bot that ran before leaves them (the catch-up then has only what changed
while it was down).
Run: python bench/bench_startup.py [N] [--shards K] [--max-concurrency M]
     (default 10000 servers, shards as the fake recommends: one per 1,000; JSON in bench/results/)
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import shutil
import sqlite3
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _bot_world import (
    KEY,
    STALE_COUPLES,
    BotProcess,
    World,
    build_world,
    morning_zone,
    wait_for,
    write_result,
)

from couplebot.bot import CAUGHT_UP
from couplebot.clock import SystemClock
from couplebot.content import default_content_dir, load_content
from couplebot.fake_discord import FakeDiscord, FakeGuild
from couplebot.fake_discord._gateway import shard_of
from couplebot.services import build_services
from couplebot.store import Store

GOAL_EXTRA_SECONDS = 2.0
EDIT_WINDOW_SECONDS = 10.0
IDENTIFY_INTERVAL_SECONDS = 5.0  # Discord's, per max_concurrency bucket


async def accept_and_plan(database: Path, *, plan: bool) -> None:
    """The couples accepted (so their due work runs) and, as a bot that ran before
    would have left it, their due work planned (unless `plan` is False: a first start)."""
    conn = sqlite3.connect(database)
    with conn:
        conn.execute("UPDATE couples SET accepted_at = created_at")
    conn.close()
    if not plan:
        return
    store = await Store.open(database, secret_key=KEY)
    try:
        services = build_services(store, load_content(default_content_dir()), None, SystemClock())  # type: ignore[arg-type]
        await services.due.replan_all()
    finally:
        await store.close()


async def servers_only(workdir: Path, servers: int) -> World:
    """The bot in `servers` servers of the fake, and a migrated database without couples."""
    fake = FakeDiscord(spec_path=None)
    await fake.start()
    guilds = []
    for i in range(servers):
        a, b = fake.add_user(f"a{i}"), fake.add_user(f"b{i}")
        guilds.append(fake.add_guild(f"couple {i}", [a, b]))
    database = workdir / "bot.db"
    await (await Store.open(database, secret_key=KEY)).close()
    return World(fake, guilds, database, morning_zone(datetime.now(UTC)))


def identify_floor(shards: int, max_concurrency: int) -> float:
    """Discord's bound: the last IDENTIFY wave starts this long after the first."""
    return (math.ceil(shards / max_concurrency) - 1) * IDENTIFY_INTERVAL_SECONDS


async def seconds_until_logged(bot: BotProcess, text: str) -> float:
    await wait_for(lambda: bot.logged(text), 600, text, interval=0.02)
    return bot.since_start()


async def first_answers(
    fake: FakeDiscord, bot: BotProcess, probes: dict[str, FakeGuild]
) -> dict[str, float]:
    """Seconds from the start until a /help in each probe server was answered; asked
    every 50 ms once that server's shard is connected (no backlog queued before)."""
    asked: dict[str, list[Any]] = {name: [] for name in probes}
    answered: dict[str, float] = {}
    while len(answered) < len(probes):
        for name, guild in probes.items():
            if name in answered:
                continue
            if any(i.callbacks for i in asked[name]):
                answered[name] = bot.since_start()
            elif fake._gateway.is_live_for(guild.id):
                asked[name].append(await fake.slash(guild.members[0], "help", guild=guild))
        if bot.since_start() > 600:
            raise SystemExit("no /help answered in 600 s")
        await asyncio.sleep(0.05)
    return answered


async def one_start(
    servers: int,
    *,
    couples: bool,
    shards: int | None = None,
    max_concurrency: int = 1,
    planned: bool = True,
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        if couples:
            world = await build_world(workdir, servers, morning=True)
            await accept_and_plan(world.database, plan=planned)
        else:
            world = await servers_only(workdir, servers)
        fake = world.fake
        fake.identify_limit.max_concurrency = max_concurrency
        fake.identify_limit.interval = IDENTIFY_INTERVAL_SECONDS
        bot = BotProcess(world, workdir, {"COUPLEBOT_SHARDS": str(shards)} if shards else None)
        try:
            await bot.start()
            caught_up_watch = asyncio.create_task(seconds_until_logged(bot, CAUGHT_UP))
            await wait_for(lambda: fake.identify_count > 0, 600, "IDENTIFY")
            identified = bot.since_start()
            shard_count = fake.gateway_sessions[0].shard_count
            probes = {
                "first": next(g for g in world.guilds if shard_of(g.id, shard_count) == 0),
                "last": next(
                    g for g in world.guilds if shard_of(g.id, shard_count) == shard_count - 1
                ),
            }
            await wait_for(lambda: bool(fake.commands), 600, "the command sync")
            answered = await first_answers(fake, bot, probes)
            await wait_for(lambda: bot.logged("ready as"), 600, "ready")
            ready = bot.since_start()
            started = bot.started
            await asyncio.sleep(max(0.0, started + EDIT_WINDOW_SECONDS - time.perf_counter()))
            edits = sum(1 for r in fake.requests if r.method == "PATCH" and "/messages/" in r.path)
            await caught_up_watch
            caught_up = caught_up_watch.result()
            sessions = fake.gateway_sessions
            span = max(s.identified_at for s in sessions) - min(s.identified_at for s in sessions)
            return {
                "servers": servers,
                "couples": servers if couples else 0,
                "shards": shard_count,
                "max_concurrency": max_concurrency,
                "identify_floor_s": identify_floor(shard_count, max_concurrency),
                "identify_span_s": round(span, 3),
                "identifies_refused": fake.identify_limit.refused,
                "to_identify_s": round(identified, 3),
                "to_ready_s": round(ready, 3),
                "to_first_answer_s": round(answered["first"], 3),
                "to_first_answer_last_shard_s": round(answered["last"], 3),
                "edits_in_first_10s": edits,
                "to_caught_up_s": round(caught_up, 3),
            }
        finally:
            await bot.stop()
            await fake.close()
            if os.environ.get("BENCH_KEEP_LOG"):  # e.g. /tmp/startup: the bot's log, kept
                kind = "couples" if couples else "empty"
                shutil.copy(bot.log, f"{os.environ['BENCH_KEEP_LOG']}-{servers}-{kind}.log")


async def main(servers: int, shards: int | None, max_concurrency: int, out: str | None) -> None:
    empty = await one_start(servers, couples=False, shards=shards, max_concurrency=max_concurrency)
    full = await one_start(servers, couples=True, shards=shards, max_concurrency=max_concurrency)
    extra_ready = full["to_ready_s"] - empty["to_ready_s"]
    extra_answer = full["to_first_answer_s"] - empty["to_first_answer_s"]
    extra_last = full["to_first_answer_last_shard_s"] - empty["to_first_answer_last_shard_s"]
    for run in (empty, full):
        print(
            f"{run['servers']} servers, {run['couples']:>6} couples: first IDENTIFY "
            f"{run['to_identify_s']:.2f} s, IDENTIFYs spread over {run['identify_span_s']:.2f} s "
            f"(floor {run['identify_floor_s']:.0f} s: {run['shards']} shards, max_concurrency "
            f"{run['max_concurrency']}; {run['identifies_refused']} refused), ready "
            f"{run['to_ready_s']:.2f} s, first /help answered {run['to_first_answer_s']:.2f} s on "
            f"shard 0, {run['to_first_answer_last_shard_s']:.2f} s on the last, caught up "
            f"{run['to_caught_up_s']:.2f} s, "
            f"{run['edits_in_first_10s']} edits in the first {EDIT_WINDOW_SECONDS:.0f} s"
        )
    print(
        f"extra over empty: ready {extra_ready:+.2f} s, first answer {extra_answer:+.2f} s "
        f"(last shard {extra_last:+.2f} s) "
        f"(goal <= {GOAL_EXTRA_SECONDS} s); {STALE_COUPLES} statuses were really stale"
    )
    path = write_result(
        out or "startup",
        {
            "empty": empty,
            "full": full,
            "stale_statuses": STALE_COUPLES,
            "extra_ready_s": round(extra_ready, 3),
            "extra_first_answer_s": round(extra_answer, 3),
            "extra_first_answer_last_shard_s": round(extra_last, 3),
            "goal_extra_s": GOAL_EXTRA_SECONDS,
            "shards_asked": shards or "as Discord recommends (one per 1,000 servers)",
            "baseline": "the same servers and shards, an empty database",
            "met": max(extra_ready, extra_answer, extra_last) <= GOAL_EXTRA_SECONDS,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("servers", type=int, nargs="?", default=10_000)
    parser.add_argument(
        "--shards",
        type=int,
        default=None,
        help="COUPLEBOT_SHARDS for both runs (default: the fake's recommendation, one per "
        "1,000 servers)",
    )
    parser.add_argument(
        "--max-concurrency",
        type=int,
        default=1,
        help="session_start_limit.max_concurrency of the fake (Discord: 1 for small bots)",
    )
    parser.add_argument("--out", default=None, help="result name (bench/results/NAME.json)")
    args = parser.parse_args()
    asyncio.run(main(args.servers, args.shards, args.max_concurrency, args.out))

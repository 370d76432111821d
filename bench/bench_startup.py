"""Benchmark 5, start-up: process start to ready and to answering the first interaction.

`couplebot run` starts against the fake Discord twice: on an empty database, and with
N couples and a full morning behind them (each couple's round posted today and
answered by one partner; for a few the answer came after the status line was last
edited, as when the bot stops between saving and editing). As soon as the gateway is
connected, /help is sent, and again every 50 ms until one is answered. Reported per
run: seconds to the first IDENTIFY, to "ready", to the first /help answered, and the
message edits sent in the first 10 s. Goal: at most 2 s more than empty; no burst of edits.
The couples are accepted and their due work planned, as a bot that ran before leaves
them (the catch-up then has only what changed while it was down).
Run: python bench/bench_startup.py [N] [--shards K]   (default 10000; JSON in bench/results/)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from _bot_world import KEY, STALE_COUPLES, BotProcess, build_world, wait_for, write_result

from couplebot.clock import SystemClock
from couplebot.content import default_content_dir, load_content
from couplebot.services import build_services
from couplebot.store import Store

GOAL_EXTRA_SECONDS = 2.0
EDIT_WINDOW_SECONDS = 10.0


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


async def one_start(
    couples: int, *, planned: bool = True, shards: int | None = None
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        world = await build_world(workdir, max(couples, 1), morning=couples > 0)
        await accept_and_plan(world.database, plan=planned)
        fake = world.fake
        bot = BotProcess(world, workdir, {"COUPLEBOT_SHARDS": str(shards)} if shards else None)
        guild = world.guilds[0]
        user = guild.members[0]
        try:
            await bot.start()
            await wait_for(lambda: fake.identify_count > 0, 600, "IDENTIFY")
            identified = bot.since_start()
            await wait_for(lambda: bool(fake.commands), 600, "the command sync")
            answered = None
            asked: list[Any] = []
            while answered is None:
                asked.append(await fake.slash(user, "help", guild=guild))
                await asyncio.sleep(0.05)
                if any(i.callbacks for i in asked):
                    answered = bot.since_start()
                if bot.since_start() > 600:
                    raise SystemExit("no /help answered in 600 s")
            await wait_for(lambda: bot.logged("ready as"), 600, "ready")
            ready = bot.since_start()
            started = bot.started
            await asyncio.sleep(max(0.0, started + EDIT_WINDOW_SECONDS - time.perf_counter()))
            edits = sum(1 for r in fake.requests if r.method == "PATCH" and "/messages/" in r.path)
            return {
                "couples": couples,
                "to_identify_s": round(identified, 3),
                "to_ready_s": round(ready, 3),
                "to_first_answer_s": round(answered, 3),
                "edits_in_first_10s": edits,
            }
        finally:
            await bot.stop()
            await fake.close()
            if os.environ.get("BENCH_KEEP_LOG"):  # e.g. /tmp/startup: the bot's log, kept
                shutil.copy(bot.log, f"{os.environ['BENCH_KEEP_LOG']}-{couples}.log")


async def main(couples: int, shards: int | None) -> None:
    empty = await one_start(0, shards=shards)
    full = await one_start(couples, shards=shards)
    extra_ready = full["to_ready_s"] - empty["to_ready_s"]
    extra_answer = full["to_first_answer_s"] - empty["to_first_answer_s"]
    for run in (empty, full):
        print(
            f"{run['couples']:>6} couples: IDENTIFY {run['to_identify_s']:.2f} s, ready "
            f"{run['to_ready_s']:.2f} s, first /help answered {run['to_first_answer_s']:.2f} s, "
            f"{run['edits_in_first_10s']} edits in the first {EDIT_WINDOW_SECONDS:.0f} s"
        )
    print(
        f"extra over empty: ready +{extra_ready:.2f} s, first answer +{extra_answer:.2f} s "
        f"(goal <= {GOAL_EXTRA_SECONDS} s); {STALE_COUPLES} statuses were really stale"
    )
    path = write_result(
        "startup",
        {
            "empty": empty,
            "full": full,
            "stale_statuses": STALE_COUPLES,
            "extra_ready_s": round(extra_ready, 3),
            "extra_first_answer_s": round(extra_answer, 3),
            "goal_extra_s": GOAL_EXTRA_SECONDS,
            "shards": shards or "as Discord recommends (one per 1,000 servers)",
            "met": max(extra_ready, extra_answer) <= GOAL_EXTRA_SECONDS,
        },
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("couples", type=int, nargs="?", default=10_000)
    parser.add_argument(
        "--shards",
        type=int,
        default=None,
        help="COUPLEBOT_SHARDS for both runs (default: Discord's recommendation, whose "
        "IDENTIFYs are 5 s apart: 10 shards at 10,000 servers cost 45 s before ready)",
    )
    args = parser.parse_args()
    asyncio.run(main(args.couples, args.shards))

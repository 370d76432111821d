"""Benchmark 4, memory: the bot's RSS with N couples minus an empty instance, per couple.

Two `couplebot run` processes against the fake Discord, one after the other: one with
no couples and no guilds, one with N couples (N guilds in the fake, N couples in the
database). Each is measured once it is ready, its start-up catch-up is done and its
RSS has settled. Goal: at most 2 KiB per couple.
Run: python bench/bench_memory.py [N] [--out PATH]
(default N 10000; JSON in bench/results/memory-N.json unless --out)
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from _bot_world import RESULTS, BotProcess, build_world, wait_for, write_result

GOAL_KIB_PER_COUPLE = 2.0
SETTLE_SECONDS = 3.0


async def settled_rss(couples: int) -> int:
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        world = await build_world(workdir, couples, morning=False)
        bot = BotProcess(world, workdir)
        try:
            await bot.start()
            await wait_for(lambda: bot.logged("ready as"), 300, "the bot to be ready", 0.05)
            last, rss = -1, bot.rss_kib()
            while abs(rss - last) > 64:  # KiB: still loading guilds or catching up
                await asyncio.sleep(SETTLE_SECONDS)
                last, rss = rss, bot.rss_kib()
            return rss
        finally:
            await bot.stop()
            await world.fake.close()


async def main(couples: int, out: Path | None) -> None:
    empty = await settled_rss(0)
    full = await settled_rss(couples)
    per_couple = (full - empty) / couples
    ratio = per_couple / GOAL_KIB_PER_COUPLE
    print(f"RSS empty {empty / 1024:.1f} MiB, with {couples} couples {full / 1024:.1f} MiB")
    print(
        f"per couple: {per_couple:.2f} KiB = {ratio:.2f} x the goal "
        f"({GOAL_KIB_PER_COUPLE} KiB per couple)"
    )
    path = write_result(
        "memory",
        {
            "couples": couples,
            "rss_empty_kib": empty,
            "rss_full_kib": full,
            "kib_per_couple": round(per_couple, 3),
            "goal_kib_per_couple": GOAL_KIB_PER_COUPLE,
            "ratio_to_goal": round(ratio, 3),
            "met": per_couple <= GOAL_KIB_PER_COUPLE,
        },
        out or RESULTS / f"memory-{couples}.json",
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("couples", type=int, nargs="?", default=10_000)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    asyncio.run(main(args.couples, args.out))

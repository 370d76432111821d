"""Benchmark 2, idle cost: a bot with N couples and nothing due.

Run: python bench/bench_idle.py --couples 10000 --seconds 120

The real bot runs as a child process at 03:00 on its clock; every couple's question is
at 08:00, so nothing is due. After start-up settles, the child's CPU time is measured
over --seconds of real time and scaled to an hour; every wake (the 30 s safety tick and
any due-instant wake) reports its SQL statements, counted with sqlite3's trace callback.
The same is done for a small instance (--baseline-couples) in the same run, so the
statements per wake can be compared across N. Goal: < 1 CPU-second per hour; a wake
with nothing due runs a constant number of statements, whatever N.
Writes bench/results/idle-<N>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import time as wall_time
from pathlib import Path

from _harness import BotProcess, add_couples, at, populate, start_fake, write_result

CPU_GOAL_PER_HOUR = 1.0


async def measure(n: int, seconds: float, settle: float) -> dict[str, object]:
    fake = await start_fake(rate_limits=True, latency=0.0, validate=False)
    try:
        guilds = add_couples(fake, n)
        with tempfile.TemporaryDirectory(prefix="bench-idle-") as tmp:
            bot = BotProcess(fake, Path(tmp), at(3))
            await populate(bot.database, guilds, wall_time(8, 0))
            await bot.start()
            ready_after = await bot.wait_ready(timeout=600)
            await asyncio.sleep(settle)  # discord.py's guild chunking and the first tick
            wakes_before = len([s for s in bot.stats() if s["event"] == "wake"])
            cpu_start, started = bot.cpu_seconds(), time.perf_counter()
            requests_start = fake.traffic.requests
            await asyncio.sleep(seconds)
            bot.check_alive()
            cpu = bot.cpu_seconds() - cpu_start
            elapsed = time.perf_counter() - started
            requests = fake.traffic.requests - requests_start
            wakes = [s for s in bot.stats() if s["event"] == "wake"][wakes_before:]
            await bot.stop()
    finally:
        await fake.close()
    return {
        "couples": n,
        "bot_ready_seconds": round(ready_after, 2),
        "measured_seconds": round(elapsed, 1),
        "cpu_seconds": round(cpu, 3),
        "cpu_seconds_per_hour": round(cpu / elapsed * 3600, 2),
        "rest_requests_while_idle": requests,
        "wakes_measured": len(wakes),
        "statements_per_wake": sorted({int(w["statements"]) for w in wakes}),
        "wake_seconds_max": round(max((float(w["seconds"]) for w in wakes), default=0.0), 4),
    }


async def run(args: argparse.Namespace) -> dict[str, object]:
    small = await measure(args.baseline_couples, args.seconds, args.settle)
    large = await measure(args.couples, args.seconds, args.settle)
    return {
        "benchmark": "idle",
        "couples": args.couples,
        "cpu_seconds_per_hour": large["cpu_seconds_per_hour"],
        "goal_cpu_seconds_per_hour": CPU_GOAL_PER_HOUR,
        "statements_per_wake": large["statements_per_wake"],
        "statements_per_wake_small": small["statements_per_wake"],
        "constant_statements": large["statements_per_wake"] == small["statements_per_wake"],
        "large": large,
        "small": small,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--couples", type=int, default=10_000)
    parser.add_argument("--baseline-couples", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=120.0, help="real time measured")
    parser.add_argument("--settle", type=float, default=5.0, help="wait after start-up")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    result = asyncio.run(run(args))
    path = write_result(f"idle-{args.couples}", result, args.out)
    large, small = result["large"], result["small"]
    assert isinstance(large, dict)
    assert isinstance(small, dict)
    print(
        f"idle, {args.couples} couples: {result['cpu_seconds_per_hour']} CPU-s per hour"
        f" (goal < {CPU_GOAL_PER_HOUR}); SQL statements per wake {large['statements_per_wake']}"
        f" vs {small['statements_per_wake']} with {args.baseline_couples} couples"
        f" (goal: the same); {large['wakes_measured']} wakes in {large['measured_seconds']}s"
        f" -> {path}"
    )


if __name__ == "__main__":
    main()

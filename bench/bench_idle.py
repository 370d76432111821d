"""Benchmark 2, idle cost: a bot with N couples and nothing due.

Run: python bench/bench_idle.py --couples 10000 --seconds 660

The real bot runs as a child process at 03:00 on a Monday on its clock, with N couples
freshly written to its database (as an import would), their question at 08:00. Its
first start has a catch-up to do: every couple is planned, and the weekly check-in that
Sunday evening's start missed (still in its grace period) is posted. That catch-up is
measured on its own (SQL statements, seconds, CPU, REST calls), then the benchmark waits
until it is over (the catch-up and first wake finished, every shard connected and
ready, no REST call for --quiet seconds) plus --settle seconds. Only then is idle
measured: the child's CPU time over --seconds of real time (from schedstat, in ns; the
clock-tick figure beside it), scaled to an hour, and the SQL statements of every wake in
that window (counted with sqlite3's trace callback; an idle bot wakes only on its 5 min
safety tick, so the window must be longer than that to see wakes: 660 s sees two). The
same is done for a small instance (--baseline-couples) in the same run, so statements
per wake can be compared across N.
Goal: < 1 CPU-second per hour; a wake with nothing due runs a constant number of
statements, whatever N. Writes bench/results/idle-<N>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from datetime import time as wall_time
from pathlib import Path
from typing import Any

from _harness import BotProcess, add_couples, at, populate, start_fake, write_result

from couplebot.fake_discord import FakeDiscord

CPU_GOAL_PER_HOUR = 1.0
NO_WAKE_HINT = " (to see wakes, measure longer than the 300 s safety tick)"


def cpu_ns(pid: int) -> int:
    """CPU time of the process's live threads in ns (schedstat: finer than clock ticks,
    which count idle's few milliseconds in 10 ms steps)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue  # a thread that just ended
    return total


async def wait_caught_up(bot: BotProcess, fake: FakeDiscord, quiet: float, timeout: float) -> None:
    """Until the start's catch-up is recorded, every shard is ready (they IDENTIFY 5 s
    apart, so 10 shards take most of a minute) and the fake has seen no call for `quiet` s."""
    deadline = time.perf_counter() + timeout
    last, quiet_since = -1, time.perf_counter()
    while True:
        bot.check_alive()
        now = time.perf_counter()
        if fake.traffic.requests != last:
            last, quiet_since = fake.traffic.requests, now
        events = {s["event"] for s in bot.stats()}
        done = {"catch-up", "ready"} <= events
        if done and now - quiet_since >= quiet:
            return
        if now > deadline:
            raise RuntimeError(f"the catch-up did not finish in {timeout}s\n{bot.tail()}")
        await asyncio.sleep(0.2)


async def measure(n: int, args: argparse.Namespace) -> dict[str, Any]:
    fake = await start_fake(rate_limits=True, latency=0.0, validate=False)
    try:
        guilds = add_couples(fake, n)
        with tempfile.TemporaryDirectory(prefix="bench-idle-") as tmp:
            bot = BotProcess(fake, Path(tmp), at(3))
            await populate(bot.database, guilds, wall_time(8, 0))
            await bot.start()
            started = time.perf_counter()
            ready_after = await bot.wait_ready(timeout=600)
            await wait_caught_up(bot, fake, args.quiet, timeout=3600)
            caught_up_after = time.perf_counter() - started
            [catch_up] = [s for s in bot.stats() if s["event"] == "catch-up"]
            first_start_requests = fake.traffic.requests
            first_start_cpu = bot.cpu_seconds()
            await asyncio.sleep(args.settle)
            wakes_before = len([s for s in bot.stats() if s["event"] == "wake"])
            assert bot.proc is not None
            ns_start = cpu_ns(bot.proc.pid)
            cpu_start, window_start = bot.cpu_seconds(), time.perf_counter()
            requests_start = fake.traffic.requests
            await asyncio.sleep(args.seconds)
            bot.check_alive()
            cpu = bot.cpu_seconds() - cpu_start
            cpu_fine = (cpu_ns(bot.proc.pid) - ns_start) / 1e9
            elapsed = time.perf_counter() - window_start
            requests = fake.traffic.requests - requests_start
            wakes = [s for s in bot.stats() if s["event"] == "wake"][wakes_before:]
            await bot.stop()
    finally:
        await fake.close()
    return {
        "couples": n,
        "bot_ready_seconds": round(ready_after, 2),
        "first_start": {
            "caught_up_seconds": round(caught_up_after, 2),  # incl. --quiet
            "catch_up_seconds": round(float(catch_up["seconds"]), 2),
            "catch_up_statements": int(catch_up["statements"]),
            "catch_up_cpu_seconds": round(float(catch_up["cpu_seconds"]), 2),
            "process_cpu_seconds": round(first_start_cpu, 2),  # from exec, incl. imports
            "rest_requests": first_start_requests,
        },
        "measured_seconds": round(elapsed, 1),
        "cpu_seconds_ticks": round(cpu, 3),  # /proc stat, 10 ms steps
        "cpu_seconds_per_hour_ticks": round(cpu / elapsed * 3600, 2),
        "cpu_seconds": round(cpu_fine, 6),  # schedstat
        "cpu_seconds_per_hour": round(cpu_fine / elapsed * 3600, 3),
        "rest_requests_while_idle": requests,
        "wakes_measured": len(wakes),
        "statements_per_wake": sorted({int(w["statements"]) for w in wakes}),
        "wake_seconds_max": round(max((float(w["seconds"]) for w in wakes), default=0.0), 4),
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    small = await measure(args.baseline_couples, args)
    large = await measure(args.couples, args)
    return {
        "benchmark": "idle",
        "couples": args.couples,
        "cpu_seconds_per_hour": large["cpu_seconds_per_hour"],
        "goal_cpu_seconds_per_hour": CPU_GOAL_PER_HOUR,
        "statements_per_wake": large["statements_per_wake"],
        "statements_per_wake_small": small["statements_per_wake"],
        # None: a window without wakes (shorter than the safety tick) tells nothing.
        "constant_statements": (
            large["statements_per_wake"] == small["statements_per_wake"]
            if large["wakes_measured"] and small["wakes_measured"]
            else None
        ),
        "first_start": large["first_start"],
        "large": large,
        "small": small,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--couples", type=int, default=10_000)
    parser.add_argument("--baseline-couples", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=660.0, help="real time measured")
    parser.add_argument("--quiet", type=float, default=5.0, help="no REST call this long")
    parser.add_argument("--settle", type=float, default=5.0, help="then wait this long")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    result = asyncio.run(run(args))
    path = write_result(f"idle-{args.couples}", result, args.out)
    large, small, first = result["large"], result["small"], result["first_start"]
    print(
        f"idle, {args.couples} couples: {result['cpu_seconds_per_hour']} CPU-s per hour"
        f" ({large['cpu_seconds_per_hour_ticks']} by clock ticks)"
        f" (goal < {CPU_GOAL_PER_HOUR}; {small['cpu_seconds_per_hour']} with"
        f" {args.baseline_couples}); SQL statements per wake {large['statements_per_wake']}"
        f" vs {small['statements_per_wake']} with {args.baseline_couples} couples"
        f" (goal: the same; {result['constant_statements']}); {large['wakes_measured']} wakes"
        f" in {large['measured_seconds']}s{'' if large['wakes_measured'] else NO_WAKE_HINT}."
        f" First start: catch-up {first['catch_up_seconds']}s, {first['catch_up_statements']}"
        f" statements, {first['catch_up_cpu_seconds']} CPU-s, {first['rest_requests']} REST"
        f" calls -> {path}"
    )


if __name__ == "__main__":
    main()

"""Benchmark 1, the morning fan-out: N couples due the same minute.

Run: python bench/bench_fanout.py --couples 1000   (and --couples 10000)

The fake Discord runs here with Discord's rate-limit model (50 requests/s per bot,
per-route buckets) and 100 ms added to every call; the real bot runs as a child process
whose clock starts shortly before 08:00, when every couple's question is due. Measured:
the time from 08:00 (on the bot's clock) to the last question posted, as a ratio to the
bound N/50 s that Discord's global budget allows, and the 429s the fake answered.
Goal: ratio <= 1.05, no 429s. Writes bench/results/fanout-<N>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import tempfile
import time
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

from _harness import (
    BotProcess,
    TimedLog,
    add_couples,
    at,
    collector_off,
    populate,
    start_fake,
    write_result,
)

GLOBAL_PER_SECOND = 50
POST = re.compile(r"^/channels/(\d+)/messages$")


async def run(args: argparse.Namespace) -> dict[str, object]:
    n = args.couples
    due = at(8)
    lead = args.lead if args.lead is not None else 15 + n * 0.004
    fake = await start_fake(rate_limits=True, latency=args.latency, validate=args.validate)
    try:
        guilds = add_couples(fake, n)
        collector_off()
        channels = {g.channel_id for g in guilds}
        with tempfile.TemporaryDirectory(prefix="bench-fanout-") as tmp:
            bot = BotProcess(fake, Path(tmp), due - timedelta(seconds=lead))
            await populate(bot.database, guilds, due.timetz().replace(tzinfo=None))
            await bot.start()
            ready_after = await bot.wait_ready(timeout=lead + 600)
            await asyncio.sleep(max(0.0, bot.real_time_of(due) - 0.5 - time.time()))
            cpu_before = bot.cpu_seconds()
            fake.traffic.reset()
            log = fake.requests
            assert isinstance(log, TimedLog)
            started_at = len(log)
            due_real = bot.real_time_of(due)
            ready_before_due = time.time() < due_real
            posted: dict[int, float] = {}
            deadline = due_real + args.timeout
            seen = started_at
            while len(posted) < n and time.time() < deadline:
                bot.check_alive()
                for request, when in zip(log[seen:], log.times[seen:], strict=True):
                    match = POST.match(request.path)
                    if request.method == "POST" and request.status == 200 and match:
                        channel = int(match[1])
                        if channel in channels:
                            posted.setdefault(channel, when)
                seen = len(log)
                await asyncio.sleep(0.05)
            last = max(posted.values()) if posted else float("nan")
            first = min(posted.values()) if posted else float("nan")
            cpu = bot.cpu_seconds() - cpu_before
            traffic = fake.traffic.as_dict()
            stats = bot.stats()
            await bot.stop()
    finally:
        await fake.close()
    bound = n / GLOBAL_PER_SECOND
    elapsed = last - due_real
    return {
        "benchmark": "fanout",
        "couples": n,
        "latency_seconds": args.latency,
        "rate_limits": True,
        "spec_validation": args.validate,
        "bot_ready_seconds": round(ready_after, 2),
        "bot_ready_before_due_minute": ready_before_due,
        "questions_posted": len(posted),
        "first_post_after_due_seconds": round(first - due_real, 3),
        "last_post_after_due_seconds": round(elapsed, 3),
        "bound_seconds": bound,
        "ratio": round(elapsed / bound, 3),
        "goal_ratio": 1.05,
        "rate_limited_429s": traffic["rate_limited"],
        "goal_429s": 0,
        "bot_cpu_seconds_during_fanout": round(cpu, 2),
        "bot_cpu_ms_per_post": round(1000 * cpu / max(len(posted), 1), 2),
        "posted_per_second_after_due": _per_second(posted.values(), due_real),
        "traffic": traffic,
        "wakes_after_due_seconds": [
            round(s["at"] - due.timestamp(), 3) for s in stats if s["event"] == "wake-start"
        ],
    }


def _per_second(times: Iterable[float], start: float) -> list[int]:
    """How many questions were answered in each second after the due minute."""
    counts: list[int] = []
    for when in times:
        second = max(0, int(when - start))
        counts.extend([0] * (second + 1 - len(counts)))
        counts[second] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--couples", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.1, help="seconds added per call")
    parser.add_argument("--lead", type=float, default=None, help="bot starts this long before")
    parser.add_argument("--timeout", type=float, default=None, help="give up after (s)")
    parser.add_argument("--validate", action="store_true", help="check bodies against the spec")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if args.timeout is None:
        args.timeout = 60 + args.couples * 0.2
    result = asyncio.run(run(args))
    path = write_result(f"fanout-{args.couples}", result, args.out)
    r = result
    wakes = r["wakes_after_due_seconds"]
    assert isinstance(wakes, list)
    first_wake = wakes[0] if wakes else "none"
    print(
        f"fan-out of {r['couples']} couples: last question {r['last_post_after_due_seconds']}s"
        f" after the due minute; bound N/50 = {r['bound_seconds']}s; ratio {r['ratio']}"
        f" (goal <= 1.05); 429s: {r['rate_limited_429s']} (goal 0);"
        f" posted {r['questions_posted']}/{r['couples']};"
        f" bot CPU {r['bot_cpu_ms_per_post']} ms per post;"
        f" bot ready before the due minute: {r['bot_ready_before_due_minute']};"
        f" its first wake {first_wake} s after the due minute (negative: caught up"
        f" before it; positive: the start's catch-up ran into the fan-out, use --lead) -> {path}"
    )


if __name__ == "__main__":
    main()

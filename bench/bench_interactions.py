"""Benchmark 3, interactions under load: clicks and modal submits during a fan-out.

Run: python bench/bench_interactions.py --couples 10000 --rate 200 --seconds 30

This process plays Discord (the fake, with its rate-limit model and 100 ms per call) and
the load: once the morning fan-out of N couples has begun, it sends --rate interactions
per second for --seconds (answer clicks on posted questions, and the submits of the
modals those clicks opened, across the couples whose question is out). The bot is a
separate process. Latency: from INTERACTION_CREATE sent to the interaction callback
received, minus the fake's one-way delay (half its latency); raw figures too, and each
kind's own. Goal: p99 <= 50 ms, max < 1 s.
Writes bench/results/interactions-<N>.json.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from _harness import (
    BotProcess,
    add_couples,
    at,
    collector_off,
    populate,
    start_fake,
    write_result,
)

from couplebot.fake_discord import FakeDiscord, FakeGuild, FakeInteraction

MODAL_CALLBACK = 9
POSTED_REFRESH_SECONDS = 0.5


class TimedCallbacks(list[dict[str, Any]]):
    """Stands in for an interaction's callback list: notes when the first one came, and
    tells `on_modal` when it opened a form (so the load never scans for open forms)."""

    def __init__(self, items: list[dict[str, Any]], on_modal: Callable[[], None]) -> None:
        super().__init__(items)
        self.at: float | None = None
        self.on_modal = on_modal

    def append(self, item: dict[str, Any]) -> None:
        if self.at is None:
            self.at = time.perf_counter()
        super().append(item)
        if item.get("type") == MODAL_CALLBACK:
            self.on_modal()


def answer_button(message: dict[str, Any]) -> str | None:
    for row in message.get("components") or []:
        for component in row.get("components") or []:
            if component.get("label") == "Answer" and not component.get("disabled"):
                return str(component["custom_id"])
    return None


class Load:
    def __init__(self, fake: FakeDiscord, guilds: list[FakeGuild], seed: int) -> None:
        self.fake = fake
        self.guilds = guilds
        self.rng = random.Random(seed)
        self.opened: list[tuple[FakeGuild, FakeInteraction]] = []  # forms not yet sent
        self.timings: list[tuple[str, float, TimedCallbacks]] = []
        self.skipped = 0
        self._posted: list[FakeGuild] = []
        self._not_yet_posted = list(guilds)
        self._posted_seen_at = -POSTED_REFRESH_SECONDS

    def posted(self) -> list[FakeGuild]:
        """The couples whose question is out so far (looked up at most twice a second):
        the load clicks there, so it keeps its rate from the fan-out's first posts on.
        Only the couples not yet posted are looked at, without copying messages: copying
        every posted one stalled this process 30-50 ms twice a second (read as latency)."""
        now = time.perf_counter()
        if now - self._posted_seen_at >= POSTED_REFRESH_SECONDS:
            has = self.fake.has_messages
            self._posted += [g for g in self._not_yet_posted if has(g.channel_id)]
            self._not_yet_posted = [g for g in self._not_yet_posted if not has(g.channel_id)]
            self._posted_seen_at = now
        return self._posted

    def _take_opened(self) -> tuple[FakeGuild, FakeInteraction]:
        i = self.rng.randrange(len(self.opened))
        self.opened[i], self.opened[-1] = self.opened[-1], self.opened[i]
        return self.opened.pop()

    async def one(self) -> None:
        if self.opened and self.rng.random() < 0.5:
            guild, opened = self._take_opened()
            started = time.perf_counter()
            interaction = await self.fake.submit_modal(
                opened.user, opened, {"answer": "The walk home in the rain."}, guild=guild
            )
            self._time("submit", started, interaction)
            return
        posted = self.posted()
        for _ in range(20 if posted else 0):
            guild = self.rng.choice(posted)
            messages = self.fake.channel_messages(guild.channel_id)
            custom_id = answer_button(messages[0]) if messages else None
            if custom_id is None:
                continue
            user = self.rng.choice(guild.members[1:3])
            started = time.perf_counter()
            interaction = await self.fake.click(user, messages[0], custom_id, guild=guild)
            self._time("click", started, interaction, guild)
            return
        self.skipped += 1

    def _time(
        self,
        kind: str,
        started: float,
        interaction: FakeInteraction,
        guild: FakeGuild | None = None,
    ) -> None:
        def opened() -> None:
            if guild is not None:
                self.opened.append((guild, interaction))

        callbacks = TimedCallbacks(interaction.callbacks, opened)
        interaction.callbacks = callbacks
        self.timings.append((kind, started, callbacks))

    async def run(self, rate: float, seconds: float) -> None:
        tasks = []
        begin = time.perf_counter()
        for i in range(int(rate * seconds)):
            delay = begin + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.ensure_future(self.one()))
        await asyncio.gather(*tasks)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def summary(net: list[float]) -> dict[str, float | int | None]:
    return {
        "count": len(net),
        "p50_ms": round(statistics.median(net), 1) if net else None,
        "p99_ms": round(percentile(net, 0.99), 1),
        "max_ms": round(max(net, default=0.0), 1),
    }


async def run(args: argparse.Namespace) -> dict[str, object]:
    n = args.couples
    due = at(8)
    lead = args.lead if args.lead is not None else 15 + n * 0.004
    fake = await start_fake(rate_limits=True, latency=args.latency, validate=False)
    try:
        guilds = add_couples(fake, n)
        collector_off()
        with tempfile.TemporaryDirectory(prefix="bench-interactions-") as tmp:
            bot = BotProcess(fake, Path(tmp), due - timedelta(seconds=lead))
            await populate(bot.database, guilds, due.time())
            await bot.start()
            await bot.wait_ready(timeout=lead + 600)
            due_real = bot.real_time_of(due)
            while time.time() < due_real + args.after:
                bot.check_alive()
                await asyncio.sleep(0.05)
            load = Load(fake, guilds, seed=7)
            await load.run(args.rate, args.seconds)
            await asyncio.sleep(3)  # the last callbacks
            posted = sum(1 for g in guilds if fake.has_messages(g.channel_id))
            traffic = fake.traffic.as_dict()
            await bot.stop()
    finally:
        await fake.close()
    one_way_ms = args.latency / 2 * 1000
    answered = [(k, (c.at - s) * 1000) for k, s, c in load.timings if c.at is not None]
    raw = [ms for _, ms in answered]
    net = [max(0.0, ms - one_way_ms) for ms in raw]
    return {
        "benchmark": "interactions",
        "couples": n,
        "rate_per_second": args.rate,
        "seconds": args.seconds,
        "latency_seconds": args.latency,
        "interactions_sent": len(load.timings),
        "clicks": sum(1 for k, _, _ in load.timings if k == "click"),
        "submits": sum(1 for k, _, _ in load.timings if k == "submit"),
        "skipped_no_question_to_click": load.skipped,
        "unanswered_within_3s": len(load.timings) - len(answered),
        **{k: v for k, v in summary(net).items() if k != "count"},
        **{f"raw_{k}": v for k, v in summary(raw).items() if k != "count"},
        "by_kind": {
            kind: summary([max(0.0, ms - one_way_ms) for k, ms in answered if k == kind])
            for kind in ("click", "submit")
        },
        "goal": "p99 <= 50 ms, max < 1000 ms",
        "questions_posted_by_end": posted,
        "traffic": traffic,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--couples", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=200.0, help="interactions per second")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--after", type=float, default=5.0, help="load starts this long after")
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--lead", type=float, default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    r = asyncio.run(run(args))
    path = write_result(f"interactions-{args.couples}", r, args.out)
    print(
        f"interactions during a fan-out of {r['couples']}: {r['interactions_sent']} sent at"
        f" {r['rate_per_second']}/s; latency p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms,"
        f" max {r['max_ms']} ms (goal p99 <= 50, max < 1000); unanswered"
        f" {r['unanswered_within_3s']} -> {path}"
    )


if __name__ == "__main__":
    main()

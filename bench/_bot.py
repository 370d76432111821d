"""The real `couplebot run` for benchmarks: its clock starts at BENCH_NOW, and it counts.

Run by the benchmark scripts, never by hand. Like tests/crash_bot.py it runs
`couplebot.cli.main(["run"])` inside time-machine's travel (the wall clock starts at
BENCH_NOW and ticks on in real time). It also counts every SQL statement (sqlite3's
trace callback on the store's connections) and writes to BENCH_STATS one JSON line per
wake (statements, seconds), one for the start's catch-up and one when every shard is
ready, after a first line with the real time at which the virtual clock started, so
the benchmark can tell when a virtual instant happens on its own clock. BENCH_TRACE=1
adds each wake's most frequent statements.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections import Counter
from datetime import datetime
from typing import Any

import time_machine

from couplebot import bot as bot_module
from couplebot.cli import main
from couplebot.store import db as db_module

STATEMENTS = [0]
# BENCH_TRACE=1: each wake's record also lists its most frequent statements (diagnosis).
TRACE: Counter[str] | None = Counter() if os.environ.get("BENCH_TRACE") else None
_STATS = open(os.environ["BENCH_STATS"], "a", buffering=1)  # noqa: SIM115 - lives as long as we do


def _write(record: dict[str, Any]) -> None:
    _STATS.write(json.dumps(record) + "\n")


def _count(statement: str) -> None:
    STATEMENTS[0] += 1
    if TRACE is not None:
        TRACE[_shape(statement)] += 1


def _shape(statement: str) -> str:
    """The statement with its literals replaced by ?, so repeats group together."""
    shape = re.sub(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b", "?", statement)
    return " ".join(shape.split())[:200]


def _traced(record: dict[str, Any], before: Counter[str]) -> dict[str, Any]:
    if TRACE is not None:
        record["top_statements"] = (TRACE - before).most_common(40)
    return record


_open = db_module.Database.open.__func__  # type: ignore[attr-defined]


async def _open_counting(cls: Any, *args: Any, **kwargs: Any) -> Any:
    database = await _open(cls, *args, **kwargs)
    for conn in database.connections():
        await conn.set_trace_callback(_count)
    return database


db_module.Database.open = classmethod(_open_counting)  # type: ignore[method-assign,assignment]
_tick = bot_module.CoupleBot.tick


async def _counted_tick(self: Any) -> None:
    before, started, cpu = STATEMENTS[0], time.perf_counter(), time.process_time()
    at = time.time()  # on the virtual clock
    _write({"event": "wake-start", "at": at})
    traced = Counter(TRACE)
    await _tick(self)
    record: dict[str, Any] = {
        "event": "wake",
        "at": at,
        "statements": STATEMENTS[0] - before,
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
    }
    _write(_traced(record, traced))


bot_module.CoupleBot.tick = _counted_tick  # type: ignore[method-assign]
_catch_up = bot_module.CoupleBot._catch_up


async def _counted_catch_up(self: Any) -> None:
    """The start's catch-up (planning, leftover posts, status lines, the first wake)."""
    before, started, cpu = STATEMENTS[0], time.perf_counter(), time.process_time()
    traced = Counter(TRACE)
    await _catch_up(self)
    record = {
        "event": "catch-up",
        "statements": STATEMENTS[0] - before,
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
    }
    _write(_traced(record, traced))


bot_module.CoupleBot._catch_up = _counted_catch_up  # type: ignore[method-assign]
_on_ready = bot_module.CoupleBot.on_ready


async def _noted_ready(self: Any) -> None:
    """discord.py's on_ready: every shard has connected and sent its servers."""
    await _on_ready(self)
    _write({"event": "ready", "shards": self.shard_count, "at": time.time()})


bot_module.CoupleBot.on_ready = _noted_ready  # type: ignore[method-assign]

if __name__ == "__main__":
    start = datetime.fromisoformat(os.environ["BENCH_NOW"])
    with time_machine.travel(start, tick=True):
        # The virtual clock starts ticking at its first reading; note when that was.
        virtual, real = time.time(), time_machine.escape_hatch.time.time()
        _write({"event": "start", "real_at_virtual_start": real - (virtual - start.timestamp())})
        sys.exit(main(["run"]))

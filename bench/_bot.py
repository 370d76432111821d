"""The real `couplebot run` for benchmarks: its clock starts at BENCH_NOW, and it counts.

Run by the benchmark scripts, never by hand. Like tests/crash_bot.py it runs
`couplebot.cli.main(["run"])` inside time-machine's travel (the wall clock starts at
BENCH_NOW and ticks on in real time). It also counts every SQL statement (sqlite3's
trace callback on the store's connections) and writes one JSON line per wake (statements,
seconds) to BENCH_STATS, after a first line with the real time at which the virtual clock
started, so the benchmark can tell when a virtual instant happens on its own clock.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import datetime
from typing import Any

import time_machine

from couplebot import bot as bot_module
from couplebot.cli import main
from couplebot.store import db as db_module

STATEMENTS = [0]
_STATS = open(os.environ["BENCH_STATS"], "a", buffering=1)  # noqa: SIM115 - lives as long as we do


def _write(record: dict[str, Any]) -> None:
    _STATS.write(json.dumps(record) + "\n")


def _count(_statement: str) -> None:
    STATEMENTS[0] += 1


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
    await _tick(self)
    _write(
        {
            "event": "wake",
            "at": at,
            "statements": STATEMENTS[0] - before,
            "seconds": time.perf_counter() - started,
            "cpu_seconds": time.process_time() - cpu,
        }
    )


bot_module.CoupleBot.tick = _counted_tick  # type: ignore[method-assign]

if __name__ == "__main__":
    start = datetime.fromisoformat(os.environ["BENCH_NOW"])
    with time_machine.travel(start, tick=True):
        # The virtual clock starts ticking at its first reading; note when that was.
        virtual, real = time.time(), time_machine.escape_hatch.time.time()
        _write({"event": "start", "real_at_virtual_start": real - (virtual - start.timestamp())})
        sys.exit(main(["run"]))

"""How the serving process runs (`run`, `demo`): its event loop and its garbage collector.

The loop is uvloop where it is installed (it is not on Windows), else asyncio's own:
uvloop runs the loop, its sockets and timers in C, so the same work (gateway events, REST
calls, aiosqlite's replies) costs the loop less time.

The collector: every interaction leaves discord.py objects in reference cycles (an
interaction and its response refer to each other), which only the collector frees. With
Python's default thresholds, 200 interactions a second set off a full collection every
few seconds, each pausing the loop 150-400 ms (benchmark 3). So what is loaded before
serving (modules, commands, the content decks) is frozen out of every collection, and
young collections run less often. A middle collection comes after 5 young ones, not 20:
interactions still in flight survive each young collection, and 20 collections' worth of
them made a middle one pause the loop 130-150 ms; after 5 it is 30-50 ms.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")
# Allocations before a young collection; how many young ones before a middle one; how
# many middle ones before a full one (Python's defaults: 700, 10, 10).
COLLECTOR_THRESHOLDS = (10_000, 5, 50)


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop  # noqa: PLC0415 - optional: absent on Windows
    except ImportError:
        return None
    return uvloop.new_event_loop


def tune_collector() -> None:
    gc.collect()
    gc.freeze()  # what is loaded by now lives as long as the process
    gc.set_threshold(*COLLECTOR_THRESHOLDS)


def run_serving(main: Coroutine[Any, Any, T]) -> T:
    """asyncio.run(main) on the serving loop, with the collector tuned for serving."""
    tune_collector()
    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        return runner.run(main)

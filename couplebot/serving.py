"""The event loop the bot serves on: uvloop where it is installed (it is not on Windows),
else asyncio's own. uvloop runs the loop, its sockets and timers in C: the same work
(gateway events, REST calls, aiosqlite's replies) costs the loop less time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop  # noqa: PLC0415 - optional: absent on Windows
    except ImportError:
        return None
    return uvloop.new_event_loop


def run_serving(main: Coroutine[Any, Any, T]) -> T:
    """asyncio.run(main) on the serving loop (for `run` and `demo`)."""
    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        return runner.run(main)

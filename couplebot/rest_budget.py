"""Discord's global REST budget, kept on our side so it never answers 429.

Discord allows about 50 requests per second per bot (interaction callbacks and the
interaction webhooks are not counted) and answers a 429 past it; discord.py reads the
per-route bucket headers by itself but only learns of the global budget from a 429.

`GlobalBudget` has `limit` slots; a request takes one, and the slot is free again
`window` seconds after that request's headers actually left (not when it was granted:
under load a granted request may wait on the event loop for tens of milliseconds, and
Discord counts arrivals). Two requests on one slot thus reach Discord at least `window`
apart, whatever the delays on our side, so no span of one second sees more than
`limit`; the small margin over a second covers the network's jitter.

Grants are also at least `spacing` apart (10 ms by default, half of window/limit), so a
free budget does not send 50 requests in one burst: a burst reaches Discord no faster
than it left, but it does reach a busy receiver (a fake on a loaded machine) faster
than that receiver reads it, and the last of the burst is then seen up to 80 ms late,
so the next use of its slot looked early. Spread out, every request is read on arrival;
the rate over a window is still set by the slots, so this costs no throughput.
"""

from __future__ import annotations

import asyncio
import contextvars
import math
import time
from collections.abc import Awaitable, Callable
from types import SimpleNamespace
from typing import Any

import aiohttp

DEFAULT_LIMIT = 50
DEFAULT_WINDOW = 1.04
DEFAULT_SPACING = DEFAULT_WINDOW / DEFAULT_LIMIT / 2
EXEMPT_PREFIXES = ("/interactions/", "/webhooks/")
_UNSENT = math.inf


class Slot:
    """One request's place in the budget: when its headers left (inf: not yet)."""

    __slots__ = ("sent_at",)

    def __init__(self) -> None:
        self.sent_at = _UNSENT


_current: contextvars.ContextVar[Slot | None] = contextvars.ContextVar("budget_slot", default=None)


class GlobalBudget:
    def __init__(
        self,
        limit: int = DEFAULT_LIMIT,
        window: float = DEFAULT_WINDOW,
        clock: Callable[[], float] = time.monotonic,
        spacing: float = 0.0,
    ) -> None:
        self.limit = limit
        self.window = window
        self.spacing = spacing
        self._granted_at = -math.inf
        self._clock = clock
        self._slots = [Slot() for _ in range(limit)]
        for slot in self._slots:
            slot.sent_at = -math.inf
        self._lock = asyncio.Lock()

    async def acquire(self) -> Slot:
        """Wait until one more request may start (callers are served in order, `spacing`
        apart). The caller stamps the slot with `sent` when the request leaves, or when
        it is over."""
        async with self._lock:
            while True:
                now = self._clock()
                oldest = min(self._slots, key=lambda s: s.sent_at)
                free_at = max(oldest.sent_at + self.window, self._granted_at + self.spacing)
                if free_at <= now:
                    oldest.sent_at = _UNSENT
                    self._granted_at = now
                    return oldest
                # inf: every slot's request is still on its way out; any of them frees one.
                await asyncio.sleep(free_at - now if free_at < _UNSENT else 0.005)

    def sent(self, slot: Slot) -> None:
        """The slot's request left now (a retry of it leaves later: stamp the latest)."""
        slot.sent_at = self._clock()

    def done(self, slot: Slot) -> None:
        """The request is over; one that never left counts as leaving now."""
        if slot.sent_at == _UNSENT:
            slot.sent_at = self._clock()


def counted(path: str) -> bool:
    """Whether a route (as discord.py spells its path) counts against the global budget."""
    return not path.startswith(EXEMPT_PREFIXES)


def install(http: Any, budget: GlobalBudget | None = None) -> GlobalBudget:
    """Make discord.py's HTTP client wait for the budget before each counted request,
    and stamp the request's slot when its headers are sent (an aiohttp trace)."""
    budget = budget or GlobalBudget(spacing=DEFAULT_SPACING)
    request: Callable[..., Awaitable[Any]] = http.request

    async def request_within_budget(route: Any, **kwargs: Any) -> Any:
        if not counted(str(route.path)):
            return await request(route, **kwargs)
        slot = await budget.acquire()
        token = _current.set(slot)
        try:
            return await request(route, **kwargs)
        finally:
            _current.reset(token)
            budget.done(slot)

    async def headers_sent(_session: Any, _ctx: SimpleNamespace, _params: Any) -> None:
        slot = _current.get()
        if slot is not None:
            budget.sent(slot)

    http.request = request_within_budget
    trace = getattr(http, "http_trace", None)
    if trace is None:  # the session is made at login, with this trace
        trace = http.http_trace = aiohttp.TraceConfig()
    trace.on_request_headers_sent.append(headers_sent)
    return budget

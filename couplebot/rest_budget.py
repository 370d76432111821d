"""Discord's global REST budget, kept on our side so it never answers 429.

Discord allows about 50 requests per second per bot (interaction callbacks and the
interaction webhooks are not counted) and answers a 429 past it; discord.py reads the
per-route bucket headers by itself but only learns of the global budget from a 429.
`GlobalBudget` lets at most `limit` counted requests start in any `window` seconds.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

# A little under Discord's 50/s: arrival times wander by a few milliseconds.
DEFAULT_LIMIT = 49
DEFAULT_WINDOW = 1.0
EXEMPT_PREFIXES = ("/interactions/", "/webhooks/")


class GlobalBudget:
    def __init__(
        self,
        limit: int = DEFAULT_LIMIT,
        window: float = DEFAULT_WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._starts: deque[float] = deque()
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        """Wait until one more request may start (callers are served in order)."""
        async with self._lock:
            while True:
                now = self._clock()
                while self._starts and now - self._starts[0] >= self.window:
                    self._starts.popleft()
                if len(self._starts) < self.limit:
                    self._starts.append(now)
                    return
                await asyncio.sleep(self._starts[0] + self.window - now)


def counted(path: str) -> bool:
    """Whether a route (as discord.py spells its path) counts against the global budget."""
    return not path.startswith(EXEMPT_PREFIXES)


def install(http: Any, budget: GlobalBudget | None = None) -> GlobalBudget:
    """Make discord.py's HTTP client wait for the budget before each counted request."""
    budget = budget or GlobalBudget()
    request: Callable[..., Awaitable[Any]] = http.request

    async def request_within_budget(route: Any, **kwargs: Any) -> Any:
        if counted(str(route.path)):
            await budget.acquire()
        return await request(route, **kwargs)

    http.request = request_within_budget
    return budget

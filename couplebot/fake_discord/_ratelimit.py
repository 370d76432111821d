"""An optional model of Discord's REST rate limits, and traffic counters for benchmarks.

Modelled on https://discord.com/developers/docs/topics/rate-limits:
- A global budget per bot (50 requests per second). Interaction endpoints (the callback
  and the interaction webhooks) are not counted. Past it: 429 with `"global": true`,
  `X-RateLimit-Global: true` and `X-RateLimit-Scope: global`.
- Per-route buckets, each per top-level resource (channel, guild, webhook + token), with
  `X-RateLimit-Limit`, `-Remaining`, `-Reset`, `-Reset-After` and `-Bucket` on every
  answer; past a bucket: 429 with `X-RateLimit-Scope: user` and the same headers.
- Every 429 carries `Via` and a JSON `retry_after`, so discord.py waits and retries instead
  of taking it for a Cloudflare ban.
A call is judged at the instant it reaches "Discord": when its headers reached the fake,
plus the inbound half of the simulated latency, not when the fake's busy event loop gets
to it (a lagging loop would otherwise judge calls that arrived apart in one bunch).
Each window is fixed: it starts with the first call that arrived after the previous
window ended, so a client that never sends more than the limit within any such span
never sees a 429. (A call judged after a later one that began a window counts in it.)
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web

from couplebot.fake_discord._http import json_response


@dataclass(frozen=True)
class RouteLimit:
    """`limit` calls per `per` seconds on one route, counted per value of `major`."""

    method: str
    template: str  # as the fake's route table spells it, e.g. "/channels/{channel}/messages"
    limit: int
    per: float
    major: tuple[str, ...]  # the path parameters that get a bucket each
    name: str  # hashed into X-RateLimit-Bucket

    @property
    def bucket(self) -> str:
        return hashlib.sha256(self.name.encode()).hexdigest()[:32]


# What bots observe on Discord (it documents no numbers and says not to hard-code them).
DISCORD_ROUTE_LIMITS = (
    RouteLimit("POST", "/channels/{channel}/messages", 5, 5.0, ("channel",), "message-create"),
    RouteLimit(
        "PATCH", "/channels/{channel}/messages/{message}", 5, 5.0, ("channel",), "message-edit"
    ),
    RouteLimit(
        "DELETE", "/channels/{channel}/messages/{message}", 5, 1.0, ("channel",), "message-delete"
    ),
    RouteLimit("POST", "/webhooks/{app}/{token}", 5, 2.0, ("app", "token"), "webhook-execute"),
    RouteLimit(
        "PATCH",
        "/webhooks/{app}/{token}/messages/{message}",
        5,
        2.0,
        ("app", "token"),
        "webhook-edit",
    ),
)


@dataclass(frozen=True)
class RateLimitPolicy:
    """The limits the fake enforces when rate limits are on; Discord's by default."""

    global_limit: int = 50
    global_window: float = 1.0
    routes: tuple[RouteLimit, ...] = DISCORD_ROUTE_LIMITS

    def scaled(self, factor: float) -> RateLimitPolicy:
        """The same counts over windows `factor` times as long (short ones keep tests quick)."""
        return RateLimitPolicy(
            self.global_limit,
            self.global_window * factor,
            tuple(dataclasses.replace(r, per=r.per * factor) for r in self.routes),
        )


@dataclass
class TrafficCounters:
    """What reached the fake's REST API, and the 429s it answered, by kind."""

    requests: int = 0  # REST calls answered
    interaction_requests: int = 0  # of those, to interaction endpoints (no global budget)
    rate_limited_global: int = 0  # 429s of the global budget
    rate_limited_route: int = 0  # 429s of a per-route bucket
    rate_limited_injected: int = 0  # 429s that fail_next set up
    rate_limited_by_route: dict[str, int] = field(default_factory=dict)  # "POST /channels/…"
    invalid_requests: int = 0  # 401, 403 and 429 answers (Discord bans IPs past 10,000/10 min)
    peak_global_window: int = 0  # most calls counted in one global window
    in_flight: int = 0  # calls being handled right now
    max_in_flight: int = 0

    @property
    def rate_limited(self) -> int:
        return self.rate_limited_global + self.rate_limited_route + self.rate_limited_injected

    def as_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "rate_limited": self.rate_limited}

    def reset(self) -> None:
        """Zero everything but the calls in flight."""
        in_flight = self.in_flight
        for name, value in dataclasses.asdict(TrafficCounters()).items():
            setattr(self, name, value)
        self.in_flight = in_flight


def _seconds(value: float) -> str:
    """Seconds rounded up to the millisecond, so a client never wakes before a reset."""
    return f"{math.ceil(value * 1000) / 1000:.3f}"


@dataclass(frozen=True)
class Verdict:
    """Whether a call may go ahead, and the rate-limit headers its answer carries."""

    headers: dict[str, str]
    limited: Literal["global", "route"] | None = None
    retry_after: float = 0.0

    def response(self) -> web.Response:
        retry_after = math.ceil(self.retry_after * 1000) / 1000
        headers = {
            **self.headers,
            "Via": "1.1 google",
            "Retry-After": str(math.ceil(retry_after)),
            "X-RateLimit-Scope": "global" if self.limited == "global" else "user",
        }
        if self.limited == "global":
            headers["X-RateLimit-Global"] = "true"
        body = {
            "message": "You are being rate limited.",
            "retry_after": retry_after,
            "global": self.limited == "global",
        }
        return json_response(429, body, headers)


class _Window:
    __slots__ = ("started", "used")

    def __init__(self, started: float) -> None:
        self.started = started
        self.used = 0


_PRUNE_AT = 10_000  # buckets kept before expired ones are dropped


class RateLimiter:
    """Applies a RateLimitPolicy to calls as they arrive."""

    def __init__(
        self,
        policy: RateLimitPolicy,
        counters: TrafficCounters,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.policy = policy
        self._counters = counters
        self._clock = clock
        self._wall_clock = wall_clock
        self._rules = {(r.method, r.template): r for r in policy.routes}
        self._global = _Window(-math.inf)
        self._buckets: dict[tuple[str, tuple[str, ...]], _Window] = {}
        self._prune_at = _PRUNE_AT

    def now(self) -> float:
        return self._clock()

    def admit(
        self,
        method: str,
        template: str,
        params: Mapping[str, str],
        *,
        interaction: bool,
        arrived: float | None = None,
    ) -> Verdict:
        """Judge one call that reached Discord at `arrived` (on this limiter's clock;
        None: now). Calls may be judged a little out of their order of arrival."""
        now = self._clock() if arrived is None else arrived
        if not interaction:
            refused = self._count_global(now)
            if refused is not None:
                return refused
        rule = self._rules.get((method, template))
        if rule is None:
            return Verdict({})
        key = (rule.name, tuple(params.get(name, "") for name in rule.major))
        bucket = self._buckets.get(key)
        if bucket is not None:
            now = max(now, bucket.started)  # arrived before a window its bucket already began
        if bucket is None or now - bucket.started >= rule.per:
            self._buckets[key] = bucket = _Window(now)
            if len(self._buckets) > self._prune_at:
                self._prune(now)
        reset_after = bucket.started + rule.per - now
        if bucket.used >= rule.limit:
            self._counters.rate_limited_route += 1
            route = f"{method} {template}"
            by_route = self._counters.rate_limited_by_route
            by_route[route] = by_route.get(route, 0) + 1
            return Verdict(self._headers(rule, 0, reset_after), "route", reset_after)
        bucket.used += 1
        return Verdict(self._headers(rule, rule.limit - bucket.used, reset_after))

    def _count_global(self, arrived: float) -> Verdict | None:
        """Count a call against the global budget, or refuse it (a Verdict)."""
        window = self._global
        if arrived - window.started >= self.policy.global_window:
            self._global = window = _Window(arrived)
        if window.used >= self.policy.global_limit:
            self._counters.rate_limited_global += 1
            retry_after = window.started + self.policy.global_window - max(arrived, window.started)
            return Verdict({}, "global", retry_after)
        window.used += 1
        self._counters.peak_global_window = max(self._counters.peak_global_window, window.used)
        return None

    def _prune(self, now: float) -> None:
        longest = max(r.per for r in self.policy.routes)
        self._buckets = {key: w for key, w in self._buckets.items() if now - w.started < longest}
        self._prune_at = max(_PRUNE_AT, 2 * len(self._buckets))

    def _headers(self, rule: RouteLimit, remaining: int, reset_after: float) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(rule.limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": _seconds(self._wall_clock() + reset_after),
            "X-RateLimit-Reset-After": _seconds(reset_after),
            "X-RateLimit-Bucket": rule.bucket,
        }

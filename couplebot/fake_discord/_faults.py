"""Injected REST faults: error statuses, 429s and stalled answers for the next matching calls."""

from __future__ import annotations

import fnmatch
import math
from dataclasses import dataclass

from aiohttp import web

from couplebot.fake_discord._http import json_response

STALL = 0  # a fault with this status carries the call out and answers late


@dataclass
class Fault:
    method: str
    path_pattern: str
    status: int
    remaining: int
    retry_after: float  # for a stall: the seconds to wait before answering
    is_global: bool

    def matches(self, method: str, path: str) -> bool:
        method_ok = self.method == "*" or self.method.upper() == method
        return method_ok and (
            path == self.path_pattern or fnmatch.fnmatchcase(path, self.path_pattern)
        )

    @property
    def is_stall(self) -> bool:
        return self.status == STALL

    def response(self) -> web.Response:
        if self.status == 429:
            headers = {
                "Via": "1.1 google",
                "Retry-After": str(math.ceil(self.retry_after)),
                "X-RateLimit-Scope": "global" if self.is_global else "user",
            }
            if self.is_global:
                headers["X-RateLimit-Global"] = "true"
            body = {
                "message": "You are being rate limited.",
                "retry_after": self.retry_after,
                "global": self.is_global,
            }
            return json_response(429, body, headers)
        return json_response(self.status, {"message": f"{self.status}: Fault injected", "code": 0})


class Faults:
    """The faults set up and not yet fired, first match wins."""

    def __init__(self) -> None:
        self._pending: list[Fault] = []

    def fail_next(
        self,
        method: str,
        path_pattern: str,
        *,
        status: int,
        times: int = 1,
        retry_after: float = 0.05,
        is_global: bool = False,
    ) -> None:
        self._pending.append(Fault(method, path_pattern, status, times, retry_after, is_global))

    def stall_next(self, method: str, path_pattern: str, *, seconds: float, times: int = 1) -> None:
        self._pending.append(Fault(method, path_pattern, STALL, times, seconds, False))

    def clear(self) -> None:
        self._pending.clear()

    def take(self, method: str, path: str) -> Fault | None:
        for fault in self._pending:
            if fault.remaining > 0 and fault.matches(method, path):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._pending.remove(fault)
                return fault
        return None

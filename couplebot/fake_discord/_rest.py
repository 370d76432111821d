"""The fake's REST front: route table, body parsing, spec checks, faults and the request log."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from aiohttp import BodyPartReader, web

from couplebot.fake_discord._faults import Faults
from couplebot.fake_discord._http import (
    Call,
    Handler,
    HttpError,
    UploadedFile,
    form_errors,
    json_response,
)
from couplebot.fake_discord._models import RecordedRequest
from couplebot.fake_discord._ratelimit import RateLimiter, TrafficCounters
from couplebot.fake_discord._spec import (
    BodyError,
    SpecValidator,
    command_limit_errors,
    message_limit_errors,
    modal_limit_errors,
)

API_PREFIX = "/api/v10"

# Which Discord-limit check applies to a route's body.
LimitKind = Literal["none", "message", "commands", "callback"]


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    pattern: re.Pattern[str]
    handler: Handler
    limits: LimitKind
    # Interaction endpoints (callbacks, interaction webhooks) take no bot token.
    interaction: bool


def _parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise HttpError(400, 50109, "The request body contains invalid JSON.") from exc


async def _read_body(request: web.Request) -> tuple[Any, list[UploadedFile]]:
    files: list[UploadedFile] = []
    if request.content_type == "multipart/form-data":
        body: Any = None
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                continue
            name = part.name or ""
            content = await part.read()
            if name == "payload_json":
                body = _parse_json(bytes(content))
            elif match := re.fullmatch(r"files\[(\d+)\]", name):
                files.append(
                    (
                        int(match.group(1)),
                        part.filename or "file",
                        bytes(content),
                        part.headers.get("Content-Type", "application/octet-stream"),
                    )
                )
        return body, files
    raw = await request.read()
    if not raw:
        return None, files
    return _parse_json(raw), files


def _limit_errors(body: Any, limits: LimitKind) -> list[BodyError]:
    if limits == "message":
        return message_limit_errors(body)
    errors: list[BodyError] = []
    if limits == "commands" and isinstance(body, list):
        for index, command in enumerate(body):
            errors.extend(command_limit_errors(command, (index,)))
    elif limits == "callback" and isinstance(body, dict):
        if body.get("type") in (4, 7):
            errors.extend(message_limit_errors(body.get("data"), ("data",)))
        elif body.get("type") == 9:
            errors.extend(modal_limit_errors(body.get("data"), ("data",)))
    return errors


class RestApi:
    """Serves /api/v10/*: finds the route, applies faults and rate limits, checks the call,
    logs it."""

    def __init__(self, spec: SpecValidator | None, faults: Faults, violations: list[str]) -> None:
        self._spec = spec
        self._faults = faults
        self.violations = violations
        self.requests: list[RecordedRequest] = []
        self.traffic = TrafficCounters()
        self.limiter: RateLimiter | None = None  # None: no rate limits
        self.latency = 0.0  # seconds added to each call, half before and half after
        self._routes: list[Route] = []

    def route(
        self,
        method: str,
        template: str,
        handler: Handler,
        limits: LimitKind = "none",
        *,
        interaction: bool = False,
    ) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
        pattern = re.compile(f"^{regex}$")
        self._routes.append(Route(method, template, pattern, handler, limits, interaction))

    def _validation_errors(
        self, method: str, path: str, body: Any, limits: LimitKind
    ) -> list[BodyError]:
        errors: list[BodyError] = []
        if self._spec is not None:
            operation = self._spec.find_operation(method, path)
            if operation is None:
                return [BodyError((), f"{method} {path} is not an operation in the spec")]
            _, pointer = operation
            if pointer is not None and body is not None:
                errors.extend(self._spec.validate(pointer, body))
            elif pointer is None and body is not None:
                errors.append(BodyError((), "this operation takes no JSON body"))
        return errors + _limit_errors(body, limits)

    async def serve(self, request: web.Request) -> web.Response:
        traffic = self.traffic
        traffic.in_flight += 1
        traffic.max_in_flight = max(traffic.max_in_flight, traffic.in_flight)
        # When it reaches "Discord": its headers are here now, and half the latency is ahead.
        arrived = self.limiter.now() + self.latency / 2 if self.limiter is not None else 0.0
        try:
            if self.latency > 0:
                await asyncio.sleep(self.latency / 2)  # on the way in
            response = await self._serve(request, arrived)
            if self.latency > 0:
                await asyncio.sleep(self.latency / 2)  # and back out
            return response
        finally:
            traffic.in_flight -= 1

    async def _serve(self, request: web.Request, arrived: float) -> web.Response:
        method = request.method
        path = "/" + request.match_info["tail"]
        query = dict(request.query)
        body: Any = None
        files: list[UploadedFile] = []
        try:
            body, files = await _read_body(request)
            fault = self._faults.take(method, path)
            if fault is not None and not fault.is_stall:
                if fault.status == 429:
                    self.traffic.rate_limited_injected += 1
                response = fault.response()
            else:
                response = await self._handle(
                    request,
                    method=method,
                    path=path,
                    query=query,
                    body=body,
                    files=files,
                    arrived=arrived,
                )
                if fault is not None:
                    await asyncio.sleep(fault.retry_after)
        except HttpError as error:
            response = json_response(error.status, error.body)
        self.traffic.requests += 1
        if response.status in (401, 403, 429):
            self.traffic.invalid_requests += 1
        self.requests.append(
            RecordedRequest(
                method=method,
                path=path,
                json=body,
                query=query,
                status=response.status,
                files=tuple((name, data) for _, name, data, _ in files),
            )
        )
        return response

    async def _handle(
        self,
        request: web.Request,
        *,
        method: str,
        path: str,
        query: Mapping[str, str],
        body: Any,
        files: list[UploadedFile],
        arrived: float,
    ) -> web.Response:
        for route in self._routes:
            match = route.pattern.match(path)
            if route.method != method or match is None:
                continue
            token = request.headers.get("Authorization", "").removeprefix("Bot ").strip()
            if not route.interaction and not token:
                raise HttpError(401, 0, "401: Unauthorized")
            if route.interaction:
                self.traffic.interaction_requests += 1
            params = match.groupdict()
            headers: dict[str, str] = {}
            if self.limiter is not None:
                verdict = self.limiter.admit(
                    method, route.template, params, interaction=route.interaction, arrived=arrived
                )
                if verdict.limited is not None:
                    return verdict.response()
                headers = verdict.headers
            try:
                errors = self._validation_errors(method, path, body, route.limits)
                if errors:
                    self.violations.append(f"{method} {path}: " + "; ".join(map(str, errors)))
                    raise HttpError(400, 50035, "Invalid Form Body", form_errors(errors))
                status, payload = await route.handler(Call(params, query, body, files))
            except HttpError as error:
                return json_response(error.status, error.body, headers)
            return json_response(status, payload, headers)
        self.violations.append(f"{method} {path}: route not implemented by the fake")
        raise HttpError(404, 0, "404: Not Found")

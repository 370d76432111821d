"""HTTP plumbing shared by the fake's REST modules: errors in Discord's shape, JSON replies."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from couplebot.fake_discord._spec import BodyError

# (files[N] index, filename, content, content type) of one multipart upload.
UploadedFile = tuple[int, str, bytes, str]


class HttpError(Exception):
    """A REST error answer: status plus Discord's JSON error body."""

    def __init__(self, status: int, code: int, message: str, errors: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"message": message, "code": code}
        if errors is not None:
            self.body["errors"] = errors


def unknown(what: str, code: int) -> HttpError:
    return HttpError(404, code, f"Unknown {what}")


def form_errors(errors: Sequence[BodyError]) -> dict[str, Any]:
    """Discord's nested `errors` tree for an Invalid Form Body (50035)."""
    tree: dict[str, Any] = {}
    for error in errors:
        node = tree
        for part in error.path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append(
            {"code": "BASE_TYPE_INVALID", "message": error.message}
        )
    return tree


def invalid_form(field_name: str, code: str, message: str) -> HttpError:
    errors = {field_name: {"_errors": [{"code": code, "message": message}]}}
    return HttpError(400, 50035, "Invalid Form Body", errors)


def json_response(
    status: int, payload: Any, headers: Mapping[str, str] | None = None
) -> web.Response:
    """A reply with `Content-Type: application/json` exactly (discord.py compares the string)."""
    if status == 204 or payload is None:
        return web.Response(status=204, headers=headers)
    return web.Response(
        status=status,
        body=json.dumps(payload).encode(),
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


@dataclass
class Call:
    """One REST call as a handler sees it: path parameters, query, JSON body, files."""

    params: dict[str, str]
    query: Mapping[str, str]
    body: Any
    files: list[UploadedFile] = field(default_factory=list)


Handler = Callable[[Call], Awaitable[tuple[int, Any]]]

"""State records of the fake Discord: users, guilds, requests, interactions."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DISCORD_EPOCH_MS = 1420070400000
EPHEMERAL_FLAG = 64
LOADING_FLAG = 128


class SnowflakeFactory:
    """Timestamp-based, strictly increasing snowflakes (so discord.py's created_at works)."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        now_ms = int(time.time() * 1000)
        candidate = (now_ms - DISCORD_EPOCH_MS) << 22
        self._last = max(candidate, self._last + 1)
        return self._last

    def next_on_shard(self, shard_id: int, shard_count: int) -> int:
        """The next id whose `(id >> 22) % shard_count` is shard_id (at most a few ms ahead)."""
        candidate = self.next()
        millis = candidate >> 22
        millis += (shard_id - millis) % shard_count
        self._last = max(candidate, millis << 22)
        return self._last


def iso_now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass(frozen=True)
class FakeUser:
    id: int
    name: str
    bot: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name,
            "discriminator": "0",
            "global_name": self.name,
            "avatar": None,
            "bot": self.bot,
            "system": False,
            "public_flags": 0,
            "flags": 0,
        }


@dataclass
class FakeGuild:
    id: int
    name: str
    channel_id: int
    members: list[FakeUser]
    joined_at: str = field(default_factory=iso_now)


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str  # relative to the API base, e.g. "/channels/1/messages"
    json: Any
    query: dict[str, str]
    status: int
    files: tuple[tuple[str, bytes], ...] = ()


async def _poll(check: Any, timeout: float, what: str) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = check()
        if result is not None:
            return result
        if asyncio.get_running_loop().time() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.005)


@dataclass
class FakeInteraction:
    """One interaction the fake sent to the bot, and everything the bot answered."""

    id: int
    token: str
    user: FakeUser
    type: int
    channel_id: int
    guild_id: int | None
    payload: dict[str, Any]
    callbacks: list[dict[str, Any]] = field(default_factory=list)
    followups: list[dict[str, Any]] = field(default_factory=list)
    # The message that the response created or updated (@original).
    message: dict[str, Any] | None = None
    # Messages shown to the user in reply, oldest first (edits append the new state).
    replies: list[dict[str, Any]] = field(default_factory=list)

    async def wait_response(self, timeout: float = 5.0) -> dict[str, Any]:
        result: dict[str, Any] = await _poll(
            lambda: self.callbacks[0] if self.callbacks else None,
            timeout,
            f"a response to interaction {self.id}",
        )
        return result

    async def wait_followup(self, timeout: float = 5.0) -> dict[str, Any]:
        result: dict[str, Any] = await _poll(
            lambda: self.followups[0] if self.followups else None,
            timeout,
            f"a followup to interaction {self.id}",
        )
        return result

    async def wait_reply(self, timeout: float = 5.0) -> dict[str, Any]:
        """The first visible reply that is not a 'thinking…' placeholder."""
        result: dict[str, Any] = await _poll(
            lambda: next(
                (m for m in reversed(self.replies) if not m["flags"] & LOADING_FLAG), None
            ),
            timeout,
            f"a reply to interaction {self.id}",
        )
        return result

    @property
    def latest_reply(self) -> dict[str, Any] | None:
        return self.replies[-1] if self.replies else None

    @property
    def text(self) -> str:
        reply = self.latest_reply
        return message_text(reply) if reply is not None else ""

    @property
    def ephemeral(self) -> bool:
        reply = self.latest_reply
        return bool(reply is not None and reply.get("flags", 0) & EPHEMERAL_FLAG)

    @property
    def modal(self) -> dict[str, Any] | None:
        for callback in self.callbacks:
            if callback.get("type") == 9:
                data: dict[str, Any] = callback["data"]
                return data
        return None

    @property
    def autocomplete_choices(self) -> list[dict[str, Any]] | None:
        for callback in self.callbacks:
            if callback.get("type") == 8:
                choices: list[dict[str, Any]] = callback.get("data", {}).get("choices", [])
                return choices
        return None


def message_text(message: dict[str, Any]) -> str:
    """Content plus embed titles, descriptions, fields and footers, one per line."""
    parts: list[str] = []
    if message.get("content"):
        parts.append(message["content"])
    for embed in message.get("embeds") or []:
        for key in ("title", "description"):
            if embed.get(key):
                parts.append(embed[key])
        for embed_field in embed.get("fields") or []:
            parts.append(f"{embed_field.get('name', '')}: {embed_field.get('value', '')}")
        footer = (embed.get("footer") or {}).get("text")
        if footer:
            parts.append(footer)
    for component in message.get("components") or []:
        parts.extend(_text_display_content(component))
    return "\n".join(parts)


def _text_display_content(component: dict[str, Any]) -> list[str]:
    found: list[str] = []
    if component.get("type") == 10 and component.get("content"):
        found.append(component["content"])
    for child in component.get("components") or []:
        found.extend(_text_display_content(child))
    return found

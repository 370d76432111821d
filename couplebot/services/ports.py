"""What services need from the outside world, and the posts they ask for."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Protocol

from couplebot.domain.exchange import Exchange


@dataclass(frozen=True)
class PromptPost:
    """An exchange's message: its prompt, its buttons and a content-free status line."""

    guild_id: int
    channel_id: int
    exchange: Exchange
    responded: int
    label: str


@dataclass(frozen=True)
class RevealedAnswer:
    user_id: int
    values: dict[str, str]


@dataclass(frozen=True)
class RevealPost:
    guild_id: int
    channel_id: int
    exchange: Exchange
    answers: tuple[RevealedAnswer, ...]
    part: int
    parts: int
    follow_up: str | None
    milestone: int | None


@dataclass(frozen=True)
class SharedAnswerPost:
    """After a pass, an author chose to share their own answer anyway."""

    guild_id: int
    channel_id: int
    exchange: Exchange
    answer: RevealedAnswer


@dataclass(frozen=True)
class ReminderPost:
    user_id: int
    guild_id: int
    channel_id: int
    exchange: Exchange


@dataclass(frozen=True)
class NotePost:
    """Any other post a feature makes (a note of thanks, an idea card, a gentle note...).

    `kind` names the ui renderer (ui/notes.py) and `data` is what it needs, all plain
    values. The messenger resolves the display names of `names` first. With `dm_user_id`
    it goes to that partner's DMs; `ping_user_id` is the one user it may mention.
    """

    guild_id: int
    channel_id: int
    kind: str
    data: dict[str, Any]
    names: tuple[int, ...] = ()
    dm_user_id: int | None = None
    ping_user_id: int | None = None


Post = PromptPost | RevealPost | SharedAnswerPost | ReminderPost | NotePost


def post_marker(dedupe_key: str) -> str:
    """A short tag shown in a post's footer, so an unsent-looking post can be found again.

    Ids of rows (small numbers) stay readable; a Discord id (a user's, say) never appears
    in a post: it becomes a short neutral hash.
    """
    parts = dedupe_key.split(":")
    shown = [_neutral(part) if len(part) >= SNOWFLAKE_DIGITS else part for part in parts]
    return "#" + ".".join(shown)


SNOWFLAKE_DIGITS = 15


def _neutral(part: str) -> str:
    return hashlib.sha256(part.encode()).hexdigest()[:6]


class UndeliverableError(Exception):
    """Discord will never take this post (no access, channel gone, DMs closed)."""


class ChannelRefusedError(UndeliverableError):
    """The couple's channel refused the post: the bot lost a permission there."""

    def __init__(self, message: str, missing: tuple[str, ...]) -> None:
        super().__init__(message)
        self.missing = missing  # what the refused call needed, e.g. ("Send Messages",)


class DmsClosedError(UndeliverableError):
    """The partner does not take direct messages from the bot (Discord 50007)."""


class Messenger(Protocol):
    async def send(self, post: Post, *, nonce: str, marker: str) -> int | None:
        """Send a post; returns the message id. Raises UndeliverableError if it never can be."""
        ...

    async def find_sent(self, post: Post, marker: str) -> int | None:
        """The id of an earlier message carrying this marker, if one was sent."""
        ...

    async def refresh_prompt(self, post: PromptPost, marker: str) -> None:
        """Edit the exchange's message to show its current status (never answer content)."""
        ...

"""Questions, their depth and the themes a couple can turn on and off."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Depth(StrEnum):
    LIGHT = "light"
    MEDIUM = "medium"
    DEEP = "deep"


# Theme slug -> label shown in /question decks. Order is the order users see.
THEMES: dict[str, str] = {
    "everyday": "Everyday life",
    "playful": "Playful",
    "memories": "Memories",
    "appreciation": "Appreciation",
    "dreams": "Dreams and the future",
    "values": "Values",
    "needs": "Needs and feeling loved",
    "closeness": "Noticing distance, finding closeness",
    "repair": "Repair after conflict",
    "intimacy": "Intimacy",
    "long-distance": "Long distance",
}

# Questions the couple wrote themselves: always eligible, asked first, never switched off.
CUSTOM_THEME = "custom"

# Themes on for a new couple; long-distance joins when partners live in different zones.
DEFAULT_THEMES: frozenset[str] = frozenset(THEMES) - {"long-distance"}

MAX_QUESTION_LENGTH = 300


class Question(BaseModel):
    """One connection question, from a shipped deck or written by the couple."""

    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    depth: Depth
    theme: str
    tags: frozenset[str] = frozenset()
    follow_up: str | None = None

    @property
    def all_tags(self) -> frozenset[str]:
        return self.tags | {self.theme}

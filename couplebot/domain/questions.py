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

# Weekday numbers (Monday = 0) that offer a deep question for a new couple: Wednesday and
# Saturday, never two days running, so "never two deep days running" never cancels one.
DEFAULT_DEEP_DAYS: frozenset[int] = frozenset({2, 5})

MAX_QUESTION_LENGTH = 300

# A new couple's first rounds: this many fixed, welcoming light questions, in order.
FIRST_WEEK_LENGTH = 7


class Question(BaseModel):
    """One connection question, from a shipped deck or written by the couple."""

    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    depth: Depth
    theme: str
    tags: frozenset[str] = frozenset()
    follow_up: str | None = None
    idea: str | None = None  # shipped questions: a slug naming the one idea it asks about

    @property
    def all_tags(self) -> frozenset[str]:
        return self.tags | {self.theme}


class FollowUpDepth(StrEnum):
    """Which questions a general follow-up suits: light ones, deep ones, or any."""

    LIGHT = "light"
    ANY = "any"
    DEEP = "deep"

    def suits(self, depth: Depth) -> bool:
        """Light and deep follow-ups go with their own depth; medium questions get `any`."""
        return self is FollowUpDepth.ANY or self.value == depth.value


class FollowUp(BaseModel):
    """A nudge shown after a reveal when the question has no follow-up of its own."""

    model_config = ConfigDict(frozen=True)

    id: str
    text: str
    depth: FollowUpDepth = FollowUpDepth.ANY

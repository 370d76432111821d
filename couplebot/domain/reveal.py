"""How a reveal is cut into messages that fit Discord's embed limits."""

from __future__ import annotations

from collections.abc import Sequence

EMBED_DESCRIPTION_LIMIT = 4096
MESSAGE_EMBEDS_TOTAL = 6000
# Room kept per embed for a title (a display name), a footer and the follow-up line.
EMBED_OVERHEAD = 400
MAX_ANSWER_LENGTH = 4000


def reveal_parts(question: str, bodies: Sequence[str]) -> list[list[int]]:
    """Group answer indices into messages; each group fits one message's embed budget."""
    parts: list[list[int]] = []
    budget = MESSAGE_EMBEDS_TOTAL - len(question) - EMBED_OVERHEAD
    current: list[int] = []
    for index, body in enumerate(bodies):
        cost = len(body) + EMBED_OVERHEAD
        if current and cost > budget:
            parts.append(current)
            current, budget = [], MESSAGE_EMBEDS_TOTAL - EMBED_OVERHEAD
        current.append(index)
        budget -= cost
    parts.append(current)
    return parts

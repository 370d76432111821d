"""Choosing today's question: no repeats within a cycle, custom first, depth as a dial."""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from couplebot.domain.questions import CUSTOM_THEME, Depth, Question

__all__ = [
    "CUSTOM_THEME",
    "DEEP_DAY_DEFAULT",
    "LIGHT_SHARE",
    "Choice",
    "choose_question",
]

# Weekday numbers (Monday = 0) that offer a deep question: weekends.
DEEP_DAY_DEFAULT: frozenset[int] = frozenset({5, 6})

# On ordinary days: light this often, otherwise medium.
LIGHT_SHARE = 0.7


@dataclass(frozen=True)
class Choice:
    question: Question
    new_cycle: bool  # True: the caller should forget earlier asked ids, keeping only this one


def choose_question(
    *,
    pool: Sequence[Question],
    asked_ids: Collection[str],
    enabled_themes: Collection[str],
    deep_today: bool,
    previous_was_deep: bool,
    rng: random.Random,
    exclude_ids: Collection[str] = (),
) -> Choice:
    """Pick today's question. Raises ValueError only if `pool` is empty.

    Rules, in order of strength: never two deep days running (unless nothing else
    exists); no repeat until the eligible questions are used up; the couple's own
    unasked questions first, oldest first; then depth (deep on a deep day, else
    light ~70% / medium ~30%, falling back to whatever depth remains).
    """
    if not pool:
        raise ValueError("The question pool is empty.")
    excluded = set(exclude_ids)
    eligible = [
        q
        for q in pool
        if (q.theme == CUSTOM_THEME or q.theme in enabled_themes) and q.id not in excluded
    ]
    if not eligible:  # themes (or the skip) left nothing: fall back to the whole pool
        eligible = [q for q in pool if q.id not in excluded] or list(pool)

    def allowed(q: Question) -> bool:
        return not (previous_was_deep and q.depth == Depth.DEEP)

    asked = set(asked_ids)
    fresh = [q for q in eligible if q.id not in asked]
    new_cycle = False
    if not fresh:
        fresh, new_cycle = eligible, True
    elif not any(allowed(q) for q in fresh) and any(allowed(q) for q in eligible):
        # Only deep ones left after a deep day: begin the next cycle early instead.
        fresh, new_cycle = eligible, True
    candidates = [q for q in fresh if allowed(q)] or fresh

    custom = [q for q in candidates if q.theme == CUSTOM_THEME]
    if custom:
        return Choice(custom[0], new_cycle)

    if deep_today and not previous_was_deep:
        order = (Depth.DEEP, Depth.MEDIUM, Depth.LIGHT)
    elif rng.random() < LIGHT_SHARE:
        order = (Depth.LIGHT, Depth.MEDIUM, Depth.DEEP)
    else:
        order = (Depth.MEDIUM, Depth.LIGHT, Depth.DEEP)
    for depth in order:
        same_depth = [q for q in candidates if q.depth == depth]
        if same_depth:
            return Choice(rng.choice(same_depth), new_cycle)
    raise AssertionError("unreachable: candidates is never empty")

"""Choosing today's question: no repeats within a cycle, custom first, depth as a dial."""

from __future__ import annotations

import math
import random
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from couplebot.domain.questions import CUSTOM_THEME, DEFAULT_DEEP_DAYS, Depth, Question

__all__ = [
    "CUSTOM_THEME",
    "DEEP_DAY_DEFAULT",
    "LIGHT_SHARE",
    "Choice",
    "choose_question",
    "deep_day_share",
    "mornings_per_depth",
]

# Weekday numbers (Monday = 0) that offer a deep question by default.
DEEP_DAY_DEFAULT: frozenset[int] = DEFAULT_DEEP_DAYS

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
    first_week: Sequence[Question] = (),
    rounds_so_far: int = 0,
) -> Choice:
    """Pick today's question. Raises ValueError only if `pool` is empty.

    Rules, in order of strength: never two deep days running (unless nothing else
    exists); no repeat until the eligible questions are used up; the couple's own
    unasked questions first, oldest first; then, during a new couple's first week, the
    next `first_week` question; then depth (deep on a deep day, else light ~70% /
    medium ~30%, falling back to whatever depth remains).

    `first_week`: fixed welcoming questions (content's `first_week`), asked in order,
    each once, instead of the rotation while `rounds_so_far` (how many rounds the couple
    has had before today's, skips not counted) is below their number. The next one is
    the first that is neither in `asked_ids` nor in `exclude_ids`; when none is left,
    the rotation starts early. They need not be in `pool`, and never start a new cycle.
    Leaving both at their defaults gives the rotation from the first day.
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

    if rounds_so_far < len(first_week):
        welcome = [q for q in first_week if q.id not in asked and q.id not in excluded]
        if welcome:
            return Choice(welcome[0], new_cycle=False)

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


def deep_day_share(deep_days: Collection[int]) -> Fraction:
    """The long-run share of mornings that get a deep question.

    A deep day right after a deep day is an ordinary one ("never two deep days
    running"), so {Sat, Sun} gives one deep morning a week, not two.
    """
    days = set(deep_days)
    # The state (weekday, was yesterday deep) repeats within 14 days: the first two
    # weeks settle into the cycle, the next two are counted.
    deep_mornings = 0
    previous_was_deep = False
    for day in range(28):
        deep = day % 7 in days and not previous_was_deep
        if day >= 14:
            deep_mornings += deep
        previous_was_deep = deep
    return Fraction(deep_mornings, 14)


def mornings_per_depth(
    counts: Mapping[Depth, int],
    deep_days: Collection[int] = DEFAULT_DEEP_DAYS,
    light_share: float = LIGHT_SHARE,
) -> dict[Depth, float]:
    """How many mornings each depth's questions last before the first one comes back.

    At the picker's mix: deep on deep days (see `deep_day_share`), otherwise light with
    probability `light_share` and medium the rest. A depth that is never drawn lasts
    forever (math.inf); the fallbacks once a depth runs out are not modelled.
    """
    deep = float(deep_day_share(deep_days))
    per_morning = {
        Depth.LIGHT: (1 - deep) * light_share,
        Depth.MEDIUM: (1 - deep) * (1 - light_share),
        Depth.DEEP: deep,
    }
    return {
        depth: counts.get(depth, 0) / rate if rate > 0 else math.inf
        for depth, rate in per_morning.items()
    }

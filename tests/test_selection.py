"""Choosing today's question."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from couplebot.domain.questions import DEFAULT_DEEP_DAYS, THEMES, Depth, Question
from couplebot.domain.selection import (
    CUSTOM_THEME,
    DEEP_DAY_DEFAULT,
    choose_question,
    deep_day_share,
    mornings_per_depth,
)

ALL_THEMES = frozenset(THEMES)


def q(qid: str, depth: Depth = Depth.LIGHT, theme: str = "everyday") -> Question:
    return Question(id=qid, text=f"Question {qid}?", depth=depth, theme=theme)


def choose(
    pool: list[Question],
    *,
    asked: set[str] | None = None,
    themes: frozenset[str] = ALL_THEMES,
    deep_today: bool = False,
    previous_was_deep: bool = False,
    seed: int = 0,
    exclude: set[str] | None = None,
    first_week: list[Question] | None = None,
    rounds_so_far: int = 0,
) -> tuple[Question, bool]:
    choice = choose_question(
        pool=pool,
        asked_ids=asked or set(),
        enabled_themes=themes,
        deep_today=deep_today,
        previous_was_deep=previous_was_deep,
        rng=random.Random(seed),
        exclude_ids=exclude or set(),
        first_week=first_week or (),
        rounds_so_far=rounds_so_far,
    )
    return choice.question, choice.new_cycle


MIXED_POOL = [
    *(q(f"l{i}", Depth.LIGHT, "playful") for i in range(6)),
    *(q(f"m{i}", Depth.MEDIUM, "memories") for i in range(4)),
    *(q(f"d{i}", Depth.DEEP, "closeness") for i in range(3)),
]


def test_default_deep_days_are_never_two_days_running() -> None:
    assert DEEP_DAY_DEFAULT == DEFAULT_DEEP_DAYS == frozenset({2, 5})  # Wednesday, Saturday
    for day in DEFAULT_DEEP_DAYS:
        assert (day + 1) % 7 not in DEFAULT_DEEP_DAYS  # so none is cancelled (Sun -> Mon too)


def test_empty_pool_is_an_error() -> None:
    with pytest.raises(ValueError, match="empty"):
        choose([])


def test_new_cycle_only_when_everything_was_asked() -> None:
    pool = [q("a"), q("b"), q("c")]
    chosen, new_cycle = choose(pool, asked={"a", "b"})
    assert (chosen.id, new_cycle) == ("c", False)
    chosen, new_cycle = choose(pool, asked={"a", "b", "c"})
    assert new_cycle
    assert chosen in pool


def test_themes_are_respected() -> None:
    for seed in range(50):
        chosen, _ = choose(MIXED_POOL, themes=frozenset({"memories"}), seed=seed)
        assert chosen.theme == "memories"


def test_no_enabled_theme_left_falls_back_to_the_whole_pool() -> None:
    chosen, new_cycle = choose(MIXED_POOL, themes=frozenset({"long-distance"}))
    assert chosen in MIXED_POOL
    assert not new_cycle


def test_custom_questions_first_oldest_first_and_regardless_of_themes() -> None:
    pool = [
        q("l0"),
        q("c1", theme=CUSTOM_THEME),
        q("m0", Depth.MEDIUM),
        q("c2", theme=CUSTOM_THEME),
    ]
    assert choose(pool, themes=frozenset())[0].id == "c1"
    assert choose(pool, asked={"c1"}, themes=frozenset())[0].id == "c2"
    assert choose(pool, asked={"c1", "c2"})[0].id in {"l0", "m0"}


def test_a_deep_custom_question_waits_a_day_after_a_deep_day() -> None:
    pool = [q("l0"), q("c1", Depth.DEEP, CUSTOM_THEME), q("c2", Depth.LIGHT, CUSTOM_THEME)]
    assert choose(pool, previous_was_deep=True)[0].id == "c2"
    assert choose(pool, previous_was_deep=False)[0].id == "c1"


def test_exclude_skips_the_question_just_skipped() -> None:
    pool = [q("a"), q("b")]
    for seed in range(20):
        assert choose(pool, exclude={"a"}, seed=seed)[0].id == "b"
    # Custom first still steps over an excluded custom question.
    pool = [q("c1", theme=CUSTOM_THEME), q("c2", theme=CUSTOM_THEME)]
    assert choose(pool, exclude={"c1"})[0].id == "c2"


def test_excluding_the_only_question_still_gives_one() -> None:
    pool = [q("only")]
    assert choose(pool, exclude={"only"})[0].id == "only"


def test_deep_day_offers_deep() -> None:
    for seed in range(20):
        assert choose(MIXED_POOL, deep_today=True, seed=seed)[0].depth == Depth.DEEP


def test_never_two_deep_days_running() -> None:
    for seed in range(50):
        chosen, _ = choose(MIXED_POOL, deep_today=True, previous_was_deep=True, seed=seed)
        assert chosen.depth != Depth.DEEP


def test_deep_day_without_deep_questions_falls_back_to_medium() -> None:
    pool = [q("l0"), q("m0", Depth.MEDIUM)]
    for seed in range(20):
        assert choose(pool, deep_today=True, seed=seed)[0].id == "m0"


def test_only_deep_left_after_a_deep_day_starts_the_next_cycle_early() -> None:
    pool = [q("l0"), q("d0", Depth.DEEP), q("d1", Depth.DEEP)]
    chosen, new_cycle = choose(pool, asked={"l0", "d0"}, previous_was_deep=True)
    assert (chosen.id, new_cycle) == ("l0", True)


def test_an_all_deep_pool_still_gives_a_question() -> None:
    pool = [q("d0", Depth.DEEP), q("d1", Depth.DEEP)]
    chosen, new_cycle = choose(pool, asked={"d0"}, previous_was_deep=True)
    assert (chosen.id, new_cycle) == ("d1", False)


def test_ordinary_days_are_mostly_light() -> None:
    rng = random.Random(1234)
    draws = 4000
    light = sum(
        choose_question(
            pool=MIXED_POOL,
            asked_ids=(),
            enabled_themes=ALL_THEMES,
            deep_today=False,
            previous_was_deep=False,
            rng=rng,
        ).question.depth
        == Depth.LIGHT
        for _ in range(draws)
    )
    assert 0.66 < light / draws < 0.74


def test_ordinary_day_falls_back_to_whatever_depth_remains() -> None:
    pool = [q("l0"), q("m0", Depth.MEDIUM), q("d0", Depth.DEEP)]
    assert choose(pool, asked={"l0", "m0"})[0].id == "d0"


def test_same_seed_same_choice() -> None:
    assert choose(MIXED_POOL, seed=7) == choose(MIXED_POOL, seed=7)


@settings(deadline=None)
@given(
    depths=st.lists(st.sampled_from(list(Depth)), min_size=1, max_size=25),
    customs=st.integers(0, 3),
    days=st.lists(st.booleans(), min_size=1, max_size=80),
    seed=st.integers(0, 2**32 - 1),
)
def test_many_days_no_repeat_within_a_cycle_and_no_deep_twice(
    depths: list[Depth], customs: int, days: list[bool], seed: int
) -> None:
    pool = [q(f"q{i}", depth) for i, depth in enumerate(depths)]
    pool += [q(f"c{i}", Depth.MEDIUM, CUSTOM_THEME) for i in range(customs)]
    has_non_deep = any(question.depth != Depth.DEEP for question in pool)
    rng = random.Random(seed)
    asked: set[str] = set()
    previous_was_deep = False
    for deep_today in days:
        choice = choose_question(
            pool=pool,
            asked_ids=asked,
            enabled_themes=ALL_THEMES,
            deep_today=deep_today,
            previous_was_deep=previous_was_deep,
            rng=rng,
        )
        chosen = choice.question
        if choice.new_cycle:
            fresh = [p for p in pool if p.id not in asked]
            # Exhausted, or only deep ones were left the day after a deep day.
            assert not fresh or (previous_was_deep and all(p.depth == Depth.DEEP for p in fresh))
            asked = set()
        assert chosen.id not in asked  # no repeat within a cycle
        asked.add(chosen.id)
        is_deep = chosen.depth == Depth.DEEP
        if has_non_deep:
            assert not (is_deep and previous_was_deep)
        previous_was_deep = is_deep


# --- a new couple's first week ---

FIRST_WEEK = [q(f"w{i}", Depth.LIGHT, "everyday") for i in range(7)]


def test_first_week_comes_in_order_before_the_rotation() -> None:
    asked: set[str] = set()
    for rounds in range(7):
        # Even on a deep day: the first Saturday is not a deep one.
        chosen, new_cycle = choose(
            MIXED_POOL, asked=asked, deep_today=True, first_week=FIRST_WEEK, rounds_so_far=rounds
        )
        assert (chosen.id, new_cycle) == (f"w{rounds}", False)
        asked.add(chosen.id)
    chosen, _ = choose(
        MIXED_POOL, asked=asked, deep_today=True, first_week=FIRST_WEEK, rounds_so_far=7
    )
    assert chosen in MIXED_POOL
    assert chosen.depth == Depth.DEEP


def test_no_first_week_for_a_couple_who_already_had_rounds() -> None:
    for seed in range(20):
        chosen, _ = choose(MIXED_POOL, first_week=FIRST_WEEK, rounds_so_far=30, seed=seed)
        assert chosen in MIXED_POOL


def test_without_a_first_week_the_rotation_starts_at_once() -> None:
    assert choose(MIXED_POOL, seed=3) == choose(MIXED_POOL, seed=3, rounds_so_far=0)
    assert choose(MIXED_POOL, seed=3)[0] in MIXED_POOL


def test_skipping_a_first_week_question_gives_the_next_one() -> None:
    chosen, _ = choose(
        MIXED_POOL, asked={"w0"}, exclude={"w1"}, first_week=FIRST_WEEK, rounds_so_far=1
    )
    assert chosen.id == "w2"
    # Tomorrow the skipped one is still unasked, so it comes next.
    chosen, _ = choose(MIXED_POOL, asked={"w0", "w2"}, first_week=FIRST_WEEK, rounds_so_far=2)
    assert chosen.id == "w1"


def test_own_questions_still_come_first_in_the_first_week() -> None:
    pool = [*MIXED_POOL, q("c1", Depth.MEDIUM, CUSTOM_THEME)]
    assert choose(pool, first_week=FIRST_WEEK, rounds_so_far=2, asked={"w0", "w1"})[0].id == "c1"
    after = choose(pool, first_week=FIRST_WEEK, rounds_so_far=3, asked={"w0", "w1", "c1"})
    assert after[0].id == "w2"


def test_first_week_used_up_early_falls_back_to_the_rotation() -> None:
    asked = {w.id for w in FIRST_WEEK}
    chosen, _ = choose(MIXED_POOL, asked=asked, first_week=FIRST_WEEK, rounds_so_far=5)
    assert chosen in MIXED_POOL


# --- how long each depth lasts ---


@pytest.mark.parametrize(
    ("deep_days", "share"),
    [
        (frozenset(), Fraction(0)),
        (frozenset({2, 5}), Fraction(2, 7)),
        (frozenset({5, 6}), Fraction(1, 7)),  # Sunday follows a deep Saturday: never deep
        (frozenset({6, 0}), Fraction(1, 7)),  # Monday follows a deep Sunday
        (frozenset(range(7)), Fraction(1, 2)),  # every other day
    ],
)
def test_deep_day_share(deep_days: frozenset[int], share: Fraction) -> None:
    assert deep_day_share(deep_days) == share


def test_mornings_per_depth_at_the_default_mix() -> None:
    lasts = mornings_per_depth({Depth.LIGHT: 300, Depth.MEDIUM: 150, Depth.DEEP: 120})
    # 5 ordinary mornings a week: 3.5 light, 1.5 medium; 2 deep mornings.
    assert lasts[Depth.LIGHT] == pytest.approx(300 * 7 / 3.5)
    assert lasts[Depth.MEDIUM] == pytest.approx(150 * 7 / 1.5)
    assert lasts[Depth.DEEP] == pytest.approx(120 * 7 / 2)
    assert mornings_per_depth({Depth.DEEP: 10}, deep_days=())[Depth.DEEP] == math.inf


def _mornings_until_used_up(depth: Depth, counts: dict[Depth, int], seed: int) -> int:
    """Mornings of choose_question on the default deep days until `depth` is used up."""
    pool = [q(f"{d.value}-{i}", d) for d, n in counts.items() for i in range(n)]
    rng = random.Random(seed)
    asked: set[str] = set()
    previous_was_deep = False
    day = 0
    while sum(qid.startswith(depth.value) for qid in asked) < counts[depth]:
        choice = choose_question(
            pool=pool,
            asked_ids=asked,
            enabled_themes=ALL_THEMES,
            deep_today=day % 7 in DEFAULT_DEEP_DAYS,
            previous_was_deep=previous_was_deep,
            rng=rng,
        )
        assert not choice.new_cycle
        asked.add(choice.question.id)
        previous_was_deep = choice.question.depth == Depth.DEEP
        day += 1
    return day


@pytest.mark.parametrize("depth", list(Depth))
def test_mornings_per_depth_matches_the_picker(depth: Depth) -> None:
    """On average the picker uses a depth up (the others never run out) when
    mornings_per_depth says it will."""
    counts = {d: 40 if d == depth else 400 for d in Depth}
    runs = [_mornings_until_used_up(depth, counts, seed) for seed in range(6)]
    assert sum(runs) / len(runs) == pytest.approx(mornings_per_depth(counts)[depth], rel=0.1)

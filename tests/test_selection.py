"""Choosing today's question."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from couplebot.domain.questions import THEMES, Depth, Question
from couplebot.domain.selection import CUSTOM_THEME, DEEP_DAY_DEFAULT, choose_question

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
) -> tuple[Question, bool]:
    choice = choose_question(
        pool=pool,
        asked_ids=asked or set(),
        enabled_themes=themes,
        deep_today=deep_today,
        previous_was_deep=previous_was_deep,
        rng=random.Random(seed),
        exclude_ids=exclude or set(),
    )
    return choice.question, choice.new_cycle


MIXED_POOL = [
    *(q(f"l{i}", Depth.LIGHT, "playful") for i in range(6)),
    *(q(f"m{i}", Depth.MEDIUM, "memories") for i in range(4)),
    *(q(f"d{i}", Depth.DEEP, "closeness") for i in range(3)),
]


def test_deep_days_default_to_the_weekend() -> None:
    assert frozenset({5, 6}) == DEEP_DAY_DEFAULT


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

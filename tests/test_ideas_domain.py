"""Choosing the next idea card: filters, no repeats within a cycle, leanings, empty results."""

import random
from collections import Counter
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from couplebot.content import default_content_dir, load_content
from couplebot.domain.ideas import (
    Budget,
    Connection,
    Energy,
    Idea,
    IdeaChoice,
    IdeaFilters,
    IdeaHistory,
    IdeaKind,
    NoMatch,
    Setting,
    choose_idea,
    matching,
)

DATE = IdeaFilters(kind=IdeaKind.DATE)


def make_idea(
    idea_id: str,
    *,
    kind: IdeaKind = IdeaKind.DATE,
    setting: Setting = Setting.HOME,
    budget: Budget = Budget.FREE,
    minutes: int = 60,
    energy: Energy = Energy.CALM,
    connection: Connection = Connection.TALK,
) -> Idea:
    return Idea(
        id=idea_id,
        kind=kind,
        title=f"Idea {idea_id}",
        description="Do a thing together.",
        setting=setting,
        budget=budget,
        minutes=minutes,
        energy=energy,
        connection=connection,
        prompt="Afterwards, ask each other: how was it?" if kind == IdeaKind.DATE else None,
    )


@dataclass
class Couple:
    """What the store would keep for a couple between presses."""

    shown: set[str] = field(default_factory=set)
    skipped: list[str] = field(default_factory=list)  # oldest first
    done: list[str] = field(default_factory=list)
    current: str | None = None

    def history(self) -> IdeaHistory:
        return IdeaHistory(
            shown_ids=frozenset(self.shown),
            done_ids=tuple(reversed(self.done)),
            skipped_ids=tuple(reversed(self.skipped)),
            current_id=self.current,
        )

    def another(
        self, pool: list[Idea], filters: IdeaFilters, rng: random.Random, *, apart: bool = False
    ) -> IdeaChoice:
        result = choose_idea(
            pool=pool, filters=filters, history=self.history(), long_distance=apart, rng=rng
        )
        assert isinstance(result, IdeaChoice), result
        if self.current is not None:
            self.skipped.append(self.current)
        self.shown -= result.forget_ids
        self.shown.add(result.idea.id)
        self.current = result.idea.id
        return result


@pytest.fixture(scope="module")
def shipped() -> list[Idea]:
    return list(load_content(default_content_dir()).ideas)


# --- filters ---


def test_filters_keep_only_matching_ideas() -> None:
    pool = [
        make_idea("cheap", budget=Budget.LOW, minutes=30),
        make_idea("dear", budget=Budget.HIGH, minutes=30),
        make_idea("long", minutes=240),
        make_idea("out", setting=Setting.OUT),
        make_idea("lively", energy=Energy.ACTIVE),
        make_idea("act", kind=IdeaKind.ACTIVITY, minutes=10),
    ]

    def ids(filters: IdeaFilters) -> set[str]:
        return {i.id for i in matching(pool, filters)}

    assert ids(IdeaFilters(kind=IdeaKind.ACTIVITY)) == {"act"}
    # A budget means "at most this": free ideas fit a low budget.
    low_or_free = {"cheap", "long", "out", "lively"}
    assert ids(IdeaFilters(kind=IdeaKind.DATE, budget=Budget.LOW)) == low_or_free
    assert ids(IdeaFilters(kind=IdeaKind.DATE, budget=Budget.FREE)) == {"long", "out", "lively"}
    up_to_an_hour = {"cheap", "dear", "out", "lively"}
    assert ids(IdeaFilters(kind=IdeaKind.DATE, max_minutes=60)) == up_to_an_hour
    assert ids(IdeaFilters(kind=IdeaKind.DATE, setting=Setting.OUT)) == {"out"}
    assert ids(IdeaFilters(kind=IdeaKind.DATE, energy=Energy.ACTIVE)) == {"lively"}


@pytest.mark.parametrize(
    "filters",
    [
        IdeaFilters(kind=IdeaKind.DATE, budget=Budget.FREE),
        IdeaFilters(kind=IdeaKind.DATE, setting=Setting.OUTDOORS),
        IdeaFilters(kind=IdeaKind.DATE, max_minutes=45),
        IdeaFilters(kind=IdeaKind.DATE, energy=Energy.ACTIVE),
        IdeaFilters(kind=IdeaKind.ACTIVITY, max_minutes=10, setting=Setting.APART),
    ],
)
def test_each_filter_holds_over_twenty_presses(shipped: list[Idea], filters: IdeaFilters) -> None:
    couple, rng = Couple(), random.Random(7)
    pool_size = len(matching(shipped, filters))
    chosen = [couple.another(shipped, filters, rng).idea for _ in range(20)]
    assert all(filters.accepts(item) for item in chosen)
    assert len({item.id for item in chosen}) == min(20, pool_size)


# --- no repeats within a cycle ---


def test_twenty_another_presses_never_repeat(shipped: list[Idea]) -> None:
    couple, rng = Couple(), random.Random(1)
    results = [couple.another(shipped, DATE, rng) for _ in range(20)]
    assert len({r.idea.id for r in results}) == 20
    assert not any(r.new_cycle for r in results)


def test_an_exhausted_pool_says_so_and_starts_again() -> None:
    pool = [make_idea(f"d{n}", connection=kind) for n, kind in enumerate(Connection)]
    couple, rng = Couple(), random.Random(3)
    first_round = [couple.another(pool, DATE, rng) for _ in pool]
    assert {r.idea.id for r in first_round} == {i.id for i in pool}
    assert not any(r.new_cycle for r in first_round)
    last = couple.current
    restart = couple.another(pool, DATE, rng)
    assert restart.new_cycle
    assert restart.forget_ids == {i.id for i in pool}
    assert restart.idea.id != last  # not the card "Another" was just pressed on
    assert couple.shown == {restart.idea.id}


def test_a_pool_of_one_repeats_with_the_flag() -> None:
    pool = [make_idea("only")]
    couple, rng = Couple(), random.Random(0)
    assert not couple.another(pool, DATE, rng).new_cycle
    again = couple.another(pool, DATE, rng)
    assert again.new_cycle and again.idea.id == "only"


def test_a_cycle_is_per_filter_and_forgets_only_the_matching_ideas() -> None:
    pool = [make_idea("home"), make_idea("out-1", setting=Setting.OUT)]
    pool.append(make_idea("out-2", setting=Setting.OUT))
    couple, rng = Couple(), random.Random(0)
    couple.another(pool, IdeaFilters(kind=IdeaKind.DATE, setting=Setting.HOME), rng)
    restart = couple.another(pool, IdeaFilters(kind=IdeaKind.DATE, setting=Setting.HOME), rng)
    assert restart.new_cycle and restart.forget_ids == {"home"}
    couple.another(pool, IdeaFilters(kind=IdeaKind.DATE, setting=Setting.OUT), rng)
    assert couple.shown == {"home", couple.current}


def test_the_same_seed_gives_the_same_cards(shipped: list[Idea]) -> None:
    runs = []
    for _ in range(2):
        couple, rng = Couple(), random.Random(42)
        runs.append([couple.another(shipped, DATE, rng).idea.id for _ in range(10)])
    assert runs[0] == runs[1]


ideas_strategy = st.lists(
    st.builds(
        make_idea,
        st.just(""),
        kind=st.sampled_from(IdeaKind),
        setting=st.sampled_from(Setting),
        budget=st.sampled_from(Budget),
        minutes=st.sampled_from([10, 30, 60, 120]),
        energy=st.sampled_from(Energy),
        connection=st.sampled_from(Connection),
    ),
    min_size=1,
    max_size=25,
).map(lambda items: [i.model_copy(update={"id": f"i{n}"}) for n, i in enumerate(items)])

filters_strategy = st.builds(
    IdeaFilters,
    kind=st.sampled_from(IdeaKind),
    budget=st.none() | st.sampled_from(Budget),
    setting=st.none() | st.sampled_from(Setting),
    max_minutes=st.none() | st.sampled_from([10, 30, 60]),
    energy=st.none() | st.sampled_from(Energy),
)


@settings(max_examples=150, deadline=None)
@given(
    pool=ideas_strategy,
    presses=st.lists(filters_strategy, min_size=1, max_size=30),
    apart=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_no_repeat_within_a_cycle_over_any_presses(
    pool: list[Idea], presses: list[IdeaFilters], apart: bool, seed: int
) -> None:
    couple, rng = Couple(), random.Random(seed)
    for filters in presses:
        candidates = {i.id for i in matching(pool, filters)}
        before = set(couple.shown)
        result = choose_idea(
            pool=pool, filters=filters, history=couple.history(), long_distance=apart, rng=rng
        )
        if not candidates:
            assert isinstance(result, NoMatch)
            continue
        assert isinstance(result, IdeaChoice)
        assert result.idea.id in candidates
        # A repeat only when every matching idea has been shown, and then it says so.
        assert result.new_cycle == (candidates <= before)
        if not result.new_cycle:
            assert result.idea.id not in before
        couple.shown = (before - result.forget_ids) | {result.idea.id}
        couple.current = result.idea.id


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), presses=st.integers(1, 40))
def test_shipped_dates_never_repeat_before_the_pool_runs_out(
    shipped: list[Idea], seed: int, presses: int
) -> None:
    couple, rng = Couple(), random.Random(seed)
    seen = [couple.another(shipped, DATE, rng, apart=seed % 2 == 0).idea.id for _ in range(presses)]
    assert len(set(seen)) == len(seen)


# --- long distance ---


def test_a_long_distance_couple_gets_apart_ideas_first(shipped: list[Idea]) -> None:
    apart_dates = [i for i in shipped if i.kind == IdeaKind.DATE and i.setting == Setting.APART]
    couple, rng = Couple(), random.Random(5)
    first = [couple.another(shipped, DATE, rng, apart=True).idea for _ in apart_dates]
    assert {i.setting for i in first} == {Setting.APART}
    assert couple.another(shipped, DATE, rng, apart=True).idea.setting != Setting.APART


def test_a_setting_filter_overrides_apart_first(shipped: list[Idea]) -> None:
    couple, rng = Couple(), random.Random(5)
    outdoors = IdeaFilters(kind=IdeaKind.DATE, setting=Setting.OUTDOORS)
    picks = [couple.another(shipped, outdoors, rng, apart=True).idea for _ in range(10)]
    assert {i.setting for i in picks} == {Setting.OUTDOORS}


def test_a_couple_living_close_gets_apart_ideas_last() -> None:
    pool = [make_idea("together"), make_idea("apart", setting=Setting.APART)]
    couple, rng = Couple(), random.Random(0)
    assert [couple.another(pool, DATE, rng).idea.id for _ in pool] == ["together", "apart"]


# --- leanings ---


def one_per_connection(copies: int = 1) -> list[Idea]:
    return [make_idea(f"{kind}-{n}", connection=kind) for kind in Connection for n in range(copies)]


def first_pick_kinds(pool: list[Idea], history: IdeaHistory, runs: int = 2000) -> Counter:
    kinds: Counter = Counter()
    for seed in range(runs):
        result = choose_idea(
            pool=pool, filters=DATE, history=history, long_distance=False, rng=random.Random(seed)
        )
        assert isinstance(result, IdeaChoice)
        kinds[result.idea.connection] += 1
    return kinds


def test_without_history_every_kind_is_about_as_likely() -> None:
    kinds = first_pick_kinds(one_per_connection(), IdeaHistory())
    assert all(250 <= kinds[kind] <= 420 for kind in Connection), kinds


def test_leans_toward_kinds_done_least_lately() -> None:
    pool = one_per_connection(copies=4)
    done = (*(f"talk-{n % 4}" for n in range(6)), "play-0", "play-1")
    kinds = first_pick_kinds(pool, IdeaHistory(done_ids=done))
    assert kinds[Connection.TALK] < kinds[Connection.PLAY] < kinds[Connection.LEARN]
    assert kinds[Connection.TALK] < 120  # weight 1/7 against 1 for the kinds not done


def test_leans_away_from_kinds_skipped_with_another() -> None:
    pool = one_per_connection(copies=4)
    skipped = ("touch-0", "touch-1", "touch-2")
    shown = frozenset(skipped)
    kinds = first_pick_kinds(pool, IdeaHistory(shown_ids=shown, skipped_ids=skipped))
    untouched = min(kinds[kind] for kind in Connection if kind != Connection.TOUCH)
    assert kinds[Connection.TOUCH] < untouched / 2, kinds


def test_only_the_latest_picks_and_skips_count() -> None:
    pool = one_per_connection(copies=2)
    old_talk = ("talk-0",) * 30
    recent = tuple(f"{kind}-0" for kind in Connection) * 2  # ten recent, evenly spread
    kinds = first_pick_kinds(pool, IdeaHistory(done_ids=recent[:10] + old_talk))
    assert kinds[Connection.TALK] > 200, kinds


def test_an_idea_skipped_last_cycle_comes_back_less_often() -> None:
    pool = [make_idea("skipped"), make_idea("kept")]
    history = IdeaHistory(skipped_ids=("skipped",))
    picks = Counter(
        choose_idea(
            pool=pool, filters=DATE, history=history, long_distance=False, rng=random.Random(s)
        ).idea.id  # type: ignore[union-attr]
        for s in range(1000)
    )
    assert picks["skipped"] < picks["kept"] / 2, picks


# --- nothing matches ---


def test_an_empty_match_names_the_filter_to_loosen() -> None:
    pool = [make_idea("long", minutes=120), make_idea("dear", budget=Budget.HIGH, minutes=30)]
    filters = IdeaFilters(kind=IdeaKind.DATE, max_minutes=45, budget=Budget.FREE)
    result = choose_idea(
        pool=pool, filters=filters, history=IdeaHistory(), long_distance=False, rng=random.Random()
    )
    assert isinstance(result, NoMatch)
    # Both loosen to one idea; on a tie, budget is offered before minutes.
    assert result.loosen == ("budget",) and result.matches_if_loosened == 1
    assert result.cheapest_budget == Budget.HIGH
    assert result.message == (
        "None of the date ideas are free with those choices. "
        "Try budget high or leaving budget open."
    )


def test_the_filter_that_frees_most_ideas_is_named() -> None:
    pool = [make_idea(f"long-{n}", minutes=120) for n in range(3)]
    pool.append(make_idea("outdoors", setting=Setting.OUTDOORS, minutes=30))
    filters = IdeaFilters(kind=IdeaKind.DATE, setting=Setting.HOME, max_minutes=45)
    result = choose_idea(
        pool=pool, filters=filters, history=IdeaHistory(), long_distance=False, rng=random.Random()
    )
    assert isinstance(result, NoMatch)
    assert result.loosen == ("minutes",) and result.matches_if_loosened == 3
    assert result.shortest_minutes == 120
    assert "fit in 45 minutes" in result.message and "120 minutes" in result.message


def test_when_one_filter_is_not_enough_two_are_named() -> None:
    pool = [make_idea("out-active", setting=Setting.OUT, energy=Energy.ACTIVE)]
    filters = IdeaFilters(kind=IdeaKind.DATE, setting=Setting.HOME, energy=Energy.CALM)
    result = choose_idea(
        pool=pool, filters=filters, history=IdeaHistory(), long_distance=False, rng=random.Random()
    )
    assert isinstance(result, NoMatch)
    assert result.loosen == ("energy", "setting")
    assert result.message.endswith("Try loosening energy and setting.")


@pytest.mark.parametrize(
    ("filters", "phrase"),
    [
        (IdeaFilters(kind=IdeaKind.DATE, setting=Setting.APART), "for when you're apart"),
        (IdeaFilters(kind=IdeaKind.DATE, energy=Energy.ACTIVE), "are active"),
    ],
)
def test_setting_and_energy_messages(filters: IdeaFilters, phrase: str) -> None:
    result = choose_idea(
        pool=[make_idea("calm-home")],
        filters=filters,
        history=IdeaHistory(),
        long_distance=True,
        rng=random.Random(),
    )
    assert isinstance(result, NoMatch) and phrase in result.message


def test_no_ideas_of_a_kind_at_all() -> None:
    result = choose_idea(
        pool=[make_idea("date")],
        filters=IdeaFilters(kind=IdeaKind.ACTIVITY, max_minutes=30),
        history=IdeaHistory(),
        long_distance=False,
        rng=random.Random(),
    )
    assert isinstance(result, NoMatch) and result.loosen == ()
    assert result.message == "There are no activities to suggest yet."


def test_every_single_filter_on_shipped_ideas_finds_something(shipped: list[Idea]) -> None:
    for kind in IdeaKind:
        for setting in Setting:
            for budget in Budget:
                filters = IdeaFilters(kind=kind, setting=setting, budget=budget)
                assert matching(shipped, filters), filters

"""Check-ins, the shared-reveal pairing, the bid picker, the loved list and the fixed words."""

from __future__ import annotations

import itertools
import random
from dataclasses import FrozenInstanceError
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from couplebot.domain.checkins import (
    CLOSENESS_LABELS,
    MAX_LOVED_ITEMS,
    MAX_LOVED_LENGTH,
    MAX_NEED_LENGTH,
    MOOD_LABELS,
    NEED_LABEL,
    SHARED_PAIR_WINDOW,
    WEEKLY_APPRECIATIONS_HEADING,
    WEEKLY_CLOSE_MOMENT_LABEL,
    WEEKLY_MORE_OF_LABEL,
    WEEKLY_OPENING,
    WEEKLY_REMINDER,
    Bid,
    BidKind,
    BidSetting,
    CheckIn,
    CheckInError,
    LovedListError,
    add_loved,
    edit_loved,
    let_them_know_line,
    loved_idea_line,
    pick_bid,
    pick_loved_idea,
    remove_loved,
    shared_pair,
)

ALEX, SAM = 101, 202
T0 = datetime(2026, 6, 14, 18, 0, tzinfo=UTC)
DISCORD_LABEL_LIMIT = 45  # modal text input and select labels


def check_in(
    user_id: int = ALEX,
    at: datetime = T0,
    *,
    mood: int = 3,
    closeness: int = 4,
    need: str | None = None,
    shared: bool = True,
) -> CheckIn:
    return CheckIn(user_id, at, mood, closeness, need, shared)


# --- the fixed words ---


def test_scale_labels_run_from_one_to_five() -> None:
    assert list(MOOD_LABELS) == [1, 2, 3, 4, 5]
    assert list(CLOSENESS_LABELS) == [1, 2, 3, 4, 5]
    assert (MOOD_LABELS[1], MOOD_LABELS[5]) == ("heavy", "bright")
    assert (CLOSENESS_LABELS[1], CLOSENESS_LABELS[5]) == ("far apart", "very close")
    assert len(set(MOOD_LABELS.values())) == 5
    assert len(set(CLOSENESS_LABELS.values())) == 5


def test_labels_fit_discord_modals() -> None:
    for label in (NEED_LABEL, WEEKLY_CLOSE_MOMENT_LABEL, WEEKLY_MORE_OF_LABEL):
        assert len(label) <= DISCORD_LABEL_LIMIT, label


def test_let_them_know_names_the_sharer_and_nothing_else() -> None:
    line = let_them_know_line("Robin")
    assert line.startswith("Robin shared a check-in")
    assert "\n" not in line
    assert "!" not in line


def test_weekly_words_are_plain() -> None:
    for text in (WEEKLY_OPENING, WEEKLY_APPRECIATIONS_HEADING, WEEKLY_REMINDER):
        assert text.strip() == text
        assert "!" not in text
    assert WEEKLY_OPENING.startswith("How are we?")


def test_loved_idea_line() -> None:
    assert loved_idea_line("Robin", "Tea in bed") == (
        "Robin once said this makes them feel loved: Tea in bed"
    )


# --- a check-in ---


def test_a_check_in_keeps_its_fields_in_utc() -> None:
    berlin_evening = datetime(2026, 6, 14, 20, 0, tzinfo=timezone(timedelta(hours=2)))
    made = CheckIn(ALEX, berlin_evening, 2, 5, "  A long hug tonight.  ", False)
    assert made.at == T0
    assert made.at.tzinfo is UTC
    assert (made.mood, made.closeness, made.need, made.shared) == (
        2,
        5,
        "A long hug tonight.",
        False,
    )
    with pytest.raises(FrozenInstanceError):
        made.mood = 4  # type: ignore[misc]


def test_need_is_optional_and_blank_means_none() -> None:
    assert check_in().need is None
    assert check_in(need="   \n ").need is None
    assert check_in(need="x" * MAX_NEED_LENGTH).need == "x" * MAX_NEED_LENGTH


def test_closeness_seven_is_refused_with_one_clear_sentence() -> None:
    with pytest.raises(CheckInError) as caught:
        check_in(closeness=7)
    assert str(caught.value) == (
        "Closeness must be a whole number from 1 (far apart) to 5 (very close), not 7."
    )


def test_a_600_character_need_is_refused_with_one_clear_sentence() -> None:
    with pytest.raises(CheckInError) as caught:
        check_in(need="x" * 600)
    assert str(caught.value) == "What you need can be up to 500 characters, and this is 600."


def test_the_need_limit_counts_after_trimming() -> None:
    assert check_in(need=" " + "x" * MAX_NEED_LENGTH + " ").need == "x" * MAX_NEED_LENGTH
    with pytest.raises(CheckInError, match="this is 501"):
        check_in(need="x" * (MAX_NEED_LENGTH + 1))


@pytest.mark.parametrize("value", [0, 6, -1, True, 2.5, "3", None])
def test_mood_must_be_one_to_five(value: object) -> None:
    with pytest.raises(CheckInError, match=r"^Mood must be a whole number from 1 \(heavy\) to 5"):
        check_in(mood=value)  # type: ignore[arg-type]


def test_check_in_error_is_a_value_error() -> None:
    assert issubclass(CheckInError, ValueError)


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        check_in(at=datetime(2026, 6, 14, 18))


# --- pairing shared check-ins ---

PARTNERS = (ALEX, SAM)


def test_nothing_to_reveal_until_both_have_shared() -> None:
    assert shared_pair([], PARTNERS) is None
    assert shared_pair([check_in(ALEX)], PARTNERS) is None
    assert shared_pair([check_in(ALEX), check_in(SAM, shared=False)], PARTNERS) is None


def test_both_shared_within_a_day_are_paired_in_partner_order() -> None:
    alex, sam = check_in(ALEX, T0), check_in(SAM, T0 + timedelta(hours=5))
    assert shared_pair([sam, alex], PARTNERS) == (alex, sam)
    assert shared_pair([sam, alex], (SAM, ALEX)) == (sam, alex)


def test_the_window_is_twenty_four_hours_inclusive() -> None:
    assert timedelta(hours=24) == SHARED_PAIR_WINDOW
    alex = check_in(ALEX, T0)
    assert shared_pair([alex, check_in(SAM, T0 + SHARED_PAIR_WINDOW)], PARTNERS) is not None
    late = check_in(SAM, T0 + SHARED_PAIR_WINDOW + timedelta(seconds=1))
    assert shared_pair([alex, late], PARTNERS) is None
    early = check_in(SAM, T0 - SHARED_PAIR_WINDOW - timedelta(seconds=1))
    assert shared_pair([alex, early], PARTNERS) is None


def test_only_each_partners_latest_shared_check_in_is_paired() -> None:
    alex_morning = check_in(ALEX, T0, mood=2)
    alex_evening = check_in(ALEX, T0 + timedelta(hours=8), mood=4)
    alex_private_later = check_in(ALEX, T0 + timedelta(hours=9), shared=False)
    sam = check_in(SAM, T0 + timedelta(hours=10))
    pool = [alex_evening, sam, alex_private_later, alex_morning]
    assert shared_pair(pool, PARTNERS) == (alex_evening, sam)


def test_a_newer_check_in_out_of_the_window_wins_and_waits() -> None:
    # Alex's latest shared check-in is too far from Sam's: nothing yet, even though
    # an older one of Alex's would have fitted.
    sam = check_in(SAM, T0)
    pool = [check_in(ALEX, T0 + timedelta(hours=1)), check_in(ALEX, T0 + timedelta(hours=30)), sam]
    assert shared_pair(pool, PARTNERS) is None


def test_a_check_in_from_someone_else_is_an_error() -> None:
    with pytest.raises(ValueError, match="not one of this couple's partners"):
        shared_pair([check_in(999)], PARTNERS)


check_ins = st.builds(
    check_in,
    st.sampled_from(PARTNERS),
    st.integers(0, 96 * 60).map(lambda minutes: T0 + timedelta(minutes=minutes)),
    shared=st.booleans(),
)


@given(st.lists(check_ins, max_size=12))
def test_pairing_matches_its_definition(pool: list[CheckIn]) -> None:
    pair = shared_pair(pool, PARTNERS)
    latest = {}
    for user in PARTNERS:
        mine = [c for c in pool if c.user_id == user and c.shared]
        latest[user] = max((c.at for c in mine), default=None)
    alex_at, sam_at = latest[ALEX], latest[SAM]
    if alex_at is None or sam_at is None or abs(alex_at - sam_at) > SHARED_PAIR_WINDOW:
        assert pair is None
        return
    assert pair is not None
    assert (pair[0].user_id, pair[1].user_id) == PARTNERS
    assert (pair[0].at, pair[1].at) == (alex_at, sam_at)
    assert pair[0].shared and pair[1].shared
    assert shared_pair(list(reversed(pool)), (SAM, ALEX)) is not None


# --- the bid picker ---


def bid(bid_id: str, kind: BidKind = BidKind.WORDS, *settings: BidSetting) -> Bid:
    return Bid(bid_id, f"Bid {bid_id}.", kind, frozenset(settings or {BidSetting.TOGETHER}))


TOGETHER, APART = BidSetting.TOGETHER, BidSetting.APART
POOL = [
    bid("hug", BidKind.TOUCH, TOGETHER),
    bid("walk", BidKind.TIME, TOGETHER),
    bid("note", BidKind.WORDS, TOGETHER, APART),
    bid("call", BidKind.TIME, APART),
    bid("postcard", BidKind.GIFT, APART),
]


def run_picks(
    pool: list[Bid], count: int, *, long_distance: bool, seed: int = 0
) -> list[tuple[str, bool]]:
    """Pick `count` bids in a row as the bot would: remember shown ids, reset on a new cycle."""
    rng = random.Random(seed)
    shown: set[str] = set()
    last: str | None = None
    picks = []
    for _ in range(count):
        choice = pick_bid(pool, shown, long_distance=long_distance, rng=rng, last_id=last)
        if choice.new_cycle:
            shown = set()
        shown.add(choice.bid.id)
        last = choice.bid.id
        picks.append((choice.bid.id, choice.new_cycle))
    return picks


def test_an_empty_pool_is_an_error() -> None:
    with pytest.raises(ValueError, match="empty"):
        pick_bid([], set(), long_distance=False, rng=random.Random(0))


def test_long_distance_couples_get_only_bids_that_work_apart() -> None:
    picks = run_picks(POOL, 12, long_distance=True)
    assert {bid_id for bid_id, _ in picks} == {"note", "call", "postcard"}


def test_couples_together_get_bids_that_work_together() -> None:
    picks = run_picks(POOL, 12, long_distance=False)
    assert {bid_id for bid_id, _ in picks} == {"hug", "walk", "note"}


def test_no_fitting_bid_falls_back_to_the_whole_pool() -> None:
    only_together = [bid("hug", BidKind.TOUCH, TOGETHER), bid("walk", BidKind.TIME, TOGETHER)]
    assert {b for b, _ in run_picks(only_together, 4, long_distance=True)} == {"hug", "walk"}


def test_no_repeat_until_the_pool_runs_out_then_a_flagged_new_cycle() -> None:
    picks = run_picks(POOL, 9, long_distance=False)
    ids = [bid_id for bid_id, _ in picks]
    flags = [new_cycle for _, new_cycle in picks]
    assert sorted(ids[:3]) == ["hug", "note", "walk"]
    assert sorted(ids[3:6]) == ["hug", "note", "walk"]
    assert flags == [False, False, False, True, False, False, True, False, False]


def test_the_bid_on_screen_is_never_offered_straight_again() -> None:
    same_kind = [bid("a"), bid("b"), bid("c")]
    for pool in (POOL, same_kind):
        for seed in range(30):
            ids = [bid_id for bid_id, _ in run_picks(pool, 20, long_distance=False, seed=seed)]
            assert all(a != b for a, b in itertools.pairwise(ids)), ids


def test_a_pool_of_one_keeps_offering_it() -> None:
    only = [bid("hug")]
    assert run_picks(only, 3, long_distance=False) == [
        ("hug", False),
        ("hug", True),
        ("hug", True),
    ]


def test_another_kind_is_preferred_after_the_last_bid() -> None:
    pool = [bid("a", BidKind.WORDS), bid("b", BidKind.WORDS), bid("c", BidKind.PLAY)]
    for seed in range(20):
        choice = pick_bid(pool, {"a"}, long_distance=False, rng=random.Random(seed), last_id="a")
        assert choice.bid.id == "c"


bid_pools = st.lists(
    st.builds(
        lambda kind, settings: (kind, settings),
        st.sampled_from(list(BidKind)),
        st.frozensets(st.sampled_from(list(BidSetting)), min_size=1),
    ),
    min_size=1,
    max_size=8,
).map(lambda specs: [Bid(f"b{i}", f"Bid {i}.", k, s) for i, (k, s) in enumerate(specs)])


@given(bid_pools, st.booleans(), st.integers(0, 1000))
def test_every_cycle_offers_each_fitting_bid_once(
    pool: list[Bid], long_distance: bool, seed: int
) -> None:
    wanted = APART if long_distance else TOGETHER
    fitting = {b.id for b in pool if wanted in b.settings} or {b.id for b in pool}
    picks = run_picks(pool, 3 * len(fitting) + 1, long_distance=long_distance, seed=seed)
    cycles: list[list[str]] = []
    for bid_id, new_cycle in picks:
        if new_cycle or not cycles:
            cycles.append([])
        cycles[-1].append(bid_id)
    for cycle in cycles[:-1]:  # every finished cycle: each fitting bid exactly once
        assert sorted(cycle) == sorted(fitting)
    assert len(set(cycles[-1])) == len(cycles[-1])
    assert set(cycles[-1]) <= fitting


# --- the loved list ---


def test_add_appends_a_cleaned_item_and_leaves_the_input_alone() -> None:
    items = ("Tea in bed",)
    assert add_loved(items, "  a   long\nhug  ") == ("Tea in bed", "a long hug")
    assert items == ("Tea in bed",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write a few words about what makes you feel loved."),
        ("  \n ", "Write a few words about what makes you feel loved."),
        ("x" * 101, "Each item can be up to 100 characters, and this is 101."),
    ],
)
def test_add_refuses_empty_and_long_items(text: str, message: str) -> None:
    with pytest.raises(LovedListError) as caught:
        add_loved((), text)
    assert str(caught.value) == message


def test_items_may_be_exactly_the_limit() -> None:
    assert add_loved((), "x" * MAX_LOVED_LENGTH) == ("x" * MAX_LOVED_LENGTH,)


def test_the_list_holds_ten_items() -> None:
    full = tuple(f"thing {n}" for n in range(MAX_LOVED_ITEMS))
    assert add_loved(full[:-1], "thing 9") == full
    with pytest.raises(LovedListError) as caught:
        add_loved(full, "one more")
    assert str(caught.value) == (
        "Your list holds up to 10 things; edit or remove one to make room."
    )


def test_add_refuses_an_item_already_on_the_list() -> None:
    with pytest.raises(LovedListError, match="already on your list"):
        add_loved(("Tea in bed",), "  tea IN bed ")


def test_edit_replaces_one_item() -> None:
    items = ("Tea in bed", "Notes in my bag", "Slow Sundays")
    assert edit_loved(items, 1, "Notes in my coat") == (
        "Tea in bed",
        "Notes in my coat",
        "Slow Sundays",
    )
    assert edit_loved(items, 0, "tea in BED", expected="Tea in bed")[0] == "tea in BED"


def test_edit_refuses_stale_or_clashing_changes() -> None:
    items = ("Tea in bed", "Notes in my bag")
    with pytest.raises(LovedListError, match="has changed since you opened it"):
        edit_loved(items, 2, "New")
    with pytest.raises(LovedListError, match="has changed since you opened it"):
        edit_loved(items, -1, "New")
    with pytest.raises(LovedListError, match="has changed since you opened it"):
        edit_loved(items, 0, "New", expected="Coffee in bed")
    with pytest.raises(LovedListError, match="already on your list"):
        edit_loved(items, 0, "notes in my bag")
    with pytest.raises(LovedListError, match="Each item can be up to 100"):
        edit_loved(items, 0, "x" * 101)


def test_remove_takes_one_item_out() -> None:
    items = ("Tea in bed", "Notes in my bag", "Slow Sundays")
    assert remove_loved(items, 1) == ("Tea in bed", "Slow Sundays")
    assert remove_loved(items, 2, expected="Slow Sundays") == ("Tea in bed", "Notes in my bag")
    with pytest.raises(LovedListError, match="has changed since you opened it"):
        remove_loved(items, 3)
    with pytest.raises(LovedListError, match="has changed since you opened it"):
        remove_loved(items, 0, expected="Notes in my bag")


def test_loved_list_error_is_a_value_error() -> None:
    assert issubclass(LovedListError, ValueError)


@given(st.lists(st.text(max_size=120), max_size=20))
def test_any_sequence_of_adds_keeps_the_rules(texts: list[str]) -> None:
    items: tuple[str, ...] = ()
    for text in texts:
        try:
            items = add_loved(items, text)
        except LovedListError:
            continue
    assert len(items) <= MAX_LOVED_ITEMS
    assert all(0 < len(item) <= MAX_LOVED_LENGTH for item in items)
    assert all(item == " ".join(item.split()) for item in items)
    assert len({item.casefold() for item in items}) == len(items)


def test_no_loved_idea_from_an_empty_list() -> None:
    assert pick_loved_idea((), set(), random.Random(0)) is None


def test_loved_ideas_rotate_through_the_list_before_repeating() -> None:
    items = ("Tea in bed", "Notes in my bag", "Slow Sundays")
    rng = random.Random(3)
    mentioned: set[str] = set()
    seen = []
    for _ in range(6):
        idea = pick_loved_idea(items, mentioned, rng)
        assert idea is not None
        if idea.new_cycle:
            mentioned = set()
        mentioned.add(idea.item)
        seen.append((idea.item, idea.new_cycle))
    assert sorted(item for item, _ in seen[:3]) == sorted(items)
    assert [new for _, new in seen] == [False, False, False, True, False, False]


def test_an_edited_item_counts_as_new() -> None:
    idea = pick_loved_idea(("Tea in bed, please",), {"Tea in bed"}, random.Random(0))
    assert idea is not None
    assert (idea.item, idea.new_cycle) == ("Tea in bed, please", False)

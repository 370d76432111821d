"""Check-ins, bids for connection, reach-out openers and the "loved" list: pure rules.

The fixed words these features show live at the top, in one place to review.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

__all__ = [
    "CLOSENESS_LABELS",
    "MAX_LOVED_ITEMS",
    "MAX_LOVED_LENGTH",
    "MAX_NEED_LENGTH",
    "MOOD_LABELS",
    "NEED_LABEL",
    "SCALE",
    "SHARED_PAIR_WINDOW",
    "WEEKLY_APPRECIATIONS_HEADING",
    "WEEKLY_CLOSE_MOMENT_LABEL",
    "WEEKLY_MORE_OF_LABEL",
    "WEEKLY_OPENING",
    "WEEKLY_REMINDER",
    "Bid",
    "BidChoice",
    "BidKind",
    "BidSetting",
    "CheckIn",
    "CheckInError",
    "LovedIdea",
    "LovedListError",
    "Opener",
    "OpenerTag",
    "add_loved",
    "check_scale",
    "edit_loved",
    "let_them_know_line",
    "loved_idea_line",
    "pick_bid",
    "pick_loved_idea",
    "remove_loved",
    "shared_pair",
]

# --- Words users see (reviewed together, per ../shared/CONTENT.md) ------------

SCALE = range(1, 6)  # mood and closeness are 1..5

MOOD_LABELS: dict[int, str] = {1: "heavy", 2: "low", 3: "okay", 4: "good", 5: "bright"}
CLOSENESS_LABELS: dict[int, str] = {
    1: "far apart",
    2: "a little distant",
    3: "somewhere in between",
    4: "close",
    5: "very close",
}
NEED_LABEL = "What I need from you right now"  # a modal label: at most 45 characters

WEEKLY_OPENING = (
    "How are we? Here are a few quiet minutes to look back on the week together. "
    "Answer on your own; you'll see each other's answers once you both have."
)
WEEKLY_APPRECIATIONS_HEADING = "What you thanked each other for this week"
WEEKLY_CLOSE_MOMENT_LABEL = "One moment this week I felt close to you"
WEEKLY_MORE_OF_LABEL = "One thing I'd love more of"
WEEKLY_REMINDER = "This week's check-in is still here, if you'd like to answer."


def let_them_know_line(name: str) -> str:
    """The one gentle line a sharer may send: that a check-in waits, never what it says."""
    return (
        f"{name} shared a check-in with you. Whenever you feel like it, share one too "
        "with /checkin and you'll see both side by side."
    )


def loved_idea_line(name: str, item: str) -> str:
    return f"{name} once said this makes them feel loved: {item}"


# --- Check-ins -----------------------------------------------------------------

MAX_NEED_LENGTH = 500
SHARED_PAIR_WINDOW = timedelta(hours=24)


class CheckInError(ValueError):
    """Bad check-in input; the message is one sentence a user can act on."""


def check_scale(name: str, value: object, labels: dict[int, str]) -> int:
    """`value` as a 1..5 score, or CheckInError naming the field and the range."""
    if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
        low, high = SCALE[0], SCALE[-1]
        raise CheckInError(
            f"{name} must be a whole number from {low} ({labels[low]}) to "
            f"{high} ({labels[high]}), not {value!r}."
        )
    return value


@dataclass(frozen=True, slots=True)
class CheckIn:
    """Where one partner is right now. Constructing one validates it."""

    user_id: int
    at: datetime  # aware; stored in UTC
    mood: int
    closeness: int
    need: str | None = None  # stripped; blank becomes None
    shared: bool = False

    def __post_init__(self) -> None:
        if self.at.tzinfo is None or self.at.utcoffset() is None:
            raise ValueError("A check-in's time must be an aware datetime.")
        object.__setattr__(self, "at", self.at.astimezone(UTC))
        check_scale("Mood", self.mood, MOOD_LABELS)
        check_scale("Closeness", self.closeness, CLOSENESS_LABELS)
        need = self.need.strip() if self.need is not None else None
        if need is not None and len(need) > MAX_NEED_LENGTH:
            raise CheckInError(
                f"What you need can be up to {MAX_NEED_LENGTH} characters, and this is {len(need)}."
            )
        object.__setattr__(self, "need", need or None)


def shared_pair(
    check_ins: Iterable[CheckIn], partners: tuple[int, int]
) -> tuple[CheckIn, CheckIn] | None:
    """The two shared check-ins to reveal side by side (in `partners` order), or None.

    Pass the couple's check-ins that have not been revealed yet; private ones are
    ignored. Each partner's latest shared check-in is paired when the two are within
    24 hours of each other; earlier ones in the window are superseded.
    """
    latest: dict[int, CheckIn] = {}
    for check_in in check_ins:
        if check_in.user_id not in partners:
            raise ValueError(f"User {check_in.user_id} is not one of this couple's partners.")
        if not check_in.shared:
            continue
        current = latest.get(check_in.user_id)
        if current is None or check_in.at >= current.at:
            latest[check_in.user_id] = check_in
    first, second = latest.get(partners[0]), latest.get(partners[1])
    if first is None or second is None:
        return None
    if abs(first.at - second.at) > SHARED_PAIR_WINDOW:
        return None
    return first, second


# --- Bids for connection and reach-out openers ------------------------------------


class BidKind(StrEnum):
    WORDS = "words"
    TOUCH = "touch"
    TIME = "time"
    HELP = "help"
    PLAY = "play"
    GIFT = "gift"


class BidSetting(StrEnum):
    TOGETHER = "together"  # in the same place today
    APART = "apart"  # long distance, or apart for the day


@dataclass(frozen=True, slots=True)
class Bid:
    """One small, concrete gesture for today."""

    id: str
    text: str
    kind: BidKind
    settings: frozenset[BidSetting]


class OpenerTag(StrEnum):
    MISSING_YOU = "missing-you"
    ASKING_FOR_TIME = "asking-for-time"
    ASKING_WHAT_THEY_NEED = "asking-what-they-need"
    AFTER_A_HARD_WEEK = "after-a-hard-week"
    AFTER_A_CONFLICT = "after-a-conflict"


@dataclass(frozen=True, slots=True)
class Opener:
    """A first line one partner may send the other to name distance without blame."""

    id: str
    text: str
    tag: OpenerTag


@dataclass(frozen=True, slots=True)
class BidChoice:
    bid: Bid
    new_cycle: bool  # True: the caller forgets the shown ids, keeping only this one


def pick_bid(
    pool: Sequence[Bid],
    shown_ids: Collection[str],
    *,
    long_distance: bool,
    rng: random.Random,
    last_id: str | None = None,
) -> BidChoice:
    """A bid not shown yet in this cycle; when none is left, a new cycle begins.

    Long-distance couples get bids that work apart, others bids that work together
    (the whole pool if none fits). `last_id` (the bid on screen) is never offered
    straight again, and a bid of another kind than it is preferred. Raises
    ValueError only if `pool` is empty.
    """
    if not pool:
        raise ValueError("The bid pool is empty.")
    wanted = BidSetting.APART if long_distance else BidSetting.TOGETHER
    eligible = [bid for bid in pool if wanted in bid.settings] or list(pool)
    shown = set(shown_ids)
    fresh = [bid for bid in eligible if bid.id not in shown and bid.id != last_id]
    new_cycle = not fresh
    if new_cycle:
        fresh = [bid for bid in eligible if bid.id != last_id] or eligible
    last_kind = next((bid.kind for bid in pool if bid.id == last_id), None)
    other_kind = [bid for bid in fresh if bid.kind != last_kind]
    return BidChoice(rng.choice(other_kind or fresh), new_cycle)


# --- "What makes me feel loved" ---------------------------------------------------

MAX_LOVED_ITEMS = 10
MAX_LOVED_LENGTH = 100


class LovedListError(ValueError):
    """A change the loved list cannot take; the message is one sentence for the user."""


def _clean_loved(text: str) -> str:
    cleaned = " ".join(text.split())
    if not cleaned:
        raise LovedListError("Write a few words about what makes you feel loved.")
    if len(cleaned) > MAX_LOVED_LENGTH:
        raise LovedListError(
            f"Each item can be up to {MAX_LOVED_LENGTH} characters, and this is {len(cleaned)}."
        )
    return cleaned


def _refuse_repeat(items: Sequence[str], text: str, skip: int | None = None) -> None:
    for index, item in enumerate(items):
        if index != skip and item.casefold() == text.casefold():
            raise LovedListError("That is already on your list.")


def _check_index(items: Sequence[str], index: int, expected: str | None) -> None:
    if not 0 <= index < len(items) or (expected is not None and items[index] != expected):
        raise LovedListError("That item has changed since you opened it; please try again.")


def add_loved(items: Sequence[str], text: str) -> tuple[str, ...]:
    """The list with `text` added at the end (whitespace collapsed)."""
    cleaned = _clean_loved(text)
    if len(items) >= MAX_LOVED_ITEMS:
        raise LovedListError(
            f"Your list holds up to {MAX_LOVED_ITEMS} things; edit or remove one to make room."
        )
    _refuse_repeat(items, cleaned)
    return (*items, cleaned)


def edit_loved(
    items: Sequence[str], index: int, text: str, *, expected: str | None = None
) -> tuple[str, ...]:
    """The list with item `index` (0-based) replaced by `text`.

    `expected` is the item's text when the user opened it: a list changed in the
    meantime (say, in another window) is refused rather than editing the wrong item.
    """
    _check_index(items, index, expected)
    cleaned = _clean_loved(text)
    _refuse_repeat(items, cleaned, skip=index)
    return (*items[:index], cleaned, *items[index + 1 :])


def remove_loved(
    items: Sequence[str], index: int, *, expected: str | None = None
) -> tuple[str, ...]:
    """The list without item `index` (0-based); `expected` as in edit_loved."""
    _check_index(items, index, expected)
    return (*items[:index], *items[index + 1 :])


@dataclass(frozen=True, slots=True)
class LovedIdea:
    item: str
    new_cycle: bool  # True: the caller forgets the mentioned items, keeping only this one


def pick_loved_idea(
    items: Sequence[str], mentioned: Collection[str], rng: random.Random
) -> LovedIdea | None:
    """An item of the partner's list not mentioned yet in this cycle, or None if empty.

    `mentioned` holds item texts, so an edited item counts as new.
    """
    if not items:
        return None
    seen = set(mentioned)
    fresh = [item for item in items if item not in seen]
    return LovedIdea(rng.choice(fresh or list(items)), new_cycle=not fresh)

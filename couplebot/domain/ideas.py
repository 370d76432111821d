"""Date-night ideas and shared activities: the model, the filters, and choosing the next card.

Pure: the caller loads the pool and the couple's history and stores what it is told to.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from itertools import combinations
from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = [
    "ACTIVITY_MINUTES",
    "BUDGET_LABELS",
    "DATE_MINUTES",
    "MAX_DESCRIPTION_LENGTH",
    "MAX_PROMPT_LENGTH",
    "MAX_TITLE_LENGTH",
    "RECENT_WINDOW",
    "SETTING_LABELS",
    "Budget",
    "Connection",
    "Energy",
    "FilterName",
    "Idea",
    "IdeaChoice",
    "IdeaFilters",
    "IdeaHistory",
    "IdeaKind",
    "Need",
    "NoMatch",
    "Setting",
    "choose_idea",
    "matching",
]

MAX_TITLE_LENGTH = 60
MAX_DESCRIPTION_LENGTH = 400
MAX_PROMPT_LENGTH = 200
ACTIVITY_MINUTES = (5, 60)  # inclusive bounds
DATE_MINUTES = (20, 720)

# How many of the latest picks and skips count as "lately".
RECENT_WINDOW = 10
# Each recent "Another" on a kind of connection multiplies that kind's weight by this.
SKIPPED_KIND_FACTOR = 0.6
# An idea skipped lately, offered again in a later cycle, weighs this much.
SKIPPED_IDEA_FACTOR = 0.25


class IdeaKind(StrEnum):
    DATE = "date"
    ACTIVITY = "activity"


class Setting(StrEnum):
    HOME = "home"  # together, at one of your homes
    OUT = "out"  # together, indoors somewhere public: a café, a library, a museum
    OUTDOORS = "outdoors"  # together, in a park, a garden, a street, under the sky
    APART = "apart"  # in two places, joined by a call, the post or a shared thing


class Budget(StrEnum):
    """Ordered from free to high; a budget filter means "at most this"."""

    FREE = "free"
    LOW = "low"  # a snack, a bus fare, a cheap ticket
    MEDIUM = "medium"  # a simple meal out, tickets for a show
    HIGH = "high"  # a special-occasion spend

    @property
    def rank(self) -> int:
        return list(Budget).index(self)


class Energy(StrEnum):
    CALM = "calm"
    ACTIVE = "active"  # up and moving; such ideas name what they need in `needs`


class Connection(StrEnum):
    TALK = "talk"
    PLAY = "play"
    TOUCH = "touch"
    LEARN = "learn"
    CREATE = "create"
    CARE_FOR_OTHERS = "care-for-others"


class Need(StrEnum):
    """What an idea assumes beyond two people who want to spend time together."""

    WALKING = "walking"  # a walk, or standing for a while
    MOVING = "moving"  # dancing, stretching, a game on your feet
    KITCHEN = "kitchen"  # a stove or an oven
    SCREEN = "screen"  # something to watch or play on
    VIDEO_CALL = "video-call"
    POST = "post"  # sending something by mail


SETTING_LABELS: dict[Setting, str] = {
    Setting.HOME: "At home",
    Setting.OUT: "Out",
    Setting.OUTDOORS: "Outdoors",
    Setting.APART: "Apart",
}

BUDGET_LABELS: dict[Budget, str] = {
    Budget.FREE: "Free",
    Budget.LOW: "Low cost",
    Budget.MEDIUM: "Medium cost",
    Budget.HIGH: "Higher cost",
}


class Idea(BaseModel):
    """One date-night idea or shared activity, shipped or written by the couple."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: IdeaKind
    title: str
    description: str
    setting: Setting
    budget: Budget
    minutes: int
    energy: Energy
    connection: Connection
    prompt: str | None = None  # dates: a question to take along
    needs: frozenset[Need] = frozenset()


FilterName = Literal["budget", "setting", "minutes", "energy"]


@dataclass(frozen=True)
class IdeaFilters:
    """What the couple asked for; None means "any"."""

    kind: IdeaKind
    budget: Budget | None = None  # at most this
    setting: Setting | None = None
    max_minutes: int | None = None
    energy: Energy | None = None

    def accepts(self, idea: Idea) -> bool:
        return (
            idea.kind == self.kind
            and (self.budget is None or idea.budget.rank <= self.budget.rank)
            and (self.setting is None or idea.setting == self.setting)
            and (self.max_minutes is None or idea.minutes <= self.max_minutes)
            and (self.energy is None or idea.energy == self.energy)
        )

    def active(self) -> tuple[FilterName, ...]:
        """The filters in use, in the order they are offered to loosen on a tie."""
        values: dict[FilterName, object] = {
            "energy": self.energy,
            "budget": self.budget,
            "minutes": self.max_minutes,
            "setting": self.setting,
        }
        return tuple(name for name, value in values.items() if value is not None)

    def without(self, names: Collection[FilterName]) -> IdeaFilters:
        return replace(
            self,
            budget=None if "budget" in names else self.budget,
            setting=None if "setting" in names else self.setting,
            max_minutes=None if "minutes" in names else self.max_minutes,
            energy=None if "energy" in names else self.energy,
        )


def matching(pool: Sequence[Idea], filters: IdeaFilters) -> list[Idea]:
    return [idea for idea in pool if filters.accepts(idea)]


@dataclass(frozen=True)
class IdeaHistory:
    """What the couple has seen and done. Sequences are newest first."""

    shown_ids: frozenset[str] = frozenset()  # suggested on a card since their cycle began
    done_ids: Sequence[str] = ()  # picked with "Let's do this" (planned or done)
    skipped_ids: Sequence[str] = ()  # passed over with "Another"
    current_id: str | None = None  # the card "Another" was just pressed on


@dataclass(frozen=True)
class IdeaChoice:
    idea: Idea
    # True when every matching idea had been shown: the pool starts again. Either way the
    # caller forgets `forget_ids` as shown, then records `idea.id` as shown.
    new_cycle: bool
    forget_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class NoMatch:
    """Nothing fits the filters. `loosen` names the fewest filters to relax, most helpful
    first; it is empty when there is nothing of this kind at all."""

    filters: IdeaFilters
    loosen: tuple[FilterName, ...]
    matches_if_loosened: int
    shortest_minutes: int | None = None  # with the other filters kept, for a minutes hint
    cheapest_budget: Budget | None = None  # with the other filters kept, for a budget hint

    @property
    def message(self) -> str:
        return _no_match_message(self)


def choose_idea(
    *,
    pool: Sequence[Idea],
    filters: IdeaFilters,
    history: IdeaHistory,
    long_distance: bool,
    rng: random.Random,
) -> IdeaChoice | NoMatch:
    """The next idea card for the couple, or why nothing fits.

    In order of strength: only ideas the filters accept; none shown this cycle until all
    matching ones have been; with no setting filter, "apart" ideas first for a
    long-distance couple and last for a couple who live close; then a kind of connection,
    leaning toward those done least lately and away from those skipped lately; then an
    idea of that kind, away from ones skipped lately.
    """
    candidates = sorted(matching(pool, filters), key=lambda idea: idea.id)
    if not candidates:
        return _no_match(pool, filters)
    fresh = [idea for idea in candidates if idea.id not in history.shown_ids]
    new_cycle = not fresh
    forget: frozenset[str] = frozenset()
    if new_cycle:
        forget = frozenset(idea.id for idea in candidates)
        fresh = [idea for idea in candidates if idea.id != history.current_id] or candidates
    if filters.setting is None:
        fresh = [i for i in fresh if (i.setting == Setting.APART) == long_distance] or fresh
    return IdeaChoice(_weighted_pick(fresh, pool, history, rng), new_cycle, forget)


def _weighted_pick(
    fresh: Sequence[Idea], pool: Sequence[Idea], history: IdeaHistory, rng: random.Random
) -> Idea:
    by_id = {idea.id: idea for idea in pool}
    recent_skips = history.skipped_ids[:RECENT_WINDOW]
    done = Counter(by_id[i].connection for i in history.done_ids[:RECENT_WINDOW] if i in by_id)
    skipped = Counter(by_id[i].connection for i in recent_skips if i in by_id)
    kinds = [kind for kind in Connection if any(i.connection == kind for i in fresh)]
    kind_weights = [SKIPPED_KIND_FACTOR ** skipped[kind] / (1 + done[kind]) for kind in kinds]
    kind = rng.choices(kinds, weights=kind_weights)[0]
    same_kind = [idea for idea in fresh if idea.connection == kind]
    skipped_ids = set(recent_skips)
    weights = [SKIPPED_IDEA_FACTOR if i.id in skipped_ids else 1.0 for i in same_kind]
    return rng.choices(same_kind, weights=weights)[0]


def _no_match(pool: Sequence[Idea], filters: IdeaFilters) -> NoMatch:
    active = filters.active()
    for size in range(1, len(active) + 1):
        counted = [
            (len(matching(pool, filters.without(names))), names)
            for names in combinations(active, size)
        ]
        best_count = max(count for count, _ in counted)
        if best_count:
            names = next(names for count, names in counted if count == best_count)
            return NoMatch(
                filters,
                names,
                best_count,
                shortest_minutes=_shortest(pool, filters),
                cheapest_budget=_cheapest(pool, filters),
            )
    return NoMatch(filters, (), 0)


def _shortest(pool: Sequence[Idea], filters: IdeaFilters) -> int | None:
    ideas = matching(pool, filters.without(["minutes"]))
    return min((idea.minutes for idea in ideas), default=None)


def _cheapest(pool: Sequence[Idea], filters: IdeaFilters) -> Budget | None:
    ideas = matching(pool, filters.without(["budget"]))
    return min((idea.budget for idea in ideas), key=lambda b: b.rank, default=None)


_KIND_NOUNS = {IdeaKind.DATE: "date ideas", IdeaKind.ACTIVITY: "activities"}
_SETTING_PHRASES = {
    Setting.HOME: "at home",
    Setting.OUT: "for going out",
    Setting.OUTDOORS: "outdoors",
    Setting.APART: "for when you're apart",
}


def _no_match_message(result: NoMatch) -> str:
    filters = result.filters
    noun = _KIND_NOUNS[filters.kind]
    if not result.loosen:
        return f"There are no {noun} to suggest yet."
    if len(result.loosen) > 1:
        names = " and ".join(result.loosen)
        return f"None of the {noun} fit all of those choices together. Try loosening {names}."
    name = result.loosen[0]
    if name == "minutes" and result.shortest_minutes is not None:
        return (
            f"None of the {noun} fit in {filters.max_minutes} minutes with those choices. "
            f"Try allowing {result.shortest_minutes} minutes or leaving minutes open."
        )
    if name == "budget" and filters.budget is not None and result.cheapest_budget is not None:
        wanted = "free" if filters.budget == Budget.FREE else f"within a {filters.budget} budget"
        return (
            f"None of the {noun} are {wanted} with those choices. "
            f"Try budget {result.cheapest_budget} or leaving budget open."
        )
    if name == "setting" and filters.setting is not None:
        where = _SETTING_PHRASES[filters.setting]
        return (
            f"None of the {noun} {where} fit those choices. Try another setting or leave it open."
        )
    if name == "energy" and filters.energy is not None:
        return (
            f"None of the {noun} are {filters.energy} with those choices. Try leaving energy open."
        )
    return f"None of the {noun} fit those choices. Try loosening {name}."

"""Load and check the shipped content: the question decks, the first week, the follow-ups,
and (through their own checkers) the check-in content and the ideas."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from couplebot.content.checker import Checker
from couplebot.content.checkins import read_checkins
from couplebot.content.fields import MAX_ID_LENGTH, ContentProblem
from couplebot.content.ideas import IdeaChecker
from couplebot.content.similarity import Fingerprint
from couplebot.domain.checkins import Bid, Opener
from couplebot.domain.ideas import Idea
from couplebot.domain.questions import DEFAULT_DEEP_DAYS, DEFAULT_THEMES, Depth, FollowUp, Question
from couplebot.domain.selection import mornings_per_depth

__all__ = [
    "MAX_ID_LENGTH",
    "Content",
    "ContentError",
    "ContentProblem",
    "check_content",
    "default_content_dir",
    "default_mornings",
    "describe_default_mornings",
    "load_content",
    "normalize_question_text",
    "similar_questions",
]

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class ContentError(Exception):
    def __init__(self, problems: list[ContentProblem]) -> None:
        self.problems = problems
        count = f"{len(problems)} problem" + ("" if len(problems) == 1 else "s")
        super().__init__("\n".join([f"{count} in the content:", *map(str, problems)]))


@dataclass(frozen=True)
class Content:
    """Everything the bot reads from content/. New kinds of content are new fields with a
    default, so older callers and tests that build a Content keep working."""

    questions: tuple[Question, ...]
    general_follow_ups: tuple[FollowUp, ...] = ()
    bids: tuple[Bid, ...] = ()
    openers: tuple[Opener, ...] = ()
    weekly_follow_ups: tuple[str, ...] = ()
    ideas: tuple[Idea, ...] = ()
    # A new couple's first rounds, in order (see domain.selection.choose_question).
    first_week: tuple[Question, ...] = ()
    _by_id: dict[str, Question] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id = {q.id: q for q in (*self.questions, *self.first_week)}
        object.__setattr__(self, "_by_id", by_id)

    def by_id(self, question_id: str) -> Question | None:
        return self._by_id.get(question_id)

    @property
    def follow_ups(self) -> tuple[str, ...]:
        """Every general follow-up's text, in file order, whatever its depth."""
        return tuple(follow_up.text for follow_up in self.general_follow_ups)

    def follow_ups_for(self, depth: Depth) -> tuple[str, ...]:
        """The general follow-ups that suit a question of this depth, in file order:
        light and deep ones go with their own depth, `any` ones with every depth."""
        return tuple(f.text for f in self.general_follow_ups if f.depth.suits(depth))

    def depth_counts(self, themes: Collection[str] = DEFAULT_THEMES) -> dict[Depth, int]:
        """How many deck questions of each depth the given themes hold."""
        counts = Counter(q.depth for q in self.questions if q.theme in themes)
        return {depth: counts[depth] for depth in Depth}


def default_content_dir() -> Path:
    """The shipped decks: the package couplebot._content (the repository's content/ folder,
    mapped by pyproject.toml), or content/ beside a checkout that is not installed."""
    from importlib import resources  # noqa: PLC0415 - kept inside: only this function uses it

    try:
        shipped = resources.files("couplebot._content")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / "content"
    return shipped if isinstance(shipped, Path) else Path(str(shipped))


def check_content(content_dir: Path) -> list[ContentProblem]:
    """Every problem in the decks, the first week, the follow-ups, the check-in content and
    the ideas, by file and line."""
    checkin_problems, idea_problems = read_checkins(content_dir)[1], _read_ideas(content_dir)[1]
    return _by_place([*Checker().run(content_dir), *checkin_problems, *idea_problems])


def load_content(content_dir: Path) -> Content:
    checker = Checker()
    checkins, checkin_problems = read_checkins(content_dir)
    ideas, idea_problems = _read_ideas(content_dir)
    problems = _by_place([*checker.run(content_dir), *checkin_problems, *idea_problems])
    if problems:
        raise ContentError(problems)
    return Content(
        questions=tuple(checker.questions),
        general_follow_ups=tuple(checker.follow_ups),
        bids=checkins.bids,
        openers=checkins.openers,
        weekly_follow_ups=checkins.weekly_follow_ups,
        ideas=ideas,
        first_week=tuple(checker.first_week),
    )


def _read_ideas(content_dir: Path) -> tuple[tuple[Idea, ...], list[ContentProblem]]:
    checker = IdeaChecker()
    problems = checker.run(content_dir)
    return tuple(checker.ideas), problems


def _by_place(problems: list[ContentProblem]) -> list[ContentProblem]:
    return sorted(problems, key=lambda p: (str(p.path), p.line or 0))


def default_mornings(content: Content) -> dict[Depth, float]:
    """How many mornings each depth lasts for a couple with default settings: the themes
    on by default, the default deep days, the picker's mix (after the first week)."""
    return mornings_per_depth(content.depth_counts(DEFAULT_THEMES), DEFAULT_DEEP_DAYS)


def describe_default_mornings(content: Content) -> str:
    """One line for check-content: "… light 612, medium 890, deep 437."."""
    days = ", ".join(_WEEKDAYS[day] for day in sorted(DEFAULT_DEEP_DAYS))
    lasts = ", ".join(
        # Whole mornings; the tiny nudge keeps 13.999… (float division) at 14.
        f"{depth.value} {'never runs out' if math.isinf(n) else math.floor(n + 1e-9)}"
        for depth, n in default_mornings(content).items()
    )
    return f"Mornings each depth lasts with default settings (deep days {days}): {lasts}."


def normalize_question_text(text: str) -> str:
    """Collapse runs of whitespace to one space and strip the ends."""
    return " ".join(text.split())


def similar_questions(a: str, b: str) -> bool:
    """True when b is the same question as a, or a light rewording of it."""
    return Fingerprint.of(a).matches(Fingerprint.of(b)) is not None

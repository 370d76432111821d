"""The checks behind `couplebot check-content` for the decks, the first week and the
follow-ups: what each file must hold, one idea per question, and no question twice."""

from __future__ import annotations

from pathlib import Path

from couplebot.content.fields import ContentProblem, FieldChecker, PlacedText, place_of, toml_kind
from couplebot.content.similarity import Fingerprint, near_duplicates, reworded_pairs
from couplebot.content.toml_layout import Section
from couplebot.domain.questions import (
    FIRST_WEEK_LENGTH,
    THEMES,
    Depth,
    FollowUp,
    FollowUpDepth,
    Question,
)

FIRST_WEEK_FILE = "first-week.toml"
FOLLOW_UPS_FILE = "follow-ups.toml"

_DECK_KEYS = ("theme", "question")
_QUESTION_KEYS = ("id", "idea", "depth", "text", "tags", "follow_up")
_FIRST_WEEK_KEYS = ("id", "idea", "theme", "depth", "text", "tags", "follow_up")
_FOLLOW_UP_KEYS = ("id", "depth", "text")
_DEPTHS = tuple(depth.value for depth in Depth)
_FOLLOW_UP_DEPTHS = tuple(depth.value for depth in FollowUpDepth)


class Checker(FieldChecker):
    """Reads a content directory once; `run` returns the problems, sorted by file and line.

    After a run with no problems, `questions`, `first_week` and `follow_ups` hold what
    was read.
    """

    def __init__(self) -> None:
        super().__init__()
        self.questions: list[Question] = []
        self.first_week: list[Question] = []
        self.follow_ups: list[FollowUp] = []
        self._question_ids: dict[str, tuple[Path, int | None]] = {}  # id -> first use
        self._ideas: dict[str, tuple[Path, int | None]] = {}  # idea -> first use
        self._question_texts: list[PlacedText] = []

    def run(self, content_dir: Path) -> list[ContentProblem]:
        if not content_dir.is_dir():
            self._add(content_dir, None, "content directory not found")
            return self.problems
        prompts = content_dir / "prompts"
        if not prompts.is_dir():
            self._add(prompts, None, "prompts directory not found")
        else:
            # Hidden names are editor lock and backup files.
            decks = sorted(p for p in prompts.glob("*.toml") if not p.name.startswith("."))
            if not decks:
                self._add(prompts, None, "no decks: add at least one .toml file")
            for path in decks:
                self._check_deck(path)
        first_week = content_dir / FIRST_WEEK_FILE
        if first_week.exists():
            self._check_first_week(first_week)
        self._check_duplicate_texts(self._question_texts)
        follow_ups = content_dir / FOLLOW_UPS_FILE
        if follow_ups.exists():
            self._check_follow_ups(follow_ups)
        return sorted(self.problems, key=lambda p: (str(p.path), p.line or 0))

    def _check_deck(self, path: Path) -> None:
        read = self._read(path, _DECK_KEYS, "a deck has only theme and [[question]] tables")
        if read is None:
            return
        data, layout = read
        theme = data.get("theme")
        if theme is None:
            self._add(path, None, 'deck has no theme; add theme = "<slug>" at the top')
            theme = ""
        elif not isinstance(theme, str):
            self._add(
                path, layout.top.at("theme"), f"theme must be a string, not {toml_kind(theme)}"
            )
            theme = ""
        elif theme not in THEMES:
            self._add(path, layout.top.at("theme"), _unknown_theme(theme))
        if isinstance(data.get("question", []), list) and not data.get("question"):
            self._add(path, None, "deck has no [[question]] tables")
        for raw, section in self._tables(path, data, layout, "question"):
            question = self._check_question(path, section, raw, _QUESTION_KEYS, theme)
            if question is not None:
                self.questions.append(question)

    def _check_first_week(self, path: Path) -> None:
        """A new couple's first questions: light, each with its own theme, in order."""
        read = self._read(path, ("question",), "this file has only [[question]] tables")
        if read is None:
            return
        data, layout = read
        raw_list = data.get("question", [])
        if isinstance(raw_list, list) and len(raw_list) != FIRST_WEEK_LENGTH:
            self._add(
                path,
                None,
                f"the first week has {len(raw_list)} questions; it needs {FIRST_WEEK_LENGTH}",
            )
        for raw, section in self._tables(path, data, layout, "question"):
            theme = self._required_string(path, section, raw, "theme")
            if theme is not None and theme not in THEMES:
                self._add(path, section.at("theme"), _unknown_theme(theme))
            depth = raw.get("depth")
            if depth in _DEPTHS and depth != Depth.LIGHT.value:
                self._add(path, section.at("depth"), "first-week questions are light")
            question = self._check_question(path, section, raw, _FIRST_WEEK_KEYS, theme or "")
            if question is not None:
                self.first_week.append(question)

    def _check_question(
        self,
        path: Path,
        section: Section,
        raw: dict[str, object],
        allowed: tuple[str, ...],
        theme: str,
    ) -> Question | None:
        problems_before = len(self.problems)
        for key in raw:
            if key not in allowed:
                self._add(
                    path, section.at(key), f"unknown key {key!r}; allowed: {', '.join(allowed)}"
                )
        question_id = self._check_slug(path, section, raw, "id", self._question_ids)
        idea = self._check_slug(path, section, raw, "idea", self._ideas)
        depth = self._required_string(path, section, raw, "depth")
        if depth is not None and depth not in _DEPTHS:
            self._add(
                path, section.at("depth"), f"depth {depth!r} must be one of {', '.join(_DEPTHS)}"
            )
        text = self._check_text(path, section, raw, "text", required=True)
        if text is not None:
            self._question_texts.append(PlacedText(path, section.at("text"), Fingerprint.of(text)))
        tags = self._check_tags(path, section, raw)
        follow_up = self._check_text(path, section, raw, "follow_up", required=False)
        valid = len(self.problems) == problems_before and theme in THEMES
        if not valid or question_id is None or idea is None or depth is None or text is None:
            return None
        return Question(
            id=question_id,
            text=text,
            depth=Depth(depth),
            theme=theme,
            tags=tags,
            follow_up=follow_up,
            idea=idea,
        )

    def _check_duplicate_texts(self, texts: list[PlacedText]) -> None:
        """Report each text that repeats or rewords an earlier one (in file and line order)."""
        texts = sorted(texts, key=lambda t: (str(t.path), t.line or 0))
        reported: set[int] = set()
        first_with_key: dict[str, int] = {}
        for index, item in enumerate(texts):
            earlier = first_with_key.setdefault(item.fingerprint.key, index)
            if earlier != index and item.fingerprint.key:
                reported.add(index)
                self._add(
                    item.path,
                    item.line,
                    f"text duplicates the question at {place_of(texts[earlier])}",
                )
        for index, earlier in near_duplicates([t.fingerprint for t in texts]).items():
            if index not in reported:
                reported.add(index)
                self._add(
                    texts[index].path,
                    texts[index].line,
                    f"text is nearly the same as the question at {place_of(texts[earlier])}",
                )
        for earlier, later in reworded_pairs([t.fingerprint.content for t in texts]):
            if later in reported:
                continue
            first, second = texts[earlier].fingerprint.content, texts[later].fingerprint.content
            shared = ", ".join(sorted(first & second))
            self._add(
                texts[later].path,
                texts[later].line,
                f"text may ask the same as the question at {place_of(texts[earlier])} (both about: "
                f"{shared}); reword one, or cut it",
            )

    def _check_follow_ups(self, path: Path) -> None:
        read = self._read(path, ("follow_up",), "this file has only [[follow_up]] tables")
        if read is None:
            return
        data, layout = read
        seen_ids: dict[str, tuple[Path, int | None]] = {}
        seen_texts: dict[str, PlacedText] = {}
        for raw, section in self._tables(path, data, layout, "follow_up"):
            problems_before = len(self.problems)
            for key in raw:
                if key not in _FOLLOW_UP_KEYS:
                    allowed = ", ".join(_FOLLOW_UP_KEYS)
                    self._add(path, section.at(key), f"unknown key {key!r}; allowed: {allowed}")
            follow_up_id = self._check_slug(path, section, raw, "id", seen_ids)
            depth = self._required_string(path, section, raw, "depth")
            if depth is not None and depth not in _FOLLOW_UP_DEPTHS:
                choices = ", ".join(_FOLLOW_UP_DEPTHS)
                self._add(path, section.at("depth"), f"depth {depth!r} must be one of {choices}")
            text = self._check_text(path, section, raw, "text", required=True)
            if text is None:
                continue
            item = PlacedText(path, section.at("text"), Fingerprint.of(text))
            earlier = seen_texts.setdefault(item.fingerprint.key, item)
            if earlier is not item:
                self._add(path, item.line, f"text duplicates the follow-up at {place_of(earlier)}")
            elif len(self.problems) == problems_before and follow_up_id and depth:
                self.follow_ups.append(
                    FollowUp(id=follow_up_id, text=text, depth=FollowUpDepth(depth))
                )


def _unknown_theme(theme: str) -> str:
    return f"unknown theme {theme!r}; known: {', '.join(THEMES)}"

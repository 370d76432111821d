"""Load and check the shipped ideas (content/ideas/*.toml): every problem names file and line.

A file holds one kind of idea:

    kind = "date"            # or "activity"

    [[idea]]
    id = "date-home-001"
    title = "..."            # at most 60 characters, no end punctuation
    description = "..."      # one to three sentences: what to do, and why it connects
    setting = "home"         # home, out, outdoors, apart
    budget = "free"          # free, low, medium, high
    minutes = 90             # activities 5-60, dates 20-720
    energy = "calm"          # calm, active (active ideas say what they need)
    connection = "talk"      # talk, play, touch, learn, create, care-for-others
    needs = ["kitchen"]      # optional: walking, moving, kitchen, screen, video-call, post
    prompt = "...?"          # dates only: one question to take along
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process

from couplebot.content.fields import ContentProblem, FieldChecker, toml_kind, where
from couplebot.content.toml_layout import Section
from couplebot.domain.ideas import (
    ACTIVITY_MINUTES,
    DATE_MINUTES,
    MAX_DESCRIPTION_LENGTH,
    MAX_PROMPT_LENGTH,
    MAX_TITLE_LENGTH,
    Budget,
    Connection,
    Energy,
    Idea,
    IdeaKind,
    Need,
    Setting,
)

__all__ = ["IdeaChecker", "similar_ideas"]

_FILE_KEYS = ("kind", "idea")
_IDEA_KEYS = (
    "id",
    "title",
    "description",
    "setting",
    "budget",
    "minutes",
    "energy",
    "connection",
    "needs",
    "prompt",
)
_CHOICES: dict[str, tuple[str, ...]] = {
    "setting": tuple(Setting),
    "budget": tuple(Budget),
    "energy": tuple(Energy),
    "connection": tuple(Connection),
}
_MINUTES = {IdeaKind.DATE: DATE_MINUTES, IdeaKind.ACTIVITY: ACTIVITY_MINUTES}
_A_KIND = {IdeaKind.DATE: "a date", IdeaKind.ACTIVITY: "an activity"}
_BODY_NEEDS = frozenset({Need.WALKING, Need.MOVING})
_SENTENCE_END = re.compile(r"[.?!][\"'”’)]*(?=\s|$)")
# Words that assume a gender, children or a car; an idea is for any couple.
_ASSUMING = re.compile(
    r"\b(he|she|him|his|her|hers|husband|wife|boyfriend|girlfriend|kids?|child|children|"
    r"cars?|drive|driving)\b",
    re.IGNORECASE,
)
# rapidfuzz token_sort_ratio (0-100) at or above which two texts are near-duplicates.
NEAR_TITLE_SCORE = 90.0
NEAR_DESCRIPTION_SCORE = 80.0


def similar_ideas(a: str, b: str, *, title: bool) -> bool:
    """True when two titles (or two descriptions) say nearly the same thing."""
    threshold = NEAR_TITLE_SCORE if title else NEAR_DESCRIPTION_SCORE
    return fuzz.token_sort_ratio(_words(a), _words(b)) >= threshold


def _words(text: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", text.casefold().replace("’", "'").replace("'", "")))


@dataclass(frozen=True)
class _Text:
    path: Path
    line: int | None
    words: str


class IdeaChecker(FieldChecker):
    """Checks content/ideas/ and collects the ideas that passed. A missing directory has none."""

    def __init__(self) -> None:
        super().__init__()
        self.ideas: list[Idea] = []
        self._ids: dict[str, tuple[Path, int | None]] = {}
        self._titles: list[_Text] = []
        self._descriptions: list[_Text] = []

    def run(self, content_dir: Path) -> list[ContentProblem]:
        folder = content_dir / "ideas"
        if folder.is_dir():
            files = sorted(p for p in folder.glob("*.toml") if not p.name.startswith("."))
            if not files:
                self._add(folder, None, "no idea files: add at least one .toml file")
            for path in files:
                self._check_file(path)
            self._check_duplicates(self._titles, "title", NEAR_TITLE_SCORE)
            self._check_duplicates(self._descriptions, "description", NEAR_DESCRIPTION_SCORE)
        return sorted(self.problems, key=lambda p: (str(p.path), p.line or 0))

    def _check_file(self, path: Path) -> None:
        read = self._read(path, _FILE_KEYS, "an idea file has only kind and [[idea]] tables")
        if read is None:
            return
        data, layout = read
        kind = data.get("kind")
        idea_kind: IdeaKind | None = None
        if kind is None:
            self._add(path, None, 'file has no kind; add kind = "date" or "activity" at the top')
        elif not isinstance(kind, str) or kind not in tuple(IdeaKind):
            self._add(path, layout.top.at("kind"), 'kind must be "date" or "activity"')
        else:
            idea_kind = IdeaKind(kind)
        if data.get("idea", []) == []:
            self._add(path, None, "file has no [[idea]] tables")
        for raw, section in self._tables(path, data, layout, "idea"):
            self._check_idea(path, section, idea_kind, raw)

    def _check_idea(
        self, path: Path, section: Section, kind: IdeaKind | None, raw: dict[str, object]
    ) -> None:
        before = len(self.problems)
        for key in raw:
            if key not in _IDEA_KEYS:
                allowed = ", ".join(_IDEA_KEYS)
                self._add(path, section.at(key), f"unknown key {key!r}; allowed: {allowed}")
        idea_id = self._check_id(path, section, raw, self._ids, example="date-home-001")
        title = self._check_text(path, section, raw, "title", required=True, limit=MAX_TITLE_LENGTH)
        if title is not None:
            if title[-1] in ".,;:":
                self._add(path, section.at("title"), "title ends with punctuation; drop it")
            self._titles.append(_Text(path, section.at("title"), _words(title)))
        description = self._check_text(
            path, section, raw, "description", required=True, limit=MAX_DESCRIPTION_LENGTH
        )
        if description is not None:
            self._check_sentences(path, section.at("description"), description)
            self._descriptions.append(_Text(path, section.at("description"), _words(description)))
        choices = {
            key: self._check_choice(path, section, raw, key, options)
            for key, options in _CHOICES.items()
        }
        minutes = self._check_minutes(path, section, raw, kind)
        needs = self._check_needs(path, section, raw)
        if choices["energy"] == Energy.ACTIVE and needs is not None and not needs & _BODY_NEEDS:
            self._add(
                path,
                section.at("energy"),
                'an active idea needs "walking" or "moving" in needs, so nobody is surprised',
            )
        prompt = self._check_prompt(path, section, raw, kind)
        if len(self.problems) > before or kind is None:
            return
        # No problem was added, so every field above was read.
        self.ideas.append(
            Idea.model_validate(
                {
                    "id": idea_id,
                    "kind": kind,
                    "title": title,
                    "description": description,
                    **choices,
                    "minutes": minutes,
                    "prompt": prompt,
                    "needs": needs,
                }
            )
        )

    def _check_voice(self, path: Path, line: int | None, key: str, value: str) -> None:
        if "!" in value:
            self._add(path, line, f"{key} has an exclamation mark; keep the voice calm")
        assuming = _ASSUMING.search(value)
        if assuming:
            self._add(
                path,
                line,
                f"{key} says {assuming[0]!r}; ideas are for any couple: no gender, children "
                "or car assumed",
            )

    def _check_sentences(self, path: Path, line: int | None, text: str) -> None:
        count = len(_SENTENCE_END.findall(text))
        if text[-1] not in ".?":
            self._add(path, line, "description must end with a full stop or a question mark")
            count += 1  # the unfinished last sentence
        if not 1 <= count <= 3:
            self._add(path, line, f"description has {count} sentences; write one to three")

    def _check_minutes(
        self, path: Path, section: Section, raw: dict[str, object], kind: IdeaKind | None
    ) -> int | None:
        value = raw.get("minutes")
        if value is None:
            self._add(path, section.line, "minutes is missing")
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            self._add(
                path, section.at("minutes"), f"minutes must be an integer, not {toml_kind(value)}"
            )
            return None
        if kind is not None:
            low, high = _MINUTES[kind]
            if not low <= value <= high:
                self._add(
                    path,
                    section.at("minutes"),
                    f"minutes is {value}; {_A_KIND[kind]} takes {low} to {high} minutes",
                )
        return value

    def _check_needs(
        self, path: Path, section: Section, raw: dict[str, object]
    ) -> frozenset[Need] | None:
        value = raw.get("needs", [])
        line = section.at("needs")
        known = ", ".join(Need)
        if not isinstance(value, list) or not all(isinstance(need, str) for need in value):
            self._add(path, line, f"needs must be a list of strings from: {known}")
            return None
        unknown = sorted(str(need) for need in value if need not in tuple(Need))
        for need in unknown:
            self._add(path, line, f"unknown need {need!r}; needs are: {known}")
        if len(set(value)) != len(value):
            self._add(path, line, "needs lists the same thing twice")
        return None if unknown else frozenset(Need(str(need)) for need in value)

    def _check_prompt(
        self, path: Path, section: Section, raw: dict[str, object], kind: IdeaKind | None
    ) -> str | None:
        if kind == IdeaKind.ACTIVITY:
            if "prompt" in raw:
                self._add(path, section.at("prompt"), "prompt is for dates; an activity has none")
            return None
        if kind is None:
            return None
        prompt = self._check_text(
            path, section, raw, "prompt", required=True, limit=MAX_PROMPT_LENGTH
        )
        if prompt is not None and not prompt.endswith("?"):
            self._add(path, section.at("prompt"), "prompt must end with the question to ask")
        return prompt

    def _check_duplicates(self, texts: list[_Text], key: str, near: float) -> None:
        """Report each text that repeats or nearly repeats an earlier one (file, line order)."""
        texts = sorted(texts, key=lambda t: (str(t.path), t.line or 0))
        # token_sort_ratio is ratio() of the sorted words: sort each text once, not per pair,
        # and let rapidfuzz scan the earlier texts in C (a content load runs at every start).
        sorted_words = [" ".join(sorted(t.words.split())) for t in texts]
        for index, item in enumerate(texts):
            first = next(  # the earliest that repeats it, or nearly (a repeat scores 100)
                process.extract_iter(
                    sorted_words[index],
                    sorted_words[:index],
                    scorer=fuzz.ratio,
                    processor=None,
                    score_cutoff=near,
                ),
                None,
            )
            if first is None:
                continue
            earlier = texts[first[2]]
            at = where(earlier.path, earlier.line)
            if item.words == earlier.words:
                self._add(item.path, item.line, f"{key} duplicates the idea at {at}")
            else:
                self._add(item.path, item.line, f"{key} is nearly the same as the idea at {at}")

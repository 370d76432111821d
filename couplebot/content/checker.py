"""The checks behind `couplebot check-content`: every problem names its file and line."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from couplebot.content.similarity import Fingerprint, near_duplicates, reworded_pairs
from couplebot.content.toml_layout import Layout, Section
from couplebot.domain.questions import (
    FIRST_WEEK_LENGTH,
    MAX_QUESTION_LENGTH,
    THEMES,
    Depth,
    FollowUp,
    FollowUpDepth,
    Question,
)

MAX_ID_LENGTH = 40
FIRST_WEEK_FILE = "first-week.toml"
FOLLOW_UPS_FILE = "follow-ups.toml"

_ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_DECK_KEYS = ("theme", "question")
_QUESTION_KEYS = ("id", "idea", "depth", "text", "tags", "follow_up")
_FIRST_WEEK_KEYS = ("id", "idea", "theme", "depth", "text", "tags", "follow_up")
_FOLLOW_UP_KEYS = ("id", "depth", "text")
_DEPTHS = tuple(depth.value for depth in Depth)
_FOLLOW_UP_DEPTHS = tuple(depth.value for depth in FollowUpDepth)
_MENTIONS = ("@everyone", "@here")
# Unicode control characters (Cc), and the line and paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_TOML_POSITION = re.compile(r"\s*\((?:at line (\d+), column \d+|at end of document)\)$")


@dataclass(frozen=True)
class ContentProblem:
    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        return f"{where(self.path, self.line)}: {self.message}"


def where(path: Path, line: int | None) -> str:
    # Relative to the working directory when inside it, as compilers print paths.
    try:
        shown = str(path.relative_to(Path.cwd()))
    except (ValueError, OSError):
        shown = str(path)
    return shown + ("" if line is None else f":{line}")


@dataclass(frozen=True)
class _Text:
    path: Path
    line: int | None
    fingerprint: Fingerprint


class Checker:
    """Reads a content directory once; `run` returns the problems, sorted by file and line.

    After a run with no problems, `questions`, `first_week` and `follow_ups` hold what
    was read.
    """

    def __init__(self) -> None:
        self.problems: list[ContentProblem] = []
        self.questions: list[Question] = []
        self.first_week: list[Question] = []
        self.follow_ups: list[FollowUp] = []
        self._question_ids: dict[str, tuple[Path, int | None]] = {}  # id -> first use
        self._ideas: dict[str, tuple[Path, int | None]] = {}  # idea -> first use
        self._question_texts: list[_Text] = []

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

    def _add(self, path: Path, line: int | None, message: str) -> None:
        self.problems.append(ContentProblem(path, line, message))

    def _read(
        self, path: Path, allowed: tuple[str, ...] | None = None, holds: str = ""
    ) -> tuple[dict[str, object], Layout] | None:
        """The file's data and layout, or None after a problem. With `allowed`, every other
        top-level key is a problem ("unknown key 'x'; <holds>")."""
        try:
            raw = path.read_bytes()
        except OSError as error:
            self._add(path, None, f"cannot read the file: {error.strerror or error}")
            return None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            self._add(path, raw[: error.start].count(b"\n") + 1, "the file is not valid UTF-8")
            return None
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            message = str(error)
            position = _TOML_POSITION.search(message)
            line = len(text.splitlines()) or 1
            if position and position[1]:
                line = int(position[1])
            reason = message[: position.start()] if position else message
            self._add(path, line, f"TOML syntax error: {reason}")
            return None
        layout = Layout.scan(text)
        for key in data:
            if allowed is not None and key not in allowed:
                self._add(path, layout.top.at(key), f"unknown key {key!r}; {holds}")
        return data, layout

    def _tables(
        self, path: Path, data: dict[str, object], layout: Layout, name: str
    ) -> list[tuple[dict[str, object], Section]]:
        """The [[name]] tables of a file, each with its place; problems for the rest."""
        raw_tables = data.get(name, [])
        if not isinstance(raw_tables, list):
            self._add(
                path,
                layout.top.at(name),
                f"{name} must be [[{name}]] tables, not {_kind(raw_tables)}",
            )
            return []
        tables = []
        for raw, section in zip(raw_tables, layout.entries(name, len(raw_tables)), strict=True):
            if isinstance(raw, dict):
                tables.append((raw, section))
            else:
                self._add(path, section.line, f"{name} must be a table, not {_kind(raw)}")
        return tables

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
            self._add(path, layout.top.at("theme"), f"theme must be a string, not {_kind(theme)}")
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
            self._question_texts.append(_Text(path, section.at("text"), Fingerprint.of(text)))
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

    def _required_string(
        self, path: Path, section: Section, raw: dict[str, object], key: str
    ) -> str | None:
        value = raw.get(key)
        if value is None:
            self._add(path, section.line, f"{key} is missing")
            return None
        if not isinstance(value, str):
            self._add(path, section.at(key), f"{key} must be a string, not {_kind(value)}")
            return None
        return value

    def _check_slug(
        self,
        path: Path,
        section: Section,
        raw: dict[str, object],
        key: str,
        seen: dict[str, tuple[Path, int | None]],
    ) -> str | None:
        """An id or idea: a short slug, used once."""
        value = self._required_string(path, section, raw, key)
        if value is None:
            return None
        line = section.at(key)
        example = "everyday-001" if key == "id" else "feel-closer-small-step"
        if len(value) > MAX_ID_LENGTH:
            self._add(path, line, f"{key} is {len(value)} characters; the limit is {MAX_ID_LENGTH}")
        if not _ID_PATTERN.fullmatch(value):
            self._add(
                path,
                line,
                f"{key} {value!r} must be lowercase letters and digits in groups joined by "
                f"single hyphens, like {example}",
            )
        if value not in seen:
            seen[value] = (path, line)
        elif key == "id":
            self._add(path, line, f"id {value!r} is also used at {where(*seen[value])}")
        else:
            self._add(
                path,
                line,
                f"idea {value!r} is also the idea of the question at {where(*seen[value])}; "
                "keep the better question, or give this one an idea of its own",
            )
        return value

    def _check_id(
        self,
        path: Path,
        section: Section,
        raw: dict[str, object],
        seen: dict[str, tuple[Path, int | None]],
    ) -> str | None:
        return self._check_slug(path, section, raw, "id", seen)

    def _report_duplicate(
        self, item: _Text, earlier: _Text, kind: str, noun: str = "question"
    ) -> None:
        """`kind` is "exact" or "near" (a light rewording)."""
        if kind == "exact":
            self._add(item.path, item.line, f"text duplicates the {noun} at {_at(earlier)}")
        else:
            self._add(
                item.path, item.line, f"text is nearly the same as the {noun} at {_at(earlier)}"
            )

    def _check_text(
        self,
        path: Path,
        section: Section,
        raw: dict[str, object],
        key: str,
        *,
        required: bool,
    ) -> str | None:
        if key not in raw and not required:
            return None
        value = self._required_string(path, section, raw, key)
        if value is None:
            return None
        line = section.at(key)
        before = len(self.problems)
        if not value.strip():
            self._add(path, line, f"{key} is empty")
            return None
        if len(value) > MAX_QUESTION_LENGTH:
            self._add(
                path, line, f"{key} is {len(value)} characters; the limit is {MAX_QUESTION_LENGTH}"
            )
        if value != value.strip():
            self._add(path, line, f"{key} has leading or trailing whitespace")
        control = _CONTROL.search(value)
        if control:
            self._add(path, line, f"{key} contains the control character U+{ord(control[0]):04X}")
        for mention in _MENTIONS:
            if mention in value.casefold():
                self._add(path, line, f"{key} contains {mention}, which would ping the server")
        return value if len(self.problems) == before else None

    def _check_tags(self, path: Path, section: Section, raw: dict[str, object]) -> frozenset[str]:
        value = raw.get("tags", [])
        line = section.at("tags")
        if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
            self._add(path, line, "tags must be a list of theme slugs (strings)")
            return frozenset()
        tags = frozenset(str(tag) for tag in value)
        for tag in sorted(tags - THEMES.keys()):
            self._add(path, line, f"unknown tag {tag!r}; tags are theme slugs: {', '.join(THEMES)}")
        return tags

    def _check_duplicate_texts(self, texts: list[_Text]) -> None:
        """Report each text that repeats or rewords an earlier one (in file and line order)."""
        texts = sorted(texts, key=lambda t: (str(t.path), t.line or 0))
        reported: set[int] = set()
        first_with_key: dict[str, int] = {}
        for index, item in enumerate(texts):
            earlier = first_with_key.setdefault(item.fingerprint.key, index)
            if earlier != index and item.fingerprint.key:
                reported.add(index)
                self._add(
                    item.path, item.line, f"text duplicates the question at {_at(texts[earlier])}"
                )
        for index, earlier in near_duplicates([t.fingerprint for t in texts]).items():
            if index not in reported:
                reported.add(index)
                self._add(
                    texts[index].path,
                    texts[index].line,
                    f"text is nearly the same as the question at {_at(texts[earlier])}",
                )
        for earlier, later in reworded_pairs([t.fingerprint.content for t in texts]):
            if later in reported:
                continue
            first, second = texts[earlier].fingerprint.content, texts[later].fingerprint.content
            shared = ", ".join(sorted(first & second))
            self._add(
                texts[later].path,
                texts[later].line,
                f"text may ask the same as the question at {_at(texts[earlier])} (both about: "
                f"{shared}); reword one, or cut it",
            )

    def _check_follow_ups(self, path: Path) -> None:
        read = self._read(path, ("follow_up",), "this file has only [[follow_up]] tables")
        if read is None:
            return
        data, layout = read
        seen_ids: dict[str, tuple[Path, int | None]] = {}
        seen_texts: dict[str, _Text] = {}
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
            item = _Text(path, section.at("text"), Fingerprint.of(text))
            earlier = seen_texts.setdefault(item.fingerprint.key, item)
            if earlier is not item:
                self._add(path, item.line, f"text duplicates the follow-up at {_at(earlier)}")
            elif len(self.problems) == problems_before and follow_up_id and depth:
                self.follow_ups.append(
                    FollowUp(id=follow_up_id, text=text, depth=FollowUpDepth(depth))
                )


def _at(text: _Text) -> str:
    return where(text.path, text.line)


def _unknown_theme(theme: str) -> str:
    return f"unknown theme {theme!r}; known: {', '.join(THEMES)}"


def _kind(value: object) -> str:
    """The TOML name of a parsed value's type."""
    names = {
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a float",
        list: "an array",
        dict: "a table",
    }
    return names.get(type(value), "a date or time")

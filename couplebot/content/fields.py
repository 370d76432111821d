"""Reading a content file and checking its fields: one problem per mistake, each with the
file and line it is on. The content checkers (decks, check-ins, ideas) build on this."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from couplebot.content.similarity import Fingerprint, near_duplicates
from couplebot.content.toml_layout import Layout, Section
from couplebot.domain.questions import MAX_QUESTION_LENGTH, THEMES

MAX_ID_LENGTH = 40

ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MENTIONS = ("@everyone", "@here")
# Unicode control characters (Cc), and the line and paragraph separators.
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
TOML_POSITION = re.compile(r"\s*\((?:at line (\d+), column \d+|at end of document)\)$")


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
class PlacedText:
    path: Path
    line: int | None
    fingerprint: Fingerprint


class FieldChecker:
    """Collects problems while reading files and checking their fields."""

    def __init__(self) -> None:
        self.problems: list[ContentProblem] = []

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
            position = TOML_POSITION.search(message)
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
                f"{name} must be [[{name}]] tables, not {toml_kind(raw_tables)}",
            )
            return []
        tables = []
        for raw, section in zip(raw_tables, layout.entries(name, len(raw_tables)), strict=True):
            if isinstance(raw, dict):
                tables.append((raw, section))
            else:
                self._add(path, section.line, f"{name} must be a table, not {toml_kind(raw)}")
        return tables

    def _required_string(
        self, path: Path, section: Section, raw: dict[str, object], key: str
    ) -> str | None:
        value = raw.get(key)
        if value is None:
            self._add(path, section.line, f"{key} is missing")
            return None
        if not isinstance(value, str):
            self._add(path, section.at(key), f"{key} must be a string, not {toml_kind(value)}")
            return None
        return value

    def _check_slug(
        self,
        path: Path,
        section: Section,
        raw: dict[str, object],
        key: str,
        seen: dict[str, tuple[Path, int | None]],
        *,
        example: str = "",
    ) -> str | None:
        """An id or idea: a short slug, used once. `example` is a well-formed one."""
        value = self._required_string(path, section, raw, key)
        if value is None:
            return None
        line = section.at(key)
        example = example or ("everyday-001" if key == "id" else "feel-closer-small-step")
        if len(value) > MAX_ID_LENGTH:
            self._add(path, line, f"{key} is {len(value)} characters; the limit is {MAX_ID_LENGTH}")
        if not ID_PATTERN.fullmatch(value):
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
        example: str = "",
    ) -> str | None:
        return self._check_slug(path, section, raw, "id", seen, example=example)

    def _report_duplicate(
        self, item: PlacedText, earlier: PlacedText, kind: str, noun: str = "question"
    ) -> None:
        """`kind` is "exact" or "near" (a light rewording)."""
        if kind == "exact":
            self._add(item.path, item.line, f"text duplicates the {noun} at {place_of(earlier)}")
        else:
            self._add(
                item.path,
                item.line,
                f"text is nearly the same as the {noun} at {place_of(earlier)}",
            )

    def _check_text(
        self,
        path: Path,
        section: Section,
        raw: dict[str, object],
        key: str,
        *,
        required: bool,
        limit: int = MAX_QUESTION_LENGTH,
    ) -> str | None:
        """A text field: not empty, within `limit`, trimmed, no control characters or
        server-wide mentions (and whatever `_check_voice` adds). None after a problem."""
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
        if len(value) > limit:
            self._add(path, line, f"{key} is {len(value)} characters; the limit is {limit}")
        if value != value.strip():
            self._add(path, line, f"{key} has leading or trailing whitespace")
        control = CONTROL_CHARACTER.search(value)
        if control:
            self._add(path, line, f"{key} contains the control character U+{ord(control[0]):04X}")
        for mention in MENTIONS:
            if mention in value.casefold():
                self._add(path, line, f"{key} contains {mention}, which would ping the server")
        self._check_voice(path, line, key, value)
        return value if len(self.problems) == before else None

    def _check_voice(self, path: Path, line: int | None, key: str, value: str) -> None:
        """More rules for a non-empty text; a checker whose content has them adds them."""

    def _check_choice(
        self,
        path: Path,
        section: Section,
        raw: dict[str, object],
        key: str,
        choices: tuple[str, ...],
    ) -> str | None:
        """A required string that is one of `choices`."""
        value = self._required_string(path, section, raw, key)
        if value is not None and value not in choices:
            self._add(path, section.at(key), f"{key} {value!r} must be one of {', '.join(choices)}")
            return None
        return value

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


def place_of(text: PlacedText) -> str:
    return where(text.path, text.line)


def near_duplicate_pairs(texts: list[PlacedText]) -> dict[int, int]:
    """Index of each text that lightly rewords an earlier one -> the earliest such one."""
    return near_duplicates([text.fingerprint for text in texts])


def toml_kind(value: object) -> str:
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

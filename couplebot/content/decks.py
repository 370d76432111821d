"""Load and check the shipped question decks: every problem names its file and line."""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from couplebot.domain.checkins import Bid, Opener
from couplebot.domain.ideas import Idea
from couplebot.domain.questions import MAX_QUESTION_LENGTH, THEMES, Depth, Question

if TYPE_CHECKING:
    from couplebot.content.checkins import CheckinContent

MAX_ID_LENGTH = 40

_ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_DECK_KEYS = ("theme", "question")
_QUESTION_KEYS = ("id", "depth", "text", "tags", "follow_up")
_FOLLOW_UP_KEYS = ("id", "text")
_DEPTHS = tuple(depth.value for depth in Depth)
_MENTIONS = ("@everyone", "@here")
# Unicode control characters (Cc), and the line and paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_TOML_POSITION = re.compile(r"\s*\((?:at line (\d+), column \d+|at end of document)\)$")

# Near duplicates: the word sequences are alike, and the content words (minus stop words)
# overlap by Jaccard >= 0.8 with one set holding the other, or by >= 0.9. An added or
# dropped word rarely changes a question ("…your day?" / "…your day today?"); a swapped
# one usually does ("felt most chosen by me" / "felt most understood by me").
_NEAR_TOKEN_JACCARD = Fraction(4, 5)
_NEAR_SWAP_JACCARD = Fraction(9, 10)
_NEAR_WORD_RATIO = 0.8
_CONTRACTION = re.compile(r"(?<=[^\W_])(n't|'re|'ve|'ll|'d|'m|'s)\b")
_EXPANSIONS = {
    "n't": " not",
    "'re": " are",
    "'ve": " have",
    "'ll": " will",
    "'d": " would",
    "'m": " am",
    "'s": "",  # is, has or possessive: all dropped
}
_STOP_WORDS = frozenset(
    {"a", "an", "the", "of", "to", "in", "on", "at", "for", "with", "from", "and", "or"}
    | {"is", "are", "was", "were", "be", "been", "do", "does", "did", "that", "it"}
)


@dataclass(frozen=True)
class ContentProblem:
    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = _display_path(self.path)
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}"


class ContentError(Exception):
    def __init__(self, problems: list[ContentProblem]) -> None:
        self.problems = problems
        count = f"{len(problems)} problem" + ("" if len(problems) == 1 else "s")
        super().__init__("\n".join([f"{count} in the content:", *map(str, problems)]))


@dataclass(frozen=True)
class Content:
    questions: tuple[Question, ...]
    follow_ups: tuple[str, ...] = ()
    bids: tuple[Bid, ...] = ()
    openers: tuple[Opener, ...] = ()
    weekly_follow_ups: tuple[str, ...] = ()
    ideas: tuple[Idea, ...] = ()
    _by_id: dict[str, Question] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {q.id: q for q in self.questions})

    def by_id(self, question_id: str) -> Question | None:
        return self._by_id.get(question_id)


def default_content_dir() -> Path:
    """The repository's content/ directory, found from this file, not the working directory."""
    return Path(__file__).resolve().parents[2] / "content"


def check_content(content_dir: Path) -> list[ContentProblem]:
    """Every problem in the decks, follow-ups, check-in content and ideas, by file and line."""
    checkin_problems, idea_problems = _read_checkins(content_dir)[1], _read_ideas(content_dir)[1]
    return _by_place([*_Checker().run(content_dir), *checkin_problems, *idea_problems])


def load_content(content_dir: Path) -> Content:
    checker = _Checker()
    checkins, checkin_problems = _read_checkins(content_dir)
    ideas, idea_problems = _read_ideas(content_dir)
    problems = _by_place([*checker.run(content_dir), *checkin_problems, *idea_problems])
    if problems:
        raise ContentError(problems)
    return Content(
        tuple(checker.questions),
        tuple(checker.follow_ups),
        bids=checkins.bids,
        openers=checkins.openers,
        weekly_follow_ups=checkins.weekly_follow_ups,
        ideas=ideas,
    )


def _read_checkins(content_dir: Path) -> tuple[CheckinContent, list[ContentProblem]]:
    # Imported here: the check-in checker is built on this module's _Checker.
    from couplebot.content.checkins import read_checkins  # noqa: PLC0415

    return read_checkins(content_dir)


def _read_ideas(content_dir: Path) -> tuple[tuple[Idea, ...], list[ContentProblem]]:
    # Imported here: the idea checker is built on this module's helpers.
    from couplebot.content.ideas import IdeaChecker  # noqa: PLC0415

    checker = IdeaChecker()
    problems = checker.run(content_dir)
    return tuple(checker.ideas), problems


def _by_place(problems: list[ContentProblem]) -> list[ContentProblem]:
    return sorted(problems, key=lambda p: (str(p.path), p.line or 0))


def normalize_question_text(text: str) -> str:
    """Collapse runs of whitespace to one space and strip the ends."""
    return " ".join(text.split())


def similar_questions(a: str, b: str) -> bool:
    """True when b is the same question as a, or a light rewording of it."""
    return _Fingerprint.of(a).matches(_Fingerprint.of(b)) is not None


def _reaches(part: int, whole: int, threshold: Fraction) -> bool:
    return part * threshold.denominator >= threshold.numerator * whole


def _where(path: Path, line: int | None) -> str:
    return _display_path(path) + ("" if line is None else f":{line}")


def _display_path(path: Path) -> str:
    # Relative to the working directory when inside it, as compilers print paths.
    try:
        return str(path.relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)


@dataclass(frozen=True)
class _Fingerprint:
    key: str  # lowercase words, contractions expanded: equal keys are exact duplicates
    words: tuple[str, ...]
    tokens: frozenset[str]  # words minus stop words

    @classmethod
    def of(cls, text: str) -> _Fingerprint:
        text = text.casefold().replace("’", "'").replace("can't", "can not")
        text = text.replace("won't", "will not").replace("cannot", "can not")
        text = _CONTRACTION.sub(lambda match: _EXPANSIONS[match[1]], text)
        words = tuple(re.findall(r"[^\W_]+", text.replace("'", "")))
        return cls(" ".join(words), words, frozenset(words) - _STOP_WORDS)

    def matches(self, other: _Fingerprint) -> str | None:
        """'exact', 'near' or None."""
        if self.key and self.key == other.key:
            return "exact"
        union = len(self.tokens | other.tokens)
        shared = len(self.tokens & other.tokens)
        if not union or not _reaches(shared, union, _NEAR_TOKEN_JACCARD):
            return None
        nested = shared in (len(self.tokens), len(other.tokens))
        if not nested and not _reaches(shared, union, _NEAR_SWAP_JACCARD):
            return None
        # difflib's ratio can depend on argument order: fix the order to stay symmetric.
        first, second = sorted((self.words, other.words))
        matcher = difflib.SequenceMatcher(None, first, second, autojunk=False)
        if (
            matcher.real_quick_ratio() >= _NEAR_WORD_RATIO
            and matcher.quick_ratio() >= _NEAR_WORD_RATIO
            and matcher.ratio() >= _NEAR_WORD_RATIO
        ):
            return "near"
        return None


# --- where things are in a TOML file (tomllib gives no positions) ---

_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_HEADER = re.compile(rf"\s*\[\[?\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*[.=]""")
_STRING_START = re.compile(r"\"\"\"|'''|\"(?:[^\"\\]|\\.)*\"|'[^']*'|#")


@dataclass
class _Section:
    line: int | None  # line of the [header]; None for the top of the file
    keys: dict[str, int] = field(default_factory=dict)  # first line of each key

    def at(self, key: str) -> int | None:
        return self.keys.get(key, self.line)


@dataclass
class _Layout:
    top: _Section
    tables: dict[str, list[_Section]]  # header name -> sections in file order

    @classmethod
    def scan(cls, text: str) -> _Layout:
        top = _Section(None)
        tables: dict[str, list[_Section]] = {}
        current = top
        for number, line in _lines_outside_strings(text):
            header = _HEADER.match(line)
            if header:
                current = _Section(number)
                name = _unquote(header[1])
                tables.setdefault(name, []).append(current)
                top.keys.setdefault(name.split(".")[0], number)
                continue
            key = _KEY.match(line)
            if key:
                current.keys.setdefault(_unquote(key[1]), number)
        return cls(top, tables)

    def entries(self, name: str, count: int) -> list[_Section]:
        """Sections for the `count` [[name]] tables; fall back to the key's line."""
        found = self.tables.get(name, [])
        if len(found) == count:
            return found
        return [_Section(self.top.at(name)) for _ in range(count)]


def _unquote(name: str) -> str:
    return name[1:-1] if len(name) >= 2 and name[0] == name[-1] and name[0] in "\"'" else name


def _lines_outside_strings(text: str) -> list[tuple[int, str]]:
    """(1-based number, line) for lines that do not start inside a multi-line string."""
    result: list[tuple[int, str]] = []
    closing: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if closing is None:
            result.append((number, line))
        position = 0
        while position <= len(line):
            if closing is not None:
                end = _find_closing(line, closing, position)
                if end < 0:
                    break
                closing, position = None, end + 3
                continue
            match = _STRING_START.search(line, position)
            if not match or match[0] == "#":
                break
            if match[0] in ('"""', "'''"):
                closing = match[0]
            position = match.end()
    return result


def _find_closing(line: str, delimiter: str, start: int) -> int:
    index = line.find(delimiter, start)
    while delimiter == '"""' and index > 0:
        backslashes = len(line[:index]) - len(line[:index].rstrip("\\"))
        if backslashes % 2 == 0:
            break
        index = line.find(delimiter, index + 1)
    return index


# --- the checks ---


@dataclass(frozen=True)
class _Text:
    path: Path
    line: int | None
    fingerprint: _Fingerprint


class _Checker:
    def __init__(self) -> None:
        self.problems: list[ContentProblem] = []
        self.questions: list[Question] = []
        self.follow_ups: list[str] = []
        self._question_ids: dict[str, tuple[Path, int | None]] = {}  # id -> first use
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
        self._check_duplicate_texts(self._question_texts)
        follow_ups = content_dir / "follow-ups.toml"
        if follow_ups.exists():
            self._check_follow_ups(follow_ups)
        return sorted(self.problems, key=lambda p: (str(p.path), p.line or 0))

    def _add(self, path: Path, line: int | None, message: str) -> None:
        self.problems.append(ContentProblem(path, line, message))

    def _read(self, path: Path) -> tuple[dict[str, object], _Layout] | None:
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
        return data, _Layout.scan(text)

    def _check_deck(self, path: Path) -> None:
        read = self._read(path)
        if read is None:
            return
        data, layout = read
        for key in data:
            if key not in _DECK_KEYS:
                self._add(
                    path,
                    layout.top.at(key),
                    f"unknown key {key!r}; a deck has only theme and [[question]] tables",
                )
        theme = data.get("theme")
        if theme is None:
            self._add(path, None, 'deck has no theme; add theme = "<slug>" at the top')
            theme = ""
        elif not isinstance(theme, str):
            self._add(path, layout.top.at("theme"), f"theme must be a string, not {_kind(theme)}")
            theme = ""
        elif theme not in THEMES:
            known = ", ".join(THEMES)
            self._add(path, layout.top.at("theme"), f"unknown theme {theme!r}; known: {known}")
        raw_questions = data.get("question", [])
        if not isinstance(raw_questions, list):
            self._add(
                path,
                layout.top.at("question"),
                f"question must be [[question]] tables, not {_kind(raw_questions)}",
            )
            return
        if not raw_questions:
            self._add(path, None, "deck has no [[question]] tables")
        for raw, section in zip(
            raw_questions, layout.entries("question", len(raw_questions)), strict=True
        ):
            if not isinstance(raw, dict):
                self._add(path, section.line, f"question must be a table, not {_kind(raw)}")
                continue
            self._check_question(path, section, theme, raw)

    def _check_question(
        self, path: Path, section: _Section, theme: str, raw: dict[str, object]
    ) -> None:
        problems_before = len(self.problems)
        for key in raw:
            if key not in _QUESTION_KEYS:
                allowed = ", ".join(_QUESTION_KEYS)
                self._add(path, section.at(key), f"unknown key {key!r}; allowed: {allowed}")
        question_id = self._check_id(path, section, raw, self._question_ids)
        depth = self._required_string(path, section, raw, "depth")
        if depth is not None and depth not in _DEPTHS:
            choices = ", ".join(_DEPTHS)
            self._add(path, section.at("depth"), f"depth {depth!r} must be one of {choices}")
        text = self._check_text(path, section, raw, "text", required=True)
        if text is not None:
            self._question_texts.append(_Text(path, section.at("text"), _Fingerprint.of(text)))
        tags = self._check_tags(path, section, raw)
        follow_up = self._check_text(path, section, raw, "follow_up", required=False)
        valid = len(self.problems) == problems_before and theme in THEMES
        if valid and question_id is not None and depth is not None and text is not None:
            self.questions.append(
                Question(
                    id=question_id,
                    text=text,
                    depth=Depth(depth),
                    theme=theme,
                    tags=tags,
                    follow_up=follow_up,
                )
            )

    def _required_string(
        self, path: Path, section: _Section, raw: dict[str, object], key: str
    ) -> str | None:
        value = raw.get(key)
        if value is None:
            self._add(path, section.line, f"{key} is missing")
            return None
        if not isinstance(value, str):
            self._add(path, section.at(key), f"{key} must be a string, not {_kind(value)}")
            return None
        return value

    def _check_id(
        self,
        path: Path,
        section: _Section,
        raw: dict[str, object],
        seen: dict[str, tuple[Path, int | None]],
    ) -> str | None:
        value = self._required_string(path, section, raw, "id")
        if value is None:
            return None
        line = section.at("id")
        if len(value) > MAX_ID_LENGTH:
            self._add(path, line, f"id is {len(value)} characters; the limit is {MAX_ID_LENGTH}")
        if not _ID_PATTERN.fullmatch(value):
            self._add(
                path,
                line,
                f"id {value!r} must be lowercase letters and digits in groups joined by "
                "single hyphens, like everyday-001",
            )
        if value in seen:
            self._add(path, line, f"id {value!r} is also used at {_where(*seen[value])}")
        else:
            seen[value] = (path, line)
        return value

    def _check_text(
        self,
        path: Path,
        section: _Section,
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

    def _check_tags(self, path: Path, section: _Section, raw: dict[str, object]) -> frozenset[str]:
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
        first_with_key: dict[str, int] = {}
        exact: set[int] = set()
        for index, item in enumerate(texts):
            earlier = first_with_key.setdefault(item.fingerprint.key, index)
            if earlier != index and item.fingerprint.key:
                exact.add(index)
                self._report_duplicate(item, texts[earlier], "exact")
        for index, earlier in _near_duplicate_pairs(texts).items():
            if index not in exact:
                self._report_duplicate(texts[index], texts[earlier], "near")

    def _report_duplicate(
        self, item: _Text, earlier: _Text, kind: str, noun: str = "question"
    ) -> None:
        where = _where(earlier.path, earlier.line)
        if kind == "exact":
            self._add(item.path, item.line, f"text duplicates the {noun} at {where}")
        else:
            self._add(item.path, item.line, f"text is nearly the same as the {noun} at {where}")

    def _check_follow_ups(self, path: Path) -> None:
        read = self._read(path)
        if read is None:
            return
        data, layout = read
        for key in data:
            if key != "follow_up":
                self._add(
                    path,
                    layout.top.at(key),
                    f"unknown key {key!r}; this file has only [[follow_up]] tables",
                )
        raw_follow_ups = data.get("follow_up", [])
        if not isinstance(raw_follow_ups, list):
            self._add(
                path,
                layout.top.at("follow_up"),
                f"follow_up must be [[follow_up]] tables, not {_kind(raw_follow_ups)}",
            )
            return
        seen_ids: dict[str, tuple[Path, int | None]] = {}
        seen_texts: dict[str, _Text] = {}
        for raw, section in zip(
            raw_follow_ups, layout.entries("follow_up", len(raw_follow_ups)), strict=True
        ):
            if not isinstance(raw, dict):
                self._add(path, section.line, f"follow_up must be a table, not {_kind(raw)}")
                continue
            problems_before = len(self.problems)
            for key in raw:
                if key not in _FOLLOW_UP_KEYS:
                    self._add(path, section.at(key), f"unknown key {key!r}; allowed: id, text")
            self._check_id(path, section, raw, seen_ids)
            text = self._check_text(path, section, raw, "text", required=True)
            if text is None:
                continue
            item = _Text(path, section.at("text"), _Fingerprint.of(text))
            earlier = seen_texts.setdefault(item.fingerprint.key, item)
            if earlier is not item:
                self._report_duplicate(item, earlier, "exact", "follow-up")
            elif len(self.problems) == problems_before:
                self.follow_ups.append(text)


def _near_duplicate_pairs(texts: list[_Text]) -> dict[int, int]:
    """Index of each text that rewords an earlier one -> index of the earliest such one.

    Prefix filtering: if two token sets reach the Jaccard threshold, each shares at least
    one token with the other's few rarest tokens, so only those are probed.
    """
    holders: dict[str, list[int]] = {}
    for index, item in enumerate(texts):
        for token in item.fingerprint.tokens:
            holders.setdefault(token, []).append(index)
    found: dict[int, int] = {}
    for index, item in enumerate(texts):
        tokens = sorted(item.fingerprint.tokens, key=lambda t: (len(holders[t]), t))
        threshold = _NEAR_TOKEN_JACCARD
        fewest_shared = -(-len(tokens) * threshold.numerator // threshold.denominator)  # ceil
        prefix = len(tokens) - fewest_shared + 1
        candidates = {other for token in tokens[:prefix] for other in holders[token]}
        for other in sorted(candidates):
            if other >= index:
                break
            if item.fingerprint.matches(texts[other].fingerprint) == "near":
                found[index] = other
                break
    return found


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

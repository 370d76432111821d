"""Load and check content/checkins/: bids, reach-out openers and weekly follow-ups.

Same rules and messages as the question decks (ids, lengths, known tags, duplicates
and near-duplicates, file and line in every problem), reusing their checker.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from couplebot.content.fields import (
    ContentProblem,
    FieldChecker,
    PlacedText,
    near_duplicate_pairs,
    toml_kind,
)
from couplebot.content.similarity import Fingerprint
from couplebot.content.toml_layout import Section
from couplebot.domain.checkins import Bid, BidKind, BidSetting, Opener, OpenerTag

__all__ = [
    "BIDS_FILE",
    "CHECKINS_DIR",
    "MAX_BID_LENGTH",
    "MAX_OPENER_LENGTH",
    "MAX_WEEKLY_FOLLOW_UP_LENGTH",
    "OPENERS_FILE",
    "WEEKLY_FOLLOW_UPS_FILE",
    "CheckinContent",
    "check_checkins",
    "read_checkins",
]

CHECKINS_DIR = "checkins"
BIDS_FILE = "bids.toml"
OPENERS_FILE = "openers.toml"
WEEKLY_FOLLOW_UPS_FILE = "weekly-follow-ups.toml"
_FILES = (BIDS_FILE, OPENERS_FILE, WEEKLY_FOLLOW_UPS_FILE)

MAX_BID_LENGTH = 200
MAX_OPENER_LENGTH = 80  # an opener is offered as a Discord button, whose label holds 80
MAX_WEEKLY_FOLLOW_UP_LENGTH = 300

_BID_KEYS = ("id", "kind", "settings", "text")
_OPENER_KEYS = ("id", "tag", "text")
_FOLLOW_UP_KEYS = ("id", "text")
_KINDS = tuple(kind.value for kind in BidKind)
_SETTINGS = tuple(setting.value for setting in BidSetting)
_TAGS = tuple(tag.value for tag in OpenerTag)


@dataclass(frozen=True)
class CheckinContent:
    bids: tuple[Bid, ...] = ()
    openers: tuple[Opener, ...] = ()
    weekly_follow_ups: tuple[str, ...] = ()


def check_checkins(content_dir: Path) -> list[ContentProblem]:
    """Every problem in content_dir/checkins/, sorted by file and line."""
    return read_checkins(content_dir)[1]


def read_checkins(content_dir: Path) -> tuple[CheckinContent, list[ContentProblem]]:
    """The valid entries and every problem. A content dir without checkins/ has neither."""
    checker = _CheckinsChecker()
    problems = checker.run(content_dir)
    content = CheckinContent(
        tuple(checker.bids), tuple(checker.openers), tuple(checker.weekly_follow_ups)
    )
    return content, problems


class _CheckinsChecker(FieldChecker):
    def __init__(self) -> None:
        super().__init__()
        self.bids: list[Bid] = []
        self.openers: list[Opener] = []
        self.weekly_follow_ups: list[str] = []
        self._ids: dict[str, tuple[Path, int | None]] = {}  # one id space for all three files

    def run(self, content_dir: Path) -> list[ContentProblem]:
        directory = content_dir / CHECKINS_DIR
        # A missing content dir is the decks' problem to report; checkins/ is optional
        # so a deck-only content dir (custom content, tests) stays valid.
        if directory.exists() and not directory.is_dir():
            self._add(directory, None, "checkins must be a directory")
        elif directory.is_dir():
            self._check_directory(directory)
        return sorted(self.problems, key=lambda p: (str(p.path), p.line or 0))

    def _check_directory(self, directory: Path) -> None:
        for path in sorted(directory.glob("*.toml")):
            if path.name not in _FILES and not path.name.startswith("."):
                expected = ", ".join(_FILES)
                self._add(path, None, f"unknown file {path.name!r}; expected: {expected}")
        bids = self._entries(directory / BIDS_FILE, "bid", _BID_KEYS)
        texts = [self._check_bid(path, section, raw) for path, section, raw in bids]
        self._check_repeats(texts, "bid")
        openers = self._entries(directory / OPENERS_FILE, "opener", _OPENER_KEYS)
        texts = [self._check_opener(path, section, raw) for path, section, raw in openers]
        self._check_repeats(texts, "opener")
        follow_ups = self._entries(directory / WEEKLY_FOLLOW_UPS_FILE, "follow_up", _FOLLOW_UP_KEYS)
        texts = [self._check_follow_up(path, section, raw) for path, section, raw in follow_ups]
        self._check_repeats(texts, "follow-up")

    def _entries(
        self, path: Path, table: str, allowed: tuple[str, ...]
    ) -> list[tuple[Path, Section, dict[str, object]]]:
        """The file's [[table]] entries that are tables; problems for everything else."""
        if not path.exists():
            self._add(path, None, f"{path.name} not found; add it with [[{table}]] tables")
            return []
        read = self._read(path)
        if read is None:
            return []
        data, layout = read
        for key in data:
            if key != table:
                self._add(
                    path,
                    layout.top.at(key),
                    f"unknown key {key!r}; this file has only [[{table}]] tables",
                )
        raw_entries = data.get(table, [])
        if not isinstance(raw_entries, list):
            self._add(
                path,
                layout.top.at(table),
                f"{table} must be [[{table}]] tables, not {toml_kind(raw_entries)}",
            )
            return []
        if not raw_entries:
            self._add(path, None, f"{path.name} has no [[{table}]] tables")
        entries: list[tuple[Path, Section, dict[str, object]]] = []
        for raw, section in zip(raw_entries, layout.entries(table, len(raw_entries)), strict=True):
            if not isinstance(raw, dict):
                self._add(path, section.line, f"{table} must be a table, not {toml_kind(raw)}")
                continue
            for key in raw:
                if key not in allowed:
                    self._add(
                        path, section.at(key), f"unknown key {key!r}; allowed: {', '.join(allowed)}"
                    )
            entries.append((path, section, raw))
        return entries

    def _check_bid(self, path: Path, section: Section, raw: dict[str, object]) -> PlacedText | None:
        before = len(self.problems)
        bid_id = self._check_id(path, section, raw, self._ids)
        kind = self._check_choice(path, section, raw, "kind", _KINDS)
        settings = self._check_settings(path, section, raw)
        text = self._check_text(path, section, raw, "text", required=True, limit=MAX_BID_LENGTH)
        if len(self.problems) == before and bid_id and kind and settings and text:
            self.bids.append(Bid(bid_id, text, BidKind(kind), settings))
        return self._text(path, section, text)

    def _check_opener(
        self, path: Path, section: Section, raw: dict[str, object]
    ) -> PlacedText | None:
        before = len(self.problems)
        opener_id = self._check_id(path, section, raw, self._ids)
        tag = self._check_choice(path, section, raw, "tag", _TAGS)
        text = self._check_text(path, section, raw, "text", required=True, limit=MAX_OPENER_LENGTH)
        if len(self.problems) == before and opener_id and tag and text:
            self.openers.append(Opener(opener_id, text, OpenerTag(tag)))
        return self._text(path, section, text)

    def _check_follow_up(
        self, path: Path, section: Section, raw: dict[str, object]
    ) -> PlacedText | None:
        before = len(self.problems)
        self._check_id(path, section, raw, self._ids)
        text = self._check_text(
            path, section, raw, "text", required=True, limit=MAX_WEEKLY_FOLLOW_UP_LENGTH
        )
        if len(self.problems) == before and text:
            self.weekly_follow_ups.append(text)
        return self._text(path, section, text)

    @staticmethod
    def _text(path: Path, section: Section, text: str | None) -> PlacedText | None:
        return None if text is None else PlacedText(path, section.at("text"), Fingerprint.of(text))

    def _check_settings(
        self, path: Path, section: Section, raw: dict[str, object]
    ) -> frozenset[BidSetting] | None:
        value = raw.get("settings")
        line = section.at("settings")
        known = ", ".join(_SETTINGS)
        if value is None:
            self._add(path, section.line, f"settings is missing; list one or both of {known}")
            return None
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            self._add(path, line, f"settings must be a list of one or both of {known}")
            return None
        unknown = sorted({str(v) for v in value} - set(_SETTINGS))
        for setting in unknown:
            self._add(path, line, f"unknown setting {setting!r}; settings are {known}")
        if len(set(value)) != len(value):
            self._add(path, line, "settings lists the same setting twice")
        if unknown or len(set(value)) != len(value):
            return None
        return frozenset(BidSetting(str(v)) for v in value)

    def _check_repeats(self, texts: list[PlacedText | None], noun: str) -> None:
        """Report each text that repeats or rewords an earlier one of the same kind."""
        found = [text for text in texts if text is not None]
        first_with_key: dict[str, int] = {}
        exact: set[int] = set()
        for index, item in enumerate(found):
            earlier = first_with_key.setdefault(item.fingerprint.key, index)
            if earlier != index:
                exact.add(index)
                self._report_duplicate(item, found[earlier], "exact", noun)
        for index, earlier in near_duplicate_pairs(found).items():
            if index not in exact:
                self._report_duplicate(
                    item=found[index], earlier=found[earlier], kind="near", noun=noun
                )

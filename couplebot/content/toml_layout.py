"""Where things are in a TOML file: tomllib parses values but gives no line numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_HEADER = re.compile(rf"\s*\[\[?\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"""\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*[.=]""")
_STRING_START = re.compile(r"\"\"\"|'''|\"(?:[^\"\\]|\\.)*\"|'[^']*'|#")


@dataclass
class Section:
    line: int | None  # line of the [header]; None for the top of the file
    keys: dict[str, int] = field(default_factory=dict)  # first line of each key

    def at(self, key: str) -> int | None:
        return self.keys.get(key, self.line)


@dataclass
class Layout:
    top: Section
    tables: dict[str, list[Section]]  # header name -> sections in file order

    @classmethod
    def scan(cls, text: str) -> Layout:
        top = Section(None)
        tables: dict[str, list[Section]] = {}
        current = top
        for number, line in _lines_outside_strings(text):
            header = _HEADER.match(line)
            if header:
                current = Section(number)
                name = _unquote(header[1])
                tables.setdefault(name, []).append(current)
                top.keys.setdefault(name.split(".")[0], number)
                continue
            key = _KEY.match(line)
            if key:
                current.keys.setdefault(_unquote(key[1]), number)
        return cls(top, tables)

    def entries(self, name: str, count: int) -> list[Section]:
        """Sections for the `count` [[name]] tables; fall back to the key's line."""
        found = self.tables.get(name, [])
        if len(found) == count:
            return found
        return [Section(self.top.at(name)) for _ in range(count)]


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

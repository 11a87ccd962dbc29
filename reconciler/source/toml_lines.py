"""Where is a field written? Maps TOML field paths to 1-based line numbers.

`tomllib` gives values without positions, so diagnostics find their line here: a small
scanner records the line where every table header, key and array element starts.
`line_of(path)` answers with the line of the longest recorded prefix of the path, so a
problem deep inside an inline table points at the line that holds it.

Contract: the scanner never raises. It is meant for text that `tomllib` already parsed;
on anything else it records what it could and the answers degrade to shorter prefixes.
"""

from __future__ import annotations

import contextlib
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass

PathPart = str | int
Path = tuple[PathPart, ...]

# Each scanning step is one regular-expression match (C speed), never a Python loop per
# character: the index is built for every catalog file, and a per-character scanner cost
# 1.8 times `tomllib` itself (docs/performance.md). Positions only move forward, so the
# line of a position is counted incrementally from the last one asked.
_BLANK = re.compile(r"(?:[ \t\r]|#[^\n]*)*")
_BLANK_NEWLINES = re.compile(r"(?:[ \t\r\n]|#[^\n]*)*")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]*")
_SCALAR = re.compile(r"[^,\]}\n#]*")
# The body of a basic string up to its closing delimiter; a backslash escapes the next
# character (a quote, or a line break in a multi-line string).
_BASIC_BODY = re.compile(r'(?:[^"\\]|\\.)*"', re.DOTALL)
_BASIC_MULTILINE_BODY = re.compile(r'(?:\\.|(?!""")[^\\])*"""', re.DOTALL)
# Most pairs are one bare key and one value on a single line: a string without escapes,
# or a number, boolean or date. One match takes the whole pair, with what `_key_value`
# would take for it (no line break inside, so its line is where it starts).
_SIMPLE_PAIR = re.compile(
    r"([A-Za-z0-9_-]+)(?:[ \t\r]|#[^\n]*)*=(?:[ \t\r]|#[^\n]*)*"
    r"""(?:"[^"\\\n]*"(?!")|'[^'\n]*'(?!')|[^"'\[{,\]}\n# \t\r][^,\]}\n#]*)"""
)


class TomlLines:
    """Line index of one TOML text, built when first asked.

    Most questions a catalog load asks are where a resource starts (`(table, key)`) and
    where an element of an array of tables starts (`[[subscriptions.k.versions]]`). When
    the text is written with headers only (see `_header_lines`), those are answered from
    its header lines alone, a regular-expression pass that costs a small part of the full
    scan; any other question, or any other text, builds the full index (`lines`) once.
    Both give the same answer to the questions the header pass takes (issue 19).
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._full: _Scanner | None = None
        self._headers: _Headers | None = None
        self._headers_tried = False
        self._resources: dict[Path, _Scanner] = {}

    @property
    def lines(self) -> dict[Path, int]:
        """Every recorded path and its line (the full index)."""
        return self._index().lines

    def line_of(self, path: Sequence[PathPart]) -> int | None:
        """The line of `path`, or of its longest recorded prefix; None if nothing matches."""
        key = tuple(path)
        headers = self._header_index() if self._full is None else None
        if headers is not None:
            if len(key) == 2 or (key and isinstance(key[-1], int)):
                line = headers.lines.get(key)
                if line is not None:
                    return line
            if len(key) > 2 and key[:2] in headers.regions:
                return self._resource(headers, key[:2]).line_of(key)
        return self._index().line_of(key)

    def _resource(self, headers: _Headers, resource: Path) -> _Scanner:
        """The full scan of the regions of `resource`'s headers only: in a headers-only
        text nothing else writes a path below it, so it records what the full scan
        records below it (a warning on one resource of a large file scans that resource)."""
        scanner = self._resources.get(resource)
        if scanner is None:
            scanner = _Scanner(self._text, scan=False)
            with contextlib.suppress(IndexError, ValueError):
                for start, stop in headers.regions[resource]:
                    scanner._pos = start
                    scanner._document(stop)
            self._resources[resource] = scanner
        return scanner

    def _index(self) -> _Scanner:
        if self._full is None:
            self._full = _Scanner(self._text)
        return self._full

    def _header_index(self) -> _Headers | None:
        if not self._headers_tried:
            self._headers_tried = True
            self._headers = _header_lines(self._text)
        return self._headers


@dataclass(frozen=True)
class _Headers:
    """What the full scan records for the headers of a headers-only text (`lines`), and
    the text of each resource (`(table, key)`): the (start, stop) offsets of the regions
    its headers begin, in order."""

    lines: dict[Path, int]
    regions: dict[Path, list[tuple[int, int]]]


def _header_lines(text: str) -> _Headers | None:
    """What the full scan records for the table headers of `text`, from its header lines
    alone; None when the text is not written with headers only.

    Headers only: no multi-line string (so a line is what it looks like), nothing before
    the first header but blanks and comments (no top-level key), and every line that
    starts with `[` a header of at least two bare keys whose first starts with a letter or
    `_` (so not a nested array value such as `[1.5]`, and no `[plans]` whose keys would be
    written as key/value pairs). In such a valid text a key/value pair sits under a header
    of two or more keys and records only paths below it; so a two-key path (a resource),
    and the path of an array-of-tables element (which only its own `[[...]]` header can
    write), are first mentioned by a header, at the line the full scan records.
    """
    if '"""' in text or "'''" in text:
        return None
    starts = [match.end() - 1 for match in _BRACKET_LINE.finditer(text)]
    leading = _BLANK_NEWLINES.match(text)  # always matches, maybe empty
    if not starts or leading is None or leading.end() != starts[0]:
        return None
    replay = _Scanner(text, scan=False)
    regions: dict[Path, list[tuple[int, int]]] = {}
    for position, start in enumerate(starts):
        header = _HEADER_LINE.match(text, start)
        if header is None:
            return None
        replay._pos = start
        is_array = header[1] is not None
        written = header[1] if is_array else header[2]
        keys = replay._table(
            replay._resolve(tuple(part.strip(" \t") for part in written.split("."))), is_array
        )
        stop = starts[position + 1] if position + 1 < len(starts) else len(text)
        regions.setdefault(keys[:2], []).append((start, stop))
    return _Headers(replay.lines, regions)


# A line whose first non-blank character is `[`, and a header of two or more bare keys
# (`[[` closed by `]]`, `[` by `]`), then only blanks or a comment up to the line's end.
_BRACKET_LINE = re.compile(r"^[ \t]*\[", re.MULTILINE)
_HEADER_KEYS = r"[ \t]*([A-Za-z_][A-Za-z0-9_-]*(?:[ \t]*\.[ \t]*[A-Za-z0-9_-]+)+)[ \t]*"
_HEADER_LINE = re.compile(
    rf"(?:\[\[{_HEADER_KEYS}\]\]|\[(?!\[){_HEADER_KEYS}\])[ \t\r]*(?:#[^\n]*)?$", re.MULTILINE
)


class _Scanner:
    """The full index: a scan of the whole text (`lines`)."""

    def __init__(self, text: str, scan: bool = True) -> None:
        self._text = text
        self._end = len(text)
        self._pos = 0
        self._counted_pos = 0  # `_counted_line` is the line of this position
        self._counted_line = 1
        self.lines: dict[Path, int] = {}
        self._array_counts: dict[Path, int] = {}
        if scan:
            with contextlib.suppress(IndexError, ValueError):
                self._document()

    def line_of(self, path: Path) -> int | None:
        for end in range(len(path), 0, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None

    # ---- scanning --------------------------------------------------------------------

    @property
    def _line(self) -> int:
        """The 1-based line of the current position."""
        if self._pos != self._counted_pos:
            self._counted_line += self._text.count("\n", self._counted_pos, self._pos)
            self._counted_pos = self._pos
        return self._counted_line

    def _peek(self, offset: int = 0) -> str:
        index = self._pos + offset
        return self._text[index] if index < self._end else ""

    def _advance(self, count: int = 1) -> None:
        self._pos = min(self._pos + count, self._end)

    def _skip_blank(self, newlines: bool) -> None:
        """Skip spaces, comments and (if `newlines`) line breaks."""
        pattern = _BLANK_NEWLINES if newlines else _BLANK
        match = pattern.match(self._text, self._pos)
        if match is not None:
            self._pos = match.end()

    def _record(self, path: Path) -> None:
        """Record `path` and every table above it that is not yet recorded: a table is
        where it is first mentioned (`[plans.pro]` is where `plans` starts). A recorded
        path has all its prefixes recorded, so the walk stops at the first one found."""
        if path in self.lines:
            return
        line = self._line
        for end in range(len(path), 0, -1):
            prefix = path[:end]
            if prefix in self.lines:
                return
            self.lines[prefix] = line

    def _document(self, stop: int | None = None) -> None:
        """Scan from the position to `stop` (default: the end of the text)."""
        end = self._end if stop is None else stop
        table: Path = ()
        while True:
            self._skip_blank(newlines=True)
            if self._pos >= end:
                return
            if self._peek() == "[":
                table = self._header()
            elif not self._simple_pair(table):
                self._key_value(table)

    def _header(self) -> Path:
        is_array = self._peek(1) == "["
        self._advance(2 if is_array else 1)
        self._skip_blank(newlines=False)
        keys = self._resolve(self._key())
        self._skip_blank(newlines=False)
        self._advance(2 if is_array else 1)
        return self._table(keys, is_array)

    def _table(self, keys: Path, is_array: bool) -> Path:
        """Record the table a header names (`keys`, resolved) and return its path: for
        `[[keys]]`, the next element of the array, after recording the array itself."""
        if is_array:
            index = self._array_counts.get(keys, 0)
            self._array_counts[keys] = index + 1
            self._record(keys)
            keys = (*keys, index)
        self._record(keys)
        return keys

    def _resolve(self, keys: Path) -> Path:
        """Insert the current element index after every array of tables on the path:
        `[a.b]` after `[[a]]` names a table inside the last element of `a`."""
        resolved: Path = ()
        for position, part in enumerate(keys):
            resolved = (*resolved, part)
            count = self._array_counts.get(resolved)
            if count is not None and position < len(keys) - 1:
                resolved = (*resolved, count - 1)
        return resolved

    def _key(self) -> Path:
        parts: list[PathPart] = []
        while True:
            self._skip_blank(newlines=False)
            parts.append(self._key_part())
            self._skip_blank(newlines=False)
            if self._peek() != ".":
                return tuple(parts)
            self._advance()

    def _key_part(self) -> str:
        char = self._peek()
        if char == "'":
            return self._string()
        if char == '"':
            raw = self._string()
            return _unescape(raw) if "\\" in raw else raw
        start = self._pos
        match = _BARE_KEY.match(self._text, start)
        if match is None or match.end() == start:
            raise ValueError("expected a key")
        self._pos = match.end()
        return self._text[start : self._pos]

    def _key_value(self, table: Path) -> None:
        path = (*table, *self._key())
        self._record(path)
        self._skip_blank(newlines=False)
        if self._peek() == "=":
            self._advance()
        self._skip_blank(newlines=False)
        self._value(path)

    def _value(self, path: Path) -> None:
        self._record(path)
        char = self._peek()
        if char == "[":
            self._array(path)
        elif char == "{":
            self._inline_table(path)
        elif char in "\"'":
            self._string()
        else:
            match = _SCALAR.match(self._text, self._pos)
            if match is not None and match.end() > self._pos:
                self._pos = match.end()
            else:  # no value starts with this character (invalid text): step over it,
                self._advance()  # or `[1, }]` would be scanned again forever

    def _array(self, path: Path) -> None:
        self._advance()
        index = 0
        while True:
            self._skip_blank(newlines=True)
            char = self._peek()
            if char in ("]", ""):
                self._advance()
                return
            if char == ",":
                self._advance()
                continue
            self._value((*path, index))
            index += 1

    def _inline_table(self, path: Path) -> None:
        self._advance()
        while True:
            self._skip_blank(newlines=True)
            char = self._peek()
            if char in ("}", ""):
                self._advance()
                return
            if char == ",":
                self._advance()
                continue
            if not self._simple_pair(path):
                self._key_value(path)

    def _simple_pair(self, table: Path) -> bool:
        """Take a `_SIMPLE_PAIR` at the position, if there is one."""
        match = _SIMPLE_PAIR.match(self._text, self._pos)
        if match is None:
            return False
        self._pos = match.end()
        self._record((*table, match.group(1)))
        return True

    def _string(self) -> str:
        quote = self._peek()
        if not quote:  # the text ends where a value should start
            return ""
        multiline = self._peek(1) == quote and self._peek(2) == quote
        delimiter = quote * 3 if multiline else quote
        self._advance(len(delimiter))
        start = self._pos
        if quote == '"':
            pattern = _BASIC_MULTILINE_BODY if multiline else _BASIC_BODY
            match = pattern.match(self._text, start)
            close = match.end() - len(delimiter) if match is not None else -1
        else:
            close = self._text.find(delimiter, start)
        if close < 0:  # unterminated: the rest of the text
            self._pos = self._end
            return self._text[start:]
        value = self._text[start:close]
        self._pos = close + len(delimiter)
        while multiline and self._peek() == quote:  # up to two quotes may close it
            self._advance()
        return value


def _unescape(raw: str) -> str:
    """The value of a basic string's body (`a\\u0062` -> `ab`), as tomllib reads it."""
    try:
        value = tomllib.loads(f'k = "{raw}"')["k"]
    except (tomllib.TOMLDecodeError, ValueError):
        return raw
    return value if isinstance(value, str) else raw

"""`format_toml`: one catalog file in canonical form, comments kept, data unchanged.

Canonical, and deliberately modest (each rule is one a reviewer would make by hand):

1. Only with `sort_keys` (`billing fmt --sort-keys`; off by default, since the order of
   keys is often an author's deliberate choice, and a formatter that moves lines makes
   reviews noisier): keys within a catalog table are in the catalog models' order
   (`order.key_order`):
   `name` first, a price's `type` first, `items` and `moved_from` last. A comment line
   above a key (and a blank line before it) moves with the key. Sub-tables, arrays of
   tables, inline tables and arrays are never reordered; unknown keys keep their order
   after the known ones; a table with dotted keys is left in its order.
2. No indentation before keys and table headers; `key = value` with one space each side;
   quoted keys that can be bare are written bare (`"name"` -> `name`).
3. No trailing whitespace, at most one blank line in a row, none at the start, exactly
   one newline at the end; line endings are `\\n`.

Values are never rewritten: numbers keep their digits and underscores, strings their
quotes, inline tables and arrays their layout.

Safety, why a formatter can be trusted on pricing files: the result must parse to exactly
the data of the original (`tomllib` with decimals) and hold the same comments and the
same Jinja expressions; if a step would break that, the file is formatted without that
step, and if nothing safe remains it is left as it is, with a warning.

Templates: every catalog file is a Jinja2 template. A file with Jinja statements or
comments (`{% ... %}`, `{# ... #}`) is left alone, with a warning: moving keys could move
them across a statement. A file with `{{ ... }}` expressions is formatted when it is
valid TOML as written (the expressions sit inside strings), else left alone, with a
warning: it is only TOML once rendered, and formatting it could mangle it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import tomlkit
from tomlkit.container import Container
from tomlkit.exceptions import ParseError
from tomlkit.items import (
    AoT,
    Array,
    Comment,
    InlineTable,
    Item,
    Key,
    KeyType,
    SingleKey,
    Table,
    Whitespace,
)
from tomlkit.toml_document import TOMLDocument

from reconciler.commands.fmt.order import Node, key_order

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_JINJA_BLOCK = re.compile(r"\{%|\{#")
_JINJA_EXPRESSION = re.compile(r"\{\{.*?\}\}", re.DOTALL)
_COMMENT = re.compile(r"#[^\n]*")


@dataclass(frozen=True)
class Formatted:
    """The outcome for one file's text: `text` is what the file should hold (the
    original when `skipped` or unchanged); `skipped` says why it was left alone (a
    warning); `error` that it is not TOML at all (with `line`, 1-based, when known)."""

    text: str
    changed: bool = False
    skipped: str | None = None
    error: str | None = None
    line: int | None = None


def format_toml(text: str, *, sort_keys: bool = False) -> Formatted:
    """`text` in canonical form (module docstring); keys are reordered (rule 1) only
    with `sort_keys`."""
    if _JINJA_BLOCK.search(text):
        return Formatted(
            text,
            skipped="has Jinja statements or comments ({% %}, {# #}); left as it is, since"
            " moving keys could move them across a statement",
        )
    try:
        reference = tomllib.loads(text, parse_float=Decimal)
    except ValueError as exc:
        line = _error_line(exc)
        if "{{" in text:
            return Formatted(
                text,
                skipped=f"is a Jinja template that is TOML only once rendered ({exc});"
                " left as it is",
                line=line,
            )
        return Formatted(text, error=f"not valid TOML: {exc}", line=line)
    attempts: tuple[tuple[str, ...], ...] = (_ALL_STEPS, _STRUCTURE_ONLY)
    if not sort_keys:
        attempts = tuple(tuple(s for s in steps if s != "reorder") for steps in attempts)
    for steps in attempts:
        candidate = _apply(text, steps)
        if candidate is not None and _same(text, candidate, reference):
            return Formatted(candidate, changed=candidate != text)
    return Formatted(text, skipped="could not be formatted without changing it; left as it is")


def _error_line(exc: ValueError) -> int | None:
    match = re.search(r"line (\d+)", str(exc))
    return int(match.group(1)) if match else None


def _same(original: str, candidate: str, reference: dict[str, Any]) -> bool:
    """The safety check: same data, same comments, same Jinja expressions."""
    try:
        data = tomllib.loads(candidate, parse_float=Decimal)
    except ValueError:
        return False
    return (
        data == reference
        and _comments(original) == _comments(candidate)
        and sorted(_JINJA_EXPRESSION.findall(original))
        == sorted(_JINJA_EXPRESSION.findall(candidate))
    )


def _comments(text: str) -> list[str]:
    return sorted(c.rstrip() for c in _COMMENT.findall(text))


def _apply(text: str, steps: tuple[str, ...]) -> str | None:
    source = text.replace("\r\n", "\n") if "newlines" in steps else text
    try:
        document = tomlkit.parse(source)
    except ParseError:
        return None
    _normalize(document, Node.document(), reorder="reorder" in steps)
    out = document.as_string()
    if "whitespace" in steps:
        out = _whitespace(out)
    return out


_ALL_STEPS = ("newlines", "reorder", "whitespace")
_STRUCTURE_ONLY = ("reorder",)


def _whitespace(text: str) -> str:
    """Trailing whitespace, runs of blank lines, leading blank lines, final newline."""
    lines = [line.rstrip(" \t") for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n" if out else ""


def _normalize(container: Container | TOMLDocument, node: Node | None, *, reorder: bool) -> None:
    body = container.body
    for index, (key, item) in enumerate(body):
        if isinstance(item, Table):
            item.trivia.indent = ""
            _normalize(item.value, node.child(key.key) if node and key else None, reorder=reorder)
        elif isinstance(item, AoT):
            child = node.child(key.key) if node and key else None
            for table in item.body:
                table.trivia.indent = ""
                _normalize(table.value, child, reorder=reorder)
        elif isinstance(item, Comment | Whitespace):
            if isinstance(item, Comment):
                item.trivia.indent = ""
        elif key is not None:
            item.trivia.indent = ""
            _keep_inline_spacing(item)
            if not item.trivia.trail.endswith("\n"):
                item.trivia.trail += "\n"
            if not key.is_dotted():
                body[index] = (_plain_key(key), item)
    if reorder and node is not None:
        _reorder(container, node)


def _keep_inline_spacing(item: Item) -> None:
    """Work around a tomlkit quirk: in an inline table, the space after a date (before
    `,` or `}`) is parsed as the space before a comment and dropped when written back.
    Moving it to the item's trail keeps `{ start = 2026-01-01 }` as written."""
    if isinstance(item, InlineTable):
        for key, value in item.value.body:
            if key is None:
                continue
            trivia = value.trivia
            if not trivia.comment and trivia.comment_ws:
                trivia.trail = trivia.comment_ws + trivia.trail
                trivia.comment_ws = ""
            _keep_inline_spacing(value)
    elif isinstance(item, Array):
        for value in list.__iter__(item):
            if isinstance(value, Item):
                _keep_inline_spacing(value)


def _plain_key(key: Key) -> Key:
    name = key.key
    bare = _BARE_KEY.match(name) is not None
    kind = KeyType.Bare if bare else key.t if isinstance(key, SingleKey) else KeyType.Basic
    return SingleKey(name, t=kind, sep=" = ")


def _reorder(container: Container | TOMLDocument, node: Node) -> None:
    """Key/value entries in canonical order; each with the comments and blank lines
    above it. Sub-tables (which must follow the key/values) stay where they are."""
    body = container.body
    split = next((i for i, (_, item) in enumerate(body) if isinstance(item, Table | AoT)), None)
    split = len(body) if split is None else split
    head = body[:split]
    keyed = [key for key, _ in head if key is not None]
    if any(key.is_dotted() for key in keyed):
        return
    model = node.model_for({key.key: item.unwrap() for key, item in head if key is not None})
    if model is None:
        return
    rank = {name: i for i, name in enumerate(key_order(model))}
    start = 0
    while start < len(head) and head[start][0] is None and isinstance(head[start][1], Whitespace):
        start += 1  # blank lines that open the table stay at its top
    groups: list[list[tuple[Key | None, Item]]] = []
    pending: list[tuple[Key | None, Item]] = []
    for entry in head[start:]:
        pending.append(entry)
        if entry[0] is not None:
            groups.append(pending)
            pending = []
    ordered = sorted(groups, key=lambda g: rank.get(_name(g[-1][0]), len(rank)))
    if ordered == groups:
        return
    body[:split] = [*head[:start], *(entry for group in ordered for entry in group), *pending]
    _reindex(container)


def _name(key: Key | None) -> str:
    return key.key if key is not None else ""


def _reindex(container: Container | TOMLDocument) -> None:
    """Rebuild tomlkit's key index after the body was reordered in place (the index maps
    each key to its position(s) in the body; tomlkit has no public way to reorder)."""
    index: dict[Key, int | tuple[int, ...]] = {}
    for position, (key, _) in enumerate(container.body):
        if key is None:
            continue
        previous = index.get(key)
        if previous is None:
            index[key] = position
        else:
            earlier = previous if isinstance(previous, tuple) else (previous,)
            index[key] = (*earlier, position)
    container._map = index

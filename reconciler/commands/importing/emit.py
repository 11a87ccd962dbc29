"""Catalog models -> catalog TOML text, in the catalog's own style.

The text is what a person would have written (the example catalog's style), so that an
imported file reads like the rest of the catalog and `billing fmt` leaves it as it is:

- `[<kind>s.<key>]` per resource, keys in the canonical order (`fmt.key_order`), values
  equal to the model's defaults left out; key/values first, then sub-tables;
- small tables inline (`contract = { period_type = "fixed", start_date = 2026-01-01 }`),
  a table whose inline form would exceed `INLINE_WIDTH` as a sub-table;
- lists of flat tables (tiers, entitlements, contacts, charges, filters) as multi-line
  arrays of inline tables; lists of tables that hold tables (plan and bundle `items`,
  subscription `versions`, metric `filter_groups`) as arrays of tables, each item's
  `price` as a sub-table right under it;
- money and rates as TOML numbers with their exact digits (the catalog parses them as
  decimals), integers from 10,000 up with `_` separators, dates as TOML dates;
- strings through tomlkit (quoting and escapes).

Templates: every catalog file is rendered by Jinja2 before it is parsed. A file whose
values contain Jinja delimiters (`{{`, `{%`, `{#`) is wrapped in `# {% raw %}` ...
`# {% endraw %}` (TOML comments, so the file stays TOML before and after rendering) so
the values arrive as written.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import tomlkit
from pydantic import BaseModel

from reconciler.commands.fmt import key_order
from reconciler.model import Item, ProductItem, Version
from reconciler.model.resources import FilterGroup

INLINE_WIDTH = 100
_BARE = re.compile(r"^[A-Za-z0-9_-]+$")
_JINJA = re.compile(r"\{\{|\{%|\{#")
RAW_START = "# {% raw %}"
RAW_END = "# {% endraw %}"

# Lists of these become arrays of tables: their elements hold tables of their own.
_TABLE_ELEMENTS: tuple[type[BaseModel], ...] = (Item, ProductItem, Version, FilterGroup)


@dataclass(frozen=True)
class Block:
    """One resource to write: its table path, model and the comment lines above it."""

    table: str  # "plans"
    key: str
    model: BaseModel
    comments: tuple[str, ...] = ()


@dataclass
class _Out:
    lines: list[str] = field(default_factory=list)

    def blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")


def render_file(blocks: Sequence[Block], header: Sequence[str] = ()) -> str:
    """The text of a catalog file holding `blocks`, with `header` comment lines on top."""
    out = _Out()
    out.lines.extend(_comment(line) for line in header)
    for block in blocks:
        out.blank()
        out.lines.extend(_comment(line) for line in block.comments)
        _table(out, f"{block.table}.{block.key}", block.model, array=False)
    text = "\n".join(out.lines).strip("\n") + "\n"
    if needs_raw(text):
        text = f"{RAW_START}\n{text}{RAW_END}\n"
    return text


def needs_raw(text: str) -> bool:
    """Whether `text` holds Jinja delimiters outside its own raw markers."""
    return _JINJA.search(text) is not None


def _comment(line: str) -> str:
    return f"# {line}".rstrip() if line else "#"


def _table(out: _Out, path: str, model: BaseModel, *, array: bool) -> None:
    out.lines.append(f"[[{path}]]" if array else f"[{path}]")
    simple, nested = _split(model)
    out.lines.extend(f"{name} = {text}" for name, text in simple)
    for name, value in nested:
        child = f"{path}.{name}"
        if isinstance(value, BaseModel):
            if name != "price":
                out.blank()
            _table(out, child, value, array=False)
        else:
            for element in value:
                out.blank()
                _table(out, child, element, array=True)


def _split(model: BaseModel) -> tuple[list[tuple[str, str]], list[tuple[str, Any]]]:
    """`(name, inline text)` of the key/values and `(name, value)` of the sub-tables."""
    simple: list[tuple[str, str]] = []
    nested: list[tuple[str, Any]] = []
    for name, value in fields_of(model):
        sub_table = isinstance(value, BaseModel) and (name == "price" or _too_wide(value))
        if sub_table or _is_table_list(value):
            nested.append((name, value))
        else:
            simple.append((_key(name), _value(value, multiline=True)))
    return simple, nested


def _too_wide(model: BaseModel) -> bool:
    return len(_value(model, multiline=False)) > INLINE_WIDTH


def _is_table_list(value: Any) -> bool:
    return (
        isinstance(value, tuple)
        and bool(value)
        and all(isinstance(v, _TABLE_ELEMENTS) for v in value)
    )


def fields_of(model: BaseModel) -> Iterator[tuple[str, Any]]:
    """The fields of `model` in canonical order, without those equal to their default."""
    declared = type(model).model_fields
    for name in key_order(type(model)):
        info = declared.get(name)
        if info is None:
            continue
        value = getattr(model, name)
        if not info.is_required() and value == info.get_default(call_default_factory=True):
            continue
        yield name, value


def _key(name: str) -> str:
    return name if _BARE.match(name) else tomlkit.string(name).as_string()


def _value(value: Any, *, multiline: bool) -> str:
    if isinstance(value, BaseModel):
        pairs = [f"{_key(n)} = {_value(v, multiline=False)}" for n, v in fields_of(value)]
        return "{ " + ", ".join(pairs) + " }" if pairs else "{}"
    if isinstance(value, dict):
        pairs = [f"{_key(str(k))} = {_value(v, multiline=False)}" for k, v in value.items()]
        return "{ " + ", ".join(pairs) + " }" if pairs else "{}"
    if isinstance(value, tuple | list):
        if multiline and value and all(isinstance(v, BaseModel) for v in value):
            rows = "".join(f"  {_value(v, multiline=False)},\n" for v in value)
            return f"[\n{rows}]"
        return "[" + ", ".join(_value(v, multiline=False) for v in value) + "]"
    return scalar(value)


def scalar(value: Any) -> str:
    """A TOML scalar: bool, integer, exact decimal, date, string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return _grouped(str(value))
    if isinstance(value, Decimal):
        text = format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text if "." in text else _grouped(text)
    if isinstance(value, dt.date):
        return value.isoformat()
    return tomlkit.string(str(value)).as_string()


def _grouped(digits: str) -> str:
    """`150000000` -> `150_000_000` from 10,000 up (as the example catalog writes them)."""
    sign, body = ("-", digits[1:]) if digits.startswith("-") else ("", digits)
    if len(body) < 5:
        return digits
    groups: list[str] = []
    while body:
        groups.insert(0, body[-3:])
        body = body[:-3]
    return sign + "_".join(groups)

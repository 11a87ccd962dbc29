"""Turns pydantic validation errors into catalog diagnostics with stable codes.

Pydantic reports where a value failed as a `loc` tuple relative to the model it
validated; this module prefixes it with where that model sits in the file, drops the
union tags pydantic inserts (the price `type`), finds the line, and names the problem
with a stable code and a plain message.
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from reconciler.model import PRICE_TYPES
from reconciler.source.diagnostics import Diagnostic
from reconciler.source.toml_lines import Path, PathPart

_CODES: dict[str, str] = {
    "missing": "field.missing",
    "extra_forbidden": "field.unknown",
    "literal_error": "field.enum",
    "enum": "field.enum",
    "union_tag_invalid": "price.type_unknown",
    "union_tag_not_found": "price.type_missing",
    "string_pattern_mismatch": "field.format",
    "greater_than_equal": "field.range",
    "greater_than": "field.range",
    "less_than_equal": "field.range",
    "less_than": "field.range",
    "too_short": "field.empty",
    "too_long": "field.too_long",
    "string_too_short": "field.empty",
    "string_too_long": "field.too_long",
    "value_error": "field.invalid",
    "finite_number": "field.range",
}

_PATTERN_HINTS: dict[str, str] = {
    "^[a-z][a-z0-9_]{0,63}$": "must be a key: a lowercase letter, then letters, digits or _",
    "^[A-Z]{3}$": "must be a 3-letter ISO 4217 currency code in upper case, such as USD",
    "^[A-Z]{2}$": "must be a 2-letter ISO 3166 country code in upper case, such as DE",
    "^(due_on_receipt|net_[0-9]{1,3})$": "must be due_on_receipt or net_<days>, such as net_30",
    "^[a-z][a-z0-9_-]{0,31}$": "must be a lowercase letter, then letters, digits, _ or -"
    " (at most 32)",
    "^[A-Za-z_][A-Za-z0-9_]*$": "must be a letter or _, then letters, digits or _",
    "^https?://\\S+$": "must be an http:// or https:// URL",
}

# Errors that mean "a value of the wrong type" without the `_type`/`_parsing` suffix.
_TYPE_ERRORS = frozenset(
    {"int_from_float", "date_from_datetime_inexact", "decimal_whole_digits", "is_instance_of"}
)

LineFinder = Callable[[Path], int | None]


def field_path(path: Sequence[PathPart]) -> str:
    """`('plans', 'pro', 'items', 0, 'price')` -> `plans.pro.items[0].price`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# Pydantic names the member of a plain union that failed (`date`, `literal['a','b']`).
_UNION_MEMBERS = frozenset({"date", "datetime", "str", "int", "float", "bool", "decimal"})
_KEY = "[key]"  # pydantic's marker for a dict key that failed (rather than its value)


def _is_tag(loc: Sequence[int | str], index: int) -> bool:
    """Is `loc[index]` a union tag pydantic inserted, rather than a field or key?"""
    part = loc[index]
    if not isinstance(part, str) or index == 0:
        return False
    previous = loc[index - 1]
    if part in PRICE_TYPES:  # the tag of the price union, right after `price`
        return previous == "price"
    if part in _UNION_MEMBERS:  # a member of `date | Literal[...]` (the `effective` fields)
        return previous == "effective"
    return "[" in part and part != _KEY  # `literal['a','b']`, `function-after[...]`


def _clean_loc(loc: Sequence[int | str]) -> Path:
    """Drop the union tags pydantic inserts (`price.tiered.tiers`, `effective.date`) and
    its `[key]` marker, so the path names fields as the user wrote them."""
    return tuple(part for index, part in enumerate(loc) if part != _KEY and not _is_tag(loc, index))


def _code(error: Any) -> str:
    kind: str = error["type"]
    if kind in _CODES:
        return _CODES[kind]
    if kind.endswith(("_type", "_parsing")) or kind in _TYPE_ERRORS:
        return "field.type"
    return "field.invalid"


def _message(error: Any, model: type[BaseModel] | None) -> str:
    kind = error["type"]
    name = error["loc"][-1] if error["loc"] else None
    if name == _KEY:
        pattern = error.get("ctx", {}).get("pattern", "")
        hint = _PATTERN_HINTS.get(pattern, str(error["msg"]))
        return f"invalid name {error['input']!r}: {hint}"
    if kind == "extra_forbidden" and isinstance(name, str):
        hint = _suggestion(name, error["loc"], model)
        return f"unknown field `{name}`{hint}"
    if kind == "missing":
        return f"required field `{name}` is missing" if name is not None else "required field"
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern", "")
        if pattern in _PATTERN_HINTS:
            return f"{_PATTERN_HINTS[pattern]}; got {error['input']!r}"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        tags = ", ".join(PRICE_TYPES)  # the price is the only tagged union
        tag = error.get("ctx", {}).get("tag")
        got = f"unknown price type {tag!r}" if tag is not None else "a price needs a `type`"
        return f"{got}; one of: {tags}"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    return str(error["msg"])


def _suggestion(name: str, loc: Sequence[int | str], model: type[BaseModel] | None) -> str:
    """'; did you mean `x`?' when a field of the model the unknown field sits in is close."""
    enclosing = _model_at(model, loc[:-1]) if model is not None else None
    if enclosing is None:
        return ""
    close = difflib.get_close_matches(name, list(enclosing.model_fields), n=1, cutoff=0.75)
    return f"; did you mean `{close[0]}`?" if close else ""


def _model_at(model: type[BaseModel], loc: Sequence[int | str]) -> type[BaseModel] | None:
    """Follow a raw pydantic `loc` (with union tags) down from `model`."""
    current: list[type[BaseModel]] = [model]
    in_dict = False  # the last field was a dict: this part is one of its keys
    for part in loc:
        if isinstance(part, int) or in_dict:
            in_dict = False
            continue
        tagged = [m for m in current if _tag(m) == part]
        if tagged:
            current = tagged
            continue
        owner = next((m for m in current if part in m.model_fields), None)
        if owner is None:
            return None
        annotation = owner.model_fields[part].annotation
        current = _models_in(annotation)
        in_dict = typing.get_origin(annotation) is dict
    return current[0] if len(current) == 1 else None


def _tag(model: type[BaseModel]) -> object:
    field = model.model_fields.get("type")
    args = typing.get_args(field.annotation) if field is not None else ()
    return args[0] if len(args) == 1 else None


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """Models nested anywhere in a type (unions, tuples, dicts, Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in typing.get_args(annotation) for model in _models_in(arg)]


def diagnostics_from_error(
    exc: ValidationError,
    *,
    file: str,
    prefix: Path,
    find_line: LineFinder,
    model: type[BaseModel] | None = None,
) -> list[Diagnostic]:
    """One diagnostic per distinct failing field of `exc`, located under `prefix`."""
    out: list[Diagnostic] = []
    by_path: dict[Path, int] = {}  # union members failing at one path: one diagnostic
    seen: set[tuple[Path, str]] = set()
    for error in exc.errors(include_url=False):
        loc = error["loc"]
        path = (*prefix, *_clean_loc(loc))
        if error["type"] == "union_tag_invalid":  # the wrong value is the `type` field
            path = (*path, error.get("ctx", {}).get("discriminator", "'type'").strip("'"))
        code = _code(error)
        message = _message(error, model)
        union = any(_is_tag(loc, index) and loc[index - 1] != "price" for index in range(len(loc)))
        if union and path in by_path:
            first = out[by_path[path]]
            out[by_path[path]] = first.model_copy(
                update={"message": f"{first.message}; or: {message}"}
            )
            continue
        if (path, code) in seen:
            continue
        seen.add((path, code))
        if union:
            by_path[path] = len(out)
        out.append(
            Diagnostic(
                code=code,
                message=message,
                file=file,
                line=find_line(path),
                field=field_path(path) or None,
            )
        )
    # A list whose only elements failed is also reported "too short": noise.
    deeper = {d.field for d in out if d.code != "field.empty"}
    return [
        d
        for d in out
        if d.code != "field.empty" or not any(f and f.startswith(f"{d.field}[") for f in deeper)
    ]

"""Partial resources: whatever parts of an invalid entry validate on their own.

A resource with one shape error (a negative price, an unknown field) still has items,
tiers, references and names the cross-resource rules must see: otherwise fixing the shape
error reveals the next wave of mistakes. `salvage` rebuilds the entry field by field:

- a field whose value validates keeps its validated value;
- a nested table (model) that fails is salvaged in turn, recursively;
- a list keeps every element at its index: an element that cannot be salvaged is None;
- any other field that fails (or a required field that is missing) is None.

The result is built with `model_construct`, so **a partial model may hold None where its
type says otherwise** (and a tuple may hold None elements). Only the catalog rules see
partial models, and they guard every field they read; the loader never builds a desired
state from a catalog with errors, so a partial model cannot reach the planner. Findings
decided on a value that failed are dropped by the loader (the field's own diagnostic says
what is wrong there): those at, inside or around a hole, or, for a finding that names the
values it read (`Finding.reads`), those whose reads touch one; see `load._suppressed`.
"""

from __future__ import annotations

import functools
import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from reconciler.model import PRICE_CLASSES, PRICE_TYPES
from reconciler.source.toml_lines import Path

M = TypeVar("M", bound=BaseModel)

_BROKEN = object()  # a value that could not be salvaged
_PRICE_OF_TYPE = dict(zip(PRICE_TYPES, PRICE_CLASSES, strict=True))


def salvage(model: type[M], raw: dict[str, Any]) -> tuple[M, list[Path]]:
    """`raw` as `model`, with every part that validates on its own (see the module doc),
    and the holes: the paths (inside `raw`) of the values that were replaced by None."""
    holes: list[Path] = []
    return _salvage(model, raw, (), holes), holes


def _salvage(model: type[M], raw: dict[str, Any], at: Path, holes: list[Path]) -> M:
    try:
        return model.model_validate(raw)
    except ValidationError:
        pass
    values: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name not in raw:
            if info.is_required():
                holes.append((*at, name))
                values[name] = None
            else:
                values[name] = info.get_default(call_default_factory=True)
            continue
        value = _value(model, name, raw[name], (*at, name), holes)
        if value is _BROKEN:
            holes.append((*at, name))
        values[name] = None if value is _BROKEN else value
    return model.model_construct(**values)


@functools.cache
def _adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    """Validates one field of `model` alone, with its constraints."""
    info = model.model_fields[name]
    annotated: Any = typing.Annotated[info.annotation, info]
    return TypeAdapter(annotated)


def _value(model: type[BaseModel], name: str, raw: object, at: Path, holes: list[Path]) -> object:
    try:
        return _adapter(model, name).validate_python(raw)
    except ValidationError:
        return _salvaged(model.model_fields[name].annotation, raw, at, holes)


def _salvaged(annotation: Any, raw: object, at: Path, holes: list[Path]) -> object:
    """The parts of `raw` that fit `annotation`, or `_BROKEN`."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _salvaged(args[0], raw, at, holes)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _salvage(annotation, raw, at, holes) if isinstance(raw, dict) else _BROKEN
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        if not isinstance(raw, list):
            return _BROKEN
        parts = []
        for index, element in enumerate(raw):
            part = _element(args[0], element, (*at, index), holes)
            if part is _BROKEN:
                holes.append((*at, index))
            parts.append(None if part is _BROKEN else part)
        return tuple(parts)
    if origin in (typing.Union, types.UnionType):
        members = [arg for arg in args if arg is not type(None)]
        if isinstance(raw, dict) and any(_is_price(member) for member in members):
            price_class = _PRICE_OF_TYPE.get(str(raw.get("type")))
            return _BROKEN if price_class is None else _salvage(price_class, raw, at, holes)
        if len(members) == 1 and raw is not None:
            return _salvaged(members[0], raw, at, holes)
    return _BROKEN


def _element(annotation: Any, raw: object, at: Path, holes: list[Path]) -> object:
    try:
        return _element_adapter(annotation).validate_python(raw)
    except ValidationError:
        return _salvaged(annotation, raw, at, holes)


@functools.cache
def _element_adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)


def _is_price(annotation: Any) -> bool:
    return any(cls in PRICE_CLASSES for cls in _classes(annotation))


def _classes(annotation: Any) -> list[type]:
    if isinstance(annotation, type):
        return [annotation]
    return [cls for arg in typing.get_args(annotation) for cls in _classes(arg)]

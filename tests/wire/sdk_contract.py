"""The official `alguna` SDK as a strict oracle for request bodies (test-only).

The SDK's pydantic types are lenient by design (`extra="allow"`, every enum a
`Literal[...] | Any`), so validating a body against them proves nothing. `strict_type`
rebuilds an SDK type as a strict copy: every model forbids unknown fields, `Any` is
dropped from enum unions (so a value outside the enum fails), and validation runs in
strict mode on the JSON text (no int-to-str coercion; ISO strings still parse as dates,
as they would on the wire).

An SDK operation's request body is not a model but the keyword arguments of its client
method (the SDK builds the JSON object from them), so `operation_model` turns a method
signature into a strict model the same way (path parameters and request options left out).
"""

from __future__ import annotations

import collections.abc
import inspect
import json
import sys
import types
import typing
from typing import Any, ForwardRef, Literal, Union, get_args, get_origin

import pydantic
from pydantic import BaseModel, ConfigDict, create_model

_NOT_BODY = frozenset({"self", "id", "vid", "ref", "key", "request_options", "idempotency_key"})
_STRICT = ConfigDict(extra="forbid", strict=True)

_models: dict[type[BaseModel], type[BaseModel] | str] = {}
_namespace: dict[str, Any] = {}


def _resolve(tp: Any, host: type | None) -> Any:
    if isinstance(tp, str):
        tp = ForwardRef(tp)
    if isinstance(tp, ForwardRef) and host is not None:
        module = sys.modules[host.__module__]
        return eval(tp.__forward_arg__, vars(module))  # SDK-generated names only
    return tp


def strict_type(tp: Any, host: type | None = None) -> Any:
    """A strict copy of the SDK annotation `tp` (see the module docstring)."""
    tp = _resolve(tp, host)
    origin, args = get_origin(tp), get_args(tp)
    if origin in (Union, types.UnionType):
        kept = tuple(strict_type(a, host) for a in args if a is not Any)
        return Union[kept]  # noqa: UP007 - built at runtime from a tuple
    if origin is Literal:
        return tp
    if origin in (list, typing.List, collections.abc.Sequence):  # noqa: UP006
        return list[strict_type(args[0], host)]  # type: ignore[misc]
    if origin in (dict, typing.Dict):  # noqa: UP006
        return dict[str, Any]
    if inspect.isclass(tp) and issubclass(tp, BaseModel):
        return strict_model(tp)
    return tp


def strict_model(cls: type[BaseModel]) -> Any:
    """A strict copy of the SDK model `cls` (a forward reference while it is being built,
    so the recursive matrix tree types terminate)."""
    found = _models.get(cls)
    if isinstance(found, str):
        return ForwardRef(found)
    if found is not None:
        return found
    name = f"Strict{cls.__name__}"
    _models[cls] = name
    fields: dict[str, Any] = {}
    for field, info in cls.model_fields.items():
        annotation = strict_type(info.annotation, cls)
        fields[field] = (annotation, ... if info.is_required() else None)
    model = create_model(name, __config__=_STRICT, **fields)
    _models[cls] = model
    _namespace[name] = model
    return model


def _rebuild_all() -> None:
    for model in list(_models.values()):
        assert not isinstance(model, str)
        model.model_rebuild(_types_namespace=_namespace)


def operation_model(method: Any) -> type[BaseModel]:
    """A strict model of the JSON body the SDK client `method` sends."""
    fields: dict[str, Any] = {}
    for param in inspect.signature(method).parameters.values():
        if param.name in _NOT_BODY or param.kind is not param.KEYWORD_ONLY:
            continue
        required = param.default is inspect.Parameter.empty
        fields[param.name] = (strict_type(param.annotation, None), ... if required else None)
    model = create_model(f"Body_{method.__qualname__}", __config__=_STRICT, **fields)
    _rebuild_all()
    model.model_rebuild(_types_namespace=_namespace)
    return model


def model_of(cls: type[BaseModel]) -> type[BaseModel]:
    """The strict copy of an SDK model class, fully built."""
    model = strict_model(cls)
    _rebuild_all()
    assert inspect.isclass(model)
    return model  # type: ignore[no-any-return]


def check(model: type[BaseModel], body: Any) -> None:
    """Validate `body` as JSON against `model`; raises `pydantic.ValidationError`."""
    model.model_validate_json(json.dumps(body))


ValidationError = pydantic.ValidationError

"""Errors of the wire mapping, all `BillingError`s so they cross module boundaries.

- `UnresolvedReferenceError`: a catalog key with no remote id (mapping to the wire), a
  remote id with no catalog key (mapping back), or a key with no declared model.
- `InvalidWireObjectError`: a response object the inverse mapping cannot read: a missing
  or mistyped field, tiers with gaps or overlaps, an unknown price type.
- `UnmappableModelError`: a catalog model the wire cannot express (an open tier before the
  last one, tier bounds out of order). The catalog rules reject these before any mapping.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import InvalidOperation
from typing import Literal

from pydantic import ValidationError

from reconciler.errors import BillingError

RefKind = Literal["metric", "product", "plan", "bundle", "customer"]


class WireMappingError(BillingError):
    """Base of every error raised while mapping between catalog models and wire bodies."""


class UnresolvedReferenceError(WireMappingError):
    """A reference could not be resolved. `direction` says which way: `key` means a catalog
    key had no remote id or model, `id` means a remote id had no catalog key."""

    def __init__(self, kind: RefKind, ref: str, direction: Literal["key", "id"]) -> None:
        self.kind = kind
        self.ref = ref
        self.direction = direction
        if direction == "key":
            message = f"unresolved {kind} key {ref!r}: not declared, or no remote id for it yet"
        else:
            message = f"unresolved {kind} id {ref!r}: no catalog key is known for it"
        super().__init__(message)


class InvalidWireObjectError(WireMappingError):
    """A wire object that cannot be mapped back to a catalog model. `where` names the
    object (e.g. `price.tiered_pricing_model.tiers[1]`), `detail` says what is wrong."""

    def __init__(self, where: str, detail: str) -> None:
        self.where = where
        self.detail = detail
        super().__init__(f"invalid wire object at {where}: {detail}")


class UnmappableModelError(WireMappingError):
    """A catalog model the wire format cannot express (the catalog rules reject it first)."""


@contextmanager
def reading(where: str) -> Iterator[None]:
    """Turn the low-level errors of reading a malformed wire object (a missing key, a wrong
    type, a bad decimal, a model that fails validation) into `InvalidWireObjectError`."""
    try:
        yield
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(part) for part in first["loc"])
        raise InvalidWireObjectError(where, f"{loc}: {first['msg']}".lstrip(": ")) from exc
    except KeyError as exc:
        raise InvalidWireObjectError(where, f"missing field {exc.args[0]!r}") from exc
    except (TypeError, ValueError, AttributeError, InvalidOperation) as exc:
        raise InvalidWireObjectError(where, str(exc) or type(exc).__name__) from exc

"""Both states in canonical form (`reconciler.wire.canonical`), by address.

Desired resources are normalized with the desired models (a price's product, a
subscription's plan and customer come from the catalog); live resources with the live
models (managed first, then unmanaged: a managed subscription may sit on an unmanaged
plan). Canonical form fills defaults and formats decimals the way the API reads them back,
so equal declarations compare equal however they were written. Live resources that
`fetch_live` read back (`LiveState.is_read_back`) are already in that form (`from_wire`
output is a fixed point of `canonical`: tests/live/test_round_trip.py), and are taken as
they are: their round trip was 75% of the diff's CPU at 10,000 resources.

A resource that cannot be normalized (a reference that does not resolve) is kept as it
is, with an error diagnostic: the diff then still shows it, and the plan cannot apply.

A resource already in canonical form is kept as it is too (`normalize_one`): its
canonical copy, equal to it and dumped to the same JSON, is dropped. Most declarations
are written that way (at 10,000 generated resources, 8,867 of 10,000), and the copies
were a second catalog in memory through the read and the diff (about 30 MB; issue 19).
So "normalized" means "equal in every output to the canonical form", not "a new object":
callers that must know whether a resource normalized read the diagnostics.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TypeVar

from pydantic import BaseModel

from reconciler.model import (
    KIND_OF_TABLE,
    TABLES,
    Address,
    Bundle,
    CatalogFile,
    Customer,
    DesiredState,
    LiveState,
    Plan,
    Product,
    Resource,
)
from reconciler.source.diagnostics import Diagnostic
from reconciler.wire import CatalogModels, ModelLookup, WireMappingError, canonical

M = TypeVar("M")
R = TypeVar("R", bound=Resource)


class LiveModels(CatalogModels):
    """Live models by key: managed objects first, then unmanaged ones."""

    def __init__(self, live: LiveState) -> None:
        super().__init__(live)
        self._unmanaged = CatalogModels(live.unmanaged_tables)

    def product(self, key: str) -> Product:
        return self._either(super().product, self._unmanaged.product, key)

    def bundle(self, key: str) -> Bundle:
        return self._either(super().bundle, self._unmanaged.bundle, key)

    def plan(self, key: str) -> Plan:
        return self._either(super().plan, self._unmanaged.plan, key)

    def customer(self, key: str) -> Customer:
        return self._either(super().customer, self._unmanaged.customer, key)

    @staticmethod
    def _either(first: Callable[[str], M], second: Callable[[str], M], key: str) -> M:
        try:
            return first(key)
        except WireMappingError:
            return second(key)


def normalized(
    state: CatalogFile, models: ModelLookup, sources: DesiredState | None = None
) -> tuple[dict[Address, Resource], list[Diagnostic]]:
    """Every resource of `state` in canonical form, by address; `sources` locates the
    diagnostics (desired state only)."""
    out: dict[Address, Resource] = {}
    problems: list[Diagnostic] = []
    read_back = state.is_read_back if isinstance(state, LiveState) else None
    for table in TABLES:
        for key, resource in sorted(getattr(state, table).items()):
            address = Address(kind=KIND_OF_TABLE[table], key=key)
            if read_back is not None and read_back(resource):
                out[address] = resource
                continue
            out[address], problem = normalize_one(resource, key, models)
            if problem is not None:
                problems.append(_diagnostic(address, problem, sources))
    return out, problems


def normalize_one(resource: R, key: str, models: ModelLookup) -> tuple[R, str | None]:
    """`canonical(resource)` (`resource` itself when that is the same: equal, and the same
    JSON, so no output can tell them apart), or `resource` itself and why it could not be
    normalized."""
    try:
        found = canonical(resource, key, models)
    except (WireMappingError, ValueError, KeyError, TypeError) as exc:
        return resource, str(exc)
    if found == resource and (
        _equal_is_alike(type(resource)) or found.model_dump_json() == resource.model_dump_json()
    ):
        return resource, None
    return found, None


@cache
def _equal_is_alike(model: type[BaseModel]) -> bool:
    """Whether equal instances of `model` always dump alike: nothing in its schema is a
    decimal or a float (`Decimal("10.00") == Decimal("10")`, but they dump apart). Then
    `normalize_one` needs no dump to compare (metrics, products and customers: the two
    JSON dumps were a third of the catalog side's CPU)."""
    pending: list[object] = [model.__pydantic_core_schema__]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            if node.get("type") in ("decimal", "float"):
                return False
            pending.extend(node.values())
        elif isinstance(node, list | tuple):
            pending.extend(node)
    return True


def _diagnostic(address: Address, problem: str, sources: DesiredState | None) -> Diagnostic:
    source = sources.sources.get(address) if sources is not None else None
    where = "declared" if sources is not None else "live"
    return Diagnostic(
        code="diff.not_normalized",
        message=f"{where} {address} could not be normalized ({problem}); it is compared as is",
        file=source.file if source else None,
        line=source.line if source else None,
        field=address,
    )

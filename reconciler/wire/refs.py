"""Key <-> id resolution, behind protocols that later layers implement.

Catalog models refer to each other by key; wire bodies by remote id. The mapping asks a
resolver for ids (to the wire) or keys (back from the wire), and for the declared models
it needs to fill defaults: a price's product (fee type, payment terms, metrics), a bundle
item's bundle (its declared prices), a subscription's plan (its items) and customer (its
currency).

Contracts: every method either returns or raises `UnresolvedReferenceError` naming the
kind and the missing key or id. `MapResolver` is the dict-backed implementation (models
from a `CatalogFile`/`DesiredState`, ids from a map keyed by `Address`). `KeysAsIds` uses
each key as its own id: the resolver behind `canonical`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Protocol, TypeVar

from reconciler.model import Address, Bundle, CatalogFile, Customer, Metric, Plan, Product
from reconciler.wire.errors import RefKind, UnresolvedReferenceError

M = TypeVar("M")


class ModelLookup(Protocol):
    """The declared models the mapping reads defaults from, by catalog key."""

    def product(self, key: str) -> Product: ...
    def bundle(self, key: str) -> Bundle: ...
    def plan(self, key: str) -> Plan: ...
    def customer(self, key: str) -> Customer: ...


class IdResolver(ModelLookup, Protocol):
    """Catalog key -> remote id, for mapping catalog models to request bodies."""

    def metric_id(self, key: str) -> str: ...
    def product_id(self, key: str) -> str: ...
    def plan_id(self, key: str) -> str: ...
    def bundle_id(self, key: str) -> str: ...
    def customer_id(self, key: str) -> str: ...


class KeyResolver(ModelLookup, Protocol):
    """Remote id -> catalog key, for mapping response objects back to catalog models."""

    def metric_key(self, remote_id: str) -> str: ...
    def product_key(self, remote_id: str) -> str: ...
    def plan_key(self, remote_id: str) -> str: ...
    def bundle_key(self, remote_id: str) -> str: ...
    def customer_key(self, remote_id: str) -> str: ...


class CatalogModels:
    """`ModelLookup` over the tables of a `CatalogFile` (or `DesiredState`)."""

    def __init__(self, catalog: CatalogFile) -> None:
        self._catalog = catalog

    def metric(self, key: str) -> Metric:
        return _model(self._catalog.metrics, "metric", key)

    def product(self, key: str) -> Product:
        return _model(self._catalog.products, "product", key)

    def bundle(self, key: str) -> Bundle:
        return _model(self._catalog.bundles, "bundle", key)

    def plan(self, key: str) -> Plan:
        return _model(self._catalog.plans, "plan", key)

    def customer(self, key: str) -> Customer:
        return _model(self._catalog.customers, "customer", key)


def _model(table: Mapping[str, M], kind: RefKind, key: str) -> M:
    try:
        return table[key]
    except KeyError:
        raise UnresolvedReferenceError(kind, key, "key") from None


class MapResolver(CatalogModels):
    """Both `IdResolver` and `KeyResolver`, from models and an `Address -> remote id` map.

    Only addresses without a version are used; ids must be unique per kind (a duplicate
    would make the reverse lookup ambiguous, so it is a `ValueError` here). `aliases`
    are more `(kind, remote id) -> key` entries for the reverse lookup only: the superseded
    revisions of a plan resolve to its key, its current revision is its id.
    """

    def __init__(
        self,
        catalog: CatalogFile,
        ids: Mapping[Address, str],
        aliases: Mapping[tuple[str, str], str] | None = None,
    ) -> None:
        super().__init__(catalog)
        self._ids: dict[tuple[str, str], str] = {}
        # (kind, remote id) -> key for ids that resolve back only: superseded revisions.
        self._keys: dict[tuple[str, str], str] = dict(aliases or {})
        for address, remote_id in ids.items():
            if address.version is not None:
                continue
            if (address.kind, remote_id) in self._keys:
                raise ValueError(f"remote id {remote_id!r} given for two {address.kind}s")
            self._ids[(address.kind, address.key)] = remote_id
            self._keys[(address.kind, remote_id)] = address.key

    def with_catalog(self, catalog: CatalogFile) -> MapResolver:
        """The same ids and keys over other models, without rebuilding the maps (the live
        reader maps each kind with the models read so far, over one set of ids)."""
        other = copy.copy(self)
        other._catalog = catalog
        return other

    def _id(self, kind: RefKind, key: str) -> str:
        try:
            return self._ids[(kind, key)]
        except KeyError:
            raise UnresolvedReferenceError(kind, key, "key") from None

    def _key(self, kind: RefKind, remote_id: str) -> str:
        try:
            return self._keys[(kind, remote_id)]
        except KeyError:
            raise UnresolvedReferenceError(kind, remote_id, "id") from None

    def metric_id(self, key: str) -> str:
        return self._id("metric", key)

    def product_id(self, key: str) -> str:
        return self._id("product", key)

    def plan_id(self, key: str) -> str:
        return self._id("plan", key)

    def bundle_id(self, key: str) -> str:
        return self._id("bundle", key)

    def customer_id(self, key: str) -> str:
        return self._id("customer", key)

    def metric_key(self, remote_id: str) -> str:
        return self._key("metric", remote_id)

    def product_key(self, remote_id: str) -> str:
        return self._key("product", remote_id)

    def plan_key(self, remote_id: str) -> str:
        return self._key("plan", remote_id)

    def bundle_key(self, remote_id: str) -> str:
        return self._key("bundle", remote_id)

    def customer_key(self, remote_id: str) -> str:
        return self._key("customer", remote_id)


class KeysAsIds:
    """Both resolvers at once, with every key standing for its own id; models come from
    `models`. `canonical` maps through it, so no real ids are needed to normalize."""

    def __init__(self, models: ModelLookup) -> None:
        self._models = models

    def product(self, key: str) -> Product:
        return self._models.product(key)

    def bundle(self, key: str) -> Bundle:
        return self._models.bundle(key)

    def plan(self, key: str) -> Plan:
        return self._models.plan(key)

    def customer(self, key: str) -> Customer:
        return self._models.customer(key)

    def metric_id(self, key: str) -> str:
        return key

    product_id = plan_id = bundle_id = customer_id = metric_id

    def metric_key(self, remote_id: str) -> str:
        return remote_id

    product_key = plan_key = bundle_key = customer_key = metric_key

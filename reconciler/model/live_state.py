"""`LiveState`: what the live account holds, in the catalog's own types.

Managed objects (those that match a declared resource by natural key) sit in the kind
tables under their catalog key, so the diff compares like with like. Objects that match
nothing are `unmanaged`: listed, never touched, and mapped to catalog models under a key
derived from their natural key, so `billing import` can write them out.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, PrivateAttr

from alguna_pricing.model.values import Frozen
from reconciler.model.address import Address
from reconciler.model.catalog_file import CatalogFile
from reconciler.model.kinds import TABLE_OF_KIND, Kind


class UnmanagedObject(Frozen):
    kind: Kind
    key: str = Field(description="Key derived from the natural key, unique per kind.")
    remote_id: str
    natural_key: str


class LiveProblem(Frozen):
    """A live object the tool could not read into a catalog model."""

    kind: Kind
    remote_id: str
    key: str | None
    message: str


class PlanRevision(Frozen):
    """One live plan object of a declared plan: its id, when it was created, and what its
    revision marker says (`reconciler.wire.revisions`; None: it has no marker)."""

    remote_id: str
    created_at: str | None = None
    digest: str | None = None
    marker_key: str | None = None
    applied_by: str | None = None


class PlanRevisions(Frozen):
    """The live revisions of one declared plan: the current one (the newest) and the
    superseded ones, newest first. Superseded revisions stay live (plans cannot be
    deleted) and keep serving the subscriptions created from them."""

    current: PlanRevision
    superseded: tuple[PlanRevision, ...] = ()


class LiveState(CatalogFile):
    """Managed objects by key, plus: remote ids and fingerprints by address
    (`product.api`), keys found through `moved_from` (address -> the old key that
    matched), unmanaged objects (`unmanaged_tables` holds their models), problems, and
    the revisions of each managed plan (`plans` holds the current one, read: name,
    currency and description only), with `revision_keys` mapping every revision's
    remote id to its plan's key, and `subscription_plan_ids` each managed subscription's
    `plan_id` (the revision it was created from)."""

    environment: str
    ids: dict[Address, str] = Field(default_factory=dict)
    fingerprints: dict[Address, str] = Field(default_factory=dict)
    moved: dict[Address, str] = Field(default_factory=dict)
    unmanaged: tuple[UnmanagedObject, ...] = ()
    unmanaged_tables: CatalogFile = Field(default_factory=CatalogFile)
    problems: tuple[LiveProblem, ...] = ()
    statuses: dict[str, str] = Field(
        default_factory=dict,
        description="Managed subscriptions' live `status` (draft, scheduled, active,"
        " paused, completed, canceled) by key: compared with `activate`/`cancel`.",
    )
    revisions: dict[str, PlanRevisions] = Field(default_factory=dict)
    revision_keys: dict[str, str] = Field(default_factory=dict)
    subscription_plan_ids: dict[str, str] = Field(default_factory=dict)

    def with_unmanaged(self) -> CatalogFile:
        """Every object the read mapped, managed or not, in one `CatalogFile` (a managed
        object wins over an unmanaged one under the same key): the lookup for references,
        which may name unmanaged objects."""
        merged: dict[str, Any] = {
            table: {**self.unmanaged_tables.table(kind), **self.table(kind)}
            for kind, table in TABLE_OF_KIND.items()
        }
        return CatalogFile.model_construct(None, **merged)

    # The resources of the kind tables that were read back from the API, by identity
    # (`fetch_live` maps each with `from_wire`, so it is already canonical: the diff
    # skips its round trip). Identity, not equality: a copy holding other resources (a
    # test's, or `billing import`'s) has those normalized as before. Not a field: never
    # dumped, never compared; the objects are held so that an id cannot be reused.
    _read_back: dict[int, object] = PrivateAttr(default_factory=dict)

    def mark_read_back(self) -> LiveState:
        """Record every resource of the kind tables as read back (canonical); `self`."""
        for table in TABLE_OF_KIND.values():
            for resource in getattr(self, table).values():
                self._read_back[id(resource)] = resource
        return self

    def is_read_back(self, resource: object) -> bool:
        """Whether `resource` is one of the objects `mark_read_back` recorded."""
        return self._read_back.get(id(resource)) is resource

"""`LiveState`: what the live account holds, in the catalog's own types.

Managed objects (those that match a declared resource by natural key) sit in the kind
tables under their catalog key, so the diff compares like with like. Objects that match
nothing are `unmanaged`: listed, never touched, and mapped to catalog models under a key
derived from their natural key, so `billing import` can write them out.
"""

from __future__ import annotations

from pydantic import Field

from reconciler.model.address import Kind
from reconciler.model.base import Frozen
from reconciler.model.catalog_file import CatalogFile


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


class LiveState(CatalogFile):
    """Managed objects by key, plus: remote ids and fingerprints by address string
    (`product.api`), keys found through `moved_from` (address -> the old key that
    matched), unmanaged objects (`unmanaged_tables` holds their models) and problems."""

    environment: str
    ids: dict[str, str] = Field(default_factory=dict)
    fingerprints: dict[str, str] = Field(default_factory=dict)
    moved: dict[str, str] = Field(default_factory=dict)
    unmanaged: tuple[UnmanagedObject, ...] = ()
    unmanaged_tables: CatalogFile = Field(default_factory=CatalogFile)
    problems: tuple[LiveProblem, ...] = ()
    statuses: dict[str, str] = Field(
        default_factory=dict,
        description="Managed subscriptions' live `status` (draft, scheduled, active,"
        " paused, completed, canceled) by key: compared with `activate`/`cancel`.",
    )

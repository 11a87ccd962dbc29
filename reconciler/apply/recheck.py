"""`Recheck`: what an update may send, decided against the object as it is just now.

Owns the "no lost edits" rule for updates; must not write. A plan is made from a read
of the whole account, and a fresh `billing apply` writes only after its confirmation
prompt, minutes later perhaps (a large apply, seconds to minutes after its read, even
without a prompt). An update therefore:

1. sends only the fields that differ between the declared and the live object as the
   plan read it (each side put through `wire.patch_body`, compared field by field): an
   edit made meanwhile to any other field is never touched;
2. reads the object again right before the PATCH (one GET, plus its versions for a
   subscription) and compares those fields with what the plan read: a field someone
   changed since is never overwritten; the change fails (`ChangedSinceReadError`,
   nothing written to that object) and names the field, and the next plan shows the
   edit. A field that already holds the declared value is left out of the PATCH.

The window left is the time between that GET and the PATCH (one round trip), not
the time since the plan was read. The API has no conditional write (no ETag,
`If-Match` or version precondition on PATCH), so it cannot be closed entirely.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.api import ApiReader
from reconciler.errors import BillingError
from reconciler.model import PATH_OF_KIND, Address, Kind, LiveState, Resource
from reconciler.wire import MapResolver, from_wire, patch_body

WireObject = dict[str, Any]


class ChangedSinceReadError(BillingError):
    """An update's object changed in the live account since the plan read it, in a field
    the update would write; nothing was written to it."""


class Recheck:
    """The live side of updates for one apply: the plan's read, and fresh reads."""

    def __init__(self, live: LiveState) -> None:
        self._live = live
        self._resolver: MapResolver | None = None

    @property
    def resolver(self) -> MapResolver:
        """Keys <-> ids over every object the plan read, managed or not (a live object
        may refer to an unmanaged one)."""
        if self._resolver is None:
            live = self._live
            ids = dict(live.ids)
            ids.update({Address(kind=u.kind, key=u.key): u.remote_id for u in live.unmanaged})
            self._resolver = MapResolver(live.with_unmanaged(), ids)
        return self._resolver

    def _body(
        self, resource: Resource, name: str, metadata: Mapping[str, Any] | None
    ) -> WireObject:
        return patch_body(resource, name, self.resolver, metadata)

    def changed_fields(
        self, kind: Kind, name: str, desired: WireObject, metadata: Mapping[str, Any] | None
    ) -> WireObject:
        """The part of the `desired` PATCH body that differs from the object as read;
        all of it when the read object cannot be put in wire form."""
        current = self._live.table(kind).get(name)
        if current is None:
            return desired
        try:
            before = self._body(current, name, metadata)
        except BillingError:
            return desired
        return {k: v for k, v in desired.items() if k not in before or before[k] != v}

    async def still_as_read(
        self,
        reader: ApiReader,
        kind: Kind,
        name: str,
        remote: str,
        body: WireObject,
        metadata: Mapping[str, Any] | None,
    ) -> WireObject:
        """Read the object again; raise `ChangedSinceReadError` if a field of `body` changed
        since the plan read it; return `body` without the fields that already hold their
        declared value."""
        where = f"{kind}.{name}"
        obj = await reader.get(f"{PATH_OF_KIND[kind]}/{remote}")
        versions = (
            await reader.get_list(f"/subscriptions/{remote}/versions")
            if kind == "subscription"
            else []
        )
        current = self._live.table(kind).get(name)
        try:
            now = self._body(from_wire(kind, obj, name, self.resolver, versions), name, metadata)
            before = {} if current is None else self._body(current, name, metadata)
        except (BillingError, KeyError, TypeError, ValueError) as exc:
            raise ChangedSinceReadError(
                f"{where} ({remote}) no longer reads as it did when the plan was made"
                f" ({type(exc).__name__}); nothing was written to it. Plan again"
            ) from None
        moved = sorted(k for k in body if k in before and now.get(k) != before[k])
        moved = [k for k in moved if now.get(k) != body[k]]
        if moved:
            fields = ", ".join(f"`{k}`" for k in moved)
            raise ChangedSinceReadError(
                f"{where} ({remote}): {fields} changed in the live account since the plan"
                " read it (an edit made meanwhile); not overwritten, nothing was written to"
                " it. Run `billing plan` to see the edit, then apply again"
            )
        return {k: v for k, v in body.items() if k not in now or now[k] != v}

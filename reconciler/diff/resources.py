"""The action for one declared resource of any kind but subscription (and for a
subscription's own settings): create, update, replace or noop.

Rules:
- declared, not live: `create`.
- a field the API cannot change in place differs (`immutable_fields`): `replace`, with
  those fields marked `forces_replace` and the reason naming them.
- otherwise any field differs, or the live object was found through `moved_from` (its
  natural key, sku, alias or billing_key, still says the old key and must be rewritten
  even when nothing else differs): `update`, the reason naming the old key.
- otherwise `noop`.
- metric (write-once: the SDK has no metric update): any difference is a
  `new_revision`, a new metric under the same name; the newest metric of a name is the
  managed one (`live.fetch`), older ones stay live, superseded. Plans that price it get
  a new revision (their digest covers the metric's definition). Plans are compared
  apart (`diff.plans`).
"""

from __future__ import annotations

from collections.abc import Mapping

from reconciler.diff.fields import dump, field_changes
from reconciler.diff.noops import noop_change
from reconciler.model import Address, Kind, Resource
from reconciler.plan import Action, Change, FieldChange
from reconciler.wire import IMMUTABLE_FIELDS

_WHY_IMMUTABLE: Mapping[Kind, str] = {
    "product": "the API cannot change it after a product is created",
    "plan": "a plan's currency is fixed when it is created",
    "subscription": "the API changes a subscription's customer, plan, currency and contract"
    " only by creating a new subscription",
}


def immutable_fields(kind: Kind) -> frozenset[str]:
    """Top-level catalog fields of `kind` that cannot change in place."""
    return IMMUTABLE_FIELDS[kind]


def needs_nothing(desired: Resource, live: Resource | None, moved_from: str | None) -> bool:
    """Whether `resource_change` is a no-op for these, known without building it: the
    live object exists, equals the declaration (both canonical) and was not moved. The
    diff skips the change (two dumps) for no-ops nothing reads (`repoint.FOLLOWING`)."""
    return live is not None and moved_from is None and live == desired


def resource_change(
    address: Address,
    desired: Resource,
    live: Resource | None,
    remote_id: str | None = None,
    moved_from: str | None = None,
) -> Change:
    """The change that makes `live` (canonical, None if absent) match `desired`
    (canonical). Subscriptions pass their settings only (see `subscriptions`)."""
    kind, key = address.kind, address.key
    if live is None:
        return Change(
            address=address,
            kind=kind,
            key=key,
            action=Action.CREATE,
            after=dump(desired),
            reason=f"declared; no live {kind} matches {key!r}",
        )
    fields = _as_written(kind, key, field_changes(live, desired, immutable_fields(kind)))
    forced = [f for f in fields if f.forces_replace]
    if kind == "metric" and fields:
        action = Action.NEW_REVISION
        reason = (
            f"{_update_reason(kind, fields)}: metrics are write-once (the API has no metric"
            " update), so a new metric is created under the same name; the live one stays,"
            " superseded"
        )
    elif forced:
        action, reason = Action.REPLACE, _replace_reason(kind, forced)
    elif fields or moved_from is not None:
        action, reason = Action.UPDATE, _update_reason(kind, fields)
    else:
        action, reason = Action.NOOP, "live matches the catalog"
    if moved_from is not None:
        reason = (
            f"renamed from {kind}.{moved_from} (moved_from): the live object is kept and"
            f" its key rewritten to {key!r}; {reason}"
        )
    if action is Action.NOOP:
        return noop_change(address, dump(live), dump(desired), reason, remote_id)
    return Change(
        address=address,
        kind=kind,
        key=key,
        action=action,
        remote_id=remote_id,
        before=dump(live),
        after=dump(desired),
        fields=fields,
        reason=reason,
    )


def _as_written(kind: Kind, key: str, fields: tuple[FieldChange, ...]) -> tuple[FieldChange, ...]:
    """Field changes with the values apply writes. A product's canonical `sku` is None when
    it equals the key, but the wire always carries one (`sku or key`): after a `moved_from`
    rename the row reads `sku: "storage" -> "object_storage"`, not `-> (none)`."""
    if kind != "product":
        return fields
    return tuple(
        f.model_copy(
            update={"before": f.before if f.before is not None else key, "after": f.after or key}
        )
        if f.path == "sku"
        else f
        for f in fields
    )


def _replace_reason(kind: Kind, forced: list[FieldChange]) -> str:
    names = sorted({f.path.split(".")[0].split("[")[0] for f in forced})
    why = _WHY_IMMUTABLE.get(kind, f"the API refuses it on a {kind} update")
    listed = ", ".join(f"`{name}`" for name in names)
    return (
        f"{listed} changed and cannot be changed in place ({why}): a new {kind} replaces"
        " the live one; needs --allow-replace"
    )


def _update_reason(kind: Kind, fields: tuple[FieldChange, ...]) -> str:
    count = "1 field differs" if len(fields) == 1 else f"{len(fields)} fields differ"
    return count

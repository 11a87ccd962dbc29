"""The action for one declared plan: create, new revision, or nothing.

Alguna plans are write-once: no update, and a read shows only name, currency and
description (`reconciler.wire.revisions`). So a plan is compared on what a read shows
(name, description without the marker, currency) and on the digest of everything else,
which the current revision's marker records:

- no live revision: `create`;
- the current revision has a marker and any of those differ: `new_revision`, a new plan
  object; the current one stays live, superseded, keeping its subscriptions. Its fields
  are the readable ones that differ, `revision` (digest before -> after) and the rows of
  the items a published subscription version shows (`published_plan_items`); `before` is
  what the read shows (name, currency, description) with those items;
- the current revision has no marker (made outside the reconciler, adopted by import):
  compared on name, description and currency only, since its content cannot be read;
  a warning says a price change cannot be detected on it until it has a revision;
- otherwise: `noop`.

A key rename (`moved_from`) or a plan found by its name keeps its revisions: the marker
names the old key, which is no difference (a marker cannot be rewritten).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reconciler.diff.fields import dump, field_changes
from reconciler.diff.noops import noop_change
from reconciler.model import Address, DesiredState, Item, LiveState, Plan, PlanRevisions
from reconciler.plan import Action, Change, FieldChange

REVISION_FIELD = "revision"


def readable(plan: Plan) -> Plan:
    """What a plan read shows of `plan` (the rest is left at its defaults)."""
    return Plan(name=plan.name, currency=plan.currency, description=plan.description)


def subscriptions_by_plan_id(live: LiveState) -> dict[str, list[str]]:
    """Managed subscription keys (sorted) by the remote id of the plan they were created
    from: `published_plan_items` looks up one plan's instead of scanning them all."""
    out: dict[str, list[str]] = {}
    for sub_key, plan_id in sorted(live.subscription_plan_ids.items()):
        out.setdefault(plan_id, []).append(sub_key)
    return out


def published_plan_items(
    key: str,
    desired: DesiredState,
    live: LiveState,
    by_plan_id: Mapping[str, Sequence[str]] | None = None,
) -> tuple[Item, ...]:
    """The items of plan `key`'s current revision as far as the API shows them: a plan read
    has none, but a subscription created from that revision copied them into its first
    version. Items its declaration overrides there are left out (they are not the plan's);
    the first subscription (by key) to show an item gives it. Empty when none shows any.
    `by_plan_id` is `subscriptions_by_plan_id(live)`, computed once for many plans."""
    revisions = live.revisions.get(key)
    if revisions is None:
        return ()
    if by_plan_id is None:
        by_plan_id = subscriptions_by_plan_id(live)
    found: dict[str, Item] = {}
    for sub_key in by_plan_id.get(revisions.current.remote_id, ()):
        subscription = live.subscriptions.get(sub_key)
        declared = desired.subscriptions.get(sub_key)
        if subscription is None or declared is None:
            continue
        if declared.plan != key or not subscription.versions:
            continue
        written = declared.versions[0] if declared.versions else None
        overridden = {item.ref for item in written.items} if written is not None else set()
        for item in subscription.versions[0].items:
            if item.ref not in overridden:
                found.setdefault(item.ref, item)
    return tuple(found.values())


def plan_change(
    address: Address,
    desired: Plan,
    digest: str,
    live: Plan | None,
    revisions: PlanRevisions | None,
    moved_from: str | None = None,
    known_items: tuple[Item, ...] = (),
    complete: bool = False,
) -> Change:
    """The change that makes the live plan `address` match `desired` (canonical), whose
    content digest is `digest` (rules above). `known_items` are the current revision's
    items as far as they are known; `complete` says they are all of them (a read that
    shows items), so an item only declared is an addition, not merely unshown."""
    after = dump(desired)
    if live is None or revisions is None:
        return Change(
            address=address,
            kind="plan",
            key=address.key,
            action=Action.CREATE,
            after=after,
            reason=f"declared; no live plan matches {address.key!r}",
        )
    current = revisions.current
    fields = list(field_changes(readable(live), readable(desired)))
    if current.digest is not None and current.digest != digest:
        fields.append(FieldChange(path=REVISION_FIELD, before=current.digest, after=digest))
        # The items a published version shows: their rows, money first in the review.
        refs = {item.ref for item in known_items}
        shown = tuple(item for item in desired.items if complete or item.ref in refs)
        fields += field_changes(
            readable(live).model_copy(update={"items": known_items}),
            readable(live).model_copy(update={"items": shown}),
        )
    before = dump(readable(live).model_copy(update={"items": known_items}))
    renamed = (
        f"renamed from plan.{moved_from}: its revisions keep their marker; "
        if moved_from is not None
        else ""
    )
    if not fields:
        return noop_change(
            address, before, after, f"{renamed}live matches the catalog", current.remote_id
        )
    return Change(
        address=address,
        kind="plan",
        key=address.key,
        action=Action.NEW_REVISION,
        remote_id=current.remote_id,
        before=before,
        after=after,
        fields=tuple(fields),
        reason=f"{renamed}{_why(fields)}: plans are write-once, so a new revision is"
        " created; the current one stays live, superseded, and keeps its subscriptions"
        + ("" if known_items or current.digest is None else _UNSHOWN),
    )


_UNSHOWN = (
    " (no subscription created from it shows its prices, and a plan read cannot: the"
    " old prices are not shown)"
)


def _why(fields: list[FieldChange]) -> str:
    names = [f.path for f in fields if f.path in ("name", "description", "currency")]
    parts = []
    if any(f.path == REVISION_FIELD for f in fields):
        parts.append("its items, prices or terms changed")
    if names:
        parts.append(", ".join(f"`{n}`" for n in names) + " changed")
    return " and ".join(parts)

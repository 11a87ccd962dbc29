"""The writes of one change: which requests, in which order, with which keys.

Owns the mapping from a planned `Change` to API writes; must not decide order between
changes (`executor`) or whether a plan may run (`planner`, `resume`). Each write is one
named step; its idempotency key is derived from the plan, the change and the step name
(`keys`), so a re-run repeats no step that already took effect.

Per action:
- `create`: POST to the kind's collection (a subscription with its first version only,
  as a draft: later versions and activation are their own changes). A subscription that
  sets a description, trial, discount or spend limit gets them by a PATCH right after
  (step `settings`): the SDK's create does not take them.
- `update`: PATCH with the full updatable body (`wire.patch_body`); a subscription
  version's update (a draft, before activation) PATCHes that version, found by its
  effective date.
- `new_revision` (plans): POST a new plan with the revision marker
  (`wire.revisions.plan_create_body`); the current revision is left as it is (plans are
  write-once: no update, no delete), superseded.
- `replace` (products; subscriptions are refused by the planner): first the
  live object's natural key is renamed out of the way (step `tombstone`: sku or name gets
  a `replaced` suffix with the plan id), since the API has no delete or archive; then the
  new object is created (step `create`) under the natural key.
- `new_version`: on a draft subscription, POST the version (a draft, published by the
  activation); on an active one, one Changes API request (`wire.change_body`) pinned to
  the current version, which creates and publishes the version atomically, so a crash
  cannot leave an unpublished draft behind.
- `activate`, `cancel`: POST the action.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from reconciler.api import ApiReader, ApiWriter
from reconciler.apply.keys import idempotency_key, tombstoned
from reconciler.diff.subscriptions import effective_text
from reconciler.errors import BillingError
from reconciler.model import (
    Address,
    DesiredState,
    Kind,
    LiveState,
    Plan,
    Subscription,
    Version,
)
from reconciler.plan import Action, Change
from reconciler.wire import (
    CatalogModels,
    cancellation_to_wire,
    change_body,
    patch_body,
    subscription_create_bodies,
    to_wire,
    version_to_wire,
)
from reconciler.wire.errors import UnresolvedReferenceError
from reconciler.wire.revisions import applied_by, plan_create_body


class ApplyStepError(BillingError):
    """A change cannot be made as planned (its subscription or version is not where the
    plan expects it); reported as that change's failure."""


class Ids(CatalogModels):
    """`IdResolver` over a shared, growing map (kind, key) -> remote id: creates earlier
    in the run add to it, so later changes can refer to what they made."""

    def __init__(self, desired: DesiredState, ids: dict[tuple[str, str], str]) -> None:
        super().__init__(desired)
        self.ids = ids

    def remote(self, kind: Kind, key: str) -> str:
        """The remote id of `kind`.`key`, live or created in this run."""
        try:
            return self.ids[(kind, key)]
        except KeyError:
            if kind == "subscription":
                raise ApplyStepError(f"subscription {key!r} has no remote id") from None
            raise UnresolvedReferenceError(kind, key, "key") from None

    def metric_id(self, key: str) -> str:
        return self.remote("metric", key)

    def product_id(self, key: str) -> str:
        return self.remote("product", key)

    def plan_id(self, key: str) -> str:
        return self.remote("plan", key)

    def bundle_id(self, key: str) -> str:
        return self.remote("bundle", key)

    def customer_id(self, key: str) -> str:
        return self.remote("customer", key)


@dataclass
class Run:
    """What every change of one apply shares."""

    plan_id: str
    desired: DesiredState
    live: LiveState
    reader: ApiReader
    writer: ApiWriter
    ids: Ids
    created: set[tuple[str, str]] = field(default_factory=set)

    @classmethod
    def start(
        cls,
        plan_id: str,
        desired: DesiredState,
        live: LiveState,
        reader: ApiReader,
        writer: ApiWriter,
    ) -> Run:
        known: dict[tuple[str, str], str] = {
            (a.kind, a.key): remote for a, remote in _addresses(live.ids)
        }
        return cls(plan_id, desired, live, reader, writer, Ids(desired, known))


def _addresses(ids: dict[str, str]) -> list[tuple[Address, str]]:
    return [(Address.parse(a), remote) for a, remote in ids.items()]


async def perform(run: Run, change: Change, key_base: str) -> None:
    """Make the writes of `change`. `key_base` names the change in idempotency keys: the
    change id of the plan that was reviewed (a resumed plan keeps its keys)."""

    def key(step: str) -> str:
        return idempotency_key(run.plan_id, key_base, step)

    kind, name = change.kind, change.key
    if change.version is not None:
        await _version_change(run, change, key)
    elif change.action in (Action.CREATE, Action.NEW_REVISION):
        # A plan's new revision is a new plan object; the current one stays live.
        await _create(run, kind, name, key("create"), key("settings"))
    elif change.action is Action.REPLACE:
        await _tombstone(run, kind, name, key("tombstone"))
        await _create(run, kind, name, key("create"), key("settings"))
    elif change.action is Action.UPDATE:
        resource = run.desired.table(kind)[name]
        metadata = run.live.subscriptions[name].metadata if kind == "subscription" else None
        body = patch_body(resource, name, run.ids, metadata)
        await run.writer.update(f"/{kind}s/{run.ids.remote(kind, name)}", body, key=key("update"))
    elif change.action is Action.ACTIVATE:
        path = f"/subscriptions/{run.ids.remote(kind, name)}/activate"
        await run.writer.action(path, key=key("activate"))
    elif change.action is Action.CANCEL:
        cancel = run.desired.subscriptions[name].cancel
        assert cancel is not None
        path = f"/subscriptions/{run.ids.remote(kind, name)}/cancel"
        await run.writer.action(path, cancellation_to_wire(cancel), key=key("cancel"))
    else:
        raise ApplyStepError(f"nothing to perform for {change.change_id}")


async def _create(run: Run, kind: Kind, key: str, idem: str, settings_idem: str) -> None:
    resource = run.desired.table(kind)[key]
    later: dict[str, object] = {}
    if isinstance(resource, Subscription):
        resource = resource.model_copy(update={"versions": resource.versions[:1]})
        body, later = subscription_create_bodies(resource, key, run.ids)
    elif isinstance(resource, Plan):
        body = plan_create_body(resource, key, run.ids, applied_by(run.plan_id))
    else:
        body = to_wire(resource, key, run.ids)
    created = await run.writer.create(f"/{kind}s", body, key=idem)
    run.ids.ids[(kind, key)] = str(created["id"])
    run.created.add((kind, key))
    if later:
        # The SDK's create has no description, trial, discount or spend limits: set them.
        await run.writer.update(f"/{kind}s/{created['id']}", later, key=settings_idem)


async def _tombstone(run: Run, kind: Kind, key: str, idem: str) -> None:
    """Rename the live object's natural key so the replacement can take it."""
    if kind == "product":
        live = run.live.products[key]
        body = {"sku": tombstoned(live.sku or key, run.plan_id)}
    else:
        raise ApplyStepError(f"a {kind} cannot be replaced")
    await run.writer.update(f"/{kind}s/{run.ids.remote(kind, key)}", body, key=idem)


async def _version_change(run: Run, change: Change, key: Callable[[str], str]) -> None:
    subscription = run.desired.subscriptions[change.key]
    version = _declared_version(subscription, change)
    remote = run.ids.remote("subscription", change.key)
    body = version_to_wire(version, subscription, run.ids)
    if change.action is Action.UPDATE:
        before = change.before or {}
        version_id = await _live_version_id(run, remote, str(before.get("effective")))
        # A draft version is replaced whole (PUT, the SDK's `replace`): the API has no PATCH.
        await run.writer.replace(
            f"/subscriptions/{remote}/versions/{version_id}", body, key=key("update")
        )
        return
    live = run.live.subscriptions.get(change.key)
    created_now = ("subscription", change.key) in run.created
    if live is None or not live.activate or created_now:
        # A draft subscription: the version is a draft too, published by activation.
        await run.writer.create(f"/subscriptions/{remote}/versions", body, key=key("create"))
        return
    current = await run.reader.get(f"/subscriptions/{remote}/versions/current")
    request = change_body(version, subscription, run.ids, str(current["id"]), current["items"])
    await run.writer.action(f"/subscriptions/{remote}/changes", request, key=key("change"))


def _declared_version(subscription: Subscription, change: Change) -> Version:
    for version in subscription.versions:
        if effective_text(version) == change.version:
            return version
    raise ApplyStepError(f"{change.address} is not declared")


async def _live_version_id(run: Run, remote: str, effective: str) -> str:
    versions = await run.reader.get_list(f"/subscriptions/{remote}/versions")
    for version in versions:
        if str(version.get("effective_at", "")).startswith(effective):
            return str(version["id"])
    raise ApplyStepError(f"subscription {remote} has no live version effective {effective}")

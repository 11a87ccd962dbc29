"""The writes of one change: which requests, in which order, with which keys.

Owns the mapping from a planned `Change` to API writes; must not decide order between
changes (`executor`) or whether a plan may run (`planner`, `resume`). Each write is one
named step with an idempotency key (`keys`): creates, draft versions, Changes API
requests, activations and cancellations are keyed by their content (environment,
address, path, body), so any plan that makes the same write sends the same key and the
API runs it once; updates and renames are keyed by the plan, the change and the step.
A re-run repeats no step that already took effect.

Per action:
- `create`: POST to the kind's collection (a subscription with its first version only,
  as a draft: later versions and activation are their own changes). A subscription that
  sets a description, trial, discount or spend limit gets them by a PATCH right after
  (step `settings`): the SDK's create does not take them. An answer the API replayed
  from its idempotency store is checked with one GET: if the object no longer carries
  the natural key (renamed out of band since that create), the create is made again
  under the successor key (`keys.successor`); a replayed refusal (4xx) is asked afresh
  the same way.
- `update`: a PATCH of only the fields whose wire value differs from the live object as
  the plan read it (`wire.patch_body` of the declared and of the live resource, compared
  field by field), so an edit of another field made meanwhile is never overwritten; the
  object is read again right before, and if one of those fields changed since the plan
  read it (an edit in the dashboard while the prompt waited), the change fails with
  nothing written (`ChangedSinceReadError`, `recheck`). A subscription version's update
  (a draft, before activation) PATCHes that version, found by its effective date.
- `new_revision` (plans, metrics): POST a new plan with the revision marker
  (`wire.revisions.plan_create_body`), or a new metric, keyed by content like any create
  and by the revision it supersedes (the change's `remote_id`): returning to earlier
  content is a new revision, not the earlier create again; applies planned from the same
  live state still share the key. The current revision is left as it is (write-once: no
  update, no delete), superseded.
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

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from reconciler.api import ApiReader, ApiWriter
from reconciler.api.errors import ApiConflictError, ApiRejectedError
from reconciler.api.http import Outcome
from reconciler.api.reader import WireObject
from reconciler.apply.answers import answer_field, created_id
from reconciler.apply.keys import content_key, idempotency_key, successor, tombstoned
from reconciler.apply.recheck import ChangedSinceReadError, Recheck
from reconciler.diff.subscriptions import effective_text
from reconciler.errors import BillingError
from reconciler.live.identity import Matcher
from reconciler.model import (
    PATH_OF_KIND,
    Address,
    DesiredState,
    Kind,
    LiveState,
    Plan,
    Subscription,
    Version,
)
from reconciler.model.plan_marker import applied_by, split_marker
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
from reconciler.wire.revisions import plan_create_bodies

# How many times one create may find its object renamed away and be made again: each
# round needs an out-of-band rename of the object the previous round made, within the
# key window; more than this is not a race but something renaming on purpose.
MAX_CREATE_ROUNDS = 5
# How many times to look for a plan revision a concurrent apply is creating (0.5 s, 1 s...).
REVISION_LOOKUPS = 4

__all__ = ["ApplyStepError", "ChangedSinceReadError", "Ids", "Run", "perform"]


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
    # The diff's digest of each declared plan, by key (`DiffResult.plan_digests`): a new
    # revision's marker carries it; a plan missing here has its digest computed.
    plan_digests: Mapping[str, str] = field(default_factory=dict)
    created: set[tuple[str, str]] = field(default_factory=set)
    _matcher: Matcher | None = None
    _recheck: Recheck | None = None

    @property
    def environment(self) -> str:
        return self.desired.environment

    @property
    def matcher(self) -> Matcher:
        if self._matcher is None:
            self._matcher = Matcher(self.desired)
        return self._matcher

    @property
    def recheck(self) -> Recheck:
        if self._recheck is None:
            self._recheck = Recheck(self.live)
        return self._recheck

    _owners: dict[str, tuple[str, str]] | None = None

    def owner(self, remote: str) -> tuple[str, str] | None:
        """(kind, key) of the object this apply knows under `remote`: listed live
        (managed or not) or created so far; None for an id it has never seen."""
        if self._owners is None:
            self._owners = {o.remote_id: (o.kind, o.key) for o in self.live.unmanaged}
            self._owners.update((remote, address) for address, remote in self.ids.ids.items())
        return self._owners.get(remote)

    def record_created(self, kind: Kind, key: str, remote: str) -> None:
        self.owner(remote)  # the index exists from here on
        assert self._owners is not None
        self._owners[remote] = (kind, key)
        self.ids.ids[(kind, key)] = remote
        self.created.add((kind, key))

    @classmethod
    def start(
        cls,
        plan_id: str,
        desired: DesiredState,
        live: LiveState,
        reader: ApiReader,
        writer: ApiWriter,
        plan_digests: Mapping[str, str] | None = None,
    ) -> Run:
        known: dict[tuple[str, str], str] = {
            (a.kind, a.key): remote for a, remote in live.ids.items()
        }
        return cls(
            plan_id, desired, live, reader, writer, Ids(desired, known), dict(plan_digests or {})
        )


async def perform(run: Run, change: Change, key_base: str) -> None:
    """Make the writes of `change`. `key_base` names the change in plan-scoped keys: the
    change id of the plan that was reviewed (a resumed plan keeps its keys)."""

    def key(step: str) -> str:
        return idempotency_key(run.plan_id, key_base, step)

    kind, name = change.kind, change.key
    address = change.address.resource
    if change.version is not None:
        await _version_change(run, change, key)
    elif change.action is Action.CREATE:
        await _create(run, kind, name)
    elif change.action is Action.NEW_REVISION:
        # A plan's new revision is a new plan object; the current one stays live.
        await _create(run, kind, name, supersedes=change.remote_id)
    elif change.action is Action.REPLACE:
        await _tombstone(run, kind, name, key("tombstone"))
        await _create(run, kind, name)
    elif change.action is Action.UPDATE:
        await _update(run, kind, name, key("update"))
    elif change.action is Action.ACTIVATE:
        path = f"/subscriptions/{run.ids.remote(kind, name)}/activate"
        await run.writer.action(path, key=content_key(run.environment, address, "activate", path))
    elif change.action is Action.CANCEL:
        cancel = run.desired.subscriptions[name].cancel
        assert cancel is not None
        path = f"/subscriptions/{run.ids.remote(kind, name)}/cancel"
        body = cancellation_to_wire(cancel)
        await run.writer.action(
            path, body, key=content_key(run.environment, address, "cancel", path, body)
        )
    else:
        raise ApplyStepError(f"nothing to perform for {change.change_id}")


async def _update(run: Run, kind: Kind, name: str, idem: str) -> None:
    """Only what differs, re-checked just before the write (`recheck`)."""
    resource = run.desired.table(kind)[name]
    remote = run.ids.remote(kind, name)
    metadata = run.live.subscriptions[name].metadata if kind == "subscription" else None
    body = run.recheck.changed_fields(
        kind, name, patch_body(resource, name, run.ids, metadata), metadata
    )
    if body:
        body = await run.recheck.still_as_read(run.reader, kind, name, remote, body, metadata)
    if body:
        await run.writer.update(f"{PATH_OF_KIND[kind]}/{remote}", body, key=idem)


async def _create(run: Run, kind: Kind, key: str, supersedes: str | None = None) -> None:
    """`supersedes`: for a new revision (plan, metric), the remote id of the one it follows."""
    resource = run.desired.table(kind)[key]
    later: dict[str, object] = {}
    if isinstance(resource, Subscription):
        resource = resource.model_copy(update={"versions": resource.versions[:1]})
        body, later = subscription_create_bodies(resource, key, run.ids)
        keyed = body
    elif isinstance(resource, Plan):
        # The marker names the apply that creates a revision (saved plans use it); the
        # key does not, so two applies creating the same revision share one key.
        keyed, body = plan_create_bodies(
            resource, key, run.ids, applied_by(run.plan_id), run.plan_digests.get(key)
        )
    else:
        body = keyed = to_wire(resource, key, run.ids)
    # A new revision's key names the one it supersedes: content a plan or metric had
    # before (a price 1.00 -> 1.01 -> 1.00) is then a new create, not the earlier create's
    # key again, which the API would answer with that old, superseded object (or refuse,
    # for a plan's other `by=`).
    step = "create" if supersedes is None else f"create after {supersedes}"
    path, address = PATH_OF_KIND[kind], Address(kind, key)
    idem = content_key(run.environment, address, step, path, keyed)
    for _ in range(MAX_CREATE_ROUNDS):
        outcome = Outcome()
        try:
            created = await run.writer.create(path, body, key=idem, outcome=outcome)
        except (ApiRejectedError, ApiConflictError) as exc:
            if isinstance(resource, Plan) and exc.status == 422 and not outcome.replayed:
                # Another apply created this revision under the same key, with its own
                # name in the marker (same key, another body: 422): take that revision.
                made = await _revision_made_by_another(run, key, body)
                if made is not None:
                    run.record_created(kind, key, made)
                    return
            if not outcome.replayed:
                raise
            # The API replayed the refusal of an earlier request with this key (a 4xx
            # is stored for the key window): nothing was made by it, and what refused
            # it (an alias taken, say) may have changed since. Ask afresh, under a key
            # racing processes agree on.
            idem = successor(idem, f"refused {exc.status}")
            continue
        if outcome.replayed:
            replayed = str(answer_field(created, "id", "POST", path))
            if not await _still_named(run, kind, key, replayed):
                idem = successor(idem, replayed)
                continue
        # Verified before anything refers to it: the object sent, under an id no other
        # object of this apply has (`answers`).
        remote = created_id(kind, key, path, body, created, run.owner)
        run.record_created(kind, key, remote)
        if later:
            # The SDK's create has no description, trial, discount or spend limits: set
            # them (keyed by content: the same settings of the same new object).
            settings = f"{PATH_OF_KIND[kind]}/{remote}"
            step = content_key(run.environment, address, "settings", settings, later)
            await run.writer.update(settings, later, key=step)
        return
    raise ApplyStepError(
        f"{kind}.{key}: the object each create made was renamed away again, or its refusal"
        f" replayed, {MAX_CREATE_ROUNDS} times; something outside this catalog keeps"
        " changing it"
    )


async def _revision_made_by_another(run: Run, key: str, body: WireObject) -> str | None:
    """The id of a live plan carrying the same revision marker (catalog key and digest)
    as `body`, waiting briefly for a concurrent create still in flight; None if none.
    Revisions this apply read are not it: a superseded revision with that content (the
    plan had it before) is not the one being made now."""
    _, wanted = split_marker(str(body.get("description") or ""))
    if wanted is None:
        return None
    revisions = run.live.revisions.get(key)
    read: set[str] = set()
    if revisions is not None:
        read = {r.remote_id for r in (revisions.current, *revisions.superseded)}
    for attempt in range(REVISION_LOOKUPS):
        for plan in await run.reader.list_all(PATH_OF_KIND["plan"]):
            _, marker = split_marker(plan.get("description"))
            if str(plan.get("id")) in read or marker is None:
                continue
            if (marker.key, marker.digest) == (key, wanted.digest):
                return str(plan["id"])
        await asyncio.sleep(0.5 * (attempt + 1))
    return None


async def _still_named(run: Run, kind: Kind, key: str, remote: str) -> bool:
    """Whether the object a replayed create names still carries `key`'s natural key:
    made by a concurrent apply, or by an earlier attempt of ours (then it is the one),
    rather than made earlier and renamed out of band since (then it is not)."""
    obj = await run.reader.get(f"{PATH_OF_KIND[kind]}/{remote}")
    match = run.matcher.match(kind, obj)
    return match is not None and match.key == key and match.moved_from is None


async def _tombstone(run: Run, kind: Kind, key: str, idem: str) -> None:
    """Rename the live object's natural key so the replacement can take it."""
    if kind == "product":
        live = run.live.products[key]
        body = {"sku": tombstoned(live.sku or key, run.plan_id)}
    else:
        raise ApplyStepError(f"a {kind} cannot be replaced")
    await run.writer.update(f"{PATH_OF_KIND[kind]}/{run.ids.remote(kind, key)}", body, key=idem)


async def _version_change(run: Run, change: Change, key: Callable[[str], str]) -> None:
    subscription = run.desired.subscriptions[change.key]
    version = _declared_version(subscription, change)
    remote = run.ids.remote("subscription", change.key)
    body = version_to_wire(version, subscription, run.ids)
    env, address = run.environment, change.address
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
        path = f"/subscriptions/{remote}/versions"
        await run.writer.create(path, body, key=content_key(env, address, "create", path, body))
        return
    where = f"/subscriptions/{remote}/versions/current"
    current = await run.reader.get(where)
    request = change_body(
        version,
        subscription,
        run.ids,
        str(answer_field(current, "id", "GET", where)),
        answer_field(current, "items", "GET", where),
    )
    path = f"/subscriptions/{remote}/changes"
    await run.writer.action(path, request, key=content_key(env, address, "change", path, request))


def _declared_version(subscription: Subscription, change: Change) -> Version:
    for version in subscription.versions:
        if effective_text(version) == change.version:
            return version
    raise ApplyStepError(f"{change.address} is not declared")


async def _live_version_id(run: Run, remote: str, effective: str) -> str:
    where = f"/subscriptions/{remote}/versions"
    versions = await run.reader.get_list(where)
    for version in versions:
        if str(version.get("effective_at", "")).startswith(effective):
            return str(answer_field(version, "id", "GET", where))
    raise ApplyStepError(f"subscription {remote} has no live version effective {effective}")

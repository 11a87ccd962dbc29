"""`fetch_live`: reads the live account into a `LiveState` with the fewest requests.

Every kind is read through its list endpoint, whose objects carry every field the
catalog declares (ceil(N/100) requests per kind, all kinds concurrently). The only detail
reads the API forces are a subscription's versions (`GET /subscriptions/{id}/versions`,
one per managed subscription, concurrently): subscription objects do not carry items.
Objects are then mapped to catalog models in dependency order, each with the models of
the kinds it refers to, and fingerprinted. Nothing here writes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from reconciler.api.reader import ApiReader, WireObject
from reconciler.api.tasks import all_of
from reconciler.live.identity import DerivedKeys, Matcher, live_natural_keys
from reconciler.live.revisions import group_plans
from reconciler.live.seen import Seen
from reconciler.model import (
    KINDS,
    PATH_OF_KIND,
    TABLE_OF_KIND,
    Address,
    CatalogFile,
    DesiredState,
    Kind,
    LiveProblem,
    LiveState,
    Plan,
    Resource,
    UnmanagedObject,
    canonical_json,
    digest,
    with_dependencies,
)
from reconciler.model.collection import fewer_collections
from reconciler.wire import MapResolver, WireMappingError, from_wire


def fingerprint(resource: Resource) -> str:
    """A stable hash of an object's normalized form: equal iff the models are equal."""
    return digest(canonical_json(resource.model_dump(mode="json")), 32, labelled=True)


async def fetch_live(
    reader: ApiReader,
    desired: DesiredState,
    kinds: Iterable[Kind] = KINDS,
    seen: Seen | None = None,
) -> LiveState:
    """The live account as seen for `desired`: managed objects under their catalog keys,
    the rest unmanaged. Raises `ApiError` when a read fails (never returns a partial
    state that could look like an empty account), or when a kind lists empty that
    `seen` (the environment's record, `live.seen`) saw objects of."""
    # Millions of objects that live until the end: the collector need not rescan them
    # every 700 allocations (`fewer_collections`).
    with fewer_collections():
        order = with_dependencies(kinds)
        listed = await all_of(reader.list_all(PATH_OF_KIND[kind]) for kind in order)
        by_kind = dict(zip(order, listed, strict=True))
        del listed  # the builder owns the lists now (it drops each kind's once mapped)
        if seen is not None:
            seen.check({kind: len(objects) for kind, objects in by_kind.items()}, PATH_OF_KIND)
        return await _Builder(reader, desired, by_kind).build()


# Objects mapped between two turns of the event loop while versions are being read.
_MAP_BATCH = 50


class _Builder:
    """Assigns keys, reads versions, maps and fingerprints; one use per fetch."""

    def __init__(
        self, reader: ApiReader, desired: DesiredState, listed: dict[Kind, list[WireObject]]
    ) -> None:
        self._reader = reader
        self._desired = desired
        self._listed = listed
        self._matcher = Matcher(desired)
        self._tables: dict[Kind, dict[str, Resource]] = {kind: {} for kind in KINDS}
        self._unmanaged_tables: dict[Kind, dict[str, Resource]] = {kind: {} for kind in KINDS}
        self._ids: dict[Address, str] = {}
        self._moved: dict[Address, str] = {}
        self._unmanaged: list[UnmanagedObject] = []
        self._problems: list[LiveProblem] = []
        self._keys: dict[Kind, dict[str, tuple[str, bool]]] = {}  # remote id -> (key, managed)
        self._statuses: dict[str, str] = {}
        self._plans = group_plans(desired, listed.get("plan", []))
        self._sub_plan_ids: dict[str, str] = {}
        self._id_resolver: MapResolver | None = None
        # Superseded plan revisions: neither managed nor unmanaged, resolved to their key.
        self._aliases: dict[tuple[str, str], str] = {
            ("plan", remote): key
            for remote, key in self._plans.key_of.items()
            if self._plans.current(remote) is None
        }

    async def build(self) -> LiveState:
        for kind, objects in self._listed.items():
            self._assign_keys(kind, objects)
        # The versions reads (one request per managed subscription) run while the other
        # kinds are mapped: the mapping's CPU overlaps their latency and pacing.
        reading = asyncio.ensure_future(self._read_versions())
        try:
            for kind in self._listed:
                if kind != "subscription":
                    await self._map_kind(kind, {})
            versions = await reading
        finally:
            reading.cancel()  # a no-op once done; a mapping that raised leaves no reads behind
        if "subscription" in self._listed:
            await self._map_kind("subscription", versions)
        managed = {
            TABLE_OF_KIND[kind]: dict(sorted(table.items())) for kind, table in self._tables.items()
        }
        unmanaged = {
            TABLE_OF_KIND[kind]: dict(sorted(table.items()))
            for kind, table in self._unmanaged_tables.items()
        }
        return LiveState(
            environment=self._desired.environment,
            ids={a: r for a, r in self._ids.items() if a.key in self._tables[a.kind]},
            fingerprints={
                Address(kind, key): self._fingerprint(kind, key, resource)
                for kind, table in self._tables.items()
                for key, resource in table.items()
            },
            revisions={k: v for k, v in self._plans.revisions.items() if k in self._tables["plan"]},
            revision_keys=self._plans.key_of,
            subscription_plan_ids=self._sub_plan_ids,
            moved=self._moved,
            unmanaged=tuple(self._unmanaged),
            unmanaged_tables=CatalogFile(**unmanaged),
            problems=tuple(self._problems),
            statuses=dict(sorted(self._statuses.items())),
            **managed,
        ).mark_read_back()

    def _fingerprint(self, kind: Kind, key: str, resource: Resource) -> str:
        """A plan's fingerprint covers its revisions too (how many there are and the current
        one's digest, both the same in every run): a revision created since a plan was made
        makes that plan stale."""
        if not isinstance(resource, Plan) or key not in self._plans.revisions:
            return fingerprint(resource)
        revisions = self._plans.revisions[key]
        mark = f"|{len(revisions.superseded) + 1}|{revisions.current.digest}"
        return fingerprint(
            resource.model_copy(update={"description": f"{resource.description}{mark}"})
        )

    def _assign_keys(self, kind: Kind, objects: list[WireObject]) -> None:
        keys: dict[str, tuple[str, bool]] = {}
        derived = DerivedKeys(set(self._desired.table(kind)))
        claimed: dict[str, str] = {}
        # Metrics are write-once: a changed metric is a new one under the same name, so the
        # newest (the API lists oldest first) is managed and older ones are superseded.
        ordered = list(reversed(objects)) if kind == "metric" else objects
        for obj in ordered:
            remote = str(obj.get("id"))
            if kind == "metric":
                found = self._matcher.match(kind, obj)
                if found is not None and found.key in claimed:
                    self._aliases[("metric", remote)] = found.key
                    continue
            if kind == "plan" and remote in self._plans.key_of:
                plan_key = self._plans.current(remote)
                if plan_key is not None:
                    keys[remote] = (plan_key, True)
                    if plan_key in self._plans.moved:
                        self._moved[Address("plan", plan_key)] = self._plans.moved[plan_key]
                continue
            match = None if kind == "plan" else self._matcher.match(kind, obj)
            if match is not None and match.key not in claimed:
                claimed[match.key] = remote
                keys[remote] = (match.key, True)
                if match.moved_from is not None:
                    self._moved[Address(kind, match.key)] = match.moved_from
                continue
            if match is not None:
                self._problems.append(
                    LiveProblem(
                        kind=kind,
                        remote_id=remote,
                        key=match.key,
                        message=f"also matches {kind}.{match.key}, which is"
                        f" {claimed[match.key]}; the first one created is managed",
                    )
                )
            naturals = live_natural_keys(kind, obj) or [str(obj.get("name") or remote)]
            key = derived.key(naturals[0])
            keys[remote] = (key, False)
            self._unmanaged.append(
                UnmanagedObject(kind=kind, key=key, remote_id=remote, natural_key=naturals[0])
            )
        self._keys[kind] = keys
        for remote, (key, _) in keys.items():
            self._ids[Address(kind=kind, key=key)] = remote

    async def _map_kind(self, kind: Kind, versions: dict[str, list[WireObject]]) -> None:
        """Map every listed object of `kind` (after the kinds it refers to), letting the
        event loop run the requests in flight every `_MAP_BATCH` objects."""
        resolver = self._resolver().with_catalog(self._models())
        for n, obj in enumerate(self._listed[kind], start=1):
            if (kind, str(obj.get("id"))) not in self._aliases:
                self._map(kind, obj, versions.get(str(obj.get("id")), []), resolver)
            if n % _MAP_BATCH == 0:
                await asyncio.sleep(0)
        # Mapped: the listed objects (the JSON of every page) are needed no more, and
        # held to the end of the read they were most of its peak memory (issue 19).
        self._listed[kind] = []

    def _resolver(self) -> MapResolver:
        """Ids and aliases are complete once keys are assigned: their maps are built once,
        not again for every kind (10,000 ids at 10,000 resources)."""
        if self._id_resolver is None:
            self._id_resolver = MapResolver(CatalogFile(), self._ids, self._aliases)
        return self._id_resolver

    async def _read_versions(self) -> dict[str, list[WireObject]]:
        managed = [
            remote
            for remote, (_, is_managed) in self._keys.get("subscription", {}).items()
            if is_managed
        ]
        lists = await all_of(
            self._reader.get_list(f"/subscriptions/{remote}/versions") for remote in managed
        )
        return dict(zip(managed, lists, strict=True))

    def _map(
        self, kind: Kind, obj: WireObject, versions: list[WireObject], resolver: MapResolver
    ) -> None:
        remote = str(obj.get("id"))
        key, is_managed = self._keys[kind][remote]
        try:
            resource = from_wire(kind, obj, key, resolver, versions)
        except (WireMappingError, KeyError, TypeError, ValueError) as exc:
            self._problems.append(
                LiveProblem(kind=kind, remote_id=remote, key=key, message=_describe(exc))
            )
            return
        (self._tables if is_managed else self._unmanaged_tables)[kind][key] = resource
        if is_managed and kind == "subscription" and isinstance(obj.get("status"), str):
            self._statuses[key] = str(obj["status"])
        if kind == "subscription" and is_managed and obj.get("plan_id"):
            self._sub_plan_ids[key] = str(obj["plan_id"])

    def _models(self) -> CatalogFile:
        """Every live object mapped so far, managed or not, as the lookup for defaults."""
        merged: dict[str, dict[str, Any]] = {}
        for kind in KINDS:
            merged[TABLE_OF_KIND[kind]] = {**self._unmanaged_tables[kind], **self._tables[kind]}
        return CatalogFile.model_construct(None, **merged)


def _describe(exc: Exception) -> str:
    return f"cannot read it as a catalog resource: {exc}"

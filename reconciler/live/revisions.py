"""Which live plans are revisions of which declared plan, and which revision is current.

A plan read shows only name, currency and description, so a plan's identity is the
revision marker in its description (`reconciler.wire.revisions`): the catalog key that
created it and its content digest. Rules, for a declared plan `K`:

- its revisions are the live plans whose marker names `K` or one of its `moved_from` keys;
- when none does, the live plans named as `K` is named whose marker names no declared key
  (plans created outside the reconciler, or before a key rename without `moved_from`);
- the current revision is the newest of them (creation time, then list order: the API
  lists oldest first); the others are superseded. They stay live and keep serving the
  subscriptions created from them.

Every other live plan is unmanaged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from reconciler.api.reader import WireObject
from reconciler.model import DesiredState, PlanRevision, PlanRevisions
from reconciler.model.plan_marker import split_marker


@dataclass
class PlanGroups:
    """Revisions by declared plan key; `key_of` maps every revision id to its plan key."""

    revisions: dict[str, PlanRevisions] = field(default_factory=dict)
    key_of: dict[str, str] = field(default_factory=dict)
    moved: dict[str, str] = field(default_factory=dict)  # key -> the moved_from key used

    def current(self, remote_id: str) -> str | None:
        """The plan key of `remote_id` if it is a current revision."""
        key = self.key_of.get(remote_id)
        if key is None or self.revisions[key].current.remote_id != remote_id:
            return None
        return key


def revision_of(obj: WireObject) -> PlanRevision:
    _, marker = split_marker(obj.get("description"))
    return PlanRevision(
        remote_id=str(obj.get("id")),
        created_at=None if obj.get("created_at") is None else str(obj["created_at"]),
        digest=None if marker is None else marker.digest,
        marker_key=None if marker is None else marker.key,
        applied_by=None if marker is None else marker.by,
    )


_Entry = tuple[int, WireObject, PlanRevision]
"""A listed plan: its list position, the object and its revision."""


def group_plans(desired: DesiredState, objects: Sequence[WireObject]) -> PlanGroups:
    """The revisions of each declared plan (module docstring)."""
    read = [(index, obj, revision_of(obj)) for index, obj in enumerate(objects)]
    declared_keys = {
        name for key, plan in desired.plans.items() for name in (key, *plan.moved_from)
    }
    # Indexes instead of a scan of every live plan for every declared one (quadratic).
    by_marker: dict[str, list[_Entry]] = {}
    unclaimed_by_name: dict[object, list[_Entry]] = {}
    for entry in read:
        marker_key = entry[2].marker_key
        if marker_key is not None:
            by_marker.setdefault(marker_key, []).append(entry)
        if marker_key not in declared_keys:
            unclaimed_by_name.setdefault(entry[1].get("name"), []).append(entry)
    groups = PlanGroups()
    for key, plan in sorted(desired.plans.items()):
        claims = dict.fromkeys((key, *plan.moved_from))
        found = sorted(
            (entry for claim in claims for entry in by_marker.get(claim, ())),
            key=lambda e: e[0],
        )
        if not found:
            found = list(unclaimed_by_name.get(plan.name, ()))
        found = [entry for entry in found if entry[2].remote_id not in groups.key_of]
        if not found:
            continue
        newest_first = sorted(found, key=lambda e: (e[2].created_at or "", e[0]), reverse=True)
        revisions = [entry[2] for entry in newest_first]
        groups.revisions[key] = PlanRevisions(current=revisions[0], superseded=tuple(revisions[1:]))
        for revision in revisions:
            groups.key_of[revision.remote_id] = key
        marker_key = revisions[0].marker_key
        if marker_key is not None and marker_key != key:
            groups.moved[key] = marker_key
    return groups

"""`plan_create_bodies` (one mapping and one digest for both bodies of a plan's create,
issue 19: apply CPU) must give exactly the two bodies of two `plan_create_body` calls:
the keyed one hashes into the create's idempotency key, the other is sent."""

from __future__ import annotations

from pathlib import Path

import reconciler
from reconciler.apply.steps import Ids
from reconciler.diff import diff
from reconciler.model import LiveState
from reconciler.model.plan_marker import applied_by
from reconciler.wire.refs import CatalogModels, KeysAsIds
from reconciler.wire.revisions import plan_create_bodies, plan_create_body, plan_digest

REPO = Path(__file__).resolve().parents[2]


def test_both_bodies_are_those_of_two_calls() -> None:
    desired = reconciler.load_catalog(reconciler.open_project(REPO), "sandbox").desired
    ids = KeysAsIds(CatalogModels(desired))
    by = applied_by("p-0123456789ab")
    assert desired.plans
    for key, plan in sorted(desired.plans.items()):
        keyed, sent = plan_create_bodies(plan, key, ids, by)
        assert keyed == plan_create_body(plan, key, ids), key
        assert sent == plan_create_body(plan, key, ids, by), key
        # Same key order too: the request's JSON text is the same.
        assert list(sent) == list(plan_create_body(plan, key, ids, by)), key
        assert list(keyed) == list(plan_create_body(plan, key, ids)), key


def test_the_diffs_digests_are_those_the_apply_would_compute() -> None:
    """The apply writes the diff's digest of a plan into a new revision's marker
    (`DiffResult.plan_digests`); without one, `plan_create_bodies` computes it with the
    apply's resolver (`apply.steps.Ids`). They must be the same, or a plan applied one
    way would not converge when planned the other."""
    desired = reconciler.load_catalog(reconciler.open_project(REPO), "sandbox").desired
    result = diff(desired, LiveState(environment="sandbox"))
    assert sorted(result.plan_digests) == sorted(desired.plans)
    resolver = Ids(desired, {})
    for key, plan in sorted(desired.plans.items()):
        assert result.plan_digests[key] == plan_digest(plan, resolver), key

"""`plan_create_bodies` (one mapping and one digest for both bodies of a plan's create,
issue 19: apply CPU) must give exactly the two bodies of two `plan_create_body` calls:
the keyed one hashes into the create's idempotency key, the other is sent."""

from __future__ import annotations

from pathlib import Path

import reconciler
from reconciler.model.plan_marker import applied_by
from reconciler.wire.refs import CatalogModels, KeysAsIds
from reconciler.wire.revisions import plan_create_bodies, plan_create_body

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

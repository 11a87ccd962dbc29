"""The diff digests plans through one shared `CanonicalBundles` and reuses each plan's
normalized form (issue 19: plan CPU): the digests must be exactly those of the plain
`plan_digest(plan, models)`, which tests/test_identity_digests.py pins."""

from __future__ import annotations

from pathlib import Path

import reconciler
from reconciler.diff.normalize import normalize_one
from reconciler.wire.refs import CatalogModels
from reconciler.wire.revisions import CanonicalBundles, plan_digest

REPO = Path(__file__).resolve().parents[2]


def test_shared_lookup_and_normalized_plan_give_the_plain_digest() -> None:
    desired = reconciler.load_catalog(reconciler.open_project(REPO), "sandbox").desired
    models = CatalogModels(desired)
    shared = CanonicalBundles(models)
    uses_bundle = {
        key: any(item.bundle is not None for item in plan.items)
        for key, plan in desired.plans.items()
    }
    # Both paths of `content` are exercised: plans with and without bundle items.
    assert set(uses_bundle.values()) == {True, False}
    for key, plan in sorted(desired.plans.items()):
        normalized, problem = normalize_one(plan, key, models)
        assert problem is None
        plain = plan_digest(plan, models)
        assert plan_digest(plan, shared) == plain, key
        assert plan_digest(plan, shared, normalized) == plain, key
        # Twice through the shared lookup (its caches filled): still the same.
        assert plan_digest(plan, shared, normalized) == plain, key

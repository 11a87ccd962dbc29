"""`fetch_live` maps each kind after the kinds it refers to."""

from __future__ import annotations

from reconciler.model import with_dependencies


def test_plans_are_read_with_and_after_their_bundles() -> None:
    # KINDS lists plans before bundles; plan items refer to bundles (regression)
    assert with_dependencies(["plan"]) == ["metric", "product", "bundle", "plan"]
    assert with_dependencies(["subscription"])[-1] == "subscription"
    assert with_dependencies(["customer"]) == ["customer"]

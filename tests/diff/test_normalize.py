"""`normalize_one` keeps a resource already in canonical form as it is (issue 19: the
diff's second copy of the catalog), and returns the canonical copy whenever any output
could tell the two apart."""

from __future__ import annotations

from reconciler.diff.normalize import normalize_one
from reconciler.model import Bundle, Customer, Item, Metric, Plan, Product, Subscription
from reconciler.wire.refs import CatalogModels
from tests.diff.catalog import DESIRED, PLANS, PRODUCTS, edit, unit

MODELS = CatalogModels(DESIRED)


def test_a_canonical_resource_is_kept_as_it_is() -> None:
    metric = DESIRED.metrics["api_calls"]
    assert normalize_one(metric, "api_calls", MODELS) == (metric, None)
    product = PRODUCTS["api"]
    assert normalize_one(product, "api", MODELS)[0] is product


def test_equal_but_written_otherwise_gives_the_canonical_copy() -> None:
    """`49.00` equals `49`, but dumps apart: the plan's `after` must show `49`."""
    plan = PLANS["starter"]
    normalized, problem = normalize_one(plan, "starter", MODELS)
    assert problem is None
    assert normalized == plan  # Decimal("49.00") == Decimal("49")
    assert normalized is not plan
    assert '"49.00"' in plan.model_dump_json()
    assert '"49.00"' not in normalized.model_dump_json()


def test_a_difference_gives_the_canonical_copy() -> None:
    moved = edit(DESIRED, "product", "api", moved_from=("old_api",)).products["api"]
    normalized, problem = normalize_one(moved, "api", MODELS)
    assert problem is None and normalized is not moved
    assert normalized.moved_from == ()


def test_a_resource_that_cannot_be_normalized_is_kept_with_why() -> None:
    item = Item(product="nowhere", price=unit("1"))
    broken = edit(DESIRED, "plan", "starter", items=(item,)).plans["starter"]
    normalized, problem = normalize_one(broken, "starter", MODELS)
    assert normalized is broken
    assert problem is not None and "nowhere" in problem


def test_equal_means_alike_only_without_decimals() -> None:
    """Kinds with no decimal (or float) anywhere need no dump to compare."""
    from reconciler.diff.normalize import _equal_is_alike

    alike = {cls.__name__: _equal_is_alike(cls) for cls in (Metric, Product, Customer)}
    assert alike == {"Metric": True, "Product": True, "Customer": True}
    assert not any(_equal_is_alike(cls) for cls in (Plan, Bundle, Subscription))

"""Changes come in apply order: by dependency, then key; the result is deterministic."""

from __future__ import annotations

import datetime as dt

from reconciler.diff import diff
from reconciler.model import LiveState, Version
from reconciler.plan import apply_order
from tests.diff.catalog import DESIRED, START, edit

LATER = dt.date(2026, 7, 1)


def test_dependency_order_from_an_empty_account() -> None:
    second = DESIRED.subscriptions["acme_main"].model_copy(
        update={
            "activate": True,
            "versions": (
                Version(effective=START),
                Version(effective="end_of_term"),
                Version(effective="immediate"),
                Version(effective=LATER),
            ),
        }
    )
    desired = edit(DESIRED, "subscription", "acme_main", activate=True).model_copy(
        update={"subscriptions": {**DESIRED.subscriptions, "aaa": second}}
    )
    desired = edit(desired, "subscription", "acme_main", activate=True)
    result = diff(desired, LiveState(environment="test"))
    assert [(c.address, c.action.value) for c in result.changes] == [
        ("metric.api_calls", "create"),
        ("metric.storage_gb", "create"),
        ("product.api", "create"),
        ("product.platform", "create"),
        ("product.storage", "create"),
        ("bundle.addons", "create"),  # bundles before plans: plan items name bundles
        ("plan.starter", "create"),
        ("customer.acme", "create"),
        ("subscription.aaa", "create"),
        ("subscription.acme_main", "create"),
        ("subscription.aaa.versions[2026-07-01]", "new_version"),  # dates, then keywords
        ("subscription.aaa.versions[immediate]", "new_version"),  # chronologically
        ("subscription.aaa.versions[end_of_term]", "new_version"),
        ("subscription.aaa", "activate"),  # activation publishes the drafts: last
        ("subscription.acme_main", "activate"),
    ]
    assert list(result.changes) == sorted(result.changes, key=apply_order)


def test_the_result_is_deterministic() -> None:
    empty = LiveState(environment="test")
    shuffled = DESIRED.model_copy(
        update={"products": dict(reversed(list(DESIRED.products.items())))}
    )
    assert diff(DESIRED, empty) == diff(shuffled, empty)

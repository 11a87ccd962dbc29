"""The kind registry (`reconciler.model.kinds`) agrees with the models and the API it
describes: one place for each kind's table, path, rank, references and natural key."""

from __future__ import annotations

import pytest

from reconciler.model import (
    KIND_FACTS,
    KIND_OF_TABLE,
    KINDS,
    PATH_OF_KIND,
    RESOURCE_CLASS,
    TABLES,
    CatalogFile,
    Kind,
    kind_rank,
    with_dependencies,
)
from reconciler.plan import Action, Change, apply_order
from reconciler.wire import NO_UPDATE_ENDPOINT


def test_registry_lists_every_kind_in_dependency_order() -> None:
    assert tuple(KIND_FACTS) == KINDS
    assert [kind_rank(k) for k in KINDS] == list(range(len(KINDS)))
    for kind, facts in KIND_FACTS.items():
        assert facts.kind == kind
        assert all(kind_rank(d) < kind_rank(kind) for d in facts.depends_on), kind


def test_tables_and_paths_name_the_catalog_models_and_collections() -> None:
    assert set(TABLES) == set(KIND_OF_TABLE) == {KIND_FACTS[k].table for k in KINDS}
    assert set(TABLES) <= set(CatalogFile.model_fields)
    for kind in KINDS:
        field = CatalogFile.model_fields[KIND_FACTS[kind].table]
        assert RESOURCE_CLASS[kind].__name__ in str(field.annotation), kind
    assert PATH_OF_KIND["subscription"] == "/subscriptions"
    assert PATH_OF_KIND["metric"] == "/metrics"


def test_natural_keys_are_what_docs_say() -> None:
    assert {k: f.natural_key for k, f in KIND_FACTS.items()} == {
        "metric": "name",
        "product": "sku",
        "bundle": "name",
        "plan": "name",
        "customer": "alias",
        "subscription": "billing_key",
    }
    assert frozenset({"metric", "plan"}) == NO_UPDATE_ENDPOINT


@pytest.mark.parametrize(
    ("wanted", "read"),
    [
        (["plan"], ["metric", "product", "bundle", "plan"]),
        (["customer"], ["customer"]),
        (["subscription"], list(KINDS)),
        (["bundle", "metric"], ["metric", "product", "bundle"]),
    ],
)
def test_reading_a_kind_reads_what_it_refers_to(wanted: list[Kind], read: list[Kind]) -> None:
    assert with_dependencies(wanted) == read


def test_apply_order_ranks_kinds_by_the_registry() -> None:
    changes = [
        Change(
            address=f"{kind}.k",
            kind=kind,
            key="k",
            action=Action.CREATE,
            after={},
        )
        for kind in reversed(KINDS)
    ]
    assert [c.kind for c in sorted(changes, key=apply_order)] == list(KINDS)

"""The kind registry: every fact about a resource kind, written once.

Six kinds, listed in dependency order (`rank`): apply creates them in this order, a live
read reads each kind after the kinds its objects refer to, and plans, diffs and reports
list kinds in it. Every other module looks a kind's facts up here (`KIND_FACTS[kind]`)
or in the views derived below, instead of spelling `f"{kind}s"` or its own rank table.

Facts (DESIGN §3, §6):
- `table`: the catalog table (`[products.<key>]`) and the `CatalogFile` field.
- `path`: the Alguna v2 collection (`/products`; an object is `<path>/<id>`).
- `rank`: position in dependency order.
- `depends_on`: the kinds its objects refer to (reading it needs them).
- `natural_key`: what identifies a live object as a declared one (`live.identity`):
  metric, plan and bundle `name`, product `sku`, customer `alias`, subscription
  `billing_key` (in its metadata).
- `id_prefix`: the prefix of its remote ids, where Alguna's ids have a distinct one
  (an answer carrying another kind's prefix is refused).
- `write_once`: v2 has no update for it: a change is a new object (plans and metrics).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, get_args

Kind = Literal["metric", "product", "bundle", "plan", "customer", "subscription"]
KINDS: tuple[Kind, ...] = get_args(Kind)
"""Every kind, in dependency order."""


@dataclass(frozen=True)
class KindFacts:
    """What the reconciler knows about one kind (module docstring)."""

    kind: Kind
    natural_key: str
    depends_on: frozenset[Kind] = frozenset()
    id_prefix: str | None = None
    write_once: bool = False

    @property
    def table(self) -> str:
        return f"{self.kind}s"

    @property
    def path(self) -> str:
        return f"/{self.table}"

    @property
    def rank(self) -> int:
        return KINDS.index(self.kind)


KIND_FACTS: Mapping[Kind, KindFacts] = {
    facts.kind: facts
    for facts in (
        KindFacts("metric", natural_key="name", id_prefix="mtr_", write_once=True),
        KindFacts(
            "product", natural_key="sku", depends_on=frozenset({"metric"}), id_prefix="prod_"
        ),
        KindFacts(
            "bundle",
            natural_key="name",
            depends_on=frozenset({"metric", "product"}),
            id_prefix="bnd_",
        ),
        KindFacts(
            "plan",
            natural_key="name",
            depends_on=frozenset({"metric", "product", "bundle"}),
            id_prefix="pln_",
            write_once=True,
        ),
        KindFacts("customer", natural_key="alias"),
        KindFacts(
            "subscription",
            natural_key="billing_key",
            depends_on=frozenset({"metric", "product", "bundle", "plan", "customer"}),
        ),
    )
}

TABLE_OF_KIND: Mapping[Kind, str] = {kind: KIND_FACTS[kind].table for kind in KINDS}
KIND_OF_TABLE: Mapping[str, Kind] = {table: kind for kind, table in TABLE_OF_KIND.items()}
PATH_OF_KIND: Mapping[Kind, str] = {kind: KIND_FACTS[kind].path for kind in KINDS}


def kind_rank(kind: Kind) -> int:
    """`kind`'s position in dependency order: the sort key of kinds."""
    return KIND_FACTS[kind].rank


def with_dependencies(kinds: Iterable[Kind]) -> list[Kind]:
    """`kinds` plus what they refer to, in dependency order (each after its references)."""
    wanted = set(kinds)
    for kind in list(wanted):
        wanted |= KIND_FACTS[kind].depends_on
    return [kind for kind in KINDS if kind in wanted]

"""A plan's items for import, from a subscription created from it.

Alguna cannot show a plan's items or terms (a plan read carries only id, name, currency
and description). When a subscription was created from a plan, the API copied the
plan's items into the subscription's first version, which can be read: the import takes
the plan's items from there and says so in the imported file (`ItemsSource`). Its terms
are not recoverable and are not imported. A subscription whose first version overrode a
plan item shows the override, not the plan's price: the comment asks for a check.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reconciler.api import ApiReader
from reconciler.model import Address, LiveState, Plan
from reconciler.wire import MapResolver, WireMappingError, versions_from_wire


@dataclass(frozen=True)
class ItemsSource:
    """Where an imported plan's items come from: `subscription` (its remote id) and the
    effective date of the version read; None: no subscription was created from it."""

    subscription: str | None = None
    effective: str | None = None

    def lines(self) -> list[str]:
        if self.subscription is None:
            return [
                "Alguna cannot show a plan's items or terms, and no subscription was created",
                "from this plan: declare its items (and terms) by hand.",
            ]
        return [
            "Alguna cannot show a plan's items or terms: these items are those subscription",
            f"{self.subscription} copied from it (its version effective {self.effective}).",
            "Check them (that version may override some) and add the plan's terms.",
        ]


async def with_plan_items(
    reader: ApiReader, live: LiveState, subscriptions: Sequence[Mapping[str, Any]]
) -> tuple[LiveState, dict[str, ItemsSource]]:
    """`live` with the items of every plan that has none filled from the first version of
    the first subscription created from it (one versions read per such plan)."""
    ids = _all_ids(live)
    plan_ids = {(address.kind, remote): address.key for address, remote in ids.items()}
    wanted: dict[str, str] = {}  # plan key -> subscription remote id
    for obj in subscriptions:
        key = plan_ids.get(("plan", str(obj.get("plan_id"))))
        if key is not None and key not in wanted:
            wanted[key] = str(obj.get("id"))
    tables = {"plans": dict(live.plans)}
    unmanaged = {"plans": dict(live.unmanaged_tables.plans)}
    empty = [
        key
        for key, plan in (*tables["plans"].items(), *unmanaged["plans"].items())
        if not plan.items
    ]
    reads = [key for key in empty if key in wanted]
    lists = await asyncio.gather(
        *(reader.get_list(f"/subscriptions/{wanted[key]}/versions") for key in reads)
    )
    resolver = MapResolver(live.with_unmanaged(), ids)
    sources = {key: ItemsSource() for key in empty}
    for key, versions in zip(reads, lists, strict=True):
        try:
            read = versions_from_wire(versions, resolver)
        except WireMappingError:
            continue
        if not read or not read[0].items:
            continue
        first = read[0]
        table = tables if key in tables["plans"] else unmanaged
        plan: Plan = table["plans"][key]
        table["plans"][key] = plan.model_copy(update={"items": first.items})
        sources[key] = ItemsSource(wanted[key], str(first.effective))
    return (
        live.model_copy(
            update={
                "plans": tables["plans"],
                "unmanaged_tables": live.unmanaged_tables.model_copy(update=unmanaged),
            }
        ),
        sources,
    )


def _all_ids(live: LiveState) -> dict[Address, str]:
    ids = dict(live.ids)
    for obj in live.unmanaged:
        ids.setdefault(Address(kind=obj.kind, key=obj.key), obj.remote_id)
    return ids

"""Which unmanaged live objects an import takes, and what each needs first.

Input: the live state read for the current catalog (`LiveState.unmanaged` and the models
in `unmanaged_tables`, under keys derived from their natural keys) and the raw list
objects (to see which natural key an object really carries).

Rules:
- Filters: `kinds` (empty: all) and `pattern`, a case-insensitive glob matched against
  the derived key, the natural key and the object's name.
- An object is imported only if the catalog can recognise it afterwards by its natural
  key (DESIGN §6): metrics, plans and bundles by name (always); products by `sku`,
  customers by an alias, subscriptions by `metadata.billing_key` (+ `managed_by`). Without
  one, it needs *adoption*: writing that natural key on the live object (`sku = <key>`,
  alias `<key>`, the subscription metadata). Adoption is done only when asked
  (`--adopt`), else the object is skipped with what to do. Writing a catalog entry that
  matches nothing would make the next plan create a duplicate, which is never acceptable.
- Skipped, with the reason: objects that could not be read into a catalog model; objects
  whose natural key is ambiguous (two live objects with the same name, or a duplicate of a
  managed object); the old objects a replace renamed out of the way (`~replaced-`).
- Dependencies are pulled in: an object referring to another unmanaged object (a plan's
  product, a subscription's customer or plan...) brings it into the import, since the
  catalog must declare what its resources refer to. If that dependency cannot be
  imported, neither can the objects that need it (skipped, saying why).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from alguna_pricing.model.prices import ExpressionPrice
from reconciler.apply.keys import tombstone_suffix
from reconciler.live.identity import live_natural_keys
from reconciler.model import (
    KINDS,
    PATH_OF_KIND,
    Address,
    Bundle,
    DesiredState,
    Item,
    Kind,
    LiveState,
    Product,
    ProductItem,
    Resource,
    Subscription,
)
from reconciler.model import Plan as PlanModel
from reconciler.planning.targeting import references
from reconciler.wire.subscriptions import MANAGED_BY_VALUE

REPLACED_MARK = tombstone_suffix("")  # the suffix of any plan


@dataclass(frozen=True)
class Adoption:
    """The write that gives a live object the natural key its catalog entry uses."""

    path: str
    body: dict[str, Any]
    description: str


@dataclass(frozen=True)
class Candidate:
    """An unmanaged live object to import under `kind.key`."""

    kind: Kind
    key: str
    remote_id: str
    natural_key: str
    model: Resource
    adoption: Adoption | None = None
    needed_by: tuple[Address, ...] = ()

    @property
    def address(self) -> Address:
        return Address(self.kind, self.key)


@dataclass(frozen=True)
class Skipped:
    """An unmanaged live object that is not imported, and why."""

    address: Address
    remote_id: str
    reason: str


@dataclass
class Selected:
    candidates: dict[Address, Candidate] = field(default_factory=dict)
    skipped: dict[Address, Skipped] = field(default_factory=dict)


def select_candidates(
    live: LiveState,
    desired: DesiredState,
    raw: Mapping[Kind, Sequence[Mapping[str, Any]]],
    *,
    kinds: Iterable[Kind] = (),
    pattern: str | None = None,
    adopt: bool = False,
) -> Selected:
    """The objects to import and the ones left out (module docstring)."""
    wanted = set(kinds) or set(KINDS)
    by_id = {str(obj.get("id")): obj for kind in raw for obj in raw[kind]}
    problems = {(p.kind, p.remote_id): p for p in live.problems}
    duplicates = _duplicate_natural_keys(live)
    result = Selected()
    considered: dict[Address, tuple[Candidate | None, Skipped | None]] = {}
    for unmanaged in live.unmanaged:
        address = Address(unmanaged.kind, unmanaged.key)
        model = live.unmanaged_tables.table(unmanaged.kind).get(unmanaged.key)
        obj = by_id.get(unmanaged.remote_id, {})
        problem = problems.get((unmanaged.kind, unmanaged.remote_id))
        reason = None
        if REPLACED_MARK in unmanaged.natural_key:
            reason = "the old object of an earlier replace, renamed out of the way; not imported"
        elif model is None:
            reason = problem.message if problem else "could not be read as a catalog resource"
        elif problem is not None:
            reason = f"ambiguous: {problem.message}; rename one of them in Alguna first"
        elif (unmanaged.kind, unmanaged.natural_key) in duplicates and _has_natural_key(
            unmanaged.kind, obj
        ):
            reason = (
                f"ambiguous: another live {unmanaged.kind} has the same natural key"
                f" {unmanaged.natural_key!r}; rename one of them in Alguna first"
            )
        if reason is not None or model is None:
            considered[address] = (None, Skipped(address, unmanaged.remote_id, str(reason)))
            continue
        adoption = _adoption(unmanaged.kind, unmanaged.key, unmanaged.remote_id, obj)
        candidate = Candidate(
            kind=unmanaged.kind,
            key=unmanaged.key,
            remote_id=unmanaged.remote_id,
            natural_key=unmanaged.natural_key,
            model=model,
            adoption=adoption,
        )
        if adoption is not None and not adopt:
            considered[address] = (
                None,
                Skipped(
                    address,
                    unmanaged.remote_id,
                    f"has no natural key the catalog could recognise it by; rerun with --adopt"
                    f" to {adoption.description} on the live object",
                ),
            )
            continue
        considered[address] = (candidate, None)
    naturals = {Address(u.kind, u.key): u.natural_key for u in live.unmanaged}
    chosen = [
        address
        for address, (candidate, _) in considered.items()
        if _matches(address, candidate, wanted, pattern, naturals)
    ]
    _resolve(chosen, considered, desired, result)
    return result


def _has_natural_key(kind: Kind, obj: Mapping[str, Any]) -> bool:
    return bool(live_natural_keys(kind, obj))


def _duplicate_natural_keys(live: LiveState) -> set[tuple[Kind, str]]:
    seen: dict[tuple[Kind, str], int] = {}
    for unmanaged in live.unmanaged:
        pair = (unmanaged.kind, unmanaged.natural_key)
        seen[pair] = seen.get(pair, 0) + 1
    return {pair for pair, count in seen.items() if count > 1}


def _adoption(kind: Kind, key: str, remote_id: str, obj: Mapping[str, Any]) -> Adoption | None:
    if _has_natural_key(kind, obj):
        return None
    path = f"{PATH_OF_KIND[kind]}/{remote_id}"
    if kind == "product":
        return Adoption(path, {"sku": key}, f'set sku = "{key}"')
    if kind == "customer":
        return Adoption(path, {"aliases": [key]}, f'add the alias "{key}"')
    if kind == "subscription":
        return Adoption(
            path,
            {"metadata": {"billing_key": key, "managed_by": MANAGED_BY_VALUE}},
            f'set metadata billing_key = "{key}", managed_by = "{MANAGED_BY_VALUE}"',
        )
    return None


def _matches(
    address: Address,
    candidate: Candidate | None,
    wanted: set[Kind],
    pattern: str | None,
    naturals: Mapping[Address, str],
) -> bool:
    if address.kind not in wanted:
        return False
    if pattern is None:
        return True
    natural = naturals.get(address, "")
    model = candidate.model if candidate is not None else None
    name = getattr(model, "name", None) or ""
    wanted_pattern = pattern.lower()
    return any(
        fnmatch.fnmatchcase(text.lower(), wanted_pattern)
        for text in (address.key, natural, str(name))
        if text
    )


def _resolve(
    chosen: list[Address],
    considered: Mapping[Address, tuple[Candidate | None, Skipped | None]],
    desired: DesiredState,
    result: Selected,
) -> None:
    """Pull dependencies in; skip what depends on an object that cannot be imported."""
    needed_by: dict[Address, list[Address]] = {}
    order: list[Address] = []
    work = list(chosen)
    while work:
        address = work.pop(0)
        if address in order:
            continue
        order.append(address)
        candidate, _ = considered[address]
        if candidate is None:
            continue
        for dep in sorted(references(candidate.model)):
            if dep.key in desired.table(dep.kind) or dep not in considered:
                continue  # declared (managed, or to be created by the catalog)
            needed_by.setdefault(dep, []).append(address)
            work.append(dep)
    blocked = _blocked(order, considered)
    for address in order:
        candidate, skipped = considered[address]
        if skipped is not None:
            result.skipped[address] = skipped
        elif address in blocked:
            assert candidate is not None
            result.skipped[address] = Skipped(address, candidate.remote_id, blocked[address])
        else:
            assert candidate is not None
            by = tuple(sorted(set(needed_by.get(address, ()))) if address not in chosen else ())
            result.candidates[address] = Candidate(
                kind=candidate.kind,
                key=candidate.key,
                remote_id=candidate.remote_id,
                natural_key=candidate.natural_key,
                model=candidate.model,
                adoption=candidate.adoption,
                needed_by=by,
            )


def _blocked(
    order: list[Address], considered: Mapping[Address, tuple[Candidate | None, Skipped | None]]
) -> dict[Address, str]:
    """Candidates that refer, directly or not, to an object that is skipped."""
    blocked: dict[Address, str] = {}
    changed = True
    while changed:
        changed = False
        for address in order:
            candidate, _ = considered[address]
            if candidate is None or address in blocked:
                continue
            for dep in sorted(references(candidate.model)):
                if dep not in considered:
                    continue
                dep_candidate, dep_skipped = considered[dep]
                if dep_candidate is None or dep in blocked:
                    why = dep_skipped.reason if dep_skipped else blocked[dep]
                    blocked[address] = f"refers to {dep}, which cannot be imported ({why})"
                    changed = True
                    break
    return blocked


_USAGE = re.compile(r"\busage\.([a-z][a-z0-9_]*)")


def expression_renames(selected: Selected, live: LiveState, desired: DesiredState) -> Selected:
    """`selected` with metric keys renamed to what expression prices call them.

    An expression names its metrics by catalog key (`usage.gpu_seconds`), and the loader
    requires each to be one of the price's metrics. A metric imported under a key
    derived from its name (`gpu_runner_seconds`) would not be; so when an imported
    expression price reads exactly one name that none of its metrics has, and exactly
    one of its imported metrics is read by no name, that metric takes the name (if it
    is free). Anything less certain is left to the loader's check, which then says why.
    """
    models = {kind: {**live.unmanaged_tables.table(kind), **live.table(kind)} for kind in KINDS}
    imported = set(selected.candidates)
    taken = set(desired.metrics) | {
        c.key for c in selected.candidates.values() if c.kind == "metric"
    }
    renames: dict[Address, str] = {}
    for candidate in selected.candidates.values():
        for price, product in _expression_prices(candidate.model):
            owner = models["product"].get(product)
            own = owner.metrics if isinstance(owner, Product) else ()
            metric_keys = list(price.metrics or own)
            text = " ".join(
                f"{c.quantity_expression} {c.unit_price_expression}" for c in price.charges
            )
            names = set(_USAGE.findall(text))
            unread = [m for m in metric_keys if m not in names and Address("metric", m) in imported]
            unknown = sorted(names - set(metric_keys))
            if len(unread) == 1 and len(unknown) == 1 and unknown[0] not in taken:
                renames.setdefault(Address("metric", unread[0]), unknown[0])
                taken.add(unknown[0])
    if not renames:
        return selected
    out = Selected(skipped=dict(selected.skipped))
    for address, candidate in selected.candidates.items():
        new_key = renames.get(address, candidate.key)
        moved = Candidate(
            kind=candidate.kind,
            key=new_key,
            remote_id=candidate.remote_id,
            natural_key=candidate.natural_key,
            model=candidate.model,
            adoption=candidate.adoption,
            needed_by=tuple(
                Address("metric", renames[n]) if n in renames else n for n in candidate.needed_by
            ),
        )
        out.candidates[moved.address] = moved
    return out


def _expression_prices(model: Resource) -> Iterable[tuple[ExpressionPrice, str]]:
    items: list[Item | ProductItem] = []
    if isinstance(model, Bundle | PlanModel):
        items.extend(model.items)
    elif isinstance(model, Subscription):
        for version in model.versions:
            items.extend(version.items)
    for item in list(items):
        if isinstance(item, Item):
            items.extend(item.items or ())
    for item in items:
        if isinstance(item.price, ExpressionPrice) and item.product is not None:
            yield item.price, item.product

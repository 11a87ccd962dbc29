"""Which catalog fields the API cannot change in place, per kind.

A change to one of these fields cannot be an `update`: the planner makes it a `replace`
(or, for subscription items, a new version). Field names are the catalog models' names.

- product: the API refuses `fee_type`, `payment_terms`, `billing_frequency` and
  `metric_ids` (catalog `metrics`) on PATCH (alguna-api.md sections 2 and 12).
- subscription: PATCH takes neither the customer, the plan, the currency nor the contract
  (section 8.4); items change through versions, never PATCH.
- plan: a plan's currency is fixed when it is created (the emulator refuses it on its
  assumed PATCH; docs/api-compatibility.md).
- metric, plan: v2 documents no update endpoint at all (`NO_UPDATE_ENDPOINT`).
- bundle, customer: every declared field is patchable.
"""

from __future__ import annotations

from collections.abc import Mapping

from reconciler.model import KIND_FACTS, Kind

IMMUTABLE_FIELDS: Mapping[Kind, frozenset[str]] = {
    "metric": frozenset(),
    "product": frozenset({"fee_type", "payment_terms", "billing_frequency", "metrics"}),
    "plan": frozenset({"currency"}),
    "bundle": frozenset(),
    "customer": frozenset(),
    "subscription": frozenset({"customer", "plan", "currency", "contract"}),
}

NO_UPDATE_ENDPOINT: frozenset[Kind] = frozenset(k for k, f in KIND_FACTS.items() if f.write_once)
"""Kinds v2 offers no update for: any change to a live one cannot be made in place."""

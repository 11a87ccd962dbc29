"""`Declared`: the merged catalog as the rules see it.

Holds the resources that passed shape validation, and the keys of *every* declared
resource, valid or not, so that a reference to a resource with its own problems is not
reported a second time as unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reconciler.model import Bundle, Customer, Kind, Metric, Plan, Product, Subscription


@dataclass
class Declared:
    metrics: dict[str, Metric] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    plans: dict[str, Plan] = field(default_factory=dict)
    bundles: dict[str, Bundle] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)
    subscriptions: dict[str, Subscription] = field(default_factory=dict)
    keys: dict[Kind, set[str]] = field(default_factory=dict)

    def has(self, kind: Kind, key: str) -> bool:
        return key in self.keys.get(kind, set())

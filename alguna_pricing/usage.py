"""`Usage`: what was consumed in one billing period, the engine's only varying input.

Each pricing model reads the fields it needs and ignores the rest: unit and the unit-tier
models read `quantity`; the percentage models read `volume` (and `volume_percentage` also
`transactions`); expression prices read `metrics`; `fixed` reads nothing; `matrix`
prices read only `groups` (usage split by event properties, see `UsageGroup`).
`period_index` places the period in the contract for trials and fixed-duration discounts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from alguna_pricing.errors import InvalidUsageError


def _amount(name: str, value: object, *, signed: bool = False) -> Decimal:
    """`value` as a finite Decimal; ints are accepted, floats never (they are not exact)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise InvalidUsageError(
            f"usage {name} must be a Decimal or an int, not {type(value).__name__}"
        )
    amount = Decimal(value)
    if not amount.is_finite():
        raise InvalidUsageError(f"usage {name} must be finite, got {amount}")
    if not signed and amount < 0:
        raise InvalidUsageError(f"usage {name} must not be negative, got {amount}")
    return amount


def _count(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidUsageError(f"usage {name} must be a whole number >= 0, got {value!r}")
    return value


@dataclass(frozen=True)
class UsageGroup:
    """The usage of the events that share some property values, for a `matrix` price.

    Contract: `properties` maps event property keys to string values (an absent key is an
    event without that property) and is copied read-only; `quantity` and `volume` are
    finite, non-negative Decimals; `transactions` an int >= 0 (as in `Usage`). A matrix
    price routes the group to one cell by its properties and prices the cell's total.
    """

    properties: Mapping[str, str] = field(default_factory=dict, hash=False)
    quantity: Decimal = Decimal(0)
    volume: Decimal = Decimal(0)
    transactions: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.properties, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.properties.items()
        ):
            raise InvalidUsageError("usage group properties must map strings to strings")
        object.__setattr__(self, "properties", MappingProxyType(dict(self.properties)))
        object.__setattr__(self, "quantity", _amount("group quantity", self.quantity))
        object.__setattr__(self, "volume", _amount("group volume", self.volume))
        _count("group transactions", self.transactions)

    def describe(self) -> str:
        """`region=eu, tier=gold` (or `no properties`)."""
        shown = ", ".join(f"{k}={v}" for k, v in self.properties.items())
        return shown or "no properties"


@dataclass(frozen=True)
class Usage:
    """One billing period's usage.

    Contract: `quantity` and `volume` are finite, non-negative Decimals (ints are converted;
    floats are rejected with `InvalidUsageError`); `transactions` and `period_index` are ints
    >= 0; `metrics` maps metric keys (as written after `usage.` in expressions) to finite
    Decimals, which may be negative (a net metric), and is copied into a read-only mapping.

    - `quantity`: units consumed, for `unit`, `tiered`, `graduated_tiered`, `prepaid_tiered`
      and `prepaid_fixed_tiered`; may be fractional (GB, hours).
    - `volume`: transaction volume in the price's currency (major units, e.g. 1234.56), for
      the three percentage models; percentage tier bounds are compared against it.
    - `transactions`: number of transactions, for `volume_percentage`'s per-transaction fee.
    - `metrics`: metric key -> aggregated value, for `expression` prices.
    - `groups`: usage split by event properties, for `matrix` prices (`UsageGroup`).
    - `period_index`: 0 for the contract's first billing period, 1 for the next...
    """

    quantity: Decimal = Decimal(0)
    volume: Decimal = Decimal(0)
    transactions: int = 0
    metrics: Mapping[str, Decimal] = field(default_factory=dict, hash=False)
    period_index: int = 0
    groups: tuple[UsageGroup, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "quantity", _amount("quantity", self.quantity))
        object.__setattr__(self, "volume", _amount("volume", self.volume))
        _count("transactions", self.transactions)
        _count("period_index", self.period_index)
        if not isinstance(self.metrics, Mapping):
            raise InvalidUsageError("usage metrics must be a mapping of metric key to Decimal")
        metrics = {
            str(key): _amount(f"metric {key!r}", value, signed=True)
            for key, value in self.metrics.items()
        }
        object.__setattr__(self, "metrics", MappingProxyType(metrics))
        groups = tuple(self.groups)
        if not all(isinstance(group, UsageGroup) for group in groups):
            raise InvalidUsageError("usage groups must be UsageGroup objects")
        object.__setattr__(self, "groups", groups)

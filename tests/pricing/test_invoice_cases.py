"""Hand-computed invoices: `alguna_pricing.compute_invoice` over whole subscriptions.

Every expected total (and, where the case is about them, the lines) was worked out by hand
from docs/pricing.md; the arithmetic is in each case's comment. These are what prove the
engine the emulator's period close and `billing invoice preview` share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal as D

import pytest

from alguna_pricing.errors import PeriodMismatchError
from alguna_pricing.invoice import InvoiceItem, MetricUsage, Segment, Terms, compute_invoice
from alguna_pricing.model.prices import Discount, Spend
from alguna_pricing.usage import UsageGroup
from tests.pricing.builders import (
    expression,
    fixed,
    graduated,
    graduated_pct,
    prepaid,
    prepaid_fixed,
    tiered,
    tiered_pct,
    unit,
    volume_pct,
)
from tests.pricing.test_matrix import PRICE as MATRIX


def use(value: str | int, events: int = 0) -> MetricUsage:
    return MetricUsage(value=D(value), events=events)


def item(product: str, price: object, *metrics: str, one_off: bool = False) -> InvoiceItem:
    return InvoiceItem(product, price, tuple(metrics), one_off)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Case:
    name: str
    segments: Sequence[Segment]
    total: str
    month: int = 0
    terms: Terms | None = None
    currency: str = "USD"
    lines: Sequence[tuple[str, str]] = field(default=())  # (description, amount), if checked


def one(*items: InvoiceItem, **usage: MetricUsage) -> list[Segment]:
    return [Segment(items, usage)]


PLATFORM = item("platform", fixed("99"))
ONBOARDING_PRICE = fixed("500").model_copy(update={"charge_on_contract_start": True})
API = item("api", unit("0.002"), "api_calls")

CASES = [
    # unit: 12,500 calls x 0.002 = 25.00
    Case("unit", one(API, api_calls=use(12_500)), "25.00"),
    # fixed: 3 units x 99 = 297.00, usage ignored
    Case("fixed", one(item("seats", fixed("99", units=3))), "297.00"),
    # tiered (volume): 150 lands in tier 2 (101-500 @0.10): 150 x 0.10 = 15.00
    Case(
        "tiered",
        one(item("req", tiered((100, "0.15"), (500, "0.10"), (None, "0.05")), "m"), m=use(150)),
        "15.00",
    ),
    # graduated: 100 x 0.15 + 50 x 0.10 = 15 + 5 = 20.00
    Case(
        "graduated_tiered",
        one(item("req", graduated((100, "0.15"), (500, "0.10"), (None, "0.05")), "m"), m=use(150)),
        "20.00",
    ),
    # prepaid, under the block: 1000 prepaid x 0.01 = 10.00 (usage 400 is covered)
    Case(
        "prepaid_tiered under the block",
        one(item("p", prepaid(1000, (None, "0.01")), "m"), m=use(400)),
        "10.00",
    ),
    # prepaid overage: block 1000 x 0.01 = 10.00; overage 1000..1500 graduated:
    # tiers (2000 @0.01, open @0.008): 500 x 0.01 = 5.00 -> 15.00
    Case(
        "prepaid_tiered overage",
        one(item("p", prepaid(1000, (2000, "0.01"), (None, "0.008")), "m"), m=use(1500)),
        "15.00",
        lines=[
            ("p: prepaid: tier 1 (over 0, up to 2000)", "10.00"),
            ("p: overage: tier 1 (over 0, up to 2000)", "5.00"),
        ],
    ),
    # prepaid_fixed overage across a tier bound: block 100 x 1 = 100; overage 100..250:
    # tier 1 (to 200) 100 x 1 = 100, tier 2 50 x 0.5 = 25 -> 225.00
    Case(
        "prepaid_fixed_tiered overage across tiers",
        one(item("p", prepaid_fixed(100, (200, "1"), (None, "0.5")), "m"), m=use(250)),
        "225.00",
    ),
    # tiered_percentage: volume 60,000 lands in tier 2 (1.0%): 600.00
    Case(
        "tiered_percentage",
        one(item("fx", tiered_pct((50_000, "1.5"), (None, "1.0")), "vol"), vol=use(60_000)),
        "600.00",
    ),
    # graduated_percentage: 1,000,000 x 0.5% + 500,000 x 0.2% = 5000 + 1000 = 6000.00
    Case(
        "graduated_percentage",
        one(item("po", graduated_pct((1_000_000, "0.5"), (None, "0.2")), "v"), v=use(1_500_000)),
        "6000.00",
    ),
    # volume_percentage: 2.5% x 10,000 + 40 transactions x 0.25 = 250 + 10 = 260.00
    Case(
        "volume_percentage",
        one(
            item("cards", volume_pct("2.5", per_tx="0.25"), "card_volume"),
            card_volume=use(10_000, events=40),
        ),
        "260.00",
    ),
    # expression: gpu_seconds / 3600 x 2.40 = 7200/3600 x 2.40 = 4.80
    Case(
        "expression",
        one(
            item("gpu", expression(("usage.gpu_seconds / 3600", "2.40")), "gpu_seconds"),
            gpu_seconds=use(7200),
        ),
        "4.80",
    ),
    # matrix (tests/pricing/test_matrix.py PRICE): region=eu, plan=pro routes to cell A
    # (unit 0.10): 100 x 0.10 = 10.00
    Case(
        "matrix",
        one(
            item("mx", MATRIX, "m"),
            m=MetricUsage(
                D(100), 100, (UsageGroup({"region": "eu", "plan": "pro"}, quantity=D(100)),)
            ),
        ),
        "10.00",
    ),
    # several products: 99 + 25.00 (12,500 x 0.002) = 124.00
    Case("platform and api", one(PLATFORM, API, api_calls=use(12_500)), "124.00"),
    # price trial: 14 days covers month 0 -> platform free; api 1000 x 0.002 = 2.00
    Case(
        "price trial, month 0",
        one(item("platform", fixed("99", trial_days=14)), API, api_calls=use(1000)),
        "2.00",
    ),
    # the same trial has ended in month 1 (period starts at day 30 >= 14): 99 + 2 = 101.00
    Case(
        "price trial, month 1",
        one(item("platform", fixed("99", trial_days=14)), API, api_calls=use(1000)),
        "101.00",
        month=1,
    ),
    # subscription trial of 30 days: month 0 recurring 99 + 2 freed; the one-off onboarding
    # charged on contract start (500) is billed anyway -> 500.00
    Case(
        "subscription trial keeps the one-off on contract start",
        one(PLATFORM, API, item("onboarding", ONBOARDING_PRICE, one_off=True), api_calls=use(1000)),
        "500.00",
        terms=Terms(trial_days=30),
    ),
    # one-off on contract start: month 0: 500 + 99 = 599.00
    Case(
        "one-off on contract start",
        one(PLATFORM, item("onboarding", ONBOARDING_PRICE, one_off=True)),
        "599.00",
    ),
    # ... and not again in month 1: 99.00
    Case(
        "one-off not charged twice",
        one(PLATFORM, item("onboarding", ONBOARDING_PRICE, one_off=True)),
        "99.00",
        month=1,
    ),
    # a one-off without charge_on_contract_start after a 30-day price trial: charged in
    # the first period after the trial (month 1): 500.00; month 0 has no line -> 0.00
    Case(
        "one-off after the trial, month 0",
        one(item("setup", fixed("500", trial_days=30), one_off=True)),
        "0.00",
    ),
    Case(
        "one-off after the trial, month 1",
        one(item("setup", fixed("500", trial_days=30), one_off=True)),
        "500.00",
        month=1,
    ),
    # yearly fee: charged on month 0 and 12, not on month 5: 1200 / 0 / 1200
    Case("yearly fee month 0", one(item("y", fixed("1200", interval="yearly"))), "1200.00"),
    Case("yearly fee month 5", one(item("y", fixed("1200", interval="yearly"))), "0.00", month=5),
    Case(
        "yearly fee month 12", one(item("y", fixed("1200", interval="yearly"))), "1200.00", month=12
    ),
    # subscription minimum 500 with a 10% discount: usage 99 + 2 = 101 < 500 -> top-up 399,
    # then 10% off 500 = -50 -> 450.00
    Case(
        "subscription minimum with a discount",
        one(PLATFORM, API, api_calls=use(1000)),
        "450.00",
        terms=Terms(minimum_spend=Spend(amount=D(500)), discount=Discount(amount=D(10))),
        lines=[
            ("platform: fixed: 1 unit(s)", "99"),
            ("api: units", "2.000"),
            ("subscription: minimum spend 500", "399.000"),
            ("subscription: discount 10%", "-50.0000"),
        ],
    ),
    # subscription maximum 100 with a 10% discount: 99 + 25 = 124 -> capped to 100 -> 90.00
    Case(
        "subscription maximum with a discount",
        one(PLATFORM, API, api_calls=use(12_500)),
        "90.00",
        terms=Terms(maximum_spend=Spend(amount=D(100)), discount=Discount(amount=D(10))),
    ),
    # price-level maximum then subscription discount: api 20,000 x 0.002 = 40 capped at 30;
    # + 99 = 129; 20% off -> 103.20
    Case(
        "price maximum, subscription discount",
        one(PLATFORM, item("api", unit("0.002", maximum="30"), "api_calls"), api_calls=use(20_000)),
        "103.20",
        terms=Terms(discount=Discount(amount=D(20))),
    ),
    # discount for 3 months only: month 3 pays full 99.00 (month 2 would be 89.10)
    Case(
        "fixed-duration discount, month 2",
        one(PLATFORM),
        "89.10",
        month=2,
        terms=Terms(
            discount=Discount(
                amount=D(10), duration_type="fixed", duration_unit="months", duration_value=3
            )
        ),
    ),
    Case(
        "fixed-duration discount, month 3",
        one(PLATFORM),
        "99.00",
        month=3,
        terms=Terms(
            discount=Discount(
                amount=D(10), duration_type="fixed", duration_unit="months", duration_value=3
            )
        ),
    ),
    # mid-period version change on the 15th: old version 0.002/call for 1000 calls = 2.00,
    # new version 0.001/call for 3000 calls = 3.00; the fixed fee once, from the old
    # version (99; the new version's 149 starts next cycle) -> 99 + 2 + 3 = 104.00
    Case(
        "mid-period version change",
        [
            Segment((PLATFORM, API), {"api_calls": use(1000)}, "2026-01-01"),
            Segment(
                (item("platform", fixed("149")), item("api", unit("0.001"), "api_calls")),
                {"api_calls": use(3000)},
                "2026-01-15",
            ),
        ],
        "104.00",
        lines=[
            ("platform (2026-01-01): fixed: 1 unit(s)", "99"),
            ("api (2026-01-01): units", "2.000"),
            ("api (2026-01-15): units", "3.000"),
        ],
    ),
    # rounding once: 3 x 0.333 = 0.999 and 1 x 0.004 = 0.004 -> 1.003 -> 1.00 (rounding
    # each price first would give 1.00 + 0.00 = 1.00 too; 0.005 + 0.005 shows the
    # difference: one rounding of 0.010 -> 0.01, not 0.01 + 0.01 = 0.02)
    Case(
        "one rounding per invoice",
        one(item("a", unit("0.005"), "m"), item("b", unit("0.005"), "m"), m=use(1)),
        "0.01",
    ),
    # JPY has no minor unit: 1,234 x 1.5 = 1851 -> 1851
    Case("JPY", one(item("api", unit("1.5"), "m"), m=use(1234)), "1851", currency="JPY"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hand_computed_invoice(case: Case) -> None:
    invoice = compute_invoice(case.segments, case.currency, case.month, case.terms)
    assert invoice.total == D(case.total)
    assert str(invoice.total) == case.total  # with the currency's decimals
    assert invoice.subtotal == sum(line.amount for line in invoice.lines)
    assert invoice.tax == 0
    for line in invoice.lines:
        assert line.amount == line.quantity * line.unit_price, line
    if case.lines:
        shown = [(line.description, line.amount) for line in invoice.lines]
        assert shown == [(desc, D(amount)) for desc, amount in case.lines]


def test_there_are_at_least_twenty_cases_covering_every_model() -> None:
    assert len(CASES) >= 20
    types = {i.price.type for case in CASES for s in case.segments for i in s.items}
    assert types == {
        "unit", "fixed", "tiered", "graduated_tiered", "prepaid_tiered",
        "prepaid_fixed_tiered", "tiered_percentage", "graduated_percentage",
        "volume_percentage", "expression", "matrix",
    }  # fmt: skip


def test_a_subscription_spend_limit_must_be_monthly() -> None:
    with pytest.raises(PeriodMismatchError):
        compute_invoice(
            one(PLATFORM), "USD", 0, Terms(minimum_spend=Spend(amount=D(1), period="yearly"))
        )

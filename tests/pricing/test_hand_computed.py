"""Table-driven, hand-computed charges for all ten models, terms and rounding.

Every expected amount below was worked out by hand (the arithmetic is in the comment) and
is written as a Decimal string with the currency's minor unit. Cases from Alguna's public
docs cite their source.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal as D

import pytest

from alguna_pricing.model.prices import PRICE_TYPES, Price
from reconciler.pricing import Usage, UsageGroup, price_charge
from tests.pricing.builders import (
    DOC_TIERS,
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


@dataclass(frozen=True)
class Case:
    name: str
    price: Price
    usage: Usage
    total: str
    currency: str = "USD"


def q(quantity: str | int, period: int = 0) -> Usage:
    return Usage(quantity=D(quantity), period_index=period)


def vol(volume: str | int, transactions: int = 0) -> Usage:
    return Usage(volume=D(volume), transactions=transactions)


def m(**metrics: str | int) -> Usage:
    return Usage(metrics={key: D(value) for key, value in metrics.items()})


FEES = ((10, "1.00", "5.00"), (None, "0.50", "20.00"))
PREPAID_TIERS = ((1000, "0.01"), (5000, "0.008"), (None, "0.005"))
PCT_TIERS = ((10000, "2.9"), (100000, "2.5"), (None, "2.0"))

CASES: list[Case] = [
    # --- tiered (volume): the tier the total lands in prices every unit ------------------
    # Alguna docs, https://alguna.com/docs/pricing/pricing-models (alguna-api.md §3.4):
    # "tiers 0–100 @0.15, 101–500 @0.10, 501+ @0.05; 250 units → 250 × 0.10 = 25.00".
    Case("tiered doc example 250", tiered(*DOC_TIERS), q(250), "25.00"),
    Case("tiered zero usage", tiered(*DOC_TIERS), q(0), "0.00"),
    Case("tiered first unit", tiered(*DOC_TIERS), q(1), "0.15"),
    # 100 is the bound of tier 1 (inclusive) -> 100 x 0.15
    Case("tiered exactly at bound 100", tiered(*DOC_TIERS), q(100), "15.00"),
    # 101 x 0.10 = 10.10: crossing the bound makes the whole quantity cheaper
    Case("tiered just above bound 101", tiered(*DOC_TIERS), q(101), "10.10"),
    Case("tiered exactly at bound 500", tiered(*DOC_TIERS), q(500), "50.00"),
    Case("tiered just above bound 501", tiered(*DOC_TIERS), q(501), "25.05"),
    # 100.5 > 100 -> tier 2: 100.5 x 0.10 = 10.05
    Case("tiered fractional above bound", tiered(*DOC_TIERS), q("100.5"), "10.05"),
    # 10^12 x 0.05 = 50,000,000,000
    Case("tiered very large", tiered(*DOC_TIERS), q(10**12), "50000000000.00"),
    # landed tier 1: 10 x 1.00 + fee 5.00
    Case("tiered fee at bound", tiered(*FEES), q(10), "15.00"),
    # landed tier 2: 11 x 0.50 + fee 20.00 (tier 1's fee is not charged)
    Case("tiered fee above bound", tiered(*FEES), q(11), "25.50"),
    Case("tiered fee zero usage", tiered(*FEES), q(0), "0.00"),
    # --- graduated_tiered: each tier prices its own units ------------------------------
    # Same docs tiers, graduated ("units 0–100 at rate A, 101–500 at rate B"):
    # 100 x 0.15 + 150 x 0.10 = 15 + 15
    Case("graduated doc tiers 250", graduated(*DOC_TIERS), q(250), "30.00"),
    Case("graduated zero usage", graduated(*DOC_TIERS), q(0), "0.00"),
    Case("graduated exactly at bound 100", graduated(*DOC_TIERS), q(100), "15.00"),
    # 15 + 1 x 0.10
    Case("graduated just above bound 101", graduated(*DOC_TIERS), q(101), "15.10"),
    # 15 + 400 x 0.10
    Case("graduated exactly at bound 500", graduated(*DOC_TIERS), q(500), "55.00"),
    Case("graduated just above bound 501", graduated(*DOC_TIERS), q(501), "55.05"),
    # 15 + 0.5 x 0.10
    Case("graduated fractional", graduated(*DOC_TIERS), q("100.5"), "15.05"),
    # 55 + (10^12 - 500) x 0.05 = 55 + 49,999,999,975
    Case("graduated very large", graduated(*DOC_TIERS), q(10**12), "50000000030.00"),
    # 10 x 1.00 + fee 5 (tier 2 not reached)
    Case("graduated fee at bound", graduated(*FEES), q(10), "15.00"),
    # 10 + 5 + 1 x 0.50 + 20: both tiers reached, both fees
    Case("graduated fee above bound", graduated(*FEES), q(11), "35.50"),
    Case("graduated fee zero usage", graduated(*FEES), q(0), "0.00"),
    # declared units = 10 win over usage: 10 x 0.15
    Case("graduated declared units", graduated(*DOC_TIERS, units=10), q(999), "1.50"),
    # --- prepaid_tiered: block of 1000 upfront, overage through the tiers ---------------
    # block: 1000 x 0.01 = 10.00, charged even with no usage
    Case("prepaid zero usage pays block", prepaid(1000, *PREPAID_TIERS), q(0), "10.00"),
    Case("prepaid usage inside block", prepaid(1000, *PREPAID_TIERS), q(400), "10.00"),
    Case("prepaid usage exactly block", prepaid(1000, *PREPAID_TIERS), q(1000), "10.00"),
    # 10 + 1 x 0.008 = 10.008 -> 10.01 (half up)
    Case("prepaid first overage unit", prepaid(1000, *PREPAID_TIERS), q(1001), "10.01"),
    # 10 + 4000 x 0.008 = 10 + 32
    Case("prepaid overage at tier bound", prepaid(1000, *PREPAID_TIERS), q(5000), "42.00"),
    # 42 + 1000 x 0.005
    Case("prepaid overage in last tier", prepaid(1000, *PREPAID_TIERS), q(6000), "47.00"),
    # 42 + (10^9 - 5000) x 0.005 = 42 + 4,999,975
    Case("prepaid very large", prepaid(1000, *PREPAID_TIERS), q(10**9), "5000017.00"),
    # block of 150 spans docs tiers: 100 x 0.15 + 50 x 0.10
    Case("prepaid block spans tiers", prepaid(150, *DOC_TIERS), q(0), "20.00"),
    # max(600, 150) graduated: 15 + 40 + 100 x 0.05
    Case("prepaid spanning block + overage", prepaid(150, *DOC_TIERS), q(600), "60.00"),
    # block 100 x 0.20 + tier-1 fee 3
    Case(
        "prepaid fee in block",
        prepaid(100, (100, "0.20", "3"), (None, "0.10", "7")),
        q(100),
        "23.00",
    ),
    # 23 + 1 x 0.10 + tier-2 fee 7
    Case(
        "prepaid fee on first overage tier",
        prepaid(100, (100, "0.20", "3"), (None, "0.10", "7")),
        q(101),
        "30.10",
    ),
    # --- prepaid_fixed_tiered: same amounts, overage invoiced monthly -------------------
    # block: 50,000 x 0.002 = 100.00
    Case(
        "prepaid fixed zero usage",
        prepaid_fixed(50000, (50000, "0.002"), (None, "0.001"), interval="yearly"),
        q(0),
        "100.00",
    ),
    Case(
        "prepaid fixed at block",
        prepaid_fixed(50000, (50000, "0.002"), (None, "0.001"), interval="yearly"),
        q(50000),
        "100.00",
    ),
    # 100 + 0.001 = 100.001 -> 100.00
    Case(
        "prepaid fixed first overage unit",
        prepaid_fixed(50000, (50000, "0.002"), (None, "0.001"), interval="yearly"),
        q(50001),
        "100.00",
    ),
    # 100 + 30,000 x 0.001
    Case(
        "prepaid fixed overage",
        prepaid_fixed(50000, (50000, "0.002"), (None, "0.001"), interval="yearly"),
        q(80000),
        "130.00",
    ),
    # --- tiered_percentage: landed tier's % of the whole volume ------------------------
    Case("tiered pct zero volume", tiered_pct(*PCT_TIERS), vol(0), "0.00"),
    # 5000 x 2.9%
    Case("tiered pct tier 1", tiered_pct(*PCT_TIERS), vol(5000), "145.00"),
    # 10000 is tier 1's bound (inclusive): 10000 x 2.9%
    Case("tiered pct exactly at bound", tiered_pct(*PCT_TIERS), vol(10000), "290.00"),
    # 10000.01 x 2.5% = 250.00025 -> 250.00
    Case("tiered pct just above bound", tiered_pct(*PCT_TIERS), vol("10000.01"), "250.00"),
    # 200,000 x 2.0%
    Case("tiered pct last tier", tiered_pct(*PCT_TIERS), vol(200000), "4000.00"),
    # 10^10 x 2.0%
    Case("tiered pct very large", tiered_pct(*PCT_TIERS), vol(10**10), "200000000.00"),
    # 1000 x 3% + fee 0.30
    Case(
        "tiered pct with fee",
        tiered_pct((1000, "3", "0.30"), (None, "1", "2")),
        vol(1000),
        "30.30",
    ),
    # --- graduated_percentage: each tier's % of the volume inside it -------------------
    Case("graduated pct zero volume", graduated_pct(*PCT_TIERS), vol(0), "0.00"),
    Case("graduated pct tier 1", graduated_pct(*PCT_TIERS), vol(5000), "145.00"),
    Case("graduated pct exactly at bound", graduated_pct(*PCT_TIERS), vol(10000), "290.00"),
    # 290 + 0.01 x 2.5% = 290.00025 -> 290.00
    Case("graduated pct just above bound", graduated_pct(*PCT_TIERS), vol("10000.01"), "290.00"),
    # 290 + 10,000 x 2.5% = 290 + 250
    Case("graduated pct two tiers", graduated_pct(*PCT_TIERS), vol(20000), "540.00"),
    # 290 + 90,000 x 2.5% + 100,000 x 2.0% = 290 + 2250 + 2000
    Case("graduated pct three tiers", graduated_pct(*PCT_TIERS), vol(200000), "4540.00"),
    # 1000 x 3% + fee 1 + 500 x 1% + fee 2 = 30 + 1 + 5 + 2
    Case(
        "graduated pct with fees",
        graduated_pct((1000, "3", "1"), (None, "1", "2")),
        vol(1500),
        "38.00",
    ),
    # --- volume_percentage: % of volume + per transaction + fixed fee ------------------
    # "2.9% + $0.30" card pricing (alguna-api.md §3.4): 100 x 2.9% + 1 x 0.30
    Case("volume pct card fee", volume_pct("2.9", "0.30"), vol(100, 1), "3.20"),
    Case("volume pct zero usage", volume_pct("2.9", "0.30"), vol(0, 0), "0.00"),
    # the fixed fee is charged every period, even with no volume
    Case("volume pct zero usage fixed fee", volume_pct("2.9", "0.30", "5"), vol(0, 0), "5.00"),
    # v1 example values (percentage 10, price_per_unit 0.05, fixed_fee 5.00), alguna-api.md
    # §3.3: 1000 x 10% + 10 x 0.05 + 5 = 100 + 0.50 + 5
    Case("volume pct v1 example values", volume_pct("10", "0.05", "5.00"), vol(1000, 10), "105.50"),
    # 33.33 x 2.9% = 0.96657; + 0.30 = 1.26657 -> 1.27
    Case("volume pct rounding", volume_pct("2.9", "0.30"), vol("33.33", 1), "1.27"),
    # 10^9 x 2.9% + 10^6 x 0.30 = 29,000,000 + 300,000
    Case("volume pct very large", volume_pct("2.9", "0.30"), vol(10**9, 10**6), "29300000.00"),
    # --- unit ---------------------------------------------------------------------------
    Case("unit zero", unit("0.01"), q(0), "0.00"),
    Case("unit simple", unit("0.01"), q(12345), "123.45"),
    # 2.5 x 0.40
    Case("unit fractional quantity", unit("0.40"), q("2.5"), "1.00"),
    # 10^15 x 0.000001
    Case("unit very large", unit("0.000001"), q(10**15), "1000000000.00"),
    # 0.025 -> 0.03 half up (banker's would give 0.02)
    Case("unit rounds half up", unit("0.025"), q(1), "0.03"),
    # 0.004 -> 0.00
    Case("unit rounds down below half", unit("0.001"), q(4), "0.00"),
    # JPY has no minor unit: 2.5 -> 3
    Case("unit JPY half up", unit("2.5"), q(1), "3", "JPY"),
    # KWD has 3 decimals: 0.0005 -> 0.001
    Case("unit KWD three decimals", unit("0.0005"), q(1), "0.001", "KWD"),
    # --- fixed --------------------------------------------------------------------------
    Case("fixed one unit", fixed("500.00"), q(0), "500.00"),
    # 10 x 25; usage is not consulted
    Case("fixed ignores usage", fixed("25", units=10), q(999), "250.00"),
    # --- expression ---------------------------------------------------------------------
    # Documented shape, alguna-api.md §3.3 (expression_pricing_model example on
    # https://alguna.com/docs/api-reference/v2/subscriptions/pricing-models):
    # quantity "usage.api_calls", unit price "0.01": 12,345 x 0.01
    Case(
        "expression doc example",
        expression(("usage.api_calls", "0.01")),
        m(api_calls=12345),
        "123.45",
    ),
    Case("expression zero", expression(("usage.api_calls", "0.01")), m(api_calls=0), "0.00"),
    # overage above 1000 included: (1500 - 1000) x 0.002
    Case(
        "expression overage",
        expression(("max(usage.api_calls - 1000, 0)", "0.002")),
        m(api_calls=1500),
        "1.00",
    ),
    # 800 - 1000 < 0: a negative quantity bills zero
    Case(
        "expression negative quantity",
        expression(("usage.api_calls - 1000", "0.002")),
        m(api_calls=800),
        "0.00",
    ),
    # ceil(25 / 10) = 3 blocks x 5
    Case("expression ceil blocks", expression(("ceil(usage.gb / 10)", "5")), m(gb=25), "15.00"),
    # ceil(30 / 10) = 3 exactly at the block bound
    Case("expression ceil at bound", expression(("ceil(usage.gb / 10)", "5")), m(gb=30), "15.00"),
    # floor(10.9) = 10 x 0.02
    Case(
        "expression floor", expression(("floor(usage.minutes)", "0.02")), m(minutes="10.9"), "0.20"
    ),
    # 2,500,000 / 1,000,000 = 2.5 x 0.09 = 0.225 -> 0.23
    Case(
        "expression division",
        expression(("usage.bytes / 1000000", "0.09")),
        m(bytes=2500000),
        "0.23",
    ),
    # 3 x 10 + 2500 x 0.001 = 30 + 2.50
    Case(
        "expression two charges",
        expression(("usage.seats", "10"), ("usage.api_calls", "0.001")),
        m(seats=3, api_calls=2500),
        "32.50",
    ),
    # unit price from a metric: 100 x min(0.05, 0.10 - 0.07) = 100 x 0.03
    Case(
        "expression metric in unit price",
        expression(("usage.calls", "min(0.05, 0.10 - usage.rebate)")),
        m(calls=100, rebate="0.07"),
        "3.00",
    ),
    # --- terms: trial, minimum / maximum spend, discount ---------------------------------
    # 5000 x 0.01 = 50.00 list price in all of these
    Case("trial first period free", unit("0.01", trial_days=14), q(5000, 0), "0.00"),
    Case("trial over next period", unit("0.01", trial_days=14), q(5000, 1), "50.00"),
    # period 1 starts on day 30: a 30-day trial is over, a 31-day one is not
    Case("trial 30 days ends at period 1", unit("0.01", trial_days=30), q(5000, 1), "50.00"),
    Case("trial 31 days covers period 1", unit("0.01", trial_days=31), q(5000, 1), "0.00"),
    # yearly: period 1 starts on day 360 < 400
    Case(
        "trial yearly 400 days",
        unit("0.01", trial_days=400, interval="yearly"),
        q(5000, 1),
        "0.00",
    ),
    # a minimum spend is not billed during a trial
    Case("trial beats minimum", unit("0.01", trial_days=14, minimum="100"), q(0, 0), "0.00"),
    Case("minimum raises", unit("0.01", minimum="100"), q(5000), "100.00"),
    Case("minimum at zero usage", unit("0.01", minimum="100"), q(0), "100.00"),
    Case("minimum exceeded", unit("0.01", minimum="100"), q(15000), "150.00"),
    Case("maximum caps", unit("0.01", maximum="100"), q(15000), "100.00"),
    Case("maximum not reached", unit("0.01", maximum="100"), q(5000), "50.00"),
    # 50 x (1 - 10%)
    Case("discount", unit("0.01", discount="10"), q(5000), "45.00"),
    # floor 100 first, then 10% off: 90 (not max(100, 45) = 100)
    Case("discount after minimum", unit("0.01", minimum="100", discount="10"), q(5000), "90.00"),
    # cap 100 first, then 20% off
    Case("discount after maximum", unit("0.01", maximum="100", discount="20"), q(15000), "80.00"),
    Case("discount 100 percent", unit("0.01", discount="100"), q(5000), "0.00"),
    # 6-month discount, monthly: period 5 (month 6) discounted, period 6 not
    Case(
        "discount fixed last month",
        unit("0.01", discount="10", discount_months=6),
        q(5000, 5),
        "45.00",
    ),
    Case(
        "discount fixed expired",
        unit("0.01", discount="10", discount_months=6),
        q(5000, 6),
        "50.00",
    ),
    # quarterly: period 1 starts at month 3 < 6 (discounted), period 2 at month 6 (not)
    Case(
        "discount fixed quarterly inside",
        unit("0.01", discount="10", discount_months=6, interval="quarterly"),
        q(5000, 1),
        "45.00",
    ),
    Case(
        "discount fixed quarterly expired",
        unit("0.01", discount="10", discount_months=6, interval="quarterly"),
        q(5000, 2),
        "50.00",
    ),
    Case(
        "discount rolling never ends",
        unit("0.01", discount="10", rolling=True),
        q(5000, 100),
        "45.00",
    ),
    # 10 x 0.01 = 0.10; 15% off = 0.085 -> 0.09 (rounded once, after the discount)
    Case("discount then round", unit("0.01", discount="15"), q(10), "0.09"),
    # --- fixed (amount-off) discounts: the amount off each billing period it covers ----
    # 50.00 - 12.50
    Case("amount off", unit("0.01", discount="12.50", amount_off=True), q(5000), "37.50"),
    # 0.30 list price, 5.00 off: capped at what is left, never negative
    Case("amount off above the bill", unit("0.01", discount="5", amount_off=True), q(30), "0.00"),
    Case("amount off at zero usage", unit("0.01", discount="5", amount_off=True), q(0), "0.00"),
    # floor 100 first, then 15 off: 85 (the minimum is on list-price usage)
    Case(
        "amount off after minimum",
        unit("0.01", minimum="100", discount="15", amount_off=True),
        q(5000),
        "85.00",
    ),
    # 150 capped at 100, then 30 off
    Case(
        "amount off after maximum",
        unit("0.01", maximum="100", discount="30", amount_off=True),
        q(15000),
        "70.00",
    ),
    # a 3-month amount-off discount, monthly: period 2 (month 3) off, period 3 not
    Case(
        "amount off fixed last month",
        unit("0.01", discount="10", discount_months=3, amount_off=True),
        q(5000, 2),
        "40.00",
    ),
    Case(
        "amount off fixed expired",
        unit("0.01", discount="10", discount_months=3, amount_off=True),
        q(5000, 3),
        "50.00",
    ),
    # per billing period, not per month: a quarterly bill of 50.00 gets 10 off, not 30
    Case(
        "amount off per quarter",
        unit("0.01", discount="10", interval="quarterly", amount_off=True),
        q(5000, 7),
        "40.00",
    ),
    # off a usage-independent fee: 10 units x 25 = 250, 20 off
    Case(
        "amount off a fixed price", fixed("25", 10, discount="20", amount_off=True), q(0), "230.00"
    ),
    Case(
        "amount off in a trial",
        unit("0.01", trial_days=14, discount="10", amount_off=True),
        q(5000),
        "0.00",
    ),
    # --- an advance minimum spend: the same period total as arrears ---------------------
    # below: 100 billed in advance, 50 drawn from it: 100
    Case("advance minimum", unit("0.01", minimum="100", advance_minimum=True), q(5000), "100.00"),
    Case(
        "advance minimum at zero usage",
        unit("0.01", minimum="100", advance_minimum=True),
        q(0),
        "100.00",
    ),
    # above: 100 in advance, 100 drawn, 50 of usage beyond it in arrears: 150
    Case(
        "advance minimum exceeded",
        unit("0.01", minimum="100", advance_minimum=True),
        q(15000),
        "150.00",
    ),
    # a trial period bills nothing in advance either
    Case(
        "advance minimum in a trial",
        unit("0.01", trial_days=14, minimum="100", advance_minimum=True),
        q(0),
        "0.00",
    ),
    # 100 in advance, capped by nothing, 10% off: 90
    Case(
        "advance minimum then discount",
        unit("0.01", minimum="100", discount="10", advance_minimum=True),
        q(2000),
        "90.00",
    ),
    # tiered with all terms: 250 -> 25.00, floor 30 -> 30, 10% -> 27.00
    Case(
        "terms on a tiered price",
        tiered(*DOC_TIERS, minimum="30", maximum="1000", discount="10"),
        q(250),
        "27.00",
    ),
    # --- matrix: routed by event properties (every cell model: tests/pricing/test_matrix.py)
    Case(
        "matrix: eu/pro unit cell 250 x 0.10 + us/pro tiered 500 x 0.50 + 10",
        MATRIX,
        Usage(
            groups=(
                UsageGroup({"region": "eu", "plan": "pro"}, quantity=D(250)),
                UsageGroup({"region": "us", "plan": "pro"}, quantity=D(500)),
            )
        ),
        "285.00",
    ),
]


def test_the_table_is_large_and_covers_all_ten_models() -> None:
    assert len(CASES) >= 60
    assert len({case.name for case in CASES}) == len(CASES)
    assert {case.price.type for case in CASES} == set(PRICE_TYPES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hand_computed_total(case: Case) -> None:
    quote = price_charge(case.price, case.usage, case.currency)
    assert quote.total == D(case.total)
    assert str(quote.total) == case.total  # exactly the currency's decimals
    assert quote.currency == case.currency

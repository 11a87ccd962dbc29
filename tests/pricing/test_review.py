"""The plan's money review (`reconciler.planning.review`): which prices are reviewed, the
usages sampled and the charges, each table computed by hand in the comments (tier bound
rule, rounding and terms as in docs/pricing.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest

from alguna_pricing.model.prices import FixedPrice
from alguna_pricing.usage import Usage
from reconciler.diff import diff
from reconciler.model import DesiredState, Item, LiveState, Price, PricingTest, Version
from reconciler.model.resources import ProductItem
from reconciler.plan import Action, PriceReview
from reconciler.planning.planner import make_plan
from reconciler.planning.review import declared_tests, exceeds, price_reviews
from reconciler.planning.sampling import ReviewTest, percent_change
from reconciler.report.money_table import money_table
from tests.diff.catalog import DESIRED, PLANS, PRODUCTS, START, edit, live_of
from tests.pricing.builders import (
    DOC_TIERS,
    expression,
    fixed,
    graduated,
    graduated_pct,
    prepaid,
    tiered,
    tiered_pct,
    unit,
    volume_pct,
)

AT = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)
LATER = dt.date(2026, 7, 1)
NO_SUBSCRIPTIONS: dict[str, object] = {"subscriptions": {}}
Row = tuple[str | None, str | None, str | None, str, str | None]


def with_item(product: str, price: Price | None) -> DesiredState:
    """The test catalog, without subscriptions, with plan.starter's `product` item priced
    at `price` (or removed, for None)."""
    items = [item for item in PLANS["starter"].items if item.ref != product]
    if price is not None:
        items.append(Item(product=product, price=price))
    state: DesiredState = edit(DESIRED, "plan", "starter", items=tuple(items))
    return state.model_copy(update=NO_SUBSCRIPTIONS)


def states(
    product: str, before: Price | None, after: Price | None
) -> tuple[DesiredState, LiveState]:
    return with_item(product, after), live_of(with_item(product, before))


def reviews_of(desired: DesiredState, live: LiveState) -> tuple[PriceReview, ...]:
    return price_reviews(diff(desired, live).changes, desired, live)


def review_of(product: str, before: Price | None, after: Price | None) -> PriceReview:
    (review,) = reviews_of(*states(product, before, after))
    return review


def table(review: PriceReview) -> list[Row]:
    """`(quantity, before, after, difference, percent)` per sample, as strings."""

    def text(value: D | None) -> str | None:
        return None if value is None else str(value)

    return [
        (
            text(s.quantity),
            text(s.before),
            text(s.after),
            str(s.difference),
            text(s.percent_change),
        )
        for s in review.samples
    ]


# ---- which prices -------------------------------------------------------------------------


def test_a_tiered_price_change_is_sampled_at_zero_each_bound_and_one_past() -> None:
    # graduated: up to 1000 @ 0.10, up to 10000 @ 0.05 -> 0.06, above @ 0.01
    before = graduated((1000, "0.10"), (10000, "0.05"), (None, "0.01"))
    after = graduated((1000, "0.10"), (10000, "0.06"), (None, "0.01"))
    review = review_of("api", before, after)
    assert (review.address, review.action, review.item) == (
        "plan.starter",
        Action.NEW_REVISION,
        "items[api]",
    )
    assert (review.before_type, review.after_type, review.currency) == (
        "graduated_tiered",
        "graduated_tiered",
        "USD",
    )
    assert review.basis == "units" and review.compared_with is None
    assert table(review) == [
        ("0", "0.00", "0.00", "0.00", None),  # no base: no percentage
        ("1000", "100.00", "100.00", "0.00", "0.00"),  # 1000 x 0.10
        ("1001", "100.05", "100.06", "0.01", "0.01"),  # 100 + 0.05 | 0.06; 0.01/100.05
        ("10000", "550.00", "640.00", "90.00", "16.36"),  # 100 + 9000 x 0.05 | 0.06
        ("10001", "550.01", "640.01", "90.00", "16.36"),  # 90/550.01 = 16.3633
    ]
    assert [s.note for s in review.samples] == [
        "zero",
        "tier bound",
        "past a bound",
        "tier bound",
        "past a bound",
    ]
    assert review.max_increase_percent == D("16.36")
    assert review.worst == review.samples[3]


def test_moved_bounds_sample_the_union_of_both_sides() -> None:
    # volume pricing, Alguna's tiers; the first bound moves from 100 to 200
    before = tiered(*DOC_TIERS)
    after = tiered((200, "0.15"), (500, "0.10"), (None, "0.05"))
    assert table(review_of("api", before, after)) == [
        ("0", "0.00", "0.00", "0.00", None),
        ("100", "15.00", "15.00", "0.00", "0.00"),
        ("101", "10.10", "15.15", "5.05", "50.00"),  # 101 x 0.10 | 101 x 0.15
        ("200", "20.00", "30.00", "10.00", "50.00"),
        ("201", "20.10", "20.10", "0.00", "0.00"),
        ("500", "50.00", "50.00", "0.00", "0.00"),
        ("501", "25.05", "25.05", "0.00", "0.00"),  # volume pricing drops at 501
    ]


def test_a_unit_price_is_sampled_on_the_ladder_and_priced_exactly() -> None:
    """0.002 -> 0.0025 per unit is a 25 % rise at every quantity. Rounding each side to
    cents first read it as 0.00 -> 0.00 at 1 and as "+50.00% (0.02 -> 0.03)" at 10."""
    review = review_of("api", unit("0.002"), unit("0.0025"))
    assert table(review) == [
        ("0", "0.00", "0.00", "0.00", None),
        ("1", "0.002", "0.0025", "0.0005", "25.00"),
        ("10", "0.02", "0.025", "0.005", "25.00"),
        ("100", "0.20", "0.25", "0.05", "25.00"),
        ("1000", "2.00", "2.50", "0.50", "25.00"),
    ]
    assert [s.note for s in review.samples] == ["zero", "ladder", "ladder", "ladder", "ladder"]
    assert review.max_increase_percent == D("25.00")


def test_a_tiny_real_change_does_not_read_as_zero_percent() -> None:
    assert percent_change(D("100.00"), D("100.001")) == D("0.0010")
    assert percent_change(D("100.00"), D("99.999")) == D("-0.0010")
    assert percent_change(D("3"), D("4")) == D("33.33")


def test_an_added_item_has_no_before_and_its_whole_charge_as_the_difference() -> None:
    review = review_of("storage", None, unit("0.50"))
    assert (review.item, review.before_type, review.after_type) == ("items[storage]", None, "unit")
    assert table(review) == [
        ("0", None, "0.00", "0.00", None),
        ("1", None, "0.50", "0.50", None),
        ("10", None, "5.00", "5.00", None),
        ("100", None, "50.00", "50.00", None),
        ("1000", None, "500.00", "500.00", None),
    ]
    assert review.max_increase_percent is None  # no base, no percentage, no warning


def test_a_removed_item_has_no_after_and_falls_by_its_whole_charge() -> None:
    review = review_of("platform", fixed("49"), None)
    assert (review.before_type, review.after_type, review.basis) == ("fixed", None, "flat")
    # a fixed price reads no usage: one sample, quantity None
    assert table(review) == [(None, "49.00", None, "-49.00", "-100.00")]
    assert review.max_increase_percent is None


def test_a_fixed_price_change_is_one_sample() -> None:
    review = review_of("platform", fixed("49"), fixed("59"))
    assert table(review) == [(None, "49.00", "59.00", "10.00", "20.41")]  # 10/49 = 20.408


def test_prepaid_samples_the_block_and_the_first_overage_unit() -> None:
    # block 1000; up to 1000 @ 0.01, up to 5000 @ 0.008 -> 0.009, above @ 0.005
    before = prepaid(1000, (1000, "0.01"), (5000, "0.008"), (None, "0.005"))
    after = prepaid(1000, (1000, "0.01"), (5000, "0.009"), (None, "0.005"))
    review = review_of("api", before, after)
    assert table(review) == [
        ("0", "10.00", "10.00", "0.00", "0.00"),  # the block is charged at zero usage
        ("1000", "10.00", "10.00", "0.00", "0.00"),
        ("1001", "10.008", "10.009", "0.001", "0.01"),  # 0.001 / 10.008 = 0.0099 %
        ("5000", "42.00", "46.00", "4.00", "9.52"),  # 10 + 4000 x 0.008 | 0.009
        ("5001", "42.005", "46.005", "4.00", "9.52"),  # exact: 4 / 42.005 = 9.5227 %
    ]
    assert review.samples[1].note == "prepaid units, tier bound"
    assert review.samples[2].note == "first overage unit, past a bound"


def test_a_bundle_update_is_reviewed_in_the_currency_of_its_plans() -> None:
    items = (ProductItem(product="storage", price=unit("0.60")),)
    desired = edit(DESIRED, "bundle", "addons", items=items).model_copy(update=NO_SUBSCRIPTIONS)
    live = live_of(DESIRED.model_copy(update=NO_SUBSCRIPTIONS))
    (review,) = reviews_of(desired, live)
    assert (review.address, review.item, review.currency) == (
        "bundle.addons",
        "items[storage]",
        "USD",
    )
    assert table(review)[-1] == ("1000", "500.00", "600.00", "100.00", "20.00")


def test_a_bundle_override_in_a_plan_is_compared_with_the_bundle_price() -> None:
    override = Item(bundle="addons", items=(ProductItem(product="storage", price=unit("0.45")),))
    items = (*PLANS["starter"].items[:2], override)
    desired = edit(DESIRED, "plan", "starter", items=items).model_copy(update=NO_SUBSCRIPTIONS)
    live = live_of(DESIRED.model_copy(update=NO_SUBSCRIPTIONS))
    (review,) = reviews_of(desired, live)
    assert review.item == "items[addons].items[storage]"
    assert table(review)[-1] == ("1000", "500.00", "450.00", "-50.00", "-10.00")


def test_fields_that_only_time_an_invoice_are_not_a_price_change() -> None:
    arrears = unit("0.002").model_copy(update={"billing_direction": "advance"})
    desired, live = states("api", unit("0.002"), arrears)
    changes = diff(desired, live).changes
    assert any(c.kind == "plan" for c in changes)  # the diff does show the field
    assert price_reviews(changes, desired, live) == ()


def test_billing_a_minimum_in_advance_is_not_a_price_change() -> None:
    """An advance minimum spend changes when it is invoiced, never a period's total."""
    before = unit("0.002", minimum="100")
    after = unit("0.002", minimum="100", advance_minimum=True)
    desired, live = states("api", before, after)
    changes = diff(desired, live).changes
    assert any(c.kind == "plan" for c in changes)
    assert price_reviews(changes, desired, live) == ()


def test_an_amount_off_is_reviewed_as_a_price_change() -> None:
    after = fixed("25", 10, discount="20", amount_off=True)
    review = review_of("platform", fixed("25", 10), after)
    assert table(review) == [(None, "250.00", "230.00", "-20.00", "-8.00")]  # 20/250


def test_a_plan_currency_change_is_not_reviewed_across_currencies() -> None:
    base = DESIRED.model_copy(update=NO_SUBSCRIPTIONS)
    desired = edit(base, "plan", "starter", currency="EUR")
    changes = diff(desired, live_of(base)).changes
    assert [c.action for c in changes if c.kind == "plan"] == [Action.NEW_REVISION]
    assert price_reviews(changes, desired, live_of(base)) == ()


# ---- subscription versions ----------------------------------------------------------------


def subscription(*versions: Version, activate: bool = True) -> DesiredState:
    state: DesiredState = edit(
        DESIRED, "subscription", "acme_main", activate=activate, versions=versions
    )
    return state


def raise_platform(effective: dt.date, amount: str) -> Version:
    return Version(effective=effective, items=(Item(product="platform", price=fixed(amount)),))


LIVE_FIRST = Version(effective=START, items=PLANS["starter"].items)


def test_a_new_version_is_compared_with_the_live_version_before_it() -> None:
    live = live_of(subscription(LIVE_FIRST))
    desired = subscription(Version(effective=START), raise_platform(LATER, "59"))
    (review,) = reviews_of(desired, live)
    assert (review.address, review.action) == (
        "subscription.acme_main.versions[2026-07-01]",
        Action.NEW_VERSION,
    )
    assert review.compared_with == "subscription.acme_main.versions[2026-01-01]"
    assert (review.item, review.currency) == ("items[platform]", "USD")  # the customer's
    assert table(review) == [(None, "49.00", "59.00", "10.00", "20.41")]


def test_two_new_versions_are_each_compared_with_the_one_just_before() -> None:
    live = live_of(subscription(LIVE_FIRST))
    september = dt.date(2026, 9, 1)
    desired = subscription(
        Version(effective=START),
        raise_platform(LATER, "59"),
        raise_platform(september, "69"),
    )
    first, second = reviews_of(desired, live)
    assert first.compared_with == "subscription.acme_main.versions[2026-01-01]"
    assert second.compared_with == "subscription.acme_main.versions[2026-07-01]"
    assert table(second) == [(None, "59.00", "69.00", "10.00", "16.95")]  # 10/59 = 16.949


def test_a_new_version_without_live_versions_follows_the_previous_declared_one() -> None:
    # The live subscription holds no versions (a fixture): the declared first version,
    # with the plan's items, is the fallback.
    live = live_of(DESIRED)
    desired = subscription(Version(effective=START), raise_platform(LATER, "59"))
    reviews = [r for r in reviews_of(desired, live) if r.action is Action.NEW_VERSION]
    assert [r.compared_with for r in reviews] == ["subscription.acme_main.versions[2026-01-01]"]
    assert table(reviews[0]) == [(None, "49.00", "59.00", "10.00", "20.41")]


def test_a_draft_version_edit_compares_the_version_before_and_after() -> None:
    live = live_of(subscription(LIVE_FIRST, activate=False))
    desired = subscription(raise_platform(START, "59"), activate=False)
    (review,) = reviews_of(desired, live)
    assert (review.address, review.action, review.compared_with) == (
        "subscription.acme_main.versions[2026-01-01]",
        Action.UPDATE,
        None,
    )
    assert table(review) == [(None, "49.00", "59.00", "10.00", "20.41")]


# ---- percentage and expression models -----------------------------------------------------


def test_tiered_percentage_samples_the_volume_at_each_bound_and_a_cent_past() -> None:
    # <= 10,000 @ 2.9 %, <= 100,000 @ 2.5 % -> 2.4 %, above @ 2.0 %
    before = tiered_pct((10000, "2.9"), (100000, "2.5"), (None, "2.0"))
    after = tiered_pct((10000, "2.9"), (100000, "2.4"), (None, "2.0"))
    review = review_of("api", before, after)
    assert review.basis == "volume"
    assert table(review) == [
        ("0", "0.00", "0.00", "0.00", None),
        ("10000", "290.00", "290.00", "0.00", "0.00"),
        ("10000.01", "250.00025", "240.00024", "-10.00001", "-4.00"),  # 2.5 | 2.4 %
        ("100000", "2500.00", "2400.00", "-100.00", "-4.00"),
        ("100000.01", "2000.0002", "2000.0002", "0.00", "0.00"),  # top tier
    ]
    assert all(s.transactions is None for s in review.samples)  # not read by this model
    assert review.max_increase_percent is None


def test_graduated_percentage_samples_the_same_bounds() -> None:
    before = graduated_pct((10000, "2.9"), (None, "2.5"))
    after = graduated_pct((10000, "3.0"), (None, "2.5"))
    assert table(review_of("api", before, after)) == [
        ("0", "0.00", "0.00", "0.00", None),
        ("10000", "290.00", "300.00", "10.00", "3.45"),  # 10/290 = 3.448
        ("10000.01", "290.00025", "300.00025", "10.00", "3.45"),  # + 0.01 x 2.5 %
    ]


def test_volume_percentage_samples_volumes_with_a_fixed_transaction_count() -> None:
    # 2.9 % + 0.30 -> 0.35 per transaction; 100 transactions per non-zero sample
    review = review_of("api", volume_pct("2.9", "0.30"), volume_pct("2.9", "0.35"))
    assert review.basis == "volume"
    assert [s.transactions for s in review.samples] == [0, 100, 100, 100, 100]
    assert table(review) == [
        ("0", "0.00", "0.00", "0.00", None),
        ("100", "32.90", "37.90", "5.00", "15.20"),  # 2.90 + 30.00 | 35.00; 15.198
        ("1000", "59.00", "64.00", "5.00", "8.47"),
        ("10000", "320.00", "325.00", "5.00", "1.56"),  # 1.5625 -> 1.56
        ("100000", "2930.00", "2935.00", "5.00", "0.17"),
    ]
    assert review.max_increase_percent == D("15.20")


def test_an_expression_price_sets_every_metric_it_reads_to_the_ladder() -> None:
    review = review_of(
        "api", expression(("usage.api_calls", "0.01")), expression(("usage.api_calls", "0.012"))
    )
    assert review.basis == "metrics"
    assert table(review) == [
        ("0", "0.00", "0.00", "0.00", None),
        ("1", "0.01", "0.012", "0.002", "20.00"),  # exact, not 0.01 -> 0.01
        ("10", "0.10", "0.12", "0.02", "20.00"),
        ("100", "1.00", "1.20", "0.20", "20.00"),
        ("1000", "10.00", "12.00", "2.00", "20.00"),
    ]


def test_a_change_of_model_samples_both_sides_points_as_one_number() -> None:
    review = review_of("api", unit("0.01"), volume_pct("1"))
    assert review.basis == "mixed"
    quantities = [s.quantity for s in review.samples]
    assert quantities == [D(q) for q in (0, 1, 10, 100, 1000, 10000, 100000)]
    assert table(review)[3] == ("100", "1.00", "1.00", "0.00", "0.00")  # 100 units | 1 % of 100


# ---- terms, problems, tests ---------------------------------------------------------------


def test_a_trial_does_not_hide_the_price() -> None:
    # a 45-day trial frees monthly periods 0 and 1 (days 0 and 30); period 2 is billed
    review = review_of("api", unit("0.01", trial_days=45), unit("0.02", trial_days=45))
    assert review.period_index == 2
    assert table(review)[-1] == ("1000", "10.00", "20.00", "10.00", "100.00")


@pytest.mark.parametrize(
    ("bad", "said"),
    [
        (unit("0.02", minimum="10", spend_period="quarterly"), "period"),  # quarterly floor
        (expression(("1", "10 / usage.api_calls")), "division by zero"),  # at 0 calls
    ],
)
def test_a_price_the_engine_refuses_gets_a_problem_not_an_exception(bad: Price, said: str) -> None:
    review = review_of("api", unit("0.01"), bad)
    assert review.samples == () and review.max_increase_percent is None
    assert review.problem is not None and said in review.problem


def test_declared_pricing_tests_add_their_usage() -> None:
    tests = declared_tests(
        with_tests(
            overage=pricing_test("plan.starter.api", quantity=D(2500)),
            other_item=pricing_test("plan.starter.platform", quantity=D(7)),
            at_bound=pricing_test("plan.starter.api", quantity=D(1000)),
        )
    )
    desired, live = states("api", unit("0.01"), unit("0.02"))
    (review,) = price_reviews(diff(desired, live).changes, desired, live, tests)
    rows = {s.quantity: s.note for s in review.samples}
    assert rows[D(2500)] == "test overage"
    assert rows[D(1000)] == "ladder, test at_bound"  # the same row: one sample
    assert D(7) not in rows
    assert table(review)[-1] == ("2500", "25.00", "50.00", "25.00", "100.00")


def test_a_test_on_the_version_followed_samples_the_new_version() -> None:
    live = live_of(subscription(LIVE_FIRST))
    desired = subscription(Version(effective=START), raise_platform(LATER, "59"))
    pinned = ReviewTest(
        "old", "subscription.acme_main.versions[2026-01-01]", "items[platform]", Usage()
    )
    (review,) = price_reviews(diff(desired, live).changes, desired, live, [pinned])
    assert [s.note for s in review.samples] == ["usage not read, test old"]


def test_declared_tests_name_their_price_by_address_and_item_path() -> None:
    catalog = with_tests(
        sub=pricing_test(
            "subscription.acme.versions[2026-07-01].addons.storage", volume=D(9), count=3
        ),
        bundle=pricing_test("bundle.addons.storage", metrics={"gb": D(2)}),
        plain=pricing_test("plan.starter.api", quantity=D(42)),
        bad_ref=pricing_test("plan.starter.items[api]", quantity=D(1)),
    )
    assert declared_tests(catalog) == (
        ReviewTest("bundle", "bundle.addons", "items[storage]", Usage(metrics={"gb": D(2)})),
        ReviewTest("plain", "plan.starter", "items[api]", Usage(quantity=D(42))),
        ReviewTest(
            "sub",
            "subscription.acme.versions[2026-07-01]",
            "items[addons].items[storage]",
            Usage(volume=D(9), transactions=3),
        ),
    )
    assert declared_tests(DESIRED) == ()  # no `tests` table: nothing


def pricing_test(price: str, **usage: Any) -> PricingTest:
    return PricingTest(price=price, expected_total=D(1), **usage)


def with_tests(**tests: PricingTest) -> DesiredState:
    return DESIRED.model_copy(update={"tests": tests})


# ---- the percentage and the threshold ------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        ("49.00", "59.00", "20.41"),
        ("3.00", "1.00", "-66.67"),  # -66.666... half up (away from zero)
        ("0.00", "1.00", None),
        (None, "1.00", None),
        ("2.00", None, "-100.00"),
        ("8.00", "8.00", "0.00"),
    ],
)
def test_percent_change(before: str | None, after: str | None, expected: str | None) -> None:
    value = percent_change(
        None if before is None else D(before), None if after is None else D(after)
    )
    assert (None if value is None else str(value)) == expected


def increase_warnings(threshold: str) -> list[str]:
    desired, live = states("api", unit("0.002"), unit("0.0025"))  # rises by 25.00 %
    plan = make_plan(
        desired, live, diff(desired, live), created_at=AT, review_threshold=D(threshold)
    )
    assert plan.review and exceeds(plan.review[0], D(threshold)) == (D(threshold) < D(25))
    return [d.message for d in plan.diagnostics if d.code == "plan.price_increase"]


def test_the_increase_warning_fires_just_above_the_threshold_and_not_at_it() -> None:
    assert increase_warnings("25") == []
    assert increase_warnings("24.99") == [
        "plan.starter items[api]: the charge rises by up to +25.00% (at quantity 1:"
        " 0.002 → 0.0025 USD per billing period), above the 24.99% review threshold"
    ]


def test_the_default_threshold_is_ten_percent_and_a_decrease_never_warns() -> None:
    desired, live = states("api", unit("0.0025"), unit("0.002"))
    plan = make_plan(desired, live, diff(desired, live), created_at=AT)
    assert plan.review and not [d for d in plan.diagnostics if d.code == "plan.price_increase"]
    desired, live = states("platform", fixed("49"), fixed("54"))  # +10.20 %
    plan = make_plan(desired, live, diff(desired, live), created_at=AT)
    (warning,) = [d for d in plan.diagnostics if d.code == "plan.price_increase"]
    assert warning.severity.value == "warning" and "+10.20%" in warning.message
    assert warning.field == "plan.starter.items[platform]"


def test_a_one_off_price_is_reviewed_as_charged_once() -> None:
    """A one-off product with charge_on_contract_start (and a trial on its price) is
    reviewed in the contract's first period, the only one it is charged in (no trial
    defers a charge on contract start), and said to be charged once."""
    one_off = PRODUCTS["platform"].model_copy(update={"billing_frequency": "one-off"})
    before = FixedPrice(
        type="fixed", billing_interval="monthly", price_per_unit=D("500"), trial_days=60
    )
    before = before.model_copy(update={"charge_on_contract_start": True})
    after = before.model_copy(update={"price_per_unit": D("600")})
    desired, live = states("platform", before, after)
    desired = desired.model_copy(update={"products": {**desired.products, "platform": one_off}})
    live = live.model_copy(update={"products": {**live.products, "platform": one_off}})
    (review,) = reviews_of(desired, live)
    assert review.one_off and review.period_index == 0
    assert [(s.before, s.after) for s in review.samples] == [(D("500.00"), D("600.00"))]
    assert "USD once (one-off), in billing period 1" in money_table(review).details

"""Price references: the grammar, and resolution against the example catalog."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from alguna_pricing.errors import InvalidUsageError
from alguna_pricing.model.prices import (
    FixedPrice,
    PrepaidFixedTieredPrice,
    UnitPrice,
    VolumePercentagePrice,
)
from alguna_pricing.usage import Usage
from reconciler.model import DesiredState, PriceRef
from reconciler.pricing.quoting import CurrencyChoiceError, quote_price
from reconciler.pricing.refs import (
    PriceRefError,
    all_prices,
    resolve,
    resolve_text,
    version_items,
)
from reconciler.wire import effective_items
from reconciler.wire.refs import CatalogModels
from tests.builders import example_state


@pytest.fixture(scope="module")
def state() -> DesiredState:
    return example_state("production")


# ---- grammar --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        ("plan.growth.seats", {"owner": "plan", "key": "growth", "product": "seats"}),
        (
            "plan.enterprise.payments.card_processing",
            {"owner": "plan", "key": "enterprise", "bundle": "payments"},
        ),
        ("bundle.payments.payouts", {"owner": "bundle", "key": "payments", "bundle": None}),
        (
            "subscription.acme.versions[2026-07-01].api_requests",
            {"owner": "subscription", "version": "2026-07-01", "product": "api_requests"},
        ),
        (
            "subscription.acme.versions[end_of_term].payments.payouts",
            {"version": "end_of_term", "bundle": "payments", "product": "payouts"},
        ),
    ],
)
def test_references_parse_and_print_back(text: str, fields: dict[str, object]) -> None:
    ref = PriceRef.parse(text)
    for name, value in fields.items():
        assert getattr(ref, name) == value
    assert str(ref) == text


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("plans.growth.seats", "not a price reference"),
        ("plan.growth", "not a price reference"),
        ("plan.Growth.seats", "not a price reference"),
        ("plan.growth.a.b.c", "not a price reference"),
        ("product.seats", "not a price reference"),
        ("subscription.acme.api_requests", "through its version"),
        ("plan.growth.versions[2026-01-01].seats", "only subscriptions have versions"),
        ("bundle.payments.extra.payouts", "bundle.<bundle>.<product>"),
        ("", "not a price reference"),
    ],
)
def test_malformed_references_say_what_to_write(text: str, hint: str) -> None:
    with pytest.raises(ValueError) as caught:
        PriceRef.parse(text)
    assert hint in str(caught.value)


# ---- resolution -----------------------------------------------------------------------


def test_a_plan_product_item(state: DesiredState) -> None:
    resolved = resolve_text(state, "plan.developer.auth_mau")
    assert isinstance(resolved.price, UnitPrice)
    assert resolved.price.price_per_unit == D("0.02")
    assert resolved.currency == "USD"


def test_a_bundle_item_uses_the_plans_override_else_the_bundle(state: DesiredState) -> None:
    enterprise = resolve_text(state, "plan.enterprise.payments.card_processing").price
    growth = resolve_text(state, "plan.growth.payments.card_processing").price
    declared = resolve_text(state, "bundle.payments.card_processing")
    assert isinstance(enterprise, VolumePercentagePrice)
    assert isinstance(growth, VolumePercentagePrice)
    assert enterprise.percentage == D("2.5")  # negotiated override
    assert growth == declared.price  # the bundle as declared
    assert declared.currency is None  # a bundle bills in its seller's currency


def test_a_subscription_version_holds_the_plan_items_with_its_overrides(
    state: DesiredState,
) -> None:
    first = resolve_text(state, "subscription.acme_enterprise.versions[2026-01-01].api_requests")
    later = resolve_text(state, "subscription.acme_enterprise.versions[2026-07-01].api_requests")
    inherited = resolve_text(
        state, "subscription.acme_enterprise.versions[2026-07-01].platform_fee"
    )
    assert isinstance(first.price, PrepaidFixedTieredPrice)
    assert isinstance(later.price, PrepaidFixedTieredPrice)
    assert (first.price.prepaid_units, later.price.prepaid_units) == (150_000_000, 300_000_000)
    assert inherited.price == resolve_text(state, "plan.enterprise.platform_fee").price
    globex = resolve_text(state, "subscription.globex_custom.versions[2026-03-01].platform_fee")
    assert isinstance(globex.price, FixedPrice)
    assert globex.currency == "EUR"  # the customer's


def test_version_items_merge_like_the_wire(state: DesiredState) -> None:
    models = CatalogModels(state)
    for subscription in state.subscriptions.values():
        for version in (*subscription.versions, None):
            assert version_items(state, subscription, version) == effective_items(
                subscription, version, models
            )


def test_a_subscription_without_versions_has_one_at_its_start_date(
    state: DesiredState,
) -> None:
    acme = state.subscriptions["acme_enterprise"]
    bare = state.model_copy(
        update={"subscriptions": {"plain": acme.model_copy(update={"versions": ()})}}
    )
    resolved = resolve_text(bare, "subscription.plain.versions[2026-01-01].storage")
    assert resolved.price == resolve_text(state, "plan.enterprise.storage").price
    with pytest.raises(PriceRefError, match="its versions: 2026-01-01"):
        resolve_text(bare, "subscription.plain.versions[2026-02-01].storage")


def test_all_prices_resolve_to_themselves(state: DesiredState) -> None:
    prices = all_prices(state)
    assert len(prices) >= 40
    assert len({str(p.ref) for p in prices}) == len(prices)
    for entry in prices:
        assert resolve(state, PriceRef.parse(str(entry.ref))) == entry


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("plan.nope.seats", "no plan `nope` is declared"),
        ("plan.growth.gpu_runners", "its prices: plan.growth.platform_fee, plan.growth.seats"),
        ("plan.growth.payments.seats", "has no price `plan.growth.payments.seats`"),
        ("subscription.acme_enterprise.versions[2027-01-01].seats", "no version effective"),
        ("bundle.payments.seats", "its prices: bundle.payments.card_processing"),
    ],
)
def test_unknown_prices_list_what_the_owner_has(
    state: DesiredState, text: str, message: str
) -> None:
    with pytest.raises(PriceRefError) as caught:
        resolve_text(state, text)
    assert message in str(caught.value)


# ---- quoting by reference -------------------------------------------------------------


def test_quote_price_prices_the_usage(state: DesiredState) -> None:
    priced = quote_price(state, "plan.growth.seats", quantity=D(25))
    assert priced.quote.total == D("315.00")  # 3 x 0 + 17 x 15 + 5 x 12
    assert priced.currency == "USD"
    assert priced.usage == Usage(quantity=D(25))


def test_quote_price_refuses_usage_the_model_does_not_read(state: DesiredState) -> None:
    with pytest.raises(InvalidUsageError, match="does not read `volume`"):
        quote_price(state, "plan.growth.seats", volume=D(25))


def test_a_bundle_price_needs_a_currency_and_a_plan_price_refuses_another(
    state: DesiredState,
) -> None:
    with pytest.raises(CurrencyChoiceError, match="give one"):
        quote_price(state, "bundle.payments.payouts", volume=D(1000))
    euros = quote_price(state, "bundle.payments.payouts", volume=D(1000), currency="EUR")
    assert euros.quote.total == D("10.00")  # 1,000 x 1.0 %
    with pytest.raises(CurrencyChoiceError, match="bills in USD, not EUR"):
        quote_price(state, "plan.growth.seats", quantity=D(1), currency="EUR")

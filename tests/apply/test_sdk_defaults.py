"""The values the API answers for fields nobody set are no change.

The SDK's response types make fields required that a catalog may leave unset (a product's
`description` and `revenue_allocation_method`, a count metric's `aggregation.field`, a
subscription's `name`, billing flags and collection method, `renewal.auto_renew`, a
version price's `charge_on_contract_start`); the emulator answers them as the SDK demands
(`""`, `false`, a default). Applied, a catalog that leaves them unset, or declares the
values the API would answer anyway, plans empty; one that declares other values converges
to them, and an out-of-band change to them shows as a change that apply reverts. No plans
are used: their write-once handling is issue 16's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest

from alguna_pricing.model.prices import FixedPrice, UnitPrice
from reconciler.model import (
    Customer,
    DesiredState,
    Item,
    Metric,
    Product,
    Subscription,
    Version,
)
from reconciler.model.resources import (
    Aggregation,
    RenewalTerms,
    SubscriptionBilling,
    SubscriptionContract,
)
from reconciler.plan import ApplyStatus
from tests.apply.generated import Direct, direct
from tests.apply.harness import describe

START = dt.date(2026, 5, 1)


def _catalog(**subscription_terms: object) -> DesiredState:
    items = (
        Item(
            product="platform",
            price=FixedPrice(type="fixed", price_per_unit=Decimal(100), billing_interval="monthly"),
        ),
        Item(
            product="api",
            price=UnitPrice(
                type="unit", price_per_unit=Decimal("0.01"), billing_interval="monthly"
            ),
        ),
    )
    return DesiredState(
        environment="test",
        metrics={
            "calls": Metric(
                name="Calls", event_name="call", aggregation=Aggregation(method="count")
            )
        },
        products={
            "platform": Product(name="Platform", fee_type="fixed", payment_terms="advance"),
            "api": Product(
                name="API",
                fee_type="metered",
                payment_terms="arrears",
                metrics=("calls",),
                revenue_allocation_method="usage_based",  # the default: declared anyway
            ),
        },
        customers={"acme": Customer(name="Acme", currency="USD", aliases=("acme",))},
        subscriptions={
            "acme_main": Subscription(
                customer="acme",
                contract=SubscriptionContract(start_date=START, duration_months=12),
                versions=(Version(effective=START, items=items),),
                **subscription_terms,  # type: ignore[arg-type]
            )
        },
    )


@pytest.fixture
def env() -> Iterator[Direct]:
    with direct() as env:
        yield env


async def _apply_and_replan(env: Direct, desired: DesiredState) -> None:
    _, result = await env.apply(desired)
    assert result.status is ApplyStatus.SUCCESS, result.errors
    again, _ = await env.plan(desired)
    assert not again.has_changes, "plan after apply is not empty:\n" + describe(again.changes)


@pytest.mark.parametrize(
    "terms",
    [
        pytest.param({}, id="nothing-set"),
        pytest.param(
            {
                "billing": SubscriptionBilling(auto_issue_invoices=False, auto_pay_invoices=False),
                "renewal": RenewalTerms(auto_renew=False),
            },
            id="the-answered-values-declared",
        ),
        pytest.param(
            {
                "name": "Acme main",
                "billing": SubscriptionBilling(auto_pay_invoices=True, payment_terms="net_30"),
                "renewal": RenewalTerms(auto_renew=True, duration_months=12),
            },
            id="other-values-declared",
        ),
    ],
)
def test_apply_then_plan_is_empty(env: Direct, terms: dict[str, object]) -> None:
    desired = _catalog(**terms)
    env.run(_apply_and_replan(env, desired))
    [sub] = env.run(env.control.objects("subscription"))
    billing = terms.get("billing")
    declared = isinstance(billing, SubscriptionBilling) and billing.auto_pay_invoices is True
    assert bool(sub["billing"]["auto_pay_invoices"]) is declared


def test_an_out_of_band_change_to_an_answered_default_shows_and_is_reverted(env: Direct) -> None:
    desired = _catalog()
    env.run(_apply_and_replan(env, desired))
    [sub] = env.run(env.control.objects("subscription"))
    [product] = [p for p in env.run(env.control.objects("product")) if p["name"] == "API"]
    env.run(env.control.edit("subscription", sub["id"], {"billing": {"auto_pay_invoices": True}}))
    env.run(
        env.control.edit("product", product["id"], {"revenue_allocation_method": "straight_line"})
    )
    drifted, _ = env.run(env.plan(desired))
    assert sorted(c.change_id for c in drifted.changes) == [
        "product.api#update",
        "subscription.acme_main#update",
    ], describe(drifted.changes)
    env.run(_apply_and_replan(env, desired))
    [sub] = env.run(env.control.objects("subscription"))
    assert not sub["billing"]["auto_pay_invoices"]

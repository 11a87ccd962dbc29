"""The inverse tolerates what real responses add, and the resolvers behave as documented."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

import pytest

from alguna_pricing.model.prices import Discount
from reconciler.model import Address, Plan
from reconciler.model.resources import InvoiceSettings, RenewalTerms, SubscriptionBilling
from reconciler.wire import (
    CatalogModels,
    KeysAsIds,
    MapResolver,
    UnresolvedReferenceError,
    customer_from_wire,
    plan_from_wire,
    subscription_from_wire,
)
from reconciler.wire.terms import discount_from_wire
from tests.wire.catalog import CATALOG, PRODUCTS, RESOLVER


def test_subscription_response_extras_are_ignored() -> None:
    obj: dict[str, Any] = {
        "id": "CQCncgVu",
        "customer_id": "CACME",
        "plan_id": "pln_STARTER",
        "currency": "USD",
        "status": "draft",
        "metadata": {"billing_key": "s", "managed_by": "alguna-billing"},
        "contract": {
            "period_type": "fixed",
            "duration_months": 12,
            "start_date": "2026-01-01T00:00:00Z",
            "end_date": "2027-01-01T00:00:00Z",
        },
        "renewal": {"auto_renew": False, "period_type": "fixed", "next_renewal_date": "x"},
        "billing": {"auto_pay_invoices": True, "next_billing_date": "2026-02-01"},
        "price_escalation": {"enabled": True},
        "pending_changes": [],
        "current_version_id": "subv_1",
        "activated_at": None,
        "created_at": "2026-01-01T00:00:00Z",
    }
    sub = subscription_from_wire(obj, [], "s", RESOLVER)
    assert sub.currency is None  # the customer's currency
    assert sub.plan == "starter" and sub.customer == "acme"
    assert sub.renewal == RenewalTerms(auto_renew=False)
    assert sub.billing == SubscriptionBilling(auto_pay_invoices=True)
    assert sub.contract.start_date == dt.date(2026, 1, 1)
    assert sub.versions == () and sub.activate is False


def test_plan_and_customer_response_extras_are_ignored() -> None:
    plan = plan_from_wire(
        {
            "id": "pln_1",
            "name": "P",
            "currency": "USD",
            "invoice_settings": {"auto_issue_invoices": False, "internal_flag": 1},
            "entitlements": [{"entitlement_key": "sso", "id": "ent_1"}],
            "tags": [],
        },
        RESOLVER,
    )
    assert plan.invoice_settings == InvoiceSettings(auto_issue_invoices=False)
    assert plan.entitlements[0].key == "sso" and plan.entitlements[0].value == "true"
    assert plan_from_wire({"name": "P", "currency": "USD", "invoice_settings": {}}, RESOLVER) == (
        Plan(name="P", currency="USD")
    )
    customer = customer_from_wire(
        {
            "id": "wcqYrqfE",
            "name": "Acme",
            "currency": "USD",
            "aliases": ["acme", "acme-corp"],
            "billing_address": {"line1": "", "city": "Berlin", "country": "DE"},
            "contacts": [
                {"id": "OLgPyqFF", "email": "a@b.co", "first_name": "", "is_primary": True}
            ],
            "tax_id": "DE123456789",
        },
        "acme",
    )
    assert customer.aliases == ("acme-corp",)
    assert customer.billing_address is not None and customer.billing_address.line1 is None
    assert customer.contacts[0].first_name is None and customer.contacts[0].is_primary is True


def test_discount_type_spelling_variants() -> None:
    assert discount_from_wire({"discount_type": "percentage", "amount": "10.00"}) == Discount(
        amount=D(10)
    )
    assert discount_from_wire(None) is None


def test_map_resolver_lookups() -> None:
    assert RESOLVER.product("api") == PRODUCTS["api"]
    assert RESOLVER.product_id("api") == "prod_API"
    assert RESOLVER.product_key("prod_API") == "api"
    assert RESOLVER.customer_key(RESOLVER.customer_id("globex")) == "globex"
    assert RESOLVER.bundle_key("bnd_ADDONS") == "addons"
    assert RESOLVER.plan_key("pln_STARTER") == "starter"
    assert RESOLVER.metric_key("mtr_API_CALLS") == "api_calls"
    versioned = Address(kind="subscription", key="s", version="2026-01-01")
    resolver = MapResolver(CATALOG, {versioned: "subv_1"})  # version addresses are ignored
    with pytest.raises(UnresolvedReferenceError):
        resolver.plan_id("starter")
    with pytest.raises(UnresolvedReferenceError, match="unresolved customer key 'nobody'"):
        CatalogModels(CATALOG).customer("nobody")


def test_keys_as_ids_is_the_identity_with_models() -> None:
    same = KeysAsIds(CatalogModels(CATALOG))
    assert same.product_id("api") == same.product_key("api") == "api"
    assert (same.bundle_id("x"), same.customer_key("y"), same.metric_id("m")) == ("x", "y", "m")
    assert same.plan("starter") == CATALOG.plans["starter"]
    with pytest.raises(UnresolvedReferenceError):
        same.bundle("nope")

"""The official SDK (`alguna` 0.1.0) drives the emulator over HTTP, operation by operation.

Each SDK operation on the managed resources is called as a user of the SDK would call it; the
request must be accepted (2xx) and the raw JSON must validate against the operation's
declared response type with pydantic (required fields present, types right). Operations the
SDK lacks must be refused as an unknown route or method (404/405). The counts are printed in
the closing note (conftest.pytest_terminal_summary) and listed in docs/api-compatibility.md.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from typing import Any

import httpx
import pydantic
import pytest
from alguna import Alguna

from tests.conformance.conftest import KEY, Recorder
from tests.conformance.ledger import LEDGER
from tests.conformance.operations import KNOWN_GAPS, REFUSED, SCOPE, UNSERVED

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def sdk_operations() -> set[str]:
    """Every public method of the in-scope SDK clients, as `<client>.<method>`."""
    client = Alguna(api_key=KEY, base_url="http://127.0.0.1:9")
    found = set()
    for name in SCOPE:
        resource = getattr(client, name)
        for method, _ in inspect.getmembers(resource, inspect.ismethod):
            if not method.startswith("_"):
                found.add(f"{name}.{method}")
    return found


def required_nulls(annotation: Any, value: Any, path: str = "") -> list[str]:
    """Paths of required fields of the SDK's response type answered with null.

    The SDK types every enum as `Literal[...] | Any`, so pydantic accepts a null there (e.g.
    `BillingResponse.payment_collection_method`): this catches what validation cannot.
    """
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        if not isinstance(value, dict):
            return []
        found = []
        for name, field in annotation.model_fields.items():
            here = f"{path}.{name}" if path else name
            if name in value and value[name] is None and field.is_required():
                found.append(here)
            elif value.get(name) is not None:
                found += required_nulls(field.annotation, value[name], here)
        return found
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (list, typing.List) and isinstance(value, list):  # noqa: UP006
        return [p for i, v in enumerate(value) for p in required_nulls(args[0], v, f"{path}.{i}")]
    return [p for arg in args for p in required_nulls(arg, value, path)]


class Checker:
    """Calls SDK operations and judges each response against the SDK's own type."""

    def __init__(self, sdk: Alguna, recorder: Recorder) -> None:
        self.sdk = sdk
        self.recorder = recorder
        self.problems: dict[str, str] = {}

    def __call__(self, op: str, *args: Any, **kwargs: Any) -> Any:
        client, method = op.split(".")
        func: Callable[..., Any] = getattr(getattr(self.sdk, client), method)
        self.recorder.last = None
        result = func(*args, **kwargs)  # an HTTP error raises the SDK's ApiError: a failure
        response = self.recorder.last
        assert response is not None and response.is_success, op
        returns = typing.get_type_hints(func)["return"]
        problem = ""
        if returns is not type(None):
            try:
                pydantic.TypeAdapter(returns).validate_python(response.json())
            except pydantic.ValidationError as error:
                problem = str(error)
            else:
                problem = "".join(
                    f"{path}: required, answered null\n"
                    for path in required_nulls(returns, response.json())
                )
        self.problems[op] = problem
        LEDGER.outcomes[op] = "gap" if problem else "pass"
        return result


@pytest.fixture(scope="module")
def check(sdk: Alguna, recorder: Recorder) -> Checker:
    return Checker(sdk, recorder)


def _fixed(product_id: str | None = None, amount: str = "500.00") -> dict[str, Any]:
    price: dict[str, Any] = {
        "type": "fixed",
        "fee_type": "fixed",
        "billing_direction": "advance",
        "billing_frequency": "recurring",
        "billing_interval": "monthly",
        "charge_on_contract_start": False,
        "fixed_pricing_model": {"price_per_unit": amount, "units": 1},
    }
    return price if product_id is None else {"product_id": product_id, **price}


def _unit(metric_id: str) -> dict[str, Any]:
    return {
        "type": "unit",
        "fee_type": "metered",
        "billing_direction": "arrears",
        "billing_interval": "monthly",
        "metric_ids": [metric_id],
        "unit_pricing_model": {"price_per_unit": "0.02"},
    }


_SEATS = {"entitlement_key": "seats", "type": "number", "mode": "static", "value": "5"}


def test_every_sdk_operation_is_served_as_the_sdk_defines_it(
    check: Checker, sdk: Alguna, base_url: str
) -> None:
    # Catalog: metrics, products, plans, bundles.
    metric = check("metrics.create", aggregation={"method": "count"}, event_name="call", name="C")
    check("metrics.get", metric.id)
    check(
        "metrics.list",
        event_name="call",
        aggregation_method="count",
        tag_ids=None,
        limit=10,
        offset=0,
        sort="name:asc",
    )
    seats = check(
        "products.create",
        fee_type="fixed",
        name="Seats",
        payment_terms="advance",
        billing_frequency="recurring",
        sku="seats",
    )
    api = check(
        "products.create",
        fee_type="metered",
        name="API",
        payment_terms="arrears",
        metric_ids=[metric.id],
    )
    check("products.get", seats.id)
    check("products.update", seats.id, name="Seats v2")
    check("products.list", fee_type="fixed", payment_terms="advance", limit=10)
    plan = check(
        "plans.create",
        currency="USD",
        name="Pro",
        description="the pro plan",
        items=[
            {"product_id": seats.id, "price": _fixed()},
            {"product_id": api.id, "price": _unit(metric.id)},
        ],
        entitlements=[_SEATS],
    )
    got = check("plans.get", plan.id)
    assert set(got.model_dump(exclude_unset=True)) <= set(type(got).model_fields)  # no items
    check("plans.list", sort="name:asc", limit=10)
    bundle = check("bundles.create", name="Add-ons", prices=[_fixed(seats.id, "5.00")])
    check("bundles.get", bundle.id)
    check("bundles.update", bundle.id, description="extras")
    check("bundles.list", limit=10)

    # Customers, lookup.
    customer = check("customers.create", currency="USD", name="Acme", aliases=["acme"])
    check("customers.get", customer.id)
    check("customers.update", customer.id, name="Acme Inc")
    check("customers.list", alias="acme", has_active_subscriptions=False, sort="name:asc")
    assert check("customers.lookup", alias="acme").customer_id == customer.id

    # Subscriptions and their versions.
    draft_sub = check("subscriptions.create", customer_id=customer.id, plan_id=plan.id)
    check("subscriptions.delete", draft_sub.id)
    sub = check("subscriptions.create", customer_id=customer.id, plan_id=plan.id, name="Acme Pro")
    check("subscriptions.get", sub.id)
    check("subscriptions.update", sub.id, description="main")
    check("subscriptions.list", customer_id=customer.id, status="draft", sort="created_at:asc")
    check("subscriptions.activate", sub.id)
    check("subscriptions.get_billing_dates", sub.id)
    versions = check("subscription_versions.list", sub.id)
    current = check("subscription_versions.get_current", sub.id)
    assert current.id == versions.data[0].id
    check("subscription_versions.get", sub.id, current.id)
    check("subscription_versions.get_item", sub.id, current.id, seats.id)
    items = [{"product_id": seats.id, "price": _fixed(amount="600.00")}]
    draft = check(
        "subscription_versions.create",
        sub.id,
        items=items,
        draft=True,
        effective_at="2027-01-01",
        entitlements=[_SEATS],
    )
    assert draft.status == "draft"
    check("subscription_versions.replace", sub.id, draft.id, items=items, description="v2")
    check("subscription_versions.publish", sub.id, draft.id)
    doomed = check("subscription_versions.create", sub.id, items=items, draft=True)
    check("subscription_versions.delete", sub.id, doomed.id)
    published = check(
        "subscription_versions.create", sub.id, items=items, effective_at="2027-06-01"
    )
    assert published.status == "published"  # the SDK's default: draft=false publishes

    # Entitlements, from the current published version of active subscriptions.
    listed = check("subscriptions.list_entitlements", sub.id)
    assert [(e.key, e.value, e.subscription_id) for e in listed.data] == [("seats", "5", sub.id)]
    assert check("subscriptions.get_entitlement", sub.id, "seats").version_id == current.id
    assert len(check("customers.list_entitlements", customer.id).data) == 1

    _credits(check, customer.id, sub.id)

    # Changes (delta amendments) and usage events.
    change = {"update": [{"product_id": seats.id, "adjust": {"fixed_pricing_model": {"units": 2}}}]}
    preview = check("subscription_changes.preview", sub.id, **change)
    assert preview.source_version_id == current.id
    applied = check(
        "subscription_changes.create", sub.id, **change, remove=[{"product_id": api.id}]
    )
    assert applied.source_version_id == current.id and applied.version_status == "published"
    ingested = check(
        "events.ingest",
        events=[{"unique_id": "evt-1", "account": "acme", "event_name": "call", "properties": {}}],
    )
    assert ingested.ingested == ["evt-1"]

    # Invoices: the period close makes them when the emulator clock passes a cycle's end; a
    # customer with a test card on an auto-paying subscription pays at once.
    payer = check("customers.create", currency="USD", name="Payer")
    with httpx.Client(base_url=base_url, headers=_headers()) as http:
        card = {"card_number": "4242 4242 4242 4242"}
        added = http.post(f"/_emulator/customers/{payer.id}/payment-methods", json=card)
        assert added.status_code == 201, added.text
        check(
            "subscriptions.create",
            customer_id=payer.id,
            plan_id=plan.id,
            auto_activate=True,
            billing={"auto_pay_invoices": True},
        )
        moved = http.post("/_emulator/clock/advance", json={"days": 32})
        assert moved.status_code == 200, moved.text
    invoices = check(
        "invoices.list",
        customer_id=customer.id,
        subscription_id=sub.id,
        status="issued",
        sort="invoicing_date:asc",
        limit=10,
        offset=0,
    )
    assert invoices.data and invoices.data[0].status == "issued"
    invoice = check("invoices.get", invoices.data[0].id)
    assert invoice.line_items and invoice.total == invoices.data[0].total
    (method,) = check("customers.list_payment_methods", payer.id).data
    assert method.is_default and method.details.card and method.details.card.last4 == "4242"
    (payment,) = check("payments.list", customer_id=payer.id, limit=10, offset=0).data
    assert payment.status == "completed"
    paid = check("payments.get", payment.id)
    assert check("invoices.get", paid.invoice_id).status == "paid"
    check("subscriptions.cancel", sub.id, reason="other")

    # Merchants: what the environment guard reads. Products are deleted last.
    merchant = check("merchants.create", display_name="Acme Billing", external_id="acme-main")
    check("merchants.get", merchant.id)
    check("merchants.list", external_id="acme-main")
    spare = check(
        "products.create",
        fee_type="fixed",
        name="Spare",
        payment_terms="advance",
        billing_frequency="one-off",
    )
    check("products.delete", spare.id)
    with httpx.Client(base_url=base_url, headers=_headers()) as http:
        assert http.get(f"/products/{spare.id}").status_code == 404

    wrong = {op: p for op, p in check.problems.items() if bool(p) != (op in KNOWN_GAPS)}
    assert not wrong, "\n\n".join(
        f"{op}: {p or 'passes: remove it from KNOWN_GAPS'}" for op, p in wrong.items()
    )
    for op, fragment in KNOWN_GAPS.items():
        assert fragment in check.problems[op], f"{op} fails otherwise:\n{check.problems[op]}"

    # Every in-scope SDK operation was exercised above or is listed as unserved, with a reason.
    operations = sdk_operations()
    LEDGER.in_scope, LEDGER.unserved = len(operations), len(UNSERVED)
    exercised = set(check.problems)
    assert not exercised & set(UNSERVED)
    assert operations == exercised | set(UNSERVED), sorted(operations ^ (exercised | set(UNSERVED)))


def _credits(check: Checker, customer_id: str, sub_id: str) -> None:
    """Wallets, wallet grants, credit check and track, and a subscription's credit grant
    and balance; the metric of `call` events is unit-priced (0.02) on the active `sub_id`."""
    wallet = check("wallets.create", currency="USD", customer_id=customer_id, name="Main")
    check("wallets.get", wallet.id)
    check("wallets.update", wallet.id, name="Main wallet")
    check("wallets.list", customer_id=customer_id, active=True, limit=10, offset=0)
    grant = check("wallet_grants.create", amount="10.00", wallet_id=wallet.id, description="top-up")
    check("wallet_grants.get", grant.id)
    check("wallet_grants.list", wallet_id=wallet.id, status="approved", limit=10)
    check("wallets.list_grants", wallet.id)
    credited = check(
        "wallets.credit", wallet.id, amount="5", reference_id="pay_1", transaction_type="payment"
    )
    assert credited.current_balance == "15"
    debited = check(
        "wallets.debit",
        wallet.id,
        amount="3.50",
        reference_id="adj_1",
        transaction_type="manual_debit",
    )
    assert debited.current_balance == "11.5"
    assert check("wallets.get_balance", wallet.id).balance == "11.5"
    sub_grant = check("subscriptions.create_credit_grant", sub_id, amount="1.00", reason="goodwill")
    assert sub_grant.subscription_id == sub_id and sub_grant.grant_type == "api"
    assert check("subscriptions.get_credit_balance", sub_id).balance == "12.5"
    event = {"event_name": "call", "unique_id": "credit-1", "properties": {}}
    quote = check("credits.check", account=customer_id, events=[event])
    assert quote.allowed and quote.totals.used == "0.02"
    tracked = check("credits.track", account=customer_id, events=[event])
    assert tracked.allowed and tracked.totals.covered == "0.02"
    assert tracked.balances[0].available == "12.48"
    emptied = check("wallets.create", currency="USD", customer_id=customer_id, name="Spare")
    check("wallets.delete", emptied.id)


def test_unserved_operations_are_real_sdk_operations() -> None:
    """The unserved list names only operations the SDK has (so it cannot hide a typo)."""
    assert set(UNSERVED) <= sdk_operations(), sorted(set(UNSERVED) - sdk_operations())


def _headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {KEY}", "Alguna-Version": "2026-04-01"}


def test_operations_the_sdk_lacks_are_refused(base_url: str) -> None:
    """No update of plans or metrics, no PATCH of versions, no delete of the rest: the real API
    has none, so the emulator answers as for any unknown route or method."""
    with httpx.Client(base_url=base_url, headers=_headers()) as http:
        metric = http.post(
            "/metrics", json={"name": "R", "event_name": "r", "aggregation": {"method": "count"}}
        ).json()
        product = http.post(
            "/products",
            json={
                "name": "R",
                "fee_type": "fixed",
                "payment_terms": "advance",
                "billing_frequency": "recurring",
            },
        ).json()
        item = {"product_id": product["id"], "price": _fixed()}
        plan = http.post("/plans", json={"name": "R", "currency": "USD", "items": [item]}).json()
        bundle = http.post("/bundles", json={"name": "R"}).json()
        customer = http.post("/customers", json={"name": "R", "currency": "USD"}).json()
        sub = http.post(
            "/subscriptions", json={"customer_id": customer["id"], "plan_id": plan["id"]}
        ).json()
        version = (
            sub["current_version_id"]
            or http.get(f"/subscriptions/{sub['id']}/versions").json()["data"][0]["id"]
        )
        ids = {
            "plan": plan["id"],
            "metric": metric["id"],
            "bundle": bundle["id"],
            "customer": customer["id"],
            "subscription": sub["id"],
            "version": version,
        }
        for method, template in REFUSED:
            response = http.request(
                method, template.format(**ids), json={"description": "x", "items": [item]}
            )
            LEDGER.refused[f"{method} {template}"] = response.status_code
        before = http.get(f"/plans/{plan['id']}").json()
    assert {k: s for k, s in LEDGER.refused.items() if s not in (404, 405)} == {}
    assert before["description"] is None

"""A stand-in for the API's echo: turns request bodies into response objects.

It does what the real server is documented (or assumed) to do to what it stores: adds
`id`, `created_at`, `updated_at`; computes `fixed_pricing_model.total`; echoes request
dates as timestamps; adds `currency` to prices and the embedded `product` to bundle
prices; merges subscription items over the plan's items; adds response-only fields
(status, contract end date, contact ids, tax details). It never changes what it was sent.
"""

from __future__ import annotations

import copy
import itertools
from decimal import Decimal
from typing import Any

STAMP = "2026-04-01T10:00:00Z"
_counter = itertools.count(1)


def _stamped(body: dict[str, Any], remote_id: str | None = None) -> dict[str, Any]:
    out = copy.deepcopy(body)
    out["id"] = remote_id or f"obj_{next(_counter):08d}"
    out["created_at"] = STAMP
    out["updated_at"] = STAMP
    return out


def timestamp(date: str) -> str:
    return f"{date}T00:00:00Z"


class FakeServer:
    """Response objects for create bodies; remembers products and plans by id."""

    def __init__(self) -> None:
        self.products: dict[str, dict[str, Any]] = {}
        self.plans: dict[str, dict[str, Any]] = {}

    def price(self, body: dict[str, Any], currency: str) -> dict[str, Any]:
        out = _stamped(body)
        out["currency"] = currency
        fixed = out.get("fixed_pricing_model")
        if fixed is not None:
            fixed["total"] = str(Decimal(fixed["price_per_unit"]) * fixed["units"])
        return out

    def items(self, items: list[dict[str, Any]], currency: str) -> list[dict[str, Any]]:
        out = []
        for item in items:
            if "bundle_id" in item:
                children = [
                    {"product_id": c["product_id"], "price": self.price(c["price"], currency)}
                    for c in item["items"]
                ]
                out.append({"bundle_id": item["bundle_id"], "items": children})
            else:
                price = self.price(item["price"], currency)
                out.append({"product_id": item["product_id"], "price": price})
        return out

    def metric(self, body: dict[str, Any], remote_id: str) -> dict[str, Any]:
        return {**_stamped(body, remote_id), "tag_ids": []}

    def product(self, body: dict[str, Any], remote_id: str) -> dict[str, Any]:
        out = {**_stamped(body, remote_id), "tag_ids": []}
        out.setdefault("description", None)
        self.products[remote_id] = out
        return out

    def bundle(self, body: dict[str, Any], remote_id: str) -> dict[str, Any]:
        out = _stamped(body, remote_id)
        prices = []
        for price in body["prices"]:
            stored = self.price(price, "USD")
            product = self.products.get(price["product_id"], {"id": price["product_id"]})
            stored["product"] = {k: product.get(k) for k in ("id", "name", "fee_type")}
            prices.append(stored)
        out["prices"] = prices
        return out

    def plan(self, body: dict[str, Any], remote_id: str) -> dict[str, Any]:
        out = _stamped(body, remote_id)
        out["items"] = self.items(body.get("items", []), body["currency"])
        self.plans[remote_id] = out
        return out

    def customer(self, body: dict[str, Any], remote_id: str) -> dict[str, Any]:
        out = _stamped(body, remote_id)
        out["contacts"] = [
            {**c, "id": f"cont{i:04d}"} for i, c in enumerate(body.get("contacts", []))
        ]
        out["tax_rate"] = "0.20"
        out["tax_country"] = "DE"
        return out

    def subscription(
        self, body: dict[str, Any], remote_id: str
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The subscription object and its first version."""
        out = _stamped(body, remote_id)
        out.pop("items")
        out.pop("auto_activate")
        out["status"] = "draft"
        out["contract"]["start_date"] = timestamp(body["contract"]["start_date"])
        out["contract"]["end_date"] = "2099-01-01T00:00:00Z"
        billing = out.get("billing") or {}
        if "first_billing_date" in billing:
            billing["first_billing_date"] = timestamp(billing["first_billing_date"])
        items = body.get("items", [])
        if body.get("plan_id") in self.plans:
            _copy_plan_terms(out, self.plans[body["plan_id"]])
        if "plan_id" in body:  # plan + overrides: same product/bundle replaces, rest appended

            def ref(item: dict[str, Any]) -> str:
                return str(item.get("product_id") or item.get("bundle_id"))

            overrides = {ref(item): item for item in items}
            plan_items = (
                self.plans[body["plan_id"]]["items"] if body["plan_id"] in self.plans else []
            )
            refs = {ref(item) for item in plan_items}
            items = [overrides.get(ref(i), i) for i in plan_items] + [
                i for i in items if ref(i) not in refs
            ]
        first = self.version(
            {"items": items, "effective_at": body["contract"]["start_date"]}, body["currency"]
        )
        out["current_version_id"] = first["id"]
        return out, first

    def version(self, body: dict[str, Any], currency: str) -> dict[str, Any]:
        out = _stamped(body)
        out["status"] = "published"
        out.setdefault("description", None)
        out["effective_at"] = timestamp(body["effective_at"])
        out["items"] = self.items(body["items"], currency)
        out["entitlements"] = []
        return out


def _copy_plan_terms(sub: dict[str, Any], plan: dict[str, Any]) -> None:
    """What the API does for a subscription created from a plan: every term the
    subscription leaves unset is the plan's."""
    for name in ("trial_period_days", "discount", "minimum_spend", "maximum_spend"):
        if sub.get(name) is None and plan.get(name) is not None:
            sub[name] = plan[name]
    contract = sub["contract"]
    if contract.get("duration_months") is None and plan.get("contract_duration") is not None:
        contract["duration_months"] = plan["contract_duration"]
    plan_renewal = {
        "auto_renew": plan.get("auto_renew"),
        "duration_months": plan.get("renewal_duration"),
        "period_type": plan.get("renewal_period_type"),
    }
    if any(value is not None for value in plan_renewal.values()):
        renewal = sub.get("renewal") or {}
        sub["renewal"] = {
            k: renewal.get(k) if renewal.get(k) is not None else v for k, v in plan_renewal.items()
        }
    if plan.get("payment_terms") is not None:
        billing = sub.get("billing") or {}
        if billing.get("payment_terms") is None:
            sub["billing"] = {**billing, "payment_terms": plan["payment_terms"]}

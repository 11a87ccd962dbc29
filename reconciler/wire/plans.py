"""Plans: catalog `Plan` <-> wire plan.

Body: `{name, currency, description?, additional_terms?, contract_duration?,
contract_period_type?, renewal_duration?, renewal_period_type?, auto_renew?,
trial_period_days?, payment_terms?, invoice_settings?, entitlements [{entitlement_key,
type, mode, value}], discount?, minimum_spend?, maximum_spend?, items [...]}`.

The catalog's nested `contract` and `renewal` terms are flat on the wire (alguna-api.md
section 4): `contract_period_type`/`contract_duration` and `auto_renew`/
`renewal_period_type`/`renewal_duration`. Back from the wire, `contract` exists when a
`contract_*` key is set and `renewal` when any renewal key is set. `invoice_settings`
with no field set is omitted, and an empty one reads back as None.

Entitlement types: the catalog's `quantity` and `tier` are the SDK's `number` and `string`
(`EntitlementInput.type` is `boolean | number | string | credit_allocation`); the mapping
renames them both ways (`ENTITLEMENT_TYPES`), and a wire `number`/`string` reads back as
`quantity`/`tier`.

A plan read carries only `id, name, currency, description` (and timestamps): everything
else reads back as unset. The revision marker (`reconciler.wire.revisions`) leaves the
description when read.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.model import Plan
from reconciler.model.plan_marker import split_marker
from reconciler.model.resources import ContractTerms, Entitlement, InvoiceSettings, RenewalTerms
from reconciler.wire.errors import reading
from reconciler.wire.items import items_from_wire, items_to_wire
from reconciler.wire.refs import IdResolver, KeyResolver
from reconciler.wire.terms import (
    discount_from_wire,
    discount_to_wire,
    spend_from_wire,
    spend_to_wire,
)
from reconciler.wire.values import WireObject, known_fields, omit_none

ENTITLEMENT_TYPES: dict[str, str] = {"boolean": "boolean", "quantity": "number", "tier": "string"}
"""Catalog entitlement type -> the SDK's `EntitlementInput.type`."""
_CATALOG_ENTITLEMENT_TYPES = {wire: catalog for catalog, wire in ENTITLEMENT_TYPES.items()}


def plan_to_wire(plan: Plan, ids: IdResolver) -> WireObject:
    contract, renewal = plan.contract, plan.renewal
    settings = omit_none(plan.invoice_settings.model_dump()) if plan.invoice_settings else {}
    return omit_none(
        {
            "name": plan.name,
            "currency": plan.currency,
            "description": plan.description,
            "additional_terms": plan.additional_terms,
            "contract_duration": contract.duration_months if contract else None,
            "contract_period_type": contract.period_type if contract else None,
            "renewal_duration": renewal.duration_months if renewal else None,
            "renewal_period_type": renewal.period_type if renewal else None,
            "auto_renew": renewal.auto_renew if renewal else None,
            "trial_period_days": plan.trial_days,
            "payment_terms": plan.payment_terms,
            "invoice_settings": settings or None,
            "entitlements": [
                {
                    "entitlement_key": e.key,
                    "type": ENTITLEMENT_TYPES[e.type],
                    "mode": e.mode,
                    "value": e.value,
                }
                for e in plan.entitlements
            ],
            "discount": discount_to_wire(plan.discount),
            "minimum_spend": spend_to_wire(plan.minimum_spend),
            "maximum_spend": spend_to_wire(plan.maximum_spend),
            "items": items_to_wire(plan.items, ids),
        }
    )


def plan_from_wire(obj: Mapping[str, Any], keys: KeyResolver, where: str = "plan") -> Plan:
    with reading(where):
        settings = known_fields(obj.get("invoice_settings"), InvoiceSettings)
        return Plan(
            name=obj["name"],
            currency=obj["currency"],
            description=split_marker(obj.get("description"))[0],
            additional_terms=obj.get("additional_terms"),
            contract=_contract(obj),
            renewal=_renewal(obj),
            trial_days=obj.get("trial_period_days"),
            payment_terms=obj.get("payment_terms"),
            invoice_settings=InvoiceSettings.model_validate(settings) if settings else None,
            entitlements=tuple(
                Entitlement(
                    key=e["entitlement_key"],
                    type=_CATALOG_ENTITLEMENT_TYPES.get(e.get("type", "boolean"), e.get("type")),
                    mode=e.get("mode", "static"),
                    value=e.get("value", "true"),
                )
                for e in obj.get("entitlements") or ()
            ),
            discount=discount_from_wire(obj.get("discount")),
            minimum_spend=spend_from_wire(obj.get("minimum_spend")),
            maximum_spend=spend_from_wire(obj.get("maximum_spend")),
            items=items_from_wire(obj.get("items") or [], keys, f"{where}.items"),
        )


def _contract(obj: Mapping[str, Any]) -> ContractTerms | None:
    period, duration = obj.get("contract_period_type"), obj.get("contract_duration")
    if period is None and duration is None:
        return None
    return ContractTerms(period_type=period or "fixed", duration_months=duration)


def _renewal(obj: Mapping[str, Any]) -> RenewalTerms | None:
    auto, period, duration = (
        obj.get("auto_renew"),
        obj.get("renewal_period_type"),
        obj.get("renewal_duration"),
    )
    if auto is None and period is None and duration is None:
        return None
    return RenewalTerms(
        auto_renew=True if auto is None else auto,
        period_type=period or "fixed",
        duration_months=duration,
    )

"""Subscriptions: catalog `Subscription` <-> the wire subscription and its versions.

Item sets. On the API every version holds its *complete* item set. A catalog version
lists overrides of the plan's items: its items replace the plan item with the same
product or bundle and the rest are appended (`effective_items`). Without versions, the
first version is the plan's items. The create body carries the first version's complete
item set (the server's plan + overrides merge then changes nothing), each later version
is its own body (`version_to_wire`).

Bodies:
- the subscription object (`subscription_to_wire`, also the canonical form's source):
  `{customer_id, plan_id?, name?, description?, currency, contract {period_type,
  duration_months?, start_date}, renewal?, billing?, trial_period_days?, discount?,
  minimum_spend?, maximum_spend?, metadata, items, auto_activate: false}`. `currency` is
  the subscription's, else the customer's. `metadata` is the catalog's plus
  `billing_key` (the catalog key) and `managed_by` (`alguna-billing`), which win.
- create (`subscription_create_bodies`): the object without `SET_AFTER_CREATE`
  (`description, trial_period_days, discount, minimum_spend, maximum_spend`), which the
  SDK's create does not take, then a PATCH with those of them the catalog sets.
- PATCH (`subscription_patch_body`): the in-place settings (`name, description, billing,
  renewal, discount, minimum_spend, maximum_spend, trial_period_days, metadata`), None
  sent as null (clears); metadata keys present live but no longer declared are sent as
  null, which deletes them (merge semantics).
- version: `{items, effective_at ("YYYY-MM-DD" or a keyword), description?}`.
- cancel (`cancellation_to_wire`): `{reason, effective, reason_description?}`.

Back from the wire (`subscription_from_wire`, from the subscription object and its version
objects `{id, status, effective_at, description, items}`; the SDK's version response
spells `effective_at` `start_date`, read when `effective_at` is absent): versions are the
published and draft ones, ordered by `effective_at` (dates first, then keywords in the
order given); each holds its complete item set; `billing_key`/`managed_by` leave the
metadata; a currency equal to the customer's becomes None; `activate` is true unless the
status is `draft`; `cancel` comes from the `cancellation` object
(`cancellation_from_wire`). The SDK's `SubscriptionResponse` always carries `name`,
`billing.auto_issue_invoices`, `billing.auto_pay_invoices`,
`billing.payment_collection_method` and `renewal.auto_renew`; their unset values read back
as unset (`_unset_defaults`): a `name` of `""` as None, `false` flags as None (the
collection method is not modelled), and a renewal that says only `auto_renew: false` as
no renewal terms. So `billing` with nothing else set reads back as None. Response-only fields
(`id`, `status`, `end_date`, timestamps, `current_version_id`, `pending_changes`, ...)
are ignored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, get_args

from reconciler.model import Item, Plan, Subscription, Version
from reconciler.model.resources import (
    Cancellation,
    EffectiveKeyword,
    RenewalTerms,
    SubscriptionBilling,
    SubscriptionContract,
)
from reconciler.wire.errors import reading
from reconciler.wire.items import items_from_wire, items_to_wire
from reconciler.wire.refs import IdResolver, KeyResolver, ModelLookup
from reconciler.wire.terms import (
    discount_from_wire,
    discount_to_wire,
    spend_from_wire,
    spend_to_wire,
)
from reconciler.wire.values import WireObject, date_from_wire, date_to_wire, known_fields, omit_none

BILLING_KEY = "billing_key"
MANAGED_BY = "managed_by"
MANAGED_BY_VALUE = "alguna-billing"
RESERVED_METADATA = frozenset({BILLING_KEY, MANAGED_BY})
VERSION_STATUSES = frozenset({"published", "draft"})
"""Statuses of the versions that make up a subscription's `versions`."""

_KEYWORDS: frozenset[str] = frozenset(get_args(EffectiveKeyword))


def effective_items(
    subscription: Subscription, version: Version | None, models: ModelLookup
) -> tuple[Item, ...]:
    """The complete item set of `version` (None: the first version of a subscription that
    declares none): the plan's items (the version's `plan`, else the subscription's) with
    the version's overrides, then its additions."""
    plan_key = version.plan if version is not None and version.plan else subscription.plan
    plan_items = models.plan(plan_key).items if plan_key else ()
    overrides = version.items if version is not None else ()
    by_ref = {item.ref: item for item in overrides}
    merged = [by_ref.get(item.ref, item) for item in plan_items]
    plan_refs = {item.ref for item in plan_items}
    return (*merged, *(item for item in overrides if item.ref not in plan_refs))


def metadata_to_wire(subscription: Subscription, key: str) -> dict[str, str]:
    return {**subscription.metadata, BILLING_KEY: key, MANAGED_BY: MANAGED_BY_VALUE}


def subscription_to_wire(subscription: Subscription, key: str, ids: IdResolver) -> WireObject:
    """The create body; the first version's items ride along, later versions do not."""
    first = subscription.versions[0] if subscription.versions else None
    currency = subscription.currency or ids.customer(subscription.customer).currency
    contract = subscription.contract
    return omit_none(
        {
            "customer_id": ids.customer_id(subscription.customer),
            "plan_id": ids.plan_id(subscription.plan) if subscription.plan else None,
            "name": subscription.name,
            "description": subscription.description,
            "currency": currency,
            "contract": omit_none(
                {
                    "period_type": contract.period_type,
                    "duration_months": contract.duration_months,
                    "start_date": date_to_wire(contract.start_date),
                }
            ),
            **_settings(subscription),
            "metadata": metadata_to_wire(subscription, key),
            "items": items_to_wire(effective_items(subscription, first, ids), ids),
            "auto_activate": False,
        }
    )


SET_AFTER_CREATE = (
    "description",
    "trial_period_days",
    "discount",
    "minimum_spend",
    "maximum_spend",
)
"""Fields of the subscription object that the SDK's `subscriptions.create` does not take:
they are set by a PATCH right after the create (`subscription_create_bodies`)."""


def subscription_create_bodies(
    subscription: Subscription, key: str, ids: IdResolver
) -> tuple[WireObject, WireObject]:
    """The create request (the SDK's `subscriptions.create` fields only) and the PATCH that
    follows it with the `SET_AFTER_CREATE` fields the catalog declares (empty: no PATCH)."""
    body = subscription_to_wire(subscription, key, ids)
    later = {name: body.pop(name) for name in SET_AFTER_CREATE if name in body}
    return body, later


def _settings(subscription: Subscription) -> WireObject:
    """The fields PATCH can change, besides metadata (None where unset)."""
    billing = subscription.billing
    billing_body = omit_none(billing.model_dump()) if billing is not None else {}
    if billing is not None and billing.first_billing_date is not None:
        billing_body["first_billing_date"] = date_to_wire(billing.first_billing_date)
    renewal = subscription.renewal
    return {
        "name": subscription.name,
        "description": subscription.description,
        "renewal": omit_none(renewal.model_dump()) if renewal is not None else None,
        "billing": billing_body or None,
        "trial_period_days": subscription.trial_days,
        "discount": discount_to_wire(subscription.discount),
        "minimum_spend": spend_to_wire(subscription.minimum_spend),
        "maximum_spend": spend_to_wire(subscription.maximum_spend),
    }


def subscription_patch_body(
    subscription: Subscription, key: str, live_metadata: Mapping[str, Any]
) -> WireObject:
    """PATCH body for the in-place settings. `live_metadata` is the live object's metadata:
    its keys the catalog no longer declares are sent as null, which deletes them."""
    metadata: dict[str, str | None] = {
        name: None for name in live_metadata if name not in subscription.metadata
    }
    metadata.update(metadata_to_wire(subscription, key))
    return {
        **_settings(subscription),
        # The API merges these sections into the live ones, so a sub-field left out would
        # keep its live value: send every sub-field, unset ones as null (cleared).
        "billing": _full_billing(subscription.billing or SubscriptionBilling()),
        "renewal": _full_renewal(subscription.renewal),
        "metadata": metadata,
    }


def _full_renewal(renewal: RenewalTerms | None) -> WireObject:
    """Unset renewal terms: every sub-field null, so none of the live ones is kept."""
    if renewal is None:
        return dict.fromkeys(RenewalTerms.model_fields)
    return renewal.model_dump()


def _full_billing(billing: SubscriptionBilling) -> WireObject:
    body = billing.model_dump()
    if billing.first_billing_date is not None:
        body["first_billing_date"] = date_to_wire(billing.first_billing_date)
    return body


def version_to_wire(version: Version, subscription: Subscription, ids: IdResolver) -> WireObject:
    """Body creating `version` of `subscription`: its complete item set."""
    effective = version.effective
    return omit_none(
        {
            "items": items_to_wire(effective_items(subscription, version, ids), ids),
            "effective_at": effective if isinstance(effective, str) else date_to_wire(effective),
            "description": version.description,
        }
    )


def subscription_from_wire(
    obj: Mapping[str, Any],
    versions: Sequence[Mapping[str, Any]],
    key: str,
    keys: KeyResolver,
    where: str = "subscription",
) -> Subscription:
    with reading(where):
        customer = keys.customer_key(obj["customer_id"])
        plan_id = obj.get("plan_id")
        currency = obj.get("currency")
        if currency == keys.customer(customer).currency:
            currency = None
        contract = obj["contract"]
        renewal, billing = _unset_defaults(
            known_fields(obj.get("renewal"), RenewalTerms),
            known_fields(obj.get("billing"), SubscriptionBilling),
        )
        if "first_billing_date" in billing:
            billing["first_billing_date"] = date_from_wire(billing["first_billing_date"])
        metadata = obj.get("metadata") or {}
        return Subscription(
            customer=customer,
            plan=keys.plan_key(plan_id) if plan_id else None,
            name=obj.get("name") or None,
            description=obj.get("description"),
            currency=currency,
            contract=SubscriptionContract(
                period_type=contract.get("period_type", "fixed"),
                duration_months=contract.get("duration_months"),
                start_date=date_from_wire(contract["start_date"]),
            ),
            renewal=RenewalTerms.model_validate(renewal) if renewal else None,
            billing=SubscriptionBilling.model_validate(billing) if billing else None,
            trial_days=obj.get("trial_period_days"),
            discount=discount_from_wire(obj.get("discount")),
            minimum_spend=spend_from_wire(obj.get("minimum_spend")),
            maximum_spend=spend_from_wire(obj.get("maximum_spend")),
            metadata={
                name: value
                for name, value in metadata.items()
                if name not in RESERVED_METADATA and value is not None
            },
            activate=obj.get("status", "draft") != "draft",
            versions=versions_from_wire(versions, keys, f"{where}.versions"),
            cancel=cancellation_from_wire(obj.get("cancellation")),
        )


def _unset_defaults(renewal: WireObject, billing: WireObject) -> tuple[WireObject, WireObject]:
    """The renewal and billing fields read from a response, without the values the API
    answers for fields nobody set: `false` billing flags, and a renewal of only
    `auto_renew: false` (the catalog always writes a renewal's `period_type`)."""
    billing = {k: v for k, v in billing.items() if not (k in _BILLING_FLAGS and v is False)}
    if renewal == {"auto_renew": False}:
        renewal = {}
    return renewal, billing


_BILLING_FLAGS = frozenset({"auto_issue_invoices", "auto_pay_invoices"})


def cancellation_to_wire(cancel: Cancellation) -> WireObject:
    """The body of `POST /subscriptions/{id}/cancel` (the SDK's `subscriptions.cancel`)."""
    return omit_none(
        {
            "reason": cancel.reason,
            "effective": str(cancel.effective),
            "reason_description": cancel.description,
        }
    )


def cancellation_from_wire(obj: Mapping[str, Any] | None) -> Cancellation | None:
    """A scheduled or past cancellation, read from the `cancellation` object (field names
    assumed: v2 documents the cancel request, not how it reads back), dated by its
    `effective_at`."""
    if not obj:
        return None
    return Cancellation(
        reason=obj["reason"],
        effective=date_from_wire(obj["effective_at"]),
        description=obj.get("reason_description"),
    )


def versions_from_wire(
    objs: Sequence[Mapping[str, Any]], keys: KeyResolver, where: str = "versions"
) -> tuple[Version, ...]:
    """The published and draft versions, ordered by effective date (keywords last)."""
    with reading(where):
        read: list[tuple[tuple[int, dt.date | int], Version]] = []
        for index, obj in enumerate(objs):
            if obj.get("status", "published") not in VERSION_STATUSES:
                continue
            # The SDK's SubscriptionPhaseDetailResponse names it `start_date`.
            effective = effective_from_wire(obj.get("effective_at") or obj["start_date"])
            order = (1, index) if isinstance(effective, str) else (0, effective)
            version = Version(
                effective=effective,
                description=obj.get("description"),
                items=items_from_wire(obj.get("items") or [], keys, f"{where}[{index}].items"),
            )
            read.append((order, version))
        return tuple(version for _, version in sorted(read, key=lambda pair: pair[0]))


def effective_from_wire(value: Any) -> dt.date | EffectiveKeyword:
    """A version's `effective_at`: a date or timestamp, or (as sent) a timing keyword."""
    if isinstance(value, str) and value in _KEYWORDS:
        return value  # type: ignore[return-value]
    return date_from_wire(value)


def with_plan_terms(subscription: Subscription, plan: Plan | None) -> Subscription:
    """`subscription` with every term it leaves unset taken from its plan, as the API does
    when it creates a subscription from a plan: trial days, discount, minimum and maximum
    spend, the contract's and the renewal's duration, the renewal itself and the billing
    payment terms. Used by `canonical`, so a term left to the plan is no change."""
    if plan is None:
        return subscription
    update: dict[str, Any] = {
        name: getattr(plan, name)
        for name in ("trial_days", "discount", "minimum_spend", "maximum_spend")
        if getattr(subscription, name) is None and getattr(plan, name) is not None
    }
    contract = subscription.contract
    if contract.duration_months is None and plan.contract is not None:
        update["contract"] = contract.model_copy(
            update={"duration_months": plan.contract.duration_months}
        )
    if plan.renewal is not None:
        renewal = subscription.renewal
        if renewal is None:
            update["renewal"] = plan.renewal
        elif renewal.duration_months is None:
            update["renewal"] = renewal.model_copy(
                update={"duration_months": plan.renewal.duration_months}
            )
    billing = subscription.billing or SubscriptionBilling()
    if billing.payment_terms is None and plan.payment_terms is not None:
        update["billing"] = billing.model_copy(update={"payment_terms": plan.payment_terms})
    return subscription.model_copy(update=update) if update else subscription

"""The declared resources, one model per kind, as they appear in catalog files.

Resources refer to each other by catalog key (`product = "api"`), never by remote id,
since ids differ per environment. Shape is checked here; references, currencies and
pricing rules are checked across the whole catalog by `reconciler.catalog.rules`.
The same models describe live state once the live reader maps wire objects back.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, StringConstraints, model_validator

from alguna_pricing.model.prices import Discount, Price, Spend
from alguna_pricing.model.values import (
    CurrencyCode,
    Day,
    Flag,
    Frozen,
    Key,
    Name,
    PaymentTerms,
    PeriodType,
    PositiveCount,
    Text,
    TrialDays,
)


class Resource(Frozen):
    """Fields every kind shares. `moved_from` lists keys this resource was known by before,
    so renaming a key is an update of the live object, not a create."""

    moved_from: tuple[Key, ...] = ()


# ---- metrics -------------------------------------------------------------------------


class Aggregation(Frozen):
    method: Literal["count", "count_unique", "sum", "average", "min", "max"]
    field: Text | None = Field(
        default=None, description="Event property aggregated; required except for count."
    )


class Filter(Frozen):
    field: Text
    operator: Literal["equal", "not_equal", "contains"] = "equal"
    value: str


class FilterGroup(Frozen):
    operator: Literal["and", "or"] = "and"
    filters: tuple[Filter, ...] = Field(min_length=1)


class Metric(Resource):
    """A billable metric; its live identity is its `name`."""

    name: Name
    event_name: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    description: Text | None = None
    aggregation: Aggregation
    filter_groups: tuple[FilterGroup, ...] = ()


# ---- products ------------------------------------------------------------------------


class Product(Resource):
    """A price-less catalog entry; its live identity is `sku` (defaults to the key)."""

    name: Name
    description: Text | None = None
    fee_type: Literal["fixed", "metered"]
    payment_terms: Literal["advance", "arrears"]
    billing_frequency: Literal["recurring", "one-off"] | None = None
    metrics: tuple[Key, ...] = ()
    sku: Annotated[str, StringConstraints(min_length=1, max_length=255)] | None = None
    revenue_allocation_method: (
        Literal["straight_line", "usage_based", "contract_level_straight_line"] | None
    ) = None


# ---- items (plans, bundles, subscription versions) -----------------------------------


class ProductItem(Frozen):
    """A product with its inline price. One price per product per owner."""

    product: Key
    price: Price


class Item(Frozen):
    """A product with a price, or a bundle (with its declared prices, or `items` to
    override them)."""

    product: Key | None = None
    bundle: Key | None = None
    price: Price | None = None
    items: tuple[ProductItem, ...] | None = None

    @model_validator(mode="after")
    def _product_or_bundle(self) -> Self:
        if (self.product is None) == (self.bundle is None):
            raise ValueError("an item names exactly one of `product` or `bundle`")
        if self.product is not None and self.price is None:
            raise ValueError("a product item needs a `price`")
        if self.product is not None and self.items is not None:
            raise ValueError("`items` belongs to bundle items only")
        if self.bundle is not None and self.price is not None:
            raise ValueError("a bundle item has no `price`; override with `items`")
        return self

    @property
    def ref(self) -> str:
        """The item's key among its siblings: its product or bundle key."""
        return self.product if self.product is not None else str(self.bundle)


# ---- plans and bundles ---------------------------------------------------------------


class ContractTerms(Frozen):
    period_type: PeriodType = "fixed"
    duration_months: PositiveCount | None = None


class RenewalTerms(Frozen):
    auto_renew: Flag = True
    period_type: PeriodType = "fixed"
    duration_months: PositiveCount | None = None


class InvoiceSettings(Frozen):
    auto_issue_invoices: Flag | None = None
    auto_pay_invoices: Flag | None = None
    invoice_footer_text: Text | None = None
    invoice_memo_template: Text | None = None
    send_activation_email: Flag | None = None
    send_invoices_to_customer: Flag | None = None
    send_receipts_to_customer: Flag | None = None


class Entitlement(Frozen):
    key: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    type: Literal["boolean", "quantity", "tier"] = "boolean"
    mode: Literal["static"] = "static"
    value: str = "true"


class Plan(Resource):
    """A reusable pricing template; its live identity is its `name`."""

    name: Name
    currency: CurrencyCode
    description: Text | None = None
    additional_terms: Text | None = None
    contract: ContractTerms | None = None
    renewal: RenewalTerms | None = None
    trial_days: TrialDays | None = None
    payment_terms: PaymentTerms | None = None
    invoice_settings: InvoiceSettings | None = None
    entitlements: tuple[Entitlement, ...] = ()
    discount: Discount | None = None
    minimum_spend: Spend | None = None
    maximum_spend: Spend | None = None
    items: tuple[Item, ...] = ()


class Bundle(Resource):
    """A named group of priced products; its live identity is its `name`."""

    name: Name
    description: Text | None = None
    items: tuple[ProductItem, ...] = Field(min_length=1)


# ---- customers -----------------------------------------------------------------------


class BillingAddress(Frozen):
    line1: Text | None = None
    line2: Text | None = None
    city: Text | None = None
    state: Text | None = None
    postal_code: Text | None = None
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None


class Contact(Frozen):
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    first_name: Name | None = None
    last_name: Name | None = None
    is_primary: Flag = False
    email_preferences: tuple[Literal["billing", "updates"], ...] = ()


Alias = Annotated[str, StringConstraints(min_length=1, max_length=255)]


class Customer(Resource):
    """A customer; its catalog key is always one of its aliases, and its live identity."""

    name: Name
    currency: CurrencyCode
    aliases: tuple[Alias, ...] = ()
    billing_address: BillingAddress | None = None
    contacts: tuple[Contact, ...] = ()


# ---- subscriptions -------------------------------------------------------------------

EffectiveKeyword = Literal["immediate", "next_billing_period", "end_of_term"]


class SubscriptionContract(Frozen):
    period_type: PeriodType = "fixed"
    duration_months: PositiveCount | None = None
    start_date: Day


class SubscriptionBilling(Frozen):
    auto_issue_invoices: Flag | None = None
    auto_pay_invoices: Flag | None = None
    first_billing_date: Day | None = None
    payment_terms: PaymentTerms | None = None


class Version(Frozen):
    """One published version of a subscription's prices, from its effective date on.

    Its items override those of its plan: the subscription's, or `plan` when set. A version
    with `plan` (and no items) says "from this date on, this subscription follows plan X's
    current revision": the way to move subscriptions to a plan's new prices. Once
    published, a version is what the API shows; editing its plan later changes nothing."""

    effective: Day | EffectiveKeyword
    # Left out of dumps when unset, so catalogs that do not use it hash as before.
    plan: Key | None = Field(default=None, exclude_if=lambda value: value is None)
    description: Text | None = None
    items: tuple[Item, ...] = ()


class Cancellation(Frozen):
    """An explicit cancellation. Removing a subscription from the catalog never cancels."""

    reason: Literal[
        "no_longer_required", "moving_provider", "pricing", "support", "features",
        "upgraded", "other",
    ]  # fmt: skip
    effective: Day | Literal["immediate", "end_of_term"] = "end_of_term"
    description: Text | None = None


MetadataKey = Annotated[str, StringConstraints(min_length=1, max_length=255)]


class Subscription(Resource):
    """A customer's subscription; its live identity is `metadata.billing_key`.

    Without `versions`, the first version's items come from `plan`; with a plan and
    versions, version items override plan items with the same product or bundle.
    """

    customer: Key
    plan: Key | None = None
    name: Name | None = None
    description: Text | None = None
    currency: CurrencyCode | None = None
    contract: SubscriptionContract
    renewal: RenewalTerms | None = None
    billing: SubscriptionBilling | None = None
    trial_days: TrialDays | None = None
    discount: Discount | None = None
    minimum_spend: Spend | None = None
    maximum_spend: Spend | None = None
    metadata: dict[MetadataKey, str] = Field(default_factory=dict)
    activate: Flag = False
    cancel: Cancellation | None = None
    versions: tuple[Version, ...] = ()

"""Which SDK operations the conformance suite covers, which it cannot, and the known gaps.

`SCOPE`: the SDK clients of the resources the reconciler manages (plus merchants, which the
environment guard reads). Every public method of these clients must be exercised by the
suite or listed in `UNSERVED` with the reason; a new SDK release that adds one fails
the conformance scenario (`test_every_sdk_operation_is_served_as_the_sdk_defines_it`) until it
is decided.

`KNOWN_GAPS`: operations whose responses fail the SDK's response type for a documented
reason (docs/api-compatibility.md, "Known gaps"), with a fragment of the validation error
that must appear. The suite checks them strictly: a gap that no longer fails must be removed
here, and one that fails differently is a failure.

`REFUSED`: requests outside the SDK the emulator must answer as an unknown route or method.
"""

from __future__ import annotations

SCOPE = (
    "metrics",
    "products",
    "plans",
    "bundles",
    "customers",
    "subscriptions",
    "subscription_versions",
    "subscription_changes",
    "events",
    "merchants",
    "wallets",
    "wallet_grants",
    "credits",
    "invoices",
    "payments",
)

_NOT_EMULATED = "not emulated: the reconciler does not manage it"
UNSERVED: dict[str, str] = {
    "customers.list_connected_accounts": "integrations' connected accounts are " + _NOT_EMULATED,
    "customers.create_connected_account": "integrations' connected accounts are " + _NOT_EMULATED,
    "customers.delete_connected_account": "integrations' connected accounts are " + _NOT_EMULATED,
    "subscriptions.get_revenue": "revenue schedules are " + _NOT_EMULATED,
    "subscriptions.download_pdf": "documents are " + _NOT_EMULATED,
    "subscription_versions.get_revenue": "revenue schedules are " + _NOT_EMULATED,
    "credits.get_reservation": "credit reservations (holds) are not emulated: check and track "
    "draw directly (docs/api-compatibility.md, Credits)",
    "invoices.create": "ad-hoc invoices are " + _NOT_EMULATED + " (the period close makes them)",
    "invoices.update": "invoice edits are " + _NOT_EMULATED,
    "invoices.add_line_item": "invoice line edits are " + _NOT_EMULATED,
    "invoices.update_line_item": "invoice line edits are " + _NOT_EMULATED,
    "invoices.delete_line_item": "invoice line edits are " + _NOT_EMULATED,
    "invoices.mark_as_paid": "manual (external) payments are "
    + _NOT_EMULATED
    + ": invoices are paid by test-card auto-pay",
    "invoices.void": "voiding is " + _NOT_EMULATED,
    "invoices.generate_pdf": "documents are " + _NOT_EMULATED,
    "merchants.update": "merchants are only created and read (the account guard reads them)",
    "merchants.delete": "merchants are only created and read (the account guard reads them)",
    "merchants.unarchive": "merchants are only created and read (the account guard reads them)",
}

# None left: every required response field is answered (docs/api-compatibility.md,
# "Required response fields"). An entry would name an operation that fails its response type
# for a documented reason, with a fragment of the validation error that must appear.
KNOWN_GAPS: dict[str, str] = {}

# (method, path) outside the SDK; ids are filled in by the test.
REFUSED: tuple[tuple[str, str], ...] = (
    ("PATCH", "/plans/{plan}"),
    ("PUT", "/plans/{plan}"),
    ("DELETE", "/plans/{plan}"),
    ("PATCH", "/metrics/{metric}"),
    ("DELETE", "/metrics/{metric}"),
    ("DELETE", "/bundles/{bundle}"),
    ("DELETE", "/customers/{customer}"),
    ("PATCH", "/subscriptions/{subscription}/versions/{version}"),
)

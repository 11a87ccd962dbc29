"""Identifier formats of the Alguna API, and their generation.

Owns which object kind gets which id shape. Must not check uniqueness: the store does that,
because only it knows what already exists.
"""

from __future__ import annotations

import secrets
import string

_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase

# Catalog objects look like ``prod_02zBTaXIplpzpaI6CggiUA`` in real responses; customers,
# contacts and subscriptions are plain 8-character identifiers (alguna-api.md §1.8).
_PREFIXED: dict[str, str] = {
    "product": "prod_",
    "metric": "mtr_",
    "plan": "pln_",
    "bundle": "bnd_",
    "version": "subv_",
    "price": "price_",
    "merchant": "mer_",  # assumed: the SDK shows no merchant id
    # Credits and payments: wallets look like ``wlt_01H2ABC`` and payments like
    # ``pay_01H3DEF`` in the SDK's examples; grants and payment methods are assumed.
    "wallet": "wlt_",
    "grant": "cgr_",
    "payment": "pay_",
    "payment_method": "pm_",
    "invoice": "inv_",  # assumed: the SDK shows no invoice id format
    "line_item": "li_",  # assumed, likewise
    # Webhooks (emulator-side objects; Svix-style prefixes).
    "message": "msg_",
    "endpoint": "ep_",
    "delivery": "dlv_",
}
_PLAIN_KINDS = frozenset({"customer", "contact", "subscription"})


def _base62(length: int) -> str:
    return "".join(secrets.choice(_BASE62) for _ in range(length))


def new_id(kind: str) -> str:
    """A fresh random id in the shape the real API uses for ``kind``."""
    if kind in _PLAIN_KINDS:
        return _base62(8)
    try:
        return _PREFIXED[kind] + _base62(22)
    except KeyError:
        raise ValueError(f"no id format for kind {kind!r}") from None

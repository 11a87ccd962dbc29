"""Customers: catalog `Customer` <-> wire customer (create and PATCH take the same body).

Body: `{name, currency, aliases, billing_address {line1, line2, city, state,
postal_code, country}?, contacts [{email, first_name?, last_name?, is_primary,
email_preferences}]}`.

- The catalog key is the customer's live identity, so it is always an alias on the wire:
  first, followed by the declared aliases (without the key, should they repeat it).
- The SDK's `AddressRequest` requires `line1, city, state, postal_code, country`: a
  declared address sends every field, an undeclared one as "" (which reads back as None).
- Back from the wire the key is dropped from the aliases (the catalog never needs to
  repeat it); a billing address with no field set reads back as None (and is omitted);
  empty strings in names and address fields read back as None.
- Response-only fields (`id`, contact ids, timestamps, tax details) are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.model import Customer
from reconciler.model.resources import BillingAddress, Contact
from reconciler.wire.errors import reading
from reconciler.wire.values import WireObject, omit_none

_ADDRESS_FIELDS = ("line1", "line2", "city", "state", "postal_code", "country")


def customer_to_wire(customer: Customer, key: str) -> WireObject:
    address = customer.billing_address
    address_body = _address_to_wire(address.model_dump()) if address is not None else {}
    return omit_none(
        {
            "name": customer.name,
            "currency": customer.currency,
            "aliases": [key, *(alias for alias in customer.aliases if alias != key)],
            "billing_address": address_body or None,
            "contacts": [
                omit_none(
                    {
                        "email": contact.email,
                        "first_name": contact.first_name,
                        "last_name": contact.last_name,
                        "is_primary": contact.is_primary,
                        "email_preferences": list(contact.email_preferences),
                    }
                )
                for contact in customer.contacts
            ],
        }
    )


_REQUIRED_ADDRESS_FIELDS = ("line1", "city", "state", "postal_code", "country")


def _address_to_wire(fields: Mapping[str, Any]) -> WireObject:
    """The address with every SDK-required field present ("" when the catalog omits it);
    an address that declares no field at all is omitted (empty body)."""
    declared = omit_none(dict(fields))
    if not declared:
        return {}
    return {**{name: "" for name in _REQUIRED_ADDRESS_FIELDS}, **declared}


def customer_from_wire(obj: Mapping[str, Any], key: str, where: str = "customer") -> Customer:
    with reading(where):
        address = omit_none(
            {name: (obj.get("billing_address") or {}).get(name) or None for name in _ADDRESS_FIELDS}
        )
        return Customer(
            name=obj["name"],
            currency=obj["currency"],
            aliases=tuple(alias for alias in obj.get("aliases") or () if alias != key),
            billing_address=BillingAddress.model_validate(address) if address else None,
            contacts=tuple(
                Contact(
                    email=c["email"],
                    first_name=c.get("first_name") or None,
                    last_name=c.get("last_name") or None,
                    is_primary=c.get("is_primary", False),
                    email_preferences=tuple(c.get("email_preferences") or ()),
                )
                for c in obj.get("contacts") or ()
            ),
        )

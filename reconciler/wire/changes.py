"""`change_body`: a Changes API request that turns a subscription's current version into a
declared one.

The Changes API (`POST /subscriptions/{id}/changes`, documented in v2) writes a new
version and publishes it in one request, from a pinned source version
(`source_version_id`: if someone published another version since, the API refuses with
409 instead of building on it). The body is a full swap, not a minimal delta: every
item of the source version is removed and every declared item added, so the result is
exactly the declared item set whatever the source held.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reconciler.model import Subscription, Version
from reconciler.wire.refs import IdResolver
from reconciler.wire.subscriptions import version_to_wire
from reconciler.wire.values import WireObject, omit_none


def _added(item: WireObject) -> WireObject:
    if "bundle_id" in item:
        children = [{"product_id": c["product_id"], "new_price": c["price"]} for c in item["items"]]
        return {"bundle_id": item["bundle_id"], "items": children}
    return {"product_id": item["product_id"], "new_price": item["price"]}


def _removed(item: WireObject) -> WireObject:
    if item.get("bundle_id") is not None:
        return {"bundle_id": item["bundle_id"]}
    return {"product_id": item["product_id"]}


def change_body(
    version: Version,
    subscription: Subscription,
    ids: IdResolver,
    source_version_id: str,
    source_items: Sequence[WireObject],
) -> dict[str, Any]:
    """The request making `version` (declared on `subscription`) the next published
    version after `source_version_id`, whose items are `source_items`."""
    declared = version_to_wire(version, subscription, ids)
    return omit_none(
        {
            "effective": declared["effective_at"],
            "description": declared.get("description"),
            "source_version_id": source_version_id,
            "remove": [_removed(item) for item in source_items],
            "add": [_added(item) for item in declared["items"]],
        }
    )

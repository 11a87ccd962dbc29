"""Finding objects for a resource handler: path lookups (404) and body references (422).

Owns the rule that an id in the path that the account lacks is a 404, while an id referenced
from a request body that the account lacks is a 422 (the request is well-formed but cannot
be processed); also customer resolution by id or alias. Must not write anything.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import ApiError, not_found
from ..runtime import Ctx
from ..store import Doc

_LABELS = {
    "metric": "metric",
    "product": "product",
    "plan": "plan",
    "bundle": "bundle",
    "customer": "customer",
    "subscription": "subscription",
    "version": "subscription version",
    "merchant": "merchant",
}


def get_or_404(ctx: Ctx, kind: str, obj_id: str) -> Doc:
    """The object named in the path, or a 404."""
    doc = ctx.store.get(ctx.account, kind, obj_id)
    if doc is None:
        raise not_found(_LABELS[kind], obj_id)
    return doc


def require_refs(ctx: Ctx, kind: str, ids: Iterable[str], where: str) -> None:
    """Every id referenced from a body exists in this account, or a 422 naming the first."""
    for ref in ids:
        if not ctx.store.exists(ctx.account, kind, ref):
            raise ApiError(422, f"{where}: {_LABELS[kind]} {ref} does not exist")


def resolve_customer(ctx: Ctx, ref: str) -> Doc | None:
    """A customer by its id or one of its aliases (ids win when both would match)."""
    doc = ctx.store.get(ctx.account, "customer", ref)
    if doc is not None:
        return doc
    customer_id = ctx.store.resolve_alias(ctx.account, ref)
    return None if customer_id is None else ctx.store.get(ctx.account, "customer", customer_id)

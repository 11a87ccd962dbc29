"""`noop_change`: the outcome of a declared resource that needs nothing.

Most outcomes of a plan are no-ops (all 10,000 of a no-op plan at 10,000 resources),
and none is written to a plan file as one: the diff keeps them to count the unchanged
and so that `repoint` can turn one into an update (a copy with another action and
reason). Validating each `Change` cost 30 us, most of it copying its two dumps (JSON
values are validated by copying), and the copies of both sides were most of the diff's
memory at its peak (issue 19). So a no-op is built without validation, from dumps that
are JSON-mode `model_dump` output (valid by construction: the validator's rules hold for
any no-op with both sides), and holds one dump for both sides when they are equal.
"""

from __future__ import annotations

from reconciler.model import Address
from reconciler.plan import Action, Change, JsonObject


def noop_change(
    address: Address,
    before: JsonObject,
    after: JsonObject,
    reason: str,
    remote_id: str | None = None,
) -> Change:
    """A `noop` change of `address` (a resource or a subscription version) from `before`
    to `after` (JSON-mode dumps), which are then one object when equal. Both are read
    only, like every change's."""
    return Change.model_construct(
        address=address,
        kind=address.kind,
        key=address.key,
        action=Action.NOOP,
        remote_id=remote_id,
        before=before,
        after=before if after == before else after,
        reason=reason,
    )

"""Applying a PATCH body to a stored object: what it changes, and saving the result.

Owns the update rules the resources share: only the fields a body sent change, a field that
cannot be cleared refuses null (422), and a saved update gets a fresh ``updated_at``. Must not
decide which fields a resource lets change (each update model says that).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel

from ..errors import ApiError
from ..runtime import Ctx
from ..store import Doc


def sent_changes(body: BaseModel, not_null: Iterable[str]) -> dict[str, Any]:
    """The fields the body sent, or a 422 for the first of ``not_null`` sent as null."""
    changes = body.model_dump(mode="json", exclude_unset=True)
    for key in not_null:
        if key in changes and changes[key] is None:
            raise ApiError(422, f"{key} cannot be null")
    return changes


def save_changes(ctx: Ctx, kind: str, doc: Doc, changes: dict[str, Any]) -> Doc:
    """The object with the changes applied and ``updated_at`` now, written back."""
    doc.update(changes)
    doc["updated_at"] = ctx.now_ts()
    return ctx.store.replace(ctx.account, kind, doc)

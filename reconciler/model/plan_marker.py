"""The revision marker a plan carries in its description: its format, written and read.

Alguna plans are write-once (no update) and a plan read returns only `id, name, currency,
description, created_at, updated_at` (the SDK's `PlanResponse`). So the reconciler
records in the description what a read cannot show: the catalog key of the plan and a
digest of its content (`reconciler.wire.revisions.plan_digest`). The marker is the
description's last line:

    [alguna-billing plan=growth revision=3f9a1c2b7d4e by=5d41402a]

(alone when the catalog declares no description, else after a blank line). `by` names the
apply that created it (a hash of its plan id): a saved plan whose revision another apply
created is stale. Reading a plan back, `split_marker` removes it, so the catalog's
`description` compares as declared.

Text only (no models, no wire mapping): the catalog's rules import `MARKER_LENGTH` to
leave room for the marker without loading the wire mapping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reconciler.model.digest import digest

MARKER_PREFIX = "alguna-billing"
_MARKER = re.compile(
    r"(?:\A|\n\n)\[alguna-billing plan=(?P<key>[a-z][a-z0-9_]*)"
    r" revision=(?P<digest>[0-9a-f]{12})(?: by=(?P<by>[0-9a-f]{8}))?\]\Z"
)
MARKER_LENGTH = len("\n\n[alguna-billing plan= revision= by=]") + 12 + 8 + 64
"""The most characters a marker adds to a description (a 64-character key)."""


@dataclass(frozen=True)
class PlanMarker:
    """What a live plan's description says about it: its catalog key and content digest."""

    key: str
    digest: str
    by: str | None = None


def marker_text(key: str, digest: str, by: str | None = None) -> str:
    made_by = f" by={by}" if by else ""
    return f"[{MARKER_PREFIX} plan={key} revision={digest}{made_by}]"


def applied_by(plan_id: str) -> str:
    """The 8 hex digits naming the apply (its plan id) that created a revision."""
    return digest(plan_id, 8)


def with_marker(description: str | None, key: str, digest: str, by: str | None = None) -> str:
    """The description a plan revision is created with."""
    marker = marker_text(key, digest, by)
    return f"{description}\n\n{marker}" if description else marker


def split_marker(description: str | None) -> tuple[str | None, PlanMarker | None]:
    """A live description without its marker (None when nothing else is left), and the
    marker (None when there is none: a plan created outside the reconciler)."""
    if not description:
        return description or None, None
    found = _MARKER.search(description)
    if found is None:
        return description, None
    rest = description[: found.start()]
    return rest or None, PlanMarker(key=found["key"], digest=found["digest"], by=found["by"])

"""`Seen`: how many objects of each kind an environment's account has been seen to hold,
so that a list which comes back empty is not taken for an empty collection.

The Alguna API has no delete: an object once listed is listed for ever (renamed,
cancelled or archived, but listed). A well-formed empty list (`data: []`,
`total_pages: 0`) of a kind the account was seen to hold is therefore a wrong answer,
and planning from it would create every declared object of that kind again (duplicate
bundles, duplicate subscriptions billing a customer twice). Lists of a kind the catalog's
other objects refer to are already caught when those references do not resolve (a plan
naming products nobody listed); this record covers the kinds nothing refers to
(bundles a plan does not use, subscriptions).

The rule: a kind read in full that lists no object, while an earlier successful read or
apply of the same account saw at least one, stops the command (`ApiProtocolError`);
unless every kind that lists anything lists fewer objects than recorded (every kind empty
included), which is how a reset account looks while it is filled again: the record then
starts again. The residual risk is a server that answers every list empty (or short) at
once; that is documented, not detected.
The record is a small JSON file per environment (`.billing/seen/<env>.json`: counts per
kind, when, and which account: base URL or embedded data file), written after every
successful read and apply; a record of another account is ignored, and `billing
sandbox reset` removes it. Without a record (a fresh checkout, a CI job that does not
keep `.billing/`) the rule cannot fire: docs/api-client.md says how CI keeps it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.api.errors import ApiProtocolError
from reconciler.model import KINDS, Kind


@dataclass
class Seen:
    """Most objects ever listed per kind for the account at `source`."""

    source: str
    counts: dict[str, int] = field(default_factory=dict)
    updated_at: str | None = None
    last_read: dict[str, int] = field(default_factory=dict)

    def check(self, listed: Mapping[Kind, int], collections: Mapping[Kind, str]) -> None:
        """Raise ApiProtocolError for the first kind that `listed` (objects per kind of
        one read) shows empty although this record saw some; else note `listed` as
        `last_read` (recorded by `observe` once the command has succeeded).

        A read of every kind in which each kind that lists anything lists fewer objects
        than recorded (every kind empty included) is a reset account being filled again
        (a sandbox reset empties every kind, and an apply refills them kind by kind); the
        API deletes nothing, so no real account shrinks otherwise. The record then starts
        again from this read. A wrong answer that empties one kind while the others hold
        what they held is refused."""
        if set(listed) == set(KINDS) and all(
            count < self.counts.get(kind, 0) for kind, count in listed.items() if count > 0
        ):
            self.counts = {}
        for kind, count in listed.items():
            before = self.counts.get(kind, 0)
            if count == 0 and before > 0:
                when = f" (last at {self.updated_at})" if self.updated_at else ""
                raise ApiProtocolError(
                    method="GET",
                    path=collections[kind],
                    status=200,
                    detail=f"the API listed no {kind}s, but earlier reads of this account"
                    f"{when} saw {before}, and the API deletes nothing; refusing to plan"
                    f" from an empty list (if the account was really reset, delete"
                    f" the record in .billing/seen/)",
                )
        self.last_read = {str(kind): count for kind, count in listed.items()}

    def observe(self, listed: Mapping[str, int], when: str) -> None:
        """Record one successful read (or the creates of an apply, added on top)."""
        for kind, count in listed.items():
            self.counts[kind] = max(self.counts.get(kind, 0), count)
        self.updated_at = when


def seen_path(root: Path, env: str) -> Path:
    return root / ".billing" / "seen" / f"{env}.json"


def load_seen(path: Path, source: str) -> Seen:
    """The record in `path` if it is one of the account at `source`, else an empty one
    (a missing, unreadable or foreign record never stops a command)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Seen(source)
    if not isinstance(data, dict) or data.get("source") != source:
        return Seen(source)
    counts = data.get("counts")
    if not isinstance(counts, dict):
        return Seen(source)
    kept = {k: v for k, v in counts.items() if k in KINDS and isinstance(v, int) and v >= 0}
    updated = data.get("updated_at")
    return Seen(source, kept, updated if isinstance(updated, str) else None)


def save_seen(path: Path, seen: Seen) -> None:
    """Write the record atomically (a temporary file renamed over it); a failure to
    write it is not an error of the command (the record only ever adds a check)."""
    text = json.dumps(
        {"source": seen.source, "counts": seen.counts, "updated_at": seen.updated_at},
        sort_keys=True,
        indent=2,
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_text(text + "\n", encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        return

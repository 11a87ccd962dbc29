"""Idempotency keys: one per write step, derived only from the plan and the change.

`idempotency_key(plan_id, change_id, step)` is the same on every attempt, every retry
and every re-run of the same plan (a resumed saved plan, or two processes applying one
plan at once), so the API executes each step at most once within its 24-hour key window;
after that window, natural keys find what a step created. A different plan (a different
id) never reuses a key, so a change planned again after an out-of-band revert is made
again rather than answered from the replay cache.
"""

from __future__ import annotations

import hashlib

# The API accepts keys up to 255 characters; a fixed-length digest fits any address.
_PREFIX = "billing-"


def derived_key(*parts: str) -> str:
    """A fixed-length idempotency key that depends only on `parts` (joined by newlines)."""
    return _PREFIX + hashlib.sha256("\n".join(parts).encode()).hexdigest()[:48]


def idempotency_key(plan_id: str, change_id: str, step: str) -> str:
    return derived_key(plan_id, change_id, step)


def tombstone_suffix(plan_id: str) -> str:
    """What a replace appends to the natural key (sku, name) of the object it replaces:
    the API has no delete, so the old object is renamed out of the way, and the suffix
    says by which plan (a resumed replace and `billing import` recognise it)."""
    return f"~replaced-{plan_id}"


def tombstoned(natural_key: str, plan_id: str, limit: int = 255) -> str:
    """`natural_key` with the plan's suffix, cut so that the suffix always survives."""
    suffix = tombstone_suffix(plan_id)
    return natural_key[: limit - len(suffix)] + suffix

"""Idempotency keys: one per write step, the same on every attempt, retry and re-run.

Two derivations, by what a step does:

- **Content-addressed** (`content_key`): writes that bring an object, or a one-way
  lifecycle step of one, into being: creates (`POST /<kind>s`, a draft version), a
  Changes API request (pinned to its source version), activate and cancel, and the
  settings PATCH that completes a new subscription. The key
  hashes the environment, the change's address, the request path and the canonical
  body, and nothing about the plan. So two *different* plans that make the same object
  (two fresh `billing apply` processes racing on one account, a rerun with a new plan
  after a crash) send the same key, and the API executes the write once within its
  24-hour key window; the later request gets the stored answer (or a 409 while the first
  is in flight, which the client retries). After the window, natural keys find what was
  made. A create whose answer is a replay is checked (`steps`): if the object it names
  no longer carries the natural key (renamed out of band since), the create is made
  again under a successor key that also hashes the replayed id (`successor`), so that
  racing processes still agree on it.
- **Plan-scoped** (`idempotency_key(plan_id, change_id, step)`): updates (PATCH) and
  the rename step of a replace. These set fields to values, which can legitimately be
  needed again after an out-of-band revert; a new plan (a new id) never reuses a key, so
  such a change is really made again rather than answered from the replay cache.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.model import Address, canonical_json, digest

# The API accepts keys up to 255 characters; a fixed-length digest fits any address.
_PREFIX = "billing-"


def derived_key(*parts: str) -> str:
    """A fixed-length idempotency key that depends only on `parts` (joined by newlines)."""
    return _PREFIX + digest("\n".join(parts), 48)


def idempotency_key(plan_id: str, change_id: str, step: str) -> str:
    """The plan-scoped key of one step of one change (updates, renames)."""
    return derived_key(plan_id, change_id, step)


def content_key(
    environment: str, address: Address, step: str, path: str, body: Mapping[str, Any] | None = None
) -> str:
    """The content-addressed key of a write (module docstring): equal for equal
    requests made for the same address in the same environment, by any plan."""
    return derived_key("content", environment, address, step, path, canonical_json(body or {}))


def successor(key: str, replayed_id: str) -> str:
    """The key of a create to make again because the object `key` made (`replayed_id`)
    has lost its natural key since: deterministic, so racing processes agree on it."""
    return derived_key(key, "after", replayed_id)


def tombstone_suffix(plan_id: str) -> str:
    """What a replace appends to the natural key (sku, name) of the object it replaces:
    the API has no delete, so the old object is renamed out of the way, and the suffix
    says by which plan (a resumed replace and `billing import` recognise it)."""
    return f"~replaced-{plan_id}"


def tombstoned(natural_key: str, plan_id: str, limit: int = 255) -> str:
    """`natural_key` with the plan's suffix, cut so that the suffix always survives."""
    suffix = tombstone_suffix(plan_id)
    return natural_key[: limit - len(suffix)] + suffix

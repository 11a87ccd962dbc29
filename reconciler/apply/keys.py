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


def idempotency_key(plan_id: str, change_id: str, step: str) -> str:
    digest = hashlib.sha256(f"{plan_id}\n{change_id}\n{step}".encode()).hexdigest()
    return _PREFIX + digest[:48]

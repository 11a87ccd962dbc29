"""The expected failure of tests broken by issue 15's faithful emulator, fixed by issue 16.

The official SDK has no plan or metric update, and a plan read carries only `id, name,
currency, description, created_at, updated_at` (no items, no terms). Since issue 15 the
emulator serves exactly that, so a declared plan never matches its live copy (every plan is
planned as an update, forever) and applying a plan update, or a plan replace's tombstone,
fails with 405. Issue 16 (write-once plans) fixes the reconciler; until then the tests that
show it are strict expected failures, marked with this (grep `WRITE_ONCE_PLANS`).
"""

from __future__ import annotations

import pytest

REASON = (
    "issue 16: plans are write-once in the real API (no PATCH /plans, plan reads carry no "
    "items or terms: the SDK's PlanResponse), so declared plans never match the live ones "
    "and plan updates fail with 405"
)
WRITE_ONCE_PLANS = pytest.mark.xfail(strict=True, reason=REASON)

"""The planner: plan ids, recorded fingerprints, and the guards apply enforces."""

from __future__ import annotations

import datetime as dt

import pytest

from reconciler.diff import diff
from reconciler.model import Customer, DesiredState, LiveState
from reconciler.plan import Action, Plan
from reconciler.planning.planner import apply_refusals, make_plan
from reconciler.source.diagnostics import Severity
from tests.diff.catalog import DESIRED, edit, live_of

NOON = dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC)


def planned(
    desired: DesiredState = DESIRED, live: LiveState | None = None, at: dt.datetime = NOON
) -> Plan:
    live_state = live if live is not None else live_of(DESIRED)
    return make_plan(desired, live_state, diff(desired, live_state), created_at=at)


def test_plan_id_names_the_time_and_differs_between_runs() -> None:
    first = planned(edit(DESIRED, "product", "platform", name="Platform access"))
    again = planned(edit(DESIRED, "product", "platform", name="Platform access"))
    later = planned(
        edit(DESIRED, "product", "platform", name="Platform access"),
        at=NOON + dt.timedelta(seconds=1),
    )
    assert first.plan_id.startswith("20260501T120000Z-")
    assert first.plan_id == again.plan_id, "same inputs, same plan"
    assert later.plan_id != first.plan_id, "another run never shares idempotency keys"


def test_naive_creation_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        planned(at=dt.datetime(2026, 5, 1, 12))


def test_the_plan_records_every_live_fingerprint_and_the_catalog_digest() -> None:
    live = live_of(DESIRED)
    plan = planned(live=live)
    assert plan.fingerprints == live.fingerprints and plan.fingerprints
    assert plan.catalog_digest == DESIRED.catalog_digest


def test_a_replace_is_shown_and_needs_allow_replace() -> None:
    plan = planned(edit(DESIRED, "product", "platform", payment_terms="arrears"))
    assert Action.REPLACE in {c.action for c in plan.changes}
    (guard,) = [d for d in plan.diagnostics if d.code == "plan.replace"]
    assert guard.severity is Severity.WARNING and "--allow-replace" in guard.message
    refused = apply_refusals(plan, allow_replace=False, from_saved_plan=True, protected=False)
    assert any("--allow-replace" in r for r in refused)
    assert apply_refusals(plan, allow_replace=True, from_saved_plan=True, protected=False) == []


def test_replacing_a_subscription_is_an_error_that_blocks_apply() -> None:
    other = Customer(name="Globex", currency="USD")
    desired = edit(DESIRED, "subscription", "acme_main", customer="globex")
    desired = desired.model_copy(update={"customers": {**desired.customers, "globex": other}})
    live = live_of(DESIRED)
    plan = make_plan(desired, live, diff(desired, live), created_at=NOON)
    (error,) = [d for d in plan.diagnostics if d.code == "plan.subscription_replace"]
    assert error.severity is Severity.ERROR
    assert "`customer`" in error.message and "cancel" in error.message
    assert (error.file, error.line) == ("catalog/subs.toml", 3)
    refused = apply_refusals(plan, allow_replace=True, from_saved_plan=True, protected=False)
    assert any("plan.subscription_replace" in r for r in refused)


def test_a_protected_environment_applies_only_saved_plans() -> None:
    plan = planned(edit(DESIRED, "product", "platform", name="Platform access"))
    fresh = apply_refusals(plan, allow_replace=False, from_saved_plan=False, protected=True)
    assert any("protected" in r for r in fresh)
    assert apply_refusals(plan, allow_replace=False, from_saved_plan=True, protected=True) == []

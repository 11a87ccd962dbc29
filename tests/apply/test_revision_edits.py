"""Generated sequences of edits against the emulator conformed to the SDK (no plan or metric
update, plan reads without items): each apply succeeds with no error diagnostic, and the
next plan is empty.

The catalog is a small one with two active subscriptions on plan `starter`
(`tests/scenarios/plan_revision_two_subscriptions/live`). Edits: a plan price, a plan
term (trial days), the plan's name, its catalog key (`moved_from`), what the metric counts,
and migrating a subscription to the plan's current revision from a later date.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alguna_pricing.model.prices import FixedPrice
from reconciler.apply.steps import Run, perform
from reconciler.model import DesiredState, Item, Version
from reconciler.model.plan_marker import applied_by, split_marker
from reconciler.plan import Action, ApplyStatus
from reconciler.source.diagnostics import Severity
from tests.apply.generated import Direct, direct
from tests.apply.harness import describe
from tests.scenarios.harness import load

BASE = Path(__file__).parents[1] / "scenarios" / "plan_revision_two_subscriptions" / "live"
START = dt.date(2026, 1, 1)


def base() -> DesiredState:
    desired, diagnostics = load(BASE.parent, "live")
    assert not [d for d in diagnostics if d.severity is Severity.ERROR]
    return desired


def plan_key(desired: DesiredState) -> str:
    (key,) = desired.plans
    return key


def with_plan(desired: DesiredState, **update: object) -> DesiredState:
    key = plan_key(desired)
    plan = desired.plans[key].model_copy(update=update)
    return desired.model_copy(update={"plans": {key: plan}})


def reprice(desired: DesiredState, amount: Decimal) -> DesiredState:
    plan = desired.plans[plan_key(desired)]
    items = tuple(
        Item(
            product="platform",
            price=FixedPrice(type="fixed", billing_interval="monthly", price_per_unit=amount),
        )
        if item.product == "platform"
        else item
        for item in plan.items
    )
    return with_plan(desired, items=items)


def rekey(desired: DesiredState, new: str) -> DesiredState:
    old = plan_key(desired)
    if new == old:
        return desired
    # Every key the plan was known by stays listed: its revisions record the key they
    # were created under (docs/catalog.md, "Renames").
    known = tuple(k for k in (*desired.plans[old].moved_from, old) if k != new)
    plan = desired.plans[old].model_copy(update={"moved_from": known})
    subscriptions = {
        k: s.model_copy(
            update={
                "plan": new,
                "versions": tuple(
                    v.model_copy(update={"plan": new}) if v.plan == old else v for v in s.versions
                ),
            }
        )
        for k, s in desired.subscriptions.items()
    }
    return desired.model_copy(update={"plans": {new: plan}, "subscriptions": subscriptions})


def migrate(desired: DesiredState, subscription: str, month: int) -> DesiredState:
    sub = desired.subscriptions[subscription]
    versions = sub.versions or (Version(effective=START),)
    last = versions[-1].effective
    effective = dt.date(2026, month, 1)
    if isinstance(last, dt.date) and effective <= last:
        return desired
    version = Version(effective=effective, plan=plan_key(desired))
    updated = sub.model_copy(update={"versions": (*versions, version)})
    return desired.model_copy(
        update={"subscriptions": {**desired.subscriptions, subscription: updated}}
    )


def recount(desired: DesiredState, event: str) -> DesiredState:
    metric = desired.metrics["api_calls"].model_copy(update={"event_name": event})
    return desired.model_copy(update={"metrics": {"api_calls": metric}})


amounts = st.decimals(min_value=1, max_value=500, places=2)
edits = st.one_of(
    st.tuples(st.just("price"), amounts),
    st.tuples(st.just("trial"), st.integers(min_value=0, max_value=30)),
    st.tuples(st.just("name"), st.sampled_from(["Starter", "Starter 2026", "Starter Plus"])),
    st.tuples(st.just("key"), st.sampled_from(["starter", "starter_v2", "starter_2026"])),
    st.tuples(st.just("metric"), st.sampled_from(["api.call", "api.request", "api.hit"])),
    st.tuples(
        st.just("migrate"),
        st.tuples(st.sampled_from(["acme_main", "initech_main"]), st.integers(2, 12)),
    ),
)


def edited(desired: DesiredState, edit: tuple[str, object]) -> DesiredState:
    kind, value = edit
    if kind == "price":
        assert isinstance(value, Decimal)
        return reprice(desired, value)
    if kind == "trial":
        return with_plan(desired, trial_days=value)
    if kind == "name":
        return with_plan(desired, name=value)
    if kind == "key":
        assert isinstance(value, str)
        return rekey(desired, value)
    if kind == "metric":
        assert isinstance(value, str)
        return recount(desired, value)
    assert isinstance(value, tuple)
    return migrate(desired, *value)


def converges(env: Direct, sequence: list[tuple[str, object]]) -> None:
    desired = base()
    env.run(env.control.reset())
    for step, edit in enumerate([("start", None), *sequence]):
        if step:
            desired = edited(desired, edit)
        plan, result = env.run(env.apply(desired))
        errors = [d.message for d in plan.diagnostics if d.severity is Severity.ERROR]
        assert errors == [], (edit, errors)
        assert result.status is ApplyStatus.SUCCESS, (edit, result.errors)
        after, _ = env.run(env.plan(desired))
        assert not after.has_changes, f"after {edit}:\n" + describe(after.changes)
        assert not [d for d in after.diagnostics if d.severity is Severity.ERROR]
    non_sdk = env.run(env.control.client.get("/counters")).json()
    assert [r for r in non_sdk if r["status"] in (404, 405)] == []


def test_returning_to_an_earlier_price_is_one_new_revision() -> None:
    """1.00 -> 1.01 -> 1.00: the third apply creates one revision (the earlier create's
    key is not reused: it would be refused for the other `by=`, or replay the old,
    superseded revision), which is current; the next plan is empty, and applying again
    writes nothing."""
    with direct() as env:
        env.run(env.control.reset())
        desired = base()
        env.run(env.apply(desired))
        for amount in ("1.00", "1.01", "1.00"):
            desired = reprice(desired, Decimal(amount))
            before = len(env.run(env.control.objects("plan")))
            env.run(env.control.clear_log())
            plan, result = env.run(env.apply(desired))
            assert [c.change_id for c in plan.changes if c.action is not Action.NOOP] == [
                "plan.starter#new_revision"
            ]
            assert result.status is ApplyStatus.SUCCESS, result.errors
            writes = env.run(env.control.writes())
            assert [(w["method"], w["path"], w["status"]) for w in writes] == [
                ("POST", "/plans", 201)
            ], amount
            plans = env.run(env.control.objects("plan"))
            assert len(plans) == before + 1, amount
            after, live = env.run(env.plan(desired))
            assert not after.has_changes, f"after {amount}:\n" + describe(after.changes)
            current = live.revisions["starter"].current
            (made,) = [p for p in plans if p["id"] == current.remote_id]
            _, marker = split_marker(made["description"])
            assert marker is not None and marker.by == applied_by(plan.plan_id)
        # Four revisions (49, 1.00, 1.01, 1.00): one superseded one has the current content.
        assert [r.digest for r in live.revisions["starter"].superseded].count(current.digest) == 1
        env.run(env.control.clear_log())
        again, result = env.run(env.apply(desired))
        assert not again.has_changes and result.status is ApplyStatus.SUCCESS
        assert env.run(env.control.writes()) == []


def test_returning_to_what_a_metric_counted_before_is_one_new_metric() -> None:
    """Metrics are write-once too: api.call -> api.request -> api.call makes one new
    metric each time (not the first one's create replayed: that metric is superseded),
    and the next plan is empty."""
    with direct() as env:
        env.run(env.control.reset())
        desired = base()
        env.run(env.apply(desired))
        for event in ("api.request", "api.call"):
            desired = recount(desired, event)
            before = len(env.run(env.control.objects("metric")))
            plan, result = env.run(env.apply(desired))
            assert "metric.api_calls#new_revision" in [c.change_id for c in plan.changes]
            assert result.status is ApplyStatus.SUCCESS, result.errors
            assert len(env.run(env.control.objects("metric"))) == before + 1, event
            after, _ = env.run(env.plan(desired))
            assert not after.has_changes, f"after {event}:\n" + describe(after.changes)


def test_two_applies_returning_to_an_earlier_price_at_once_make_one_revision() -> None:
    """Two plans of the same return to earlier content (1.00 -> 1.01 -> 1.00), made from
    the same live state and performed at once, share one key: one revision is made, and
    the apply that finds the key taken records that revision, not the superseded one
    with the same content."""
    with direct() as env:
        env.run(env.control.reset())
        desired = base()
        for amount in (None, "1.00", "1.01"):
            desired = desired if amount is None else reprice(desired, Decimal(amount))
            assert env.run(env.apply(desired))[1].status is ApplyStatus.SUCCESS
        desired = reprice(desired, Decimal("1.00"))
        before = len(env.run(env.control.objects("plan")))
        (first, live), (second, _) = env.run(env.plan(desired)), env.run(env.plan(desired))
        assert first.plan_id != second.plan_id

        async def both() -> list[Run]:
            runs = []
            for plan in (first, second):
                (change,) = [c for c in plan.changes if c.action is Action.NEW_REVISION]
                runs.append(
                    (Run.start(plan.plan_id, desired, live, env.reader, env.writer), change)
                )
            await asyncio.gather(*(perform(run, c, c.change_id) for run, c in runs))
            return [run for run, _ in runs]

        runs = env.run(both())
        assert len(env.run(env.control.objects("plan"))) == before + 1
        after, now = env.run(env.plan(desired))
        assert not after.has_changes, describe(after.changes)
        current = now.revisions["starter"].current.remote_id
        assert current not in {r.remote_id for r in live.revisions["starter"].superseded}
        assert [run.ids.remote("plan", "starter") for run in runs] == [current, current]


SETTINGS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}


def test_random_edit_sequences_converge() -> None:
    with direct() as env:

        @settings(max_examples=20, **SETTINGS)  # type: ignore[arg-type]
        @given(sequence=st.lists(edits, min_size=1, max_size=4))
        def check(sequence: list[tuple[str, object]]) -> None:
            converges(env, sequence)

        check()


@pytest.mark.slow
def test_random_edit_sequences_converge_at_length() -> None:
    with direct() as env:

        @settings(max_examples=200, **SETTINGS)  # type: ignore[arg-type]
        @given(sequence=st.lists(edits, min_size=1, max_size=10))
        def check(sequence: list[tuple[str, object]]) -> None:
            converges(env, sequence)

        check()

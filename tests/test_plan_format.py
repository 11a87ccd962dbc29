"""The plan file format (DESIGN §4): JSON round trip, invariants, ApplyResult status, and
no secrets in a dump."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from reconciler.diff import diff
from reconciler.model import KINDS, Address, LiveState
from reconciler.plan import (
    Action,
    ApplyResult,
    ApplyStatus,
    Change,
    FieldChange,
    Plan,
    Summary,
    apply_order,
)
from reconciler.source.diagnostics import Diagnostic, Severity
from tests.diff.catalog import DESIRED, edit, live_of

NOW = dt.datetime(2026, 5, 1, 12, 0, tzinfo=dt.UTC)


def plan_of(changes: tuple[Change, ...], **extra: object) -> Plan:
    return Plan(
        plan_id="p1",
        environment="test",
        created_at=NOW,
        catalog_digest="sha256:x",
        changes=changes,
        summary=Summary.of(changes, unchanged=3),
        **extra,  # type: ignore[arg-type]
    )


def real_plan() -> Plan:
    desired = edit(DESIRED, "product", "platform", name="Platform Pro", payment_terms="arrears")
    desired = edit(desired, "plan", "starter", description="Small teams")
    desired = edit(desired, "bundle", "addons", name="Extras")
    empty = {"metrics": {}, "customers": {}, "subscriptions": {}}
    result = diff(desired, live_of(DESIRED).model_copy(update=empty))
    return plan_of(
        result.changes,
        diagnostics=result.diagnostics,
        fingerprints={"product.platform": "sha256:ab"},
        unmanaged=result.unmanaged,
    )


def test_a_real_plan_round_trips_through_json() -> None:
    plan = real_plan()
    assert {c.action for c in plan.changes} >= {
        Action.CREATE,
        Action.REPLACE,
        Action.UPDATE,
        Action.NEW_REVISION,
    }
    text = plan.model_dump_json()
    assert Plan.model_validate_json(text) == plan
    data = json.loads(text)
    assert list(data) == [
        "format_version",
        "plan_id",
        "environment",
        "created_at",
        "catalog_digest",
        "changes",
        "summary",
        "diagnostics",
        "fingerprints",
        "unmanaged",
    ]
    assert data["format_version"] == 1
    assert list(data["changes"][0]) == [
        "address",
        "kind",
        "key",
        "action",
        "remote_id",
        "before",
        "after",
        "fields",
        "reason",
    ]
    assert set(data["summary"]) == {a.value for a in Action if a is not Action.NOOP} | {"unchanged"}


def test_decimals_are_strings_in_the_json() -> None:
    text = real_plan().model_dump_json()
    assert '"price_per_unit":"49"' in text
    assert not re.search(r'"price_per_unit":\d', text)


def test_a_plan_rejects_noops_disorder_duplicates_and_a_wrong_summary() -> None:
    plan = real_plan()
    create = plan.changes[0]
    noop = create.model_copy(update={"action": Action.NOOP, "before": create.after})
    with pytest.raises(ValidationError, match="noop"):
        plan_of((Change.model_validate(noop.model_dump()),))
    with pytest.raises(ValidationError, match="apply order"):
        plan_of(tuple(reversed(plan.changes)))
    with pytest.raises(ValidationError, match="twice"):
        plan_of((create, create))
    with pytest.raises(ValidationError, match="summary"):
        Plan(**{**dict(plan), "summary": Summary(unchanged=1)})
    with pytest.raises(ValidationError, match="format_version"):
        Plan.model_validate_json(
            plan.model_dump_json().replace('"format_version":1', '"format_version":2')
        )
    with pytest.raises(ValidationError, match=r"created_at|timezone"):
        Plan(**{**dict(plan), "created_at": dt.datetime(2026, 1, 1)})


def test_change_invariants() -> None:
    with pytest.raises(ValidationError, match="replace"):
        Change(
            address="product.a",
            kind="product",
            key="a",
            action=Action.UPDATE,
            before={},
            after={},
            fields=(FieldChange(path="x", forces_replace=True),),
        )
    with pytest.raises(ValidationError, match="replace"):
        Change(
            address="product.a", kind="product", key="a", action=Action.REPLACE, before={}, after={}
        )
    with pytest.raises(ValidationError, match="before"):
        Change(
            address="product.a", kind="product", key="a", action=Action.CREATE, before={}, after={}
        )
    with pytest.raises(ValidationError, match="does not name"):
        Change(address="product.a", kind="plan", key="a", action=Action.CREATE, after={})
    with pytest.raises(ValidationError, match="extra"):
        Change.model_validate(
            {
                "address": "product.a",
                "kind": "product",
                "key": "a",
                "action": "create",
                "after": {},
                "surprise": 1,
            }
        )
    version = Change(
        address="subscription.s.versions[2026-01-01]",
        kind="subscription",
        key="s",
        action=Action.NEW_VERSION,
        after={},
    )
    assert version.version == "2026-01-01"
    assert version.change_id == "subscription.s.versions[2026-01-01]#new_version"


# ---- hypothesis: any valid plan round trips ---------------------------------------------

keys = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
objects = st.dictionaries(st.text(max_size=6), json_values, max_size=4)
addresses = st.builds(Address, st.sampled_from(KINDS), keys)


@st.composite
def changes(draw: st.DrawFn) -> Change:
    kind = draw(st.sampled_from(KINDS))
    key = draw(keys)
    actions = [Action.CREATE, Action.UPDATE, Action.REPLACE]
    if kind == "subscription":
        actions += [Action.NEW_VERSION, Action.ACTIVATE, Action.CANCEL]
    action = draw(st.sampled_from(actions))
    address = f"{kind}.{key}"
    if action is Action.NEW_VERSION:
        address += f".versions[{draw(st.dates())}]"
    fields = draw(
        st.lists(
            st.builds(
                FieldChange,
                path=st.text(min_size=1, max_size=10),
                before=json_values,
                after=json_values,
            ),
            max_size=3,
        )
    )
    if action is Action.REPLACE:
        fields.append(
            FieldChange(path="fee_type", before="fixed", after="metered", forces_replace=True)
        )
    return Change(
        address=address,
        kind=kind,
        key=key,
        action=action,
        remote_id=draw(st.none() | st.text(max_size=10)),
        before=None if action in (Action.CREATE, Action.NEW_VERSION) else draw(objects),
        after=draw(objects),
        fields=tuple(fields),
        reason=draw(st.text(max_size=20)),
    )


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    unique = {c.change_id: c for c in draw(st.lists(changes(), max_size=6))}
    ordered = tuple(sorted(unique.values(), key=apply_order))
    diagnostics = draw(
        st.lists(
            st.builds(
                Diagnostic,
                code=st.text(min_size=1, max_size=8),
                message=st.text(max_size=20),
                file=st.none() | st.text(max_size=8),
                line=st.none() | st.integers(1, 999),
                field=st.none() | st.text(max_size=8),
                severity=st.sampled_from(list(Severity)),
            ),
            max_size=2,
        )
    )
    return Plan(
        plan_id=draw(st.text(min_size=1, max_size=12)),
        environment=draw(st.text(max_size=8)),
        created_at=draw(st.datetimes(timezones=st.just(dt.UTC))),
        catalog_digest=draw(st.text(max_size=12)),
        changes=ordered,
        summary=Summary.of(ordered, draw(st.integers(0, 1000))),
        diagnostics=tuple(diagnostics),
        fingerprints=draw(st.dictionaries(addresses, st.text(max_size=8), max_size=3)),
    )


@settings(max_examples=150, deadline=None)
@given(plans())
def test_every_plan_round_trips_through_json(plan: Plan) -> None:
    assert Plan.model_validate_json(plan.model_dump_json()) == plan


# ---- ApplyResult -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("applied", "pending", "failed", "status"),
    [
        ((), (), (), ApplyStatus.SUCCESS),
        (("a",), (), (), ApplyStatus.SUCCESS),
        (("a",), ("b",), (), ApplyStatus.PARTIAL),
        (("a",), (), ("b",), ApplyStatus.PARTIAL),
        ((), ("b",), (), ApplyStatus.ERROR),
        ((), (), ("b",), ApplyStatus.ERROR),
    ],
)
def test_apply_status_is_derived(
    applied: tuple[str, ...],
    pending: tuple[str, ...],
    failed: tuple[str, ...],
    status: ApplyStatus,
) -> None:
    result = ApplyResult(plan_id="p", applied=applied, pending=pending, failed=failed)
    assert result.status is status
    assert ApplyResult.model_validate_json(result.model_dump_json()) == result
    assert json.loads(result.model_dump_json())["status"] == status.value


def test_apply_result_rejects_contradictions() -> None:
    with pytest.raises(ValidationError, match="contradicts"):
        ApplyResult(plan_id="p", failed=("a",), status=ApplyStatus.SUCCESS)
    with pytest.raises(ValidationError, match="twice"):
        ApplyResult(plan_id="p", applied=("a",), failed=("a",))
    with pytest.raises(ValidationError, match="only failed"):
        ApplyResult(plan_id="p", applied=("a",), errors={"a": "boom"})


# ---- secrets ---------------------------------------------------------------------------

SECRET = re.compile(r"sk_(live|test)_|Bearer |api[_-]?key|password|ALGUNA_", re.IGNORECASE)


def test_a_plan_dump_holds_no_secret_looking_value() -> None:
    result = diff(DESIRED, LiveState(environment="test"))
    plan = plan_of(result.changes, diagnostics=result.diagnostics)
    assert not SECRET.search(plan.model_dump_json())
    assert not SECRET.search(real_plan().model_dump_json())


def test_a_plan_without_new_revisions_has_the_summary_keys_of_before() -> None:
    # `new_revision` was added within format_version 1: written only when there are some.
    plan = plan_of(real_plan().changes[:1])
    assert "new_revision" not in json.loads(plan.model_dump_json())["summary"]

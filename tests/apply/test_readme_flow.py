"""The README's flow, as a new user runs it, against the emulator conformed to the SDK (no
plan or metric update, plan reads without items): apply the example catalog, change the
enterprise storage price, plan, apply, then plan and drift find nothing; ten times over.

Plans are write-once (issue 16): each price change is a new plan revision; the
subscriptions created from the old one keep their prices (their published versions are
read back, never re-derived). The emulator's counters show that no request went to an
operation the SDK does not define (each would be a 404 or 405).
"""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reconciler.apply import AlreadyAppliedError, StalePlanError
from reconciler.cli import main
from reconciler.commands.workflow import apply_planned, apply_saved
from reconciler.plan import Action, ApplyStatus
from reconciler.source.diagnostics import Severity
from tests.apply.harness import Workspace, describe, workspace
from tests.builders import copy_example

PLANS = Path("catalog") / "plans.toml"
STORAGE = "{ up_to = 1_000, price_per_unit = %s },\n  { price_per_unit = 0.12 },"


def set_storage(ws: Workspace, before: Decimal, after: Decimal) -> None:
    path = ws.root / PLANS
    text = path.read_text(encoding="utf-8")
    old, new = STORAGE % before, STORAGE % after
    assert text.count(old) == 1, f"the enterprise storage tier {old} is not in the catalog"
    path.write_text(text.replace(old, new), encoding="utf-8")


async def apply_fresh(ws: Workspace) -> None:
    """Plan and apply."""
    planned = await ws.plan()
    assert not [d for d in planned.plan.diagnostics if d.severity is Severity.ERROR], [
        d.message for d in planned.plan.diagnostics
    ]
    async with ws.target() as target:
        result = await apply_planned(planned, target)
    assert result.status is ApplyStatus.SUCCESS, result.errors


async def assert_converged(ws: Workspace) -> None:
    """`billing plan` and `billing drift` both exit 0: no change and no error left."""
    after = await ws.next_plan()
    assert not after.has_changes, describe(after.changes)
    assert not [d for d in after.diagnostics if d.severity is Severity.ERROR]


async def non_sdk_requests(ws: Workspace) -> list[str]:
    """Requests the emulator answered as an unknown route or method (404/405): operations
    the SDK does not define. Other statuses (a 409, a 422) would fail the apply anyway."""
    response = await ws.control.client.get("/counters")
    assert response.status_code == 200, response.text
    return [
        f"{row['method']} {row['route']} -> {row['status']} x{row['count']}"
        for row in response.json()
        if row["status"] in (404, 405)
    ]


async def test_a_price_change_applies_and_leaves_nothing_to_do(tmp_path: Path) -> None:
    async with workspace(tmp_path / "project") as ws:
        await apply_fresh(ws)
        await assert_converged(ws)

        set_storage(ws, Decimal("0.18"), Decimal("0.20"))
        planned = (await ws.plan()).plan
        assert [(c.address, c.action) for c in planned.changes] == [
            ("plan.enterprise", Action.NEW_REVISION)
        ]
        (note,) = [d for d in planned.diagnostics if d.code == "plan.grandfathered"]
        assert "subscription.acme_enterprise" in note.message
        await apply_fresh(ws)
        await assert_converged(ws)

        plans = await ws.control.objects("plan")
        enterprise = [p for p in plans if p["name"] == "Enterprise"]
        assert len(enterprise) == 2, "the old revision stays live"
        assert await non_sdk_requests(ws) == []


async def test_ten_successive_price_changes(tmp_path: Path) -> None:
    async with workspace(tmp_path / "project") as ws:
        await apply_fresh(ws)
        baseline = [await plan_cost(ws) for _ in range(3)]
        price = Decimal("0.18")
        for step in range(1, 11):
            new = Decimal("0.18") + Decimal("0.01") * step
            set_storage(ws, price, new)
            price = new
            await apply_fresh(ws)
            await assert_converged(ws)
        plans = await ws.control.objects("plan")
        assert sum(p["name"] == "Enterprise" for p in plans) == 11  # 1 + 10 revisions
        assert await non_sdk_requests(ws) == []
        # Revisions add one plan object each to the list read; nothing else grows: the
        # same requests (the list fits its pages), and CPU time (the process's, emulator
        # included: what a loaded machine does not inflate, unlike wall time) within a
        # bound that catches a blow-up, not a percentage.
        final = [await plan_cost(ws) for _ in range(3)]
        print(f"plan before and after 10 revisions (CPU s, requests): {baseline} {final}")
        assert {requests for _, requests in final} == {requests for _, requests in baseline}
        before, after = min(cpu for cpu, _ in baseline), min(cpu for cpu, _ in final)
        assert after < before * 3 + 0.5, (baseline, final)


async def plan_cost(ws: Workspace) -> tuple[float, int]:
    """One plan that finds nothing to do: the CPU seconds it took and the requests it
    made (the emulator's counters)."""
    requests = await ws.control.request_count()
    started = time.process_time()
    plan = await ws.next_plan()
    cpu = time.process_time() - started
    assert not plan.has_changes, describe(plan.changes)
    return cpu, await ws.control.request_count() - requests


async def test_a_saved_plan_whose_revision_another_apply_created_is_stale(
    tmp_path: Path,
) -> None:
    async with workspace(tmp_path / "project") as ws:
        await apply_fresh(ws)
        set_storage(ws, Decimal("0.18"), Decimal("0.20"))
        saved = (await ws.plan()).plan
        mine = (await ws.plan()).plan  # the same change, planned again: another plan id
        assert saved.plan_id != mine.plan_id

        async with ws.target() as target:
            result, _ = await apply_saved(ws.catalog(), target, mine, clock=ws.clock)
        assert result.status is ApplyStatus.SUCCESS
        async with ws.target() as target:
            with pytest.raises(StalePlanError, match="created by another apply"):
                await apply_saved(ws.catalog(), target, saved, clock=ws.clock)
            # The plan that made it is already applied, not stale.
            with pytest.raises(AlreadyAppliedError):
                await apply_saved(ws.catalog(), target, mine, clock=ws.clock)
        plans = await ws.control.objects("plan")
        assert sum(p["name"] == "Enterprise" for p in plans) == 2


def test_the_readme_flow_through_the_command_line(tmp_path: Path) -> None:
    """As a new user types it: `billing apply`, edit the price, `billing plan`, `billing
    apply`, then `billing plan --detailed-exitcode` and `billing drift` both exit 0."""
    project = copy_example(tmp_path / "project")

    def billing(*args: str) -> Result:
        env = {"BILLING_ENV": None, "NO_COLOR": "1"}
        return CliRunner().invoke(main, ["--project", str(project), *args], env=env)

    assert billing("apply", "--auto-approve").exit_code == 0
    plans = project / PLANS
    text = plans.read_text(encoding="utf-8")
    old, new = STORAGE % Decimal("0.18"), STORAGE % Decimal("0.20")
    plans.write_text(text.replace(old, new), encoding="utf-8")
    planned = billing("plan", "--detailed-exitcode", "--no-save")
    assert planned.exit_code == 2, planned.output
    assert "plan.enterprise  (new revision" in planned.stdout
    applied = billing("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    again = billing("plan", "--detailed-exitcode", "--no-save")
    assert again.exit_code == 0, again.output
    drift = billing("drift")
    assert drift.exit_code == 0, drift.output

"""Saved plans: applied exactly as reviewed, or refused before any write.

A project with products `alpha` and `gamma` is applied; the catalog then renames alpha and
adds `beta`, and that plan (update alpha, create beta) is saved to a file and read back.
What happens to the live account between saving and applying decides whether
`apply_saved` runs it, refuses it, or resumes it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.apply import AlreadyAppliedError, PlanRefusedError, StalePlanError
from reconciler.apply.plan_files import read_plan, write_plan
from reconciler.commands.workflow import apply_planned, apply_saved
from reconciler.plan import Action, ApplyStatus, Plan
from reconciler.report.plan_output import plan_json
from tests.apply.harness import Recorder, Workspace, describe, duplicates, workspace
from tests.builders import EXAMPLE_CATALOG, write_catalog


def product(key: str, name: str) -> str:
    return (
        f'[products.{key}]\nname = "{name}"\nfee_type = "fixed"\n'
        'payment_terms = "advance"\nbilling_frequency = "recurring"\n\n'
    )


BEFORE = {"products.toml": product("alpha", "Alpha") + product("gamma", "Gamma")}
AFTER = {
    "products.toml": product("alpha", "Alpha Pro")
    + product("beta", "Beta")
    + product("gamma", "Gamma")
}


@pytest.fixture
async def small(tmp_path: Path) -> AsyncIterator[Workspace]:
    async with workspace(tmp_path / "project", catalog=BEFORE) as space:
        yield space


async def live_products(ws: Workspace) -> dict[str, dict[str, Any]]:
    return {str(p["sku"]): p for p in await ws.control.objects("product")}


def save_and_read(ws: Workspace, plan: Plan) -> Plan:
    path = write_plan(ws.plan_path(plan), plan_json(plan))
    assert path == ws.root / "plans" / ws.env / f"{plan.plan_id}.json"
    saved = read_plan(path)
    assert saved == plan
    return saved


async def saved_plan(ws: Workspace) -> Plan:
    """Apply BEFORE, switch the catalog to AFTER, plan, save the plan and read it back."""
    planned = await ws.plan()
    async with ws.target() as target:
        assert (await apply_planned(planned, target)).status is ApplyStatus.SUCCESS
    write_catalog(ws.root, AFTER)
    plan = await ws.next_plan()
    assert [(c.address, c.action) for c in plan.changes] == [
        ("product.alpha", Action.UPDATE),
        ("product.beta", Action.CREATE),
    ], describe(plan.changes)
    saved = save_and_read(ws, plan)
    await ws.control.clear_log()
    return saved


async def refused_without_writes(
    ws: Workspace, saved: Plan, error: type[PlanRefusedError], env: str | None = None
) -> PlanRefusedError:
    before = await ws.control.write_count()
    with pytest.raises(error) as refused:
        async with ws.target(env) as target:
            await apply_saved(ws.catalog(env), target, saved, clock=ws.clock)
    assert await ws.control.write_count() == before, await ws.control.writes()
    return refused.value


async def test_out_of_band_edit_of_a_planned_object_makes_it_stale(small: Workspace) -> None:
    saved = await saved_plan(small)
    alpha = (await live_products(small))["alpha"]
    await small.control.edit("product", str(alpha["id"]), {"description": "edited by hand"})

    refused = await refused_without_writes(small, saved, StalePlanError)

    assert any("product.alpha" in reason for reason in refused.reasons), refused.reasons
    products = await live_products(small)
    assert set(products) == {"alpha", "gamma"}, "beta was created by a refused plan"
    assert (products["alpha"]["name"], products["alpha"]["description"]) == (
        "Alpha",
        "edited by hand",
    )


async def test_out_of_band_edit_elsewhere_is_left_alone(small: Workspace) -> None:
    saved = await saved_plan(small)
    gamma = (await live_products(small))["gamma"]
    await small.control.edit("product", str(gamma["id"]), {"name": "Gamma (edited)"})

    async with small.target() as target:
        result, resumption = await apply_saved(small.catalog(), target, saved, clock=small.clock)

    assert result.status is ApplyStatus.SUCCESS
    assert set(result.applied) == {"product.alpha#update", "product.beta#create"}
    assert [c.address for c in resumption.outside] == ["product.gamma"]
    products = await live_products(small)
    assert products["alpha"]["name"] == "Alpha Pro"
    assert products["beta"]["name"] == "Beta"
    assert products["gamma"]["name"] == "Gamma (edited)"
    writes = await small.control.writes()
    assert str(gamma["id"]) not in " ".join(e["path"] for e in writes), writes
    after = await small.next_plan()
    assert [(c.address, c.action) for c in after.changes] == [("product.gamma", Action.UPDATE)], (
        describe(after.changes)
    )


async def test_a_saved_plan_applies_once(small: Workspace) -> None:
    saved = await saved_plan(small)
    async with small.target() as target:
        result, _ = await apply_saved(small.catalog(), target, saved, clock=small.clock)
    assert result.status is ApplyStatus.SUCCESS

    await refused_without_writes(small, saved, AlreadyAppliedError)
    assert not (await small.next_plan()).has_changes


async def test_a_plan_for_another_environment_is_refused(small: Workspace) -> None:
    saved = await saved_plan(small)

    refused = await refused_without_writes(small, saved, PlanRefusedError, env="other")

    assert not isinstance(refused, StalePlanError | AlreadyAppliedError)
    assert "environment" in str(refused)
    other = small.control.account("sk_test_embedded_other")
    assert await other.objects("product") == []
    assert set(await live_products(small)) == {"alpha", "gamma"}


async def test_a_plan_made_from_another_catalog_is_refused(small: Workspace) -> None:
    saved = await saved_plan(small)
    write_catalog(small.root, {"products.toml": AFTER["products.toml"].replace("Beta", "Bêta")})

    refused = await refused_without_writes(small, saved, PlanRefusedError)

    assert not isinstance(refused, StalePlanError | AlreadyAppliedError)
    assert "catalog" in str(refused)
    assert set(await live_products(small)) == {"alpha", "gamma"}


STEP = {Action.CREATE: "create", Action.NEW_VERSION: "create", Action.ACTIVATE: "activate"}


@pytest.mark.parametrize("stop_after", [5, 22, 28])
async def test_an_interrupted_apply_resumes_with_the_same_keys(
    ws: Workspace, stop_after: int
) -> None:
    """Stop the example catalog's apply once `stop_after` changes have finished (what is
    in flight completes, nothing new starts), then apply the same saved plan: it makes
    only the rest, each write under the key the reviewed plan gives that change."""
    plan = await ws.next_plan()
    saved = save_and_read(ws, plan)
    assert {c.action for c in saved.changes} <= set(STEP)
    await ws.control.clear_log()

    stop = asyncio.Event()
    progress = Recorder(stop=stop, stop_after=stop_after)
    async with ws.target() as target:
        first, _ = await apply_saved(
            ws.catalog(), target, saved, progress=progress, stop=stop, clock=ws.clock
        )
    first_log = await ws.control.writes()
    await ws.control.clear_log()

    assert first.status is ApplyStatus.PARTIAL
    assert stop_after <= len(first.applied) < len(saved.changes)
    assert set(first.applied) | set(first.pending) == {c.change_id for c in saved.changes}
    assert progress.result == first

    second_progress = Recorder()
    async with ws.target() as target:
        second, resumption = await apply_saved(
            ws.catalog(), target, saved, progress=second_progress, clock=ws.clock
        )
    second_log = await ws.control.writes()

    assert second.status is ApplyStatus.SUCCESS, second.errors
    assert set(resumption.done) == set(first.applied)
    assert set(second.applied) == set(first.pending)
    assert second_progress.todo == [c for c in saved_order(saved) if c in first.pending]
    # Every change here is one POST (STEP), none twice; a subscription whose settings the
    # SDK's create lacks adds a PATCH (step `settings`) to its create, never another write.
    subscriptions = {c.change_id for c in saved.changes if c.kind == "subscription"}
    for log, result in ((first_log, first), (second_log, second)):
        posts = [e["idempotency_key"] for e in log if e["method"] == "POST"]
        assert len(set(posts)) == len(posts) == len(result.applied), "one write per change"
        patches = [e for e in log if e["method"] != "POST"]
        assert all(e["method"] == "PATCH" for e in patches)
        assert len(patches) <= len(subscriptions & set(result.applied))
    posted_first = {e["idempotency_key"] for e in first_log if e["method"] == "POST"}
    posted_second = {e["idempotency_key"] for e in second_log if e["method"] == "POST"}
    assert not posted_first & posted_second, "second run: only the rest"
    assert all(e["status"] < 300 and not e["replayed"] for e in first_log + second_log)

    after = await ws.next_plan()
    assert not after.has_changes, describe(after.changes)
    assert await duplicates(ws.control) == {}


def saved_order(plan: Plan) -> list[str]:
    return [c.change_id for c in plan.changes]


def planned_change(change_of_key: dict[str, str], entry: dict[str, Any]) -> str:
    """The change a logged write's Idempotency-Key belongs to (or says it belongs to none)."""
    key = str(entry["idempotency_key"])
    return change_of_key.get(key, f"<{entry['method']} {entry['path']}: unplanned key {key}>")


async def test_a_change_that_failed_is_retried_with_the_same_key(tmp_path: Path) -> None:
    """A create that failed in the first run (every attempt answered 503) is made by
    the second run of the same saved plan under the same Idempotency-Key."""
    async with workspace(tmp_path / "project", catalog=EXAMPLE_CATALOG) as ws:
        saved = save_and_read(ws, await ws.next_plan())
        await ws.control.clear_log()
        await ws.control.fault(kind="error", method="POST", path="/bundles", status=503)
        async with ws.target() as target:
            first, _ = await apply_saved(ws.catalog(), target, saved, clock=ws.clock)
        assert first.failed == ("bundle.payments#create",)
        failed_keys = {
            e["idempotency_key"] for e in await ws.control.writes() if e["status"] == 503
        }
        assert len(failed_keys) == 1

        await ws.control.clear_faults()
        await ws.control.clear_log()
        async with ws.target() as target:
            second, _ = await apply_saved(ws.catalog(), target, saved, clock=ws.clock)
        assert second.status is ApplyStatus.SUCCESS, second.errors
        bundle_writes = [e for e in await ws.control.writes() if e["path"] == "/bundles"]
        assert [(e["idempotency_key"], e["status"]) for e in bundle_writes] == [
            (failed_keys.pop(), 201)
        ]
        assert not (await ws.next_plan()).has_changes


async def test_two_applies_of_one_saved_plan_at_once_make_everything_once(ws: Workspace) -> None:
    """Two processes applying the same reviewed plan concurrently send the same keys: the
    API runs each write once (the other waits, 409 in flight, or gets the stored answer)."""
    saved = save_and_read(ws, await ws.next_plan())
    await ws.control.clear_log()

    async def apply() -> None:
        async with ws.target() as target:
            result, _ = await apply_saved(ws.catalog(), target, saved, clock=ws.clock)
        assert result.status is ApplyStatus.SUCCESS, result.errors

    await asyncio.gather(apply(), apply())

    executed = [
        e
        for e in await ws.control.writes()
        if e["status"] < 300 and not e["replayed"] and e["method"] == "POST"
    ]
    keys = [e["idempotency_key"] for e in executed]
    assert len(keys) == len(set(keys)) == len(saved.changes)
    assert await duplicates(ws.control) == {}
    assert not (await ws.next_plan()).has_changes

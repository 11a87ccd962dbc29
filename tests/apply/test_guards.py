"""Guards: a replace needs allow_replace; a protected environment applies only saved plans."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.apply import PlanRefusedError
from reconciler.apply.keys import idempotency_key
from reconciler.apply.plan_files import read_plan, write_plan
from reconciler.commands.workflow import apply_planned, apply_saved
from reconciler.plan import Action, ApplyStatus
from reconciler.report.plan_output import plan_json
from tests.apply.harness import Workspace, describe, duplicates, workspace
from tests.builders import write_catalog


def product(frequency: str) -> dict[str, str]:
    return {
        "products.toml": '[products.alpha]\nname = "Alpha"\nfee_type = "fixed"\n'
        f'payment_terms = "advance"\nbilling_frequency = "{frequency}"\n'
    }


async def refused_without_writes(ws: Workspace, *, allow_replace: bool = False) -> str:
    planned = await ws.plan()
    before = await ws.control.write_count()
    with pytest.raises(PlanRefusedError) as refused:
        async with ws.target() as target:
            await apply_planned(planned, target, allow_replace=allow_replace)
    assert await ws.control.write_count() == before, await ws.control.writes()
    return str(refused.value)


async def test_replace_needs_allow_replace(tmp_path: Path) -> None:
    """`billing_frequency` cannot change in place: the plan replaces the product. Without
    allow_replace nothing is written; with it, the live product's sku is moved out of the
    way and a new one is created under `alpha`."""
    async with workspace(tmp_path / "project", catalog=product("recurring")) as ws:
        planned = await ws.plan()
        async with ws.target() as target:
            assert (await apply_planned(planned, target)).status is ApplyStatus.SUCCESS
        (old,) = await ws.control.objects("product")
        write_catalog(ws.root, product("one-off"))

        message = await refused_without_writes(ws)
        assert "product.alpha" in message and "allow-replace" in message

        planned = await ws.plan()
        assert [(c.address, c.action) for c in planned.plan.changes] == [
            ("product.alpha", Action.REPLACE)
        ], describe(planned.plan.changes)
        saved = read_plan(write_plan(ws.root / "replace.json", plan_json(planned.plan)))
        writes = await ws.control.write_count()
        with pytest.raises(PlanRefusedError, match="allow-replace"):
            async with ws.target() as target:
                await apply_saved(ws.catalog(), target, saved, clock=ws.clock)
        assert await ws.control.write_count() == writes
        async with ws.target() as target:
            result = await apply_planned(planned, target, allow_replace=True)
        assert result.status is ApplyStatus.SUCCESS, result.errors

        products = {p["id"]: p for p in await ws.control.objects("product")}
        assert len(products) == 2
        assert products[old["id"]]["sku"] == f"alpha~replaced-{planned.plan.plan_id}"
        assert products[old["id"]]["billing_frequency"] == "recurring"
        (new,) = (p for i, p in products.items() if i != old["id"])
        assert (new["sku"], new["billing_frequency"]) == ("alpha", "one-off")
        assert await duplicates(ws.control) == {}

        after = await ws.next_plan()
        assert not after.has_changes, describe(after.changes)
        assert [(u.kind, u.remote_id, u.natural_key) for u in after.unmanaged] == [
            ("product", old["id"], f"alpha~replaced-{planned.plan.plan_id}")
        ]


async def test_protected_environment_applies_only_saved_plans(tmp_path: Path) -> None:
    async with workspace(tmp_path / "project", protected=True) as ws:
        message = await refused_without_writes(ws)
        assert "protected" in message
        assert await ws.control.objects("product") == []

        plan = await ws.next_plan()
        saved = read_plan(write_plan(ws.plan_path(plan), plan_json(plan)))
        async with ws.target() as target:
            result, _ = await apply_saved(ws.catalog(), target, saved, clock=ws.clock)
        assert result.status is ApplyStatus.SUCCESS, result.errors
        assert set(result.applied) == {c.change_id for c in plan.changes}
        assert not (await ws.next_plan()).has_changes


async def test_a_replace_interrupted_after_its_tombstone_resumes(tmp_path: Path) -> None:
    async with workspace(tmp_path / "project", catalog=product("recurring")) as ws:
        planned = await ws.plan()
        async with ws.target() as target:
            assert (await apply_planned(planned, target)).status is ApplyStatus.SUCCESS
        write_catalog(ws.root, product("one-off"))
        plan = await ws.next_plan()
        saved = read_plan(write_plan(ws.plan_path(plan), plan_json(plan)))

        # Every attempt at the create fails: the old product is renamed, no new one made.
        await ws.control.clear_log()
        await ws.control.fault(kind="error", method="POST", path="/products", status=503)
        async with ws.target() as target:
            first, _ = await apply_saved(
                ws.catalog(), target, saved, allow_replace=True, clock=ws.clock
            )
        assert first.failed == ("product.alpha#replace",)
        skus = {p["sku"] for p in await ws.control.objects("product")}
        assert skus == {f"alpha~replaced-{saved.plan_id}"}
        tried = {e["idempotency_key"] for e in await ws.control.writes() if e["method"] == "POST"}
        assert len(tried) == 1
        await ws.control.clear_faults()
        await ws.control.clear_log()

        async with ws.target() as target:
            second, _ = await apply_saved(
                ws.catalog(), target, saved, allow_replace=True, clock=ws.clock
            )

        assert second.status is ApplyStatus.SUCCESS, second.errors
        (create,) = await ws.control.writes()
        assert (create["method"], create["path"], create["status"]) == ("POST", "/products", 201)
        # The create is the one the first run tried (a content-addressed key: the same
        # request for the same address, whichever plan sends it).
        assert tried == {create["idempotency_key"]}
        assert create["idempotency_key"] != idempotency_key(
            saved.plan_id, "product.alpha#replace", "create"
        )
        assert not (await ws.next_plan()).has_changes

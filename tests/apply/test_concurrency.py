"""Applies racing each other and the dashboard: no duplicates, no lost edits.

Two fresh applies make two plans (two ids); their creates, versions and activations
still carry the same content-addressed idempotency keys (`apply/keys.py`), so the API
makes each object once. An update sends only what differs and re-reads the object
first (`apply/recheck.py`). The long versions, with real processes and many runs, are
in tests/reliability (`-m slow`) and benchmarks/reliability.py.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from reconciler.commands.workflow import apply_planned
from reconciler.plan import Action, ApplyStatus, Change, Plan
from tests.apply.harness import Workspace, describe, duplicates, workspace
from tests.builders import write_catalog

PRODUCT = (
    '[products.alpha]\nname = "Alpha"\ndescription = "{description}"\nfee_type = "fixed"\n'
    'payment_terms = "advance"\nbilling_frequency = "recurring"\n'
)


def converged_but_plans(plan: Plan) -> list[Change]:
    """What is left to do apart from plan updates: plans never match their live copy
    until issue 16 (write-once plans: the API's plan reads carry no items), so the
    example catalog's plans are planned as updates after every apply."""
    return [c for c in plan.changes if not (c.kind == "plan" and c.action is Action.UPDATE)]


def product(description: str = "As declared", name: str = "Alpha") -> dict[str, str]:
    text = PRODUCT.format(description=description).replace('"Alpha"', f'"{name}"')
    return {"products.toml": text}


async def test_two_fresh_plans_of_an_empty_account_applied_at_once_make_everything_once(
    ws: Workspace,
) -> None:
    """Worst timing: both read the empty account before either writes (slow POSTs)."""
    first, second = await ws.plan(), await ws.plan()
    assert first.plan.plan_id != second.plan.plan_id  # so plan-scoped keys would differ
    assert first.plan.changes == second.plan.changes
    await ws.control.fault(kind="latency", method="POST", latency_ms=20)

    async def apply(planned: object) -> None:
        async with ws.target() as target:
            result = await apply_planned(planned, target)  # type: ignore[arg-type]
        assert result.status is ApplyStatus.SUCCESS, result.errors

    await asyncio.gather(apply(first), apply(second))

    await ws.control.clear_faults()
    assert await duplicates(ws.control) == {}
    after = await ws.next_plan()
    assert not converged_but_plans(after), describe(after.changes)
    # Each change is one POST made once (the other process's got the stored answer);
    # a subscription's settings PATCH after its create is the only other write.
    writes = [e for e in await ws.control.writes() if e["status"] < 300 and not e["replayed"]]
    assert len([e for e in writes if e["method"] == "POST"]) == len(first.plan.changes)


async def test_a_fresh_apply_that_reads_a_half_made_account_makes_nothing_twice(
    ws: Workspace,
) -> None:
    """The second apply plans while the first is writing, and applies at once."""
    await ws.control.fault(kind="latency", method="POST", latency_ms=15)
    first = await ws.plan()

    async def apply_first() -> None:
        async with ws.target() as target:
            result = await apply_planned(first, target)
        assert result.status is ApplyStatus.SUCCESS, result.errors

    task = asyncio.create_task(apply_first())
    while await ws.control.write_count() < 8:
        await asyncio.sleep(0.01)
    second = await ws.plan()
    assert 0 < len(second.plan.changes) < len(first.plan.changes)
    async with ws.target() as target:
        result = await apply_planned(second, target)
    assert result.status is ApplyStatus.SUCCESS, result.errors
    await task

    await ws.control.clear_faults()
    assert await duplicates(ws.control) == {}
    after = await ws.next_plan()
    assert not converged_but_plans(after), describe(after.changes)


async def test_a_create_replayed_after_an_out_of_band_rename_is_made_again(
    tmp_path: Path,
) -> None:
    """Within the key window, the same create gets the stored answer: the object it
    made, renamed away since. Apply checks the replayed object, sees it no longer
    carries the sku, and creates the product under the successor key."""
    async with workspace(tmp_path / "project", catalog=product()) as ws:
        async with ws.target() as target:
            assert (await apply_planned(await ws.plan(), target)).status is ApplyStatus.SUCCESS
        (made,) = await ws.control.objects("product")
        await ws.control.edit("product", str(made["id"]), {"sku": "alpha-retired"})
        planned = await ws.plan()
        assert [c.action for c in planned.plan.changes] == [Action.CREATE]
        await ws.control.clear_log()

        async with ws.target() as target:
            result = await apply_planned(planned, target)

        assert result.status is ApplyStatus.SUCCESS, result.errors
        posts = [e for e in await ws.control.writes() if e["method"] == "POST"]
        assert [e["replayed"] for e in posts] == [True, False]
        assert posts[0]["idempotency_key"] != posts[1]["idempotency_key"]
        skus = sorted(str(p["sku"]) for p in await ws.control.objects("product"))
        assert skus == ["alpha", "alpha-retired"]
        assert not (await ws.next_plan()).has_changes


async def test_an_edit_of_another_field_made_after_the_read_is_kept(tmp_path: Path) -> None:
    """The plan renames the product; meanwhile its description is edited in the
    dashboard. The PATCH carries only the name: the edit survives, and the next plan
    shows it as drift instead of it vanishing unseen."""
    async with workspace(tmp_path / "project", catalog=product()) as ws:
        async with ws.target() as target:
            assert (await apply_planned(await ws.plan(), target)).status is ApplyStatus.SUCCESS
        write_catalog(ws.root, product(name="Alpha Pro"))
        planned = await ws.plan()
        (made,) = await ws.control.objects("product")
        await ws.control.edit("product", str(made["id"]), {"description": "edited meanwhile"})

        async with ws.target() as target:
            result = await apply_planned(planned, target)

        assert result.status is ApplyStatus.SUCCESS, result.errors
        (now,) = await ws.control.objects("product")
        assert (now["name"], now["description"]) == ("Alpha Pro", "edited meanwhile")
        (drift,) = (await ws.next_plan()).changes
        assert [f.path for f in drift.fields] == ["description"]


async def test_an_edit_of_the_field_an_update_writes_is_never_overwritten(tmp_path: Path) -> None:
    """The plan renames the product; meanwhile someone renames it otherwise. The
    update fails naming the field, nothing is written to the product, and the next
    plan shows the difference."""
    async with workspace(tmp_path / "project", catalog=product()) as ws:
        async with ws.target() as target:
            assert (await apply_planned(await ws.plan(), target)).status is ApplyStatus.SUCCESS
        write_catalog(ws.root, product(name="Alpha Pro"))
        planned = await ws.plan()
        (made,) = await ws.control.objects("product")
        await ws.control.edit("product", str(made["id"]), {"name": "Alpha (sales)"})
        await ws.control.clear_log()

        async with ws.target() as target:
            result = await apply_planned(planned, target)

        assert result.status is not ApplyStatus.SUCCESS and result.failed == (
            "product.alpha#update",
        )
        (error,) = result.errors.values()
        assert "ChangedSinceReadError" in error and "`name`" in error, error
        assert await ws.control.writes() == []
        (now,) = await ws.control.objects("product")
        assert now["name"] == "Alpha (sales)"
        (change,) = (await ws.next_plan()).changes
        assert change.before is not None and change.before["name"] == "Alpha (sales)"


async def test_a_create_refused_earlier_is_asked_afresh_not_refused_from_the_replay_store(
    tmp_path: Path,
) -> None:
    """The API stores a 4xx for the key window. A create refused once (here a 409 the
    emulator injects, stored like any refusal) would get the same stored refusal on
    every later apply with the same content-addressed key for 24 hours; apply sees the
    replay and asks again under a successor key, so the create is made once the cause
    is gone."""
    async with workspace(tmp_path / "project", catalog=product()) as ws:
        await ws.control.fault(
            kind="error", method="POST", path="/products", status=409, transient=False, count=1
        )
        async with ws.target() as target:
            first = await apply_planned(await ws.plan(), target)
        assert first.failed == ("product.alpha#create",)
        await ws.control.clear_faults()
        await ws.control.clear_log()

        async with ws.target() as target:
            second = await apply_planned(await ws.plan(), target)

        assert second.status is ApplyStatus.SUCCESS, second.errors
        posts = [(e["status"], e["replayed"]) for e in await ws.control.writes()]
        assert posts == [(409, True), (201, False)]
        assert [p["sku"] for p in await ws.control.objects("product")] == ["alpha"]

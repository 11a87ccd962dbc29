"""`promote`: sandbox -> production on one emulator with two API keys.

Both environments are embedded and share one in-process emulator app; their keys
(`sk_test_embedded_sandbox`, `sk_test_embedded_production`) are two accounts, whose data
the emulator keeps apart. Production is protected and renders the catalog with its own
variables (trial days 30, a 59.00 platform fee). Everything is the real code.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from alguna_emulator import emulator_transport
from reconciler.apply.plan_files import read_plan, write_plan
from reconciler.commands.promote import Promoted, PromotionRefusedError, promote
from reconciler.commands.workflow import apply_planned, apply_saved, load_catalog
from reconciler.plan import Action, Plan
from reconciler.planning.targeting import Selection
from reconciler.report.plan_output import plan_json, plan_markdown, plan_text
from tests.importing.harness import Bench, bench


@pytest.fixture
async def space(tmp_path: Path) -> Bench:  # type: ignore[misc]
    async with bench(tmp_path / "project", example_catalog=True) as created:
        yield created


async def apply_fresh(space: Bench, env: str) -> None:
    planned = await space.plan(env)
    async with space.target(env) as target:
        result = await apply_planned(planned, target, allow_replace=False)
    assert result.status.value == "success", result


async def run_promote(space: Bench, selection: Selection | None = None) -> Promoted:
    transports = {env: emulator_transport(space.app) for env in ("sandbox", "production")}
    return await promote(
        space.project, "sandbox", "production", transports=transports, selection=selection
    )


async def test_promote_apply_then_production_plans_empty(space: Bench, tmp_path: Path) -> None:
    await apply_fresh(space, "sandbox")

    promoted = await run_promote(space)
    plan = promoted.planned.plan
    assert plan.environment == "production"
    assert promoted.source.changes == ()
    assert plan.promotion is not None
    assert plan.promotion.from_environment == "sandbox"
    assert plan.promotion.source_catalog_digest == promoted.source.catalog_digest
    assert plan.promotion.source_catalog_digest != plan.catalog_digest  # other variables
    assert plan.summary.create == 29 and plan.summary.activate == 1
    assert 'Promotion from "sandbox"' in plan_text(plan)
    assert 'Promotion from "sandbox"' in plan_markdown(plan)

    saved = write_plan(tmp_path / "promotion.json", plan_json(plan))
    reread = read_plan(saved)
    assert reread == plan
    async with space.target("production") as target:
        result, _ = await apply_saved(load_catalog(space.project, "production"), target, reread)
    assert result.status.value == "success"

    assert (await space.plan("production")).plan.changes == ()
    assert (await space.plan("sandbox")).plan.changes == ()
    sandbox = {p["name"]: p for p in await space.objects("sandbox", "plan")}
    production = {p["name"]: p for p in await space.objects("production", "plan")}
    assert sandbox.keys() == production.keys()
    assert {p["id"] for p in sandbox.values()}.isdisjoint(p["id"] for p in production.values())
    assert production["Growth"]["trial_period_days"] == 30  # production's variables
    fee = production["Growth"]["items"][0]["price"]["fixed_pricing_model"]["price_per_unit"]
    assert Decimal(fee) == Decimal("59")


async def test_promotion_is_refused_while_the_source_drifts(space: Bench) -> None:
    await apply_fresh(space, "sandbox")
    (platform,) = [
        p for p in await space.objects("sandbox", "product") if p["sku"] == "platform_fee"
    ]
    await space.edit("sandbox", "product", platform["id"], {"name": "Renamed by hand"})
    before = await space.writes()

    with pytest.raises(PromotionRefusedError) as refused:
        await run_promote(space)

    assert "product.platform_fee: update needed" in str(refused.value)
    assert [c.address for c in refused.value.source.changes] == ["product.platform_fee"]
    assert await space.writes() == before
    assert await space.objects("production", "product") == [], "nothing planned, nothing made"

    await apply_fresh(space, "sandbox")  # bring sandbox back to the catalog
    promoted = await run_promote(space)
    assert promoted.planned.plan.has_changes


async def test_a_source_that_was_never_applied_is_refused(space: Bench) -> None:
    with pytest.raises(PromotionRefusedError) as refused:
        await run_promote(space)
    assert refused.value.source.summary.create == 29


async def test_a_partial_promotion_proves_only_what_it_promotes(space: Bench) -> None:
    await apply_fresh(space, "sandbox")
    (support,) = [
        p for p in await space.objects("sandbox", "product") if p["sku"] == "premium_support"
    ]
    await space.edit("sandbox", "product", support["id"], {"name": "Drifted, but not promoted"})

    promoted = await run_promote(space, Selection(targets=("plan.growth",)))
    plan = promoted.planned.plan
    assert plan.partial is not None and plan.promotion is not None
    assert plan.partial.targets == ("plan.growth",)
    assert "product.platform_fee" in plan.partial.pulled_in
    assert {c.address for c in plan.changes} >= {"plan.growth", "product.platform_fee"}
    assert all(c.action is Action.CREATE for c in plan.changes)
    assert "product.premium_support" not in {c.address for c in plan.changes}


async def test_promoting_an_environment_to_itself_is_refused(space: Bench) -> None:
    with pytest.raises(Exception, match="both 'sandbox'"):
        await promote(space.project, "sandbox", "sandbox")


def test_plan_json_without_promotion_has_no_new_keys() -> None:
    plan = Plan.model_validate(
        {
            "plan_id": "20260501T120000Z-000000000000",
            "environment": "local",
            "created_at": "2026-05-01T12:00:00Z",
            "catalog_digest": "sha256:x",
            "summary": {},
        }
    )
    dumped = plan_json(plan)
    assert '"promotion"' not in dumped and '"partial"' not in dumped

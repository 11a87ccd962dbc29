"""Partial plans: `--target ADDR` / `--exclude ADDR`, dependencies pulled in or refused.

Partial plans live with promotion because both decide *what* a plan makes, not how:
`targeting.select_changes` filters the diff before the plan is made. Tests go through
the real diff of a real emulator account (the example catalog, or a golden scenario).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.commands.workflow import apply_planned, load_catalog, plan_target
from reconciler.diff import diff
from reconciler.live import fetch_live
from reconciler.plan import Action
from reconciler.planning.targeting import Selection, SelectionError, select_changes
from tests.api.emulated import emulated
from tests.builders import copy_example
from tests.importing.harness import Bench, bench
from tests.running import billing
from tests.scenarios.harness import HERE as SCENARIOS
from tests.scenarios.harness import prepare


@pytest.fixture
async def space(tmp_path: Path) -> Bench:  # type: ignore[misc]
    async with bench(tmp_path / "project", example_catalog=True) as created:
        yield created


async def partial_plan(space: Bench, *targets: str, excludes: tuple[str, ...] = ()):  # type: ignore[no-untyped-def]
    catalog = load_catalog(space.project, "sandbox")
    async with space.target("sandbox") as target:
        return await plan_target(
            catalog, target, selection=Selection(targets=targets, excludes=excludes)
        )


async def test_a_target_brings_what_it_needs_and_nothing_else(space: Bench) -> None:
    planned = await partial_plan(space, "plan.growth")
    plan = planned.plan
    made = {c.address for c in plan.changes}
    assert "plan.growth" in made
    assert {"product.platform_fee", "product.seats", "bundle.payments"} <= made
    assert {"metric.api_requests", "metric.storage_gb"} <= made  # through the products
    assert not any(a.startswith(("customer.", "subscription.", "plan.developer")) for a in made)
    assert plan.partial is not None
    assert plan.partial.targets == ("plan.growth",)
    assert set(plan.partial.pulled_in) == made - {"plan.growth"}
    full = (await space.plan("sandbox")).plan
    assert plan.partial.left_out == len(full.changes) - len(plan.changes)

    async with space.target("sandbox") as target:
        result = await apply_planned(planned, target)
    assert result.status.value == "success"
    rest = (await space.plan("sandbox")).plan
    assert {c.address for c in rest.changes}.isdisjoint(made)
    assert len(rest.changes) == plan.partial.left_out


async def test_an_excluded_dependency_is_refused_with_what_to_do(space: Bench) -> None:
    with pytest.raises(SelectionError) as refused:
        await partial_plan(space, "plan.growth", excludes=("product.seats",))
    assert refused.value.reasons == [
        "plan.growth needs product.seats (create), which --exclude leaves out:"
        " exclude plan.growth too, or stop excluding product.seats"
    ]


async def test_excludes_alone_leave_out_resources_and_their_diagnostics(space: Bench) -> None:
    planned = await partial_plan(
        space, excludes=("subscription.acme_enterprise", "subscription.globex_custom")
    )
    plan = planned.plan
    assert not any(c.kind == "subscription" for c in plan.changes)
    assert plan.partial is not None and plan.partial.left_out == 4
    # The price-increase warning of the excluded subscription's version is not shown.
    assert not any((d.field or "").startswith("subscription.") for d in plan.diagnostics)


async def test_bad_addresses_are_all_reported(space: Bench) -> None:
    with pytest.raises(SelectionError) as refused:
        await partial_plan(
            space, "plan.nope", "subscription.acme_enterprise.versions[2026-07-01]", "nonsense"
        )
    reasons = "\n".join(refused.value.reasons)
    assert "no plan 'nope' is declared" in reasons
    assert "use --target subscription.acme_enterprise" in reasons
    assert "not a resource address: 'nonsense'" in reasons


async def test_a_replaced_product_carries_its_repointed_plans() -> None:
    folder = SCENARIOS / "replace_product_immutable_fields"
    async with emulated() as env:
        desired, _ = await prepare(env, folder)
        result = diff(desired, await fetch_live(env.reader, desired))

    kept, record = select_changes(result, desired, Selection(targets=("product.platform",)))
    assert [(c.address, c.action) for c in kept.changes] == [
        ("product.platform", Action.REPLACE),
        ("plan.starter", Action.NEW_REVISION),
    ]
    assert record.pulled_in == ("plan.starter",)

    kept, record = select_changes(result, desired, Selection(targets=("plan.starter",)))
    assert record.pulled_in == ("product.platform",), "the replace is a dependency"

    with pytest.raises(SelectionError):
        select_changes(
            result,
            desired,
            Selection(targets=("plan.starter",), excludes=("product.platform",)),
        )


# -- through the command line: a saved partial plan says so, and applies only itself ----


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_example(tmp_path)


def test_a_saved_partial_plan_says_so_and_applies_only_its_changes(project: Path) -> None:
    out = project / "partial.json"
    planned = billing(
        project, "plan", "--target", "customer.acme", "--out", str(out), "--detailed-exitcode"
    )
    assert planned.exit_code == 2, planned.output
    assert "Partial plan: targets customer.acme; 30 other changes left out." in planned.stdout
    saved = json.loads(out.read_text())
    assert saved["partial"] == {
        "targets": ["customer.acme"],
        "excludes": [],
        "pulled_in": [],
        "left_out": 30,
    }
    assert [c["address"] for c in saved["changes"]] == ["customer.acme"]

    applied = billing(project, "apply", str(out))
    assert applied.exit_code == 0, applied.output
    assert "Apply complete: 1 created" in applied.stdout
    assert "30 other difference(s) are not in this plan" in applied.stderr
    rest = billing(project, "plan", "--no-save")
    assert "customer.acme" not in rest.stdout.split("Unmanaged")[0]

    refused = billing(project, "apply", str(out), "--target", "plan.growth")
    assert refused.exit_code == 1
    assert "applied exactly as reviewed" in refused.stderr


def test_apply_with_a_target_makes_only_that(project: Path) -> None:
    applied = billing(project, "apply", "--auto-approve", "--target", "product.onboarding")
    assert applied.exit_code == 0, applied.output
    assert "Apply complete: 1 created" in applied.stdout
    bad = billing(project, "plan", "--exclude", "product.nothing")
    assert bad.exit_code == 1
    assert "no product 'nothing' is declared" in bad.stderr

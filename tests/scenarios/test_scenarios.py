"""Plan scenarios with golden files: one test per folder (see README.md here).

Each test seeds a fresh in-process emulator with the scenario's live account, plans the
scenario's catalog against it through the real client, and compares the plan (JSON,
text, Markdown; remote ids masked) with the goldens. `UPDATE_GOLDENS=1` rewrites them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.apply import apply_plan
from reconciler.plan import ApplyStatus, Plan
from tests.api.emulated import emulated
from tests.scenarios.harness import (
    check_golden,
    has_errors,
    plan_once,
    renderings,
    run,
    scenario_folders,
)

FOLDERS = scenario_folders()
# Scenarios whose live account holds a plan: since issue 15 a plan read carries no items or
# terms and plans cannot be updated, so their goldens and round trips fail until issue 16.
CASES = FOLDERS
# A scenario whose plan is right but whose apply-then-plan round trip shows a known
# reconciler bug describes it in this file: the round trip is then an expected failure
# (strict: once the bug is fixed, the test fails until the file is deleted).
KNOWN_ISSUE = "KNOWN_ISSUE.md"


def test_there_are_enough_scenarios() -> None:
    assert len(FOLDERS) >= 18


@pytest.mark.parametrize("folder", CASES, ids=lambda p: p.name)
async def test_scenario(folder: Path) -> None:
    assert (folder / "README.md").is_file(), f"{folder.name} needs a README.md"
    async with emulated() as env:
        outcome = await run(env, folder)
        plan = outcome.plan
        # The same inputs give the same plan, and the plan survives its JSON form.
        _, again = await plan_once(env, outcome.desired, outcome.catalog_diagnostics)
        assert again == plan
        assert Plan.model_validate_json(plan.model_dump_json()) == plan

        problems = [
            problem
            for golden in renderings(plan, outcome.remote_ids)
            if (problem := check_golden(folder, golden)) is not None
        ]
        assert not problems, "\n".join(problems)

        # Applied (unless the plan has errors, which apply refuses), the account matches:
        # planning again finds nothing to do.
        if not plan.has_changes or has_errors(plan):
            return
        result = await apply_plan(plan, outcome.desired, outcome.live, env.writer, env.reader)
        assert result.status is ApplyStatus.SUCCESS, result.errors
        _, replanned = await plan_once(env, outcome.desired, outcome.catalog_diagnostics)
        leftover = [f"{c.change_id}: {c.reason}" for c in replanned.changes]
    known = folder / KNOWN_ISSUE
    if known.is_file():
        if leftover:
            pytest.xfail(f"{folder.name}/{KNOWN_ISSUE}: {known.read_text().strip()}")
        pytest.fail(f"{folder.name}: the known issue is fixed; delete {KNOWN_ISSUE}")
    assert leftover == [], "changes left after apply:\n" + "\n".join(leftover)

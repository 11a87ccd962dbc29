"""The example CI workflows, run locally against the emulator: their `run:` steps for
real (bash, the real `billing`), GitHub faked (`fake_gh.py`, `runner.py`).

One story, in order, on one project whose `production` environment is the embedded
emulator (protected, as in a real setup): a pull request changes the catalog, the plan
workflow comments and labels it; a second push updates the same comment; the merge
applies exactly the reviewed plan artifact; the drift job opens an issue when someone
edits production by hand, updates it on the next run, and closes it once production
matches again.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from alguna_emulator import create_app
from reconciler.commands.project import Project
from reconciler.commands.workflow import apply_saved, load_catalog, open_target, plan_target
from tests.ci.runner import Context, JobResult, run_job, runner_env
from tests.importing.harness import api_key, make_project

HERE = Path(__file__).parent
WORKFLOWS = Path(__file__).resolve().parents[2] / "examples" / "github" / "workflows"
REPO = "acme/pricing"
PLAN_MARKER = "<!-- alguna-billing plan: production -->"
DRIFT_MARKER = "<!-- alguna-billing drift: production -->"

pytestmark = pytest.mark.skipif(shutil.which("jq") is None, reason="the workflows use jq")


class GitHub:
    """The faked GitHub side: a state file the fake `gh` reads and writes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.state_file = root / "gh-state.json"
        self.bin = root / "bin"
        self.bin.mkdir(parents=True)
        gh = self.bin / "gh"
        gh.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{HERE / "fake_gh.py"}" "$@"\n')
        gh.chmod(0o755)
        self.save(
            {
                "repo": REPO,
                "next_id": 1000,
                "comments": {},
                "pr_labels": {},
                "repo_labels": [],
                "issues": [],
                "pulls_by_commit": {},
                "pr_heads": {},
                "runs": [],
                "calls": [],
            }
        )
        self.run_count = 0

    def load(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.state_file.read_text())
        return data

    def save(self, state: dict[str, Any]) -> None:
        self.state_file.write_text(json.dumps(state))

    def run(self, workflow: str, workdir: Path, fork: bool = False, **github: Any) -> JobResult:
        """Run the one job of `workflow` as GitHub would for an event with `github`; a
        pull request from a fork gets no secrets."""
        self.run_count += 1
        run_id = 5000 + self.run_count
        context = Context(
            github={"repository": REPO, "token": "ghs_fake", "run_id": run_id, **github},
            secrets={} if fork else {"ALGUNA_API_KEY": "sk_live_not_used_by_the_embedded_emulator"},
            base_env=runner_env(self.bin, self.state_file),
            artifacts=self.root / "artifacts" / str(run_id),
        )
        (job,) = _jobs(workflow)
        result = run_job(WORKFLOWS / workflow, job, workdir, context)
        state = self.load()
        state["runs"].append(
            {
                "id": run_id,
                "workflow": workflow,
                "head_sha": github.get("sha"),
                "conclusion": "success" if result.succeeded else "failure",
                "artifacts": {name: str(path) for name, path in result.artifacts.items()},
            }
        )
        self.save(state)
        return result


def _jobs(workflow: str) -> list[str]:
    from tests.ci.runner import load_workflow

    return list(load_workflow(WORKFLOWS / workflow)["jobs"])


def pull_request(number: int, sha: str) -> dict[str, Any]:
    return {"sha": sha, "event": {"pull_request": {"number": number}}}


async def seed_production(project: Path) -> None:
    """Production as it was before the pull request: the example catalog, applied
    in-process from a plan (production is protected: apply takes reviewed plans only)."""
    opened = Project.open(project)
    catalog = load_catalog(opened, "production")
    from alguna_emulator import emulator_transport

    transport = emulator_transport(db_path=str(project / ".billing" / "shared.db"))
    async with open_target(opened, "production", transport) as target:
        planned = await plan_target(catalog, target)
        result, _ = await apply_saved(catalog, target, planned.plan)
        assert result.status.value == "success"


def edit_production(project: Path, sku: str, patch: dict[str, Any]) -> None:
    """Someone edits a production product by hand (the emulator's control API)."""

    async def call() -> None:
        app = create_app(db_path=str(project / ".billing" / "shared.db"))
        params = {"api_key": api_key("production")}
        try:
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://emu/_emulator"
            ) as client:
                listed = (await client.get("/objects/product", params=params)).json()["data"]
                (found,) = [p for p in listed if p.get("sku") == sku]
                edited = await client.patch(
                    f"/objects/product/{found['id']}", params=params, json=patch
                )
                assert edited.status_code == 200, edited.text
        finally:
            app.state.emulator.store.close()

    asyncio.run(call())


def test_pull_request_merge_and_drift(tmp_path: Path) -> None:
    project = make_project(tmp_path / "checkout", example_catalog=True)
    (project / ".billing").mkdir()
    asyncio.run(seed_production(project))
    github = GitHub(tmp_path / "github")
    products = project / "catalog" / "products.toml"

    # A pull request that changes a product's payment terms: a replacement.
    original = products.read_text()
    assert 'payment_terms = "advance"' in original
    products.write_text(
        original.replace('payment_terms = "advance"', 'payment_terms = "arrears"', 1)
    )
    first = github.run("billing-plan.yml", project, **pull_request(7, "a1"))
    assert first.succeeded, first.log()
    assert first.step("Plan").outputs == {"exitcode": "2"}
    state = github.load()
    (comment,) = state["comments"]["7"]
    assert comment["body"].startswith(PLAN_MARKER + "\n")
    assert "to replace" in comment["body"]
    assert state["pr_labels"]["7"] == ["billing: replacements"]

    # A second push: a price change instead. Same comment, edited; the label follows.
    products.write_text(original)
    plans = project / "catalog" / "plans.toml"
    assert "price_per_unit = 0.02\n" in plans.read_text()
    plans.write_text(
        plans.read_text().replace("price_per_unit = 0.02\n", "price_per_unit = 0.025\n")
    )
    second = github.run("billing-plan.yml", project, **pull_request(7, "b2"))
    assert second.succeeded, second.log()
    state = github.load()
    (updated,) = state["comments"]["7"]
    assert updated["id"] == comment["id"] and updated["body"] != comment["body"]
    assert "plan.developer" in updated["body"] and "0.025" in updated["body"]
    assert state["pr_labels"]["7"] == ["billing: changes"]
    assert "billing-plan-production" in second.artifacts

    # Merged as commit m3: the apply job fetches b2's plan artifact and applies it.
    state["pulls_by_commit"]["m3"] = [7]
    state["pr_heads"]["7"] = "b2"
    github.save(state)
    merged = github.run("billing-apply.yml", project, sha="m3")
    assert merged.succeeded, merged.log()
    applied = merged.step("Apply the reviewed plan").stdout
    assert "Apply complete: 0 created, 0 updated" in applied and "1 new revision" in applied
    assert merged.step("Check that the account matches the catalog").code == 0

    # Nightly drift checks: an issue, updated in place, then closed.
    edit_production(project, "platform_fee", {"name": "Edited in the dashboard"})
    opened = github.run("billing-drift.yml", project, sha="m3")
    assert opened.succeeded, opened.log()
    (issue,) = github.load()["issues"]
    assert issue["body"].startswith(DRIFT_MARKER + "\n") and issue["state"] == "open"
    assert "Edited in the dashboard" in issue["body"]
    edit_production(project, "platform_fee", {"description": "also edited"})
    again = github.run("billing-drift.yml", project, sha="m3")
    assert again.succeeded, again.log()
    (issue,) = github.load()["issues"]
    assert "also edited" in issue["body"], "the same issue, updated"
    edit_production(
        project,
        "platform_fee",
        {
            "name": "Platform fee",
            "description": "Access to the developer platform: dashboard, API keys, audit log.",
        },
    )
    resolved = github.run("billing-drift.yml", project, sha="m3")
    assert resolved.succeeded, resolved.log()
    (issue,) = github.load()["issues"]
    assert issue["state"] == "closed"


def test_a_pull_request_without_changes_is_labelled_so(tmp_path: Path) -> None:
    project = make_project(tmp_path / "checkout", example_catalog=True)
    (project / ".billing").mkdir()
    asyncio.run(seed_production(project))
    github = GitHub(tmp_path / "github")

    result = github.run("billing-plan.yml", project, **pull_request(9, "c3"))
    assert result.succeeded, result.log()
    state = github.load()
    assert state["pr_labels"]["9"] == ["billing: no changes"]
    (comment,) = state["comments"]["9"]
    assert "No changes." in comment["body"]
    assert result.artifacts == {}, "nothing to apply, nothing uploaded"


def test_a_pull_request_from_a_fork_is_validated_without_a_key(tmp_path: Path) -> None:
    """GitHub gives a fork's pull request no secrets: the plan job validates only."""
    project = make_project(tmp_path / "checkout", example_catalog=True)
    github = GitHub(tmp_path / "github")
    result = github.run("billing-plan.yml", project, fork=True, **pull_request(9, "f1"))
    assert result.succeeded, result.log()
    assert result.step("Plan").outputs == {}
    assert "validating the catalog only" in result.log()
    state = github.load()
    assert not state["comments"].get("9") and not state["pr_labels"].get("9")
    assert not (project / ".billing").exists()  # no API was opened

    plans = project / "catalog" / "plans.toml"
    plans.write_text(plans.read_text() + "\n[plans.broken]\nname = 1\n")
    failed = github.run("billing-plan.yml", project, fork=True, **pull_request(9, "f2"))
    assert not failed.succeeded
    assert "catalog/plans.toml" in failed.log()

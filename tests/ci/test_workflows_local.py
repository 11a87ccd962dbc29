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
from reconciler.commands.init import init_project
from reconciler.commands.project import Project
from reconciler.commands.workflow import apply_saved, load_catalog, open_target, plan_target
from reconciler.version import __version__
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
    assert first.step("Plan").outputs["exitcode"] == "2"
    assert first.step("Plan / Install alguna-billing").stdout.strip() == f"billing {__version__}"
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
    applied = merged.step("Apply the reviewed plan / Run billing")
    assert "Apply complete: 0 created, 0 updated" in applied.stdout, applied.stdout
    assert "1 new revision" in applied.stdout, applied.stdout
    assert "No drift" in applied.stdout or "matches" in applied.stdout, applied.stdout
    assert merged.step("Apply the reviewed plan").outputs["exitcode"] == "0"

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
    assert result.step("Plan").outputs["exitcode"] == ""
    assert "validating the catalog only" in result.log()
    state = github.load()
    assert not state["comments"].get("9") and not state["pr_labels"].get("9")
    assert not (project / ".billing").exists()  # no API was opened

    plans = project / "catalog" / "plans.toml"
    plans.write_text(plans.read_text() + "\n[plans.broken]\nname = 1\n")
    failed = github.run("billing-plan.yml", project, fork=True, **pull_request(9, "f2"))
    assert not failed.succeeded
    assert "catalog/plans.toml" in failed.log()


def test_a_wrong_pin_fails_before_anything_runs(tmp_path: Path) -> None:
    """The action installs exactly the pinned release: pinned to one that is not
    installable (pip offline here), the job fails at the install, nothing is posted."""
    project = make_project(tmp_path / "checkout", example_catalog=True)
    github = GitHub(tmp_path / "github")
    pinned = tmp_path / "billing-plan.yml"
    text = (WORKFLOWS / "billing-plan.yml").read_text()
    assert f'version: "{__version__}"' in text
    pinned.write_text(text.replace(f'version: "{__version__}"', 'version: "9.9.9"'))
    context = Context(
        github={"repository": REPO, "token": "t", "run_id": 1, **pull_request(3, "p1")},
        secrets={"ALGUNA_API_KEY": "sk_live_not_used"},
        base_env=runner_env(github.bin, github.state_file),
        artifacts=tmp_path / "artifacts",
    )
    result = run_job(pinned, "plan", project, context)
    assert not result.succeeded
    install = result.step("Plan / Install alguna-billing")
    assert install.code != 0 and "9.9.9" in install.stderr
    assert not result.step("Plan / Run billing").ran
    assert not github.load()["comments"].get("3")


def test_a_denied_plan_is_commented_labelled_and_fails_the_job(tmp_path: Path) -> None:
    """A policy in billing.toml denies the pull request's replacement: the comment shows
    the violation by the rule's name, the label says error, nothing is uploaded, and the
    job fails (after commenting)."""
    project = make_project(tmp_path / "checkout", example_catalog=True)
    (project / ".billing").mkdir()
    asyncio.run(seed_production(project))
    settings = project / "billing.toml"
    settings.write_text(
        settings.read_text()
        + '\n[[policies]]\nname = "no-replace-in-production"\ncheck = "replace"\n'
        'environments = ["production"]\n'
    )
    products = project / "catalog" / "products.toml"
    products.write_text(
        products.read_text().replace('payment_terms = "advance"', 'payment_terms = "arrears"', 1)
    )
    github = GitHub(tmp_path / "github")
    result = github.run("billing-plan.yml", project, **pull_request(11, "d1"))
    assert not result.succeeded
    assert result.step("Plan").outputs["exitcode"] == "1"
    assert result.step("Plan / Fail on errors").code == 1
    state = github.load()
    (comment,) = state["comments"]["11"]
    assert "policy.no-replace-in-production" in comment["body"]
    assert state["pr_labels"]["11"] == ["billing: error"]
    assert result.artifacts == {}


def new_project_checkout(tmp_path: Path) -> Path:
    """A checkout holding the catalog `billing init` writes (bundle-priced, so it runs
    before and after issue 16), with this suite's environments (production embedded)."""
    project = make_project(tmp_path / "checkout", example_catalog=False)
    init_project(tmp_path / "new")
    shutil.rmtree(project / "catalog")
    shutil.copytree(tmp_path / "new" / "catalog", project / "catalog")
    (project / ".billing").mkdir()
    asyncio.run(seed_production(project))
    return project


def test_the_action_plans_applies_and_watches_drift(tmp_path: Path) -> None:
    """The three workflows, through the action with the pinned version, on a new
    project's catalog: a pull request raising a bundle price is planned (comment, label,
    artifact), merged and applied (then drift confirms), and the drift job opens the
    issue on a hand edit and closes it once production matches again."""
    project = new_project_checkout(tmp_path)
    github = GitHub(tmp_path / "github")
    bundles = project / "catalog" / "bundles.toml"
    assert "price_per_unit = 29\n" in bundles.read_text()
    bundles.write_text(
        bundles.read_text().replace("price_per_unit = 29\n", "price_per_unit = 35\n")
    )

    planned = github.run("billing-plan.yml", project, **pull_request(5, "e1"))
    assert planned.succeeded, planned.log()
    install = planned.step("Plan / Install alguna-billing")
    assert install.stdout.strip() == f"billing {__version__}"
    assert planned.step("Plan").outputs["exitcode"] == "2"
    state = github.load()
    (comment,) = state["comments"]["5"]
    assert comment["body"].startswith(PLAN_MARKER + "\n")
    assert "bundle.starter" in comment["body"] and "+20.69%" in comment["body"]
    assert state["pr_labels"]["5"] == ["billing: changes"]
    assert "billing-plan-production" in planned.artifacts

    state["pulls_by_commit"]["m5"] = [5]
    state["pr_heads"]["5"] = "e1"
    github.save(state)
    merged = github.run("billing-apply.yml", project, sha="m5")
    assert merged.succeeded, merged.log()
    applied = merged.step("Apply the reviewed plan / Run billing")
    assert "Apply complete: 0 created, 1 updated" in applied.stdout
    assert "No drift" in applied.stdout

    quiet = github.run("billing-drift.yml", project, sha="m5")
    assert quiet.succeeded, quiet.log()
    assert github.load()["issues"] == []
    edit_production(project, "platform_fee", {"name": "Edited in the dashboard"})
    opened = github.run("billing-drift.yml", project, sha="m5")
    assert opened.succeeded, opened.log()
    (issue,) = github.load()["issues"]
    assert issue["body"].startswith(DRIFT_MARKER + "\n") and issue["state"] == "open"
    edit_production(project, "platform_fee", {"name": "Platform fee"})
    closed = github.run("billing-drift.yml", project, sha="m5")
    assert closed.succeeded, closed.log()
    (issue,) = github.load()["issues"]
    assert issue["state"] == "closed"

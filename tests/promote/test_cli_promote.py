"""`billing promote` through the CLI: sandbox and production are two API keys of one
emulator data file (`.billing/shared.db`), production protected, with its own variables."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest

from alguna_emulator import create_app
from tests.importing.harness import api_key, make_project
from tests.running import billing


def rename_platform_fee(project: Path, env: str) -> None:
    """An out-of-band edit in `env`'s account (a person in the dashboard)."""

    async def call() -> None:
        app = create_app(db_path=str(project / ".billing" / "shared.db"))
        params = {"api_key": api_key(env)}
        try:
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://emu/_emulator"
            ) as client:
                listed = (await client.get("/objects/product", params=params)).json()["data"]
                (fee,) = [p for p in listed if p["sku"] == "platform_fee"]
                edited = await client.patch(
                    f"/objects/product/{fee['id']}", params=params, json={"name": "By hand"}
                )
                assert edited.status_code == 200, edited.text
        finally:
            app.state.emulator.store.close()

    asyncio.run(call())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project", example_catalog=True)


def test_promote_then_apply_the_saved_plan_then_production_is_empty(project: Path) -> None:
    assert billing(project, "apply", "--env", "sandbox", "--auto-approve").exit_code == 0
    out = project / "promotion.json"

    promoted = billing(
        project, "promote", "--from", "sandbox", "--to", "production", "--out", str(out)
    )
    assert promoted.exit_code == 0, promoted.output
    assert 'Plan for environment "production"' in promoted.stdout
    assert 'Promotion from "sandbox"' in promoted.stdout
    saved = json.loads(out.read_text())
    assert saved["environment"] == "production"
    assert saved["promotion"]["from_environment"] == "sandbox"

    refused = billing(project, "apply", "--env", "production", "--auto-approve")
    assert refused.exit_code == 1 and "protected" in refused.stderr

    applied = billing(project, "apply", str(out), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    again = billing(project, "plan", "--env", "production", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes." in again.stdout

    markdown = billing(
        project, "promote", "--from", "sandbox", "--to", "production", "--format", "markdown"
    )
    assert markdown.exit_code == 0
    assert markdown.stdout.startswith("<!-- alguna-billing plan: production -->")
    assert '**Promotion from "sandbox"' in markdown.stdout


def test_promote_is_refused_while_sandbox_drifts(project: Path) -> None:
    assert billing(project, "apply", "--env", "sandbox", "--auto-approve").exit_code == 0
    rename_platform_fee(project, "sandbox")

    refused = billing(project, "promote", "--from", "sandbox", "--to", "production")
    assert refused.exit_code == 1
    assert 'Drift in environment "sandbox"' in refused.stderr
    assert 'name  live: "By hand"  declared: "Platform fee"' in refused.stderr
    assert "promotion refused" in refused.stderr
    assert "Traceback" not in refused.output
    assert not list(project.glob("plans/production/*.json")), "nothing saved"

    unknown = billing(project, "promote", "--from", "sandbox", "--to", "staging")
    assert unknown.exit_code == 1 and "unknown environment 'staging'" in unknown.stderr

"""`billing import` end to end through the CLI, on the embedded emulator's data file.

Objects are created out of band with raw API requests on the same data file (as a
person using the dashboard would), then imported; `billing plan` must then show no
change, and `billing fmt --check` must accept the new files.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from alguna_emulator import create_app
from tests.importing.harness import api_key, make_project
from tests.running import billing

PRODUCT = {
    "name": "Legacy support",
    "fee_type": "fixed",
    "payment_terms": "advance",
    "billing_frequency": "recurring",
}
PLAN = {
    "name": "Legacy",
    "currency": "USD",
    "items": [],
}


def raw(project: Path, method: str, path: str, body: Any = None, env: str = "sandbox") -> Any:
    """One API request to an environment's account in the project's emulator data file."""

    async def call() -> Any:
        app = create_app(db_path=str(project / ".billing" / "shared.db"))
        headers = {
            "Authorization": f"Bearer {api_key(env)}",
            "Alguna-Version": "2026-04-01",
        }
        try:
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://emu", headers=headers
            ) as client:
                response = await client.request(method, path, json=body)
                assert response.status_code < 300, response.text
                return response.json()
        finally:
            app.state.emulator.store.close()

    return asyncio.run(call())


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "project", example_catalog=False)
    (root / ".billing").mkdir()
    product = raw(root, "POST", "/products", PRODUCT)
    plan = dict(PLAN)
    plan["items"] = [
        {
            "product_id": product["id"],
            "price": {
                "type": "fixed",
                "fee_type": "fixed",
                "billing_direction": "advance",
                "billing_frequency": "recurring",
                "billing_interval": "monthly",
                "fixed_pricing_model": {"price_per_unit": "99.00"},
            },
        }
    ]
    created = raw(root, "POST", "/plans", plan)
    # A plan read shows no items: the import reads them from a subscription made from it.
    customer = raw(root, "POST", "/customers", {"name": "Legacy Co", "currency": "USD"})
    raw(
        root,
        "POST",
        "/subscriptions",
        {
            "customer_id": customer["id"],
            "plan_id": created["id"],
            "currency": "USD",
            "contract": {"period_type": "monthly_rolling", "start_date": "2026-01-01"},
            "items": plan["items"],
        },
    )
    return root


def test_import_then_plan_shows_no_change(project: Path) -> None:
    plan = billing(project, "plan", "--no-save")
    assert "plan.legacy" in plan.stdout and "Unmanaged" in plan.stdout

    refused = billing(project, "import", "--kind", "plan")
    assert refused.exit_code == 0, refused.output
    assert "Skipped 2 object(s)" in refused.stdout
    assert "rerun with --adopt" in refused.stdout
    assert not list((project / "catalog").iterdir())

    imported = billing(project, "import", "--adopt", "--kind", "plan")
    assert imported.exit_code == 0, imported.output
    assert "Imported 2 object(s)" in imported.stdout
    assert 'adopted: set sku = "legacy_support"' in imported.stdout
    assert "plan.legacy  (id pln_" in imported.stdout
    plans = next((project / "catalog").glob("*plans.toml")).read_text()
    assert "Alguna cannot show a plan's items or terms" in plans

    again = billing(project, "plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes." in again.stdout
    unmanaged = again.stdout.split("Unmanaged")[-1].split("Diagnostics")[0]
    assert "plan.legacy" not in unmanaged and "product.legacy" not in unmanaged
    assert "plan.unmarked" in again.stdout  # its prices cannot be checked: said so
    assert billing(project, "fmt", "--check").exit_code == 0
    assert billing(project, "validate").exit_code == 0


def test_adopting_in_a_protected_environment_is_refused(project: Path) -> None:
    product = raw(project, "POST", "/products", PRODUCT, env="production")
    refused = billing(project, "import", "--env", "production", "--adopt")
    assert refused.exit_code == 1
    assert "protected" in refused.stderr
    (live,) = raw(project, "GET", "/products", env="production")["data"]
    assert live == product, "nothing was written"
    assert not list((project / "catalog").iterdir())


def test_dry_run_and_filters(project: Path) -> None:
    dry = billing(project, "import", "--adopt", "--dry-run", "--kind", "plan")
    assert dry.exit_code == 0, dry.output
    assert "Would import 2 object(s)" in dry.stdout
    assert "needed by plan.legacy" in dry.stdout
    assert not list((project / "catalog").iterdir())

    none = billing(project, "import", "--name", "nothing-like-this*")
    assert none.exit_code == 0
    assert "Nothing to import" in none.stdout


def test_bad_input_is_one_clear_line(project: Path) -> None:
    (project / "catalog" / "broken.toml").write_text("[plans.x]\nname = \n")
    broken = billing(project, "import")
    assert broken.exit_code == 1
    assert "catalog/broken.toml:2" in broken.stderr
    assert "Traceback" not in broken.output

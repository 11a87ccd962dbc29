"""Drift that apply does not change, through the CLI: a subscription whose live status
contradicts the catalog (canceled, paused or activated outside it), and a second live
object with a managed natural key (made by two applies at once, or by hand). `plan`
warns, `drift` counts it as drift (exit 2) in every format.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from alguna_emulator import create_app
from reconciler.api.connection import API_VERSION
from tests.builders import copy_example
from tests.running import EMBEDDED_KEY, billing, control


@pytest.fixture
def applied(tmp_path: Path) -> Path:
    copy_example(tmp_path)
    result = billing(tmp_path, "apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    # Until issue 16 (write-once plans) the example's plans always drift; what the tests
    # look for must not be there before the out-of-band change.
    before = billing(tmp_path, "drift").stdout
    for phrase in ("status_drift", "live.duplicate", "apply does not change"):
        assert phrase not in before, before
    return tmp_path


def api(project: Path, method: str, path: str, body: Any = None) -> Any:
    """A public API call on the project's embedded emulator, as another client makes it."""

    async def call() -> Any:
        app = create_app(db_path=str(project / ".billing" / "local.db"))
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {EMBEDDED_KEY}", "Alguna-Version": API_VERSION}
        try:
            async with httpx.AsyncClient(
                transport=transport, base_url="http://emu", headers=headers
            ) as client:
                response = await client.request(method, path, json=body)
                assert response.status_code < 300, response.text
                return response.json()
        finally:
            app.state.emulator.store.close()

    return asyncio.run(call())


def subscription_id(project: Path, key: str) -> str:
    subscriptions = control(project, "GET", "/objects/subscription")["data"]
    (found,) = [s for s in subscriptions if s["metadata"].get("billing_key") == key]
    return str(found["id"])


def assert_drift(project: Path, *words: str) -> None:
    text = billing(project, "drift")
    assert text.exit_code == 2, text.output
    for word in words:
        assert word in text.stdout, text.stdout
    assert "No drift" not in text.stdout
    assert "apply does not change" in text.stdout.splitlines()[-1]
    as_json = billing(project, "drift", "--format", "json")
    assert as_json.exit_code == 2
    assert json.loads(as_json.stdout)["drifted"] is True
    markdown = billing(project, "drift", "--format", "markdown")
    assert markdown.exit_code == 2
    assert words[1] in markdown.stdout
    planned = billing(project, "plan", "--no-save")
    assert planned.exit_code == 0, planned.output
    assert words[0] in planned.stdout


def test_a_subscription_canceled_outside_the_catalog_is_drift(applied: Path) -> None:
    sid = subscription_id(applied, "acme_enterprise")  # activate = true, no cancel
    api(applied, "POST", f"/subscriptions/{sid}/cancel", {"reason": "other"})
    assert_drift(applied, "subscription.acme_enterprise", "canceled outside the catalog")


def test_a_subscription_paused_outside_the_catalog_is_drift(applied: Path) -> None:
    sid = subscription_id(applied, "acme_enterprise")
    control(applied, "PATCH", f"/objects/subscription/{sid}", {"status": "paused"})
    assert_drift(applied, "subscription.acme_enterprise", "paused outside the catalog")


def test_a_draft_activated_outside_the_catalog_is_drift(applied: Path) -> None:
    sid = subscription_id(applied, "globex_custom")  # activate = false
    api(applied, "POST", f"/subscriptions/{sid}/activate")
    assert_drift(applied, "subscription.globex_custom", "activated outside the catalog")


def test_a_duplicate_of_a_managed_product_is_named_with_both_ids(applied: Path) -> None:
    products = control(applied, "GET", "/objects/product")["data"]
    (managed,) = [p for p in products if p["sku"] == "platform_fee"]
    body = {
        k: managed[k]
        for k in ("name", "sku", "fee_type", "payment_terms", "billing_frequency")
        if managed.get(k) is not None
    }
    extra = api(applied, "POST", "/products", body)
    assert_drift(
        applied,
        "product.platform_fee",
        "two live products carry its natural key",
        "natural key 'platform_fee'",
        str(managed["id"]),
        str(extra["id"]),
    )

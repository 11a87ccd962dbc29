"""Keys in the real `<key_id>.<key_secret>` format, and the account guard that needs them.

The `billing` CLI (in-process, click's runner) runs every command that talks to the API
against the emulator served over HTTP, with `abc123.s3cr3t` as the key. Then the same
environment, pinned to its account (`account` = a merchant of that account), is given a key
of another account: every command is refused before it writes, and the emulator's request
counters show not a single write, only the one guard read answered 404.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main
from tests.builders import LOCAL_SETTINGS, write_project

KEY = "abc123.s3cr3t"
OTHER_KEY = "zzz999.0th3r5ecret"
CATALOG = """
[metrics.calls]
name = "Calls"
event_name = "call"
aggregation = { method = "count" }

[products.seats]
name = "Seats"
fee_type = "fixed"
payment_terms = "advance"
billing_frequency = "recurring"

[customers.acme]
name = "Acme"
currency = "USD"
"""


def _project(root: Path, base_url: str, account: str | None) -> Path:
    pin = "" if account is None else f'account = "{account}"\n'
    settings = (
        'default_environment = "staging"\n\n[environments.staging]\n'
        f'base_url = "{base_url}"\napi_key_env = "STAGING_KEY"\n{pin}'
    )
    return write_project(root, {"catalog.toml": CATALOG}, settings=settings)


def _billing(project: Path, key: str, *args: str) -> Result:
    env = {"STAGING_KEY": key, "BILLING_ENV": None}
    return CliRunner().invoke(main, ["--project", str(project), *args], env=env)


def _writes(base_url: str) -> Counter[str]:
    counters = httpx.get(f"{base_url}/_emulator/counters").json()
    return Counter(
        {f"{c['method']} {c['route']}": c["count"] for c in counters if c["method"] != "GET"}
    )


def _merchant(base_url: str, key: str) -> str:
    headers = {"Authorization": f"Bearer {key}", "Alguna-Version": "2026-04-01"}
    body = {"display_name": "Staging", "external_id": f"staging-{uuid.uuid4().hex[:8]}"}
    made = httpx.post(f"{base_url}/merchants", json=body, headers=headers)
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def _every_command(project: Path, key: str) -> dict[str, Result]:
    return {
        "validate": _billing(project, key, "validate"),
        "plan": _billing(project, key, "plan"),
        "apply": _billing(project, key, "apply", "--auto-approve"),
        "drift": _billing(project, key, "drift"),
        "import": _billing(project, key, "import", "--dry-run"),
        "events send": _billing(
            project, key, "events", "send", "--customer", "acme", "--event", "call"
        ),
    }


def test_a_real_format_key_works_in_every_command(base_url: str, tmp_path: Path) -> None:
    project = _project(tmp_path, base_url, account=_merchant(base_url, KEY))
    results = _every_command(project, KEY)
    assert {name: r.exit_code for name, r in results.items()} == dict.fromkeys(results, 0), {
        name: r.output for name, r in results.items() if r.exit_code
    }
    assert "Plan: 3 to create" in results["plan"].output
    assert "Apply complete: 3 created" in results["apply"].output
    assert "No drift" in results["drift"].output
    assert "Nothing to import" in results["import"].output
    assert "accepted   1 (1 unique ids)" in results["events send"].output
    for result in results.values():
        assert "s3cr3t" not in result.output


def test_a_key_of_another_account_is_refused_before_any_write(
    base_url: str, tmp_path: Path
) -> None:
    project = _project(tmp_path, base_url, account=_merchant(base_url, KEY))
    writes_before = _writes(base_url)
    reads_before = httpx.get(f"{base_url}/_emulator/counters").json()
    results = _every_command(project, OTHER_KEY)
    del results["validate"]  # offline: reads no key
    for name, result in results.items():
        assert result.exit_code == 1, (name, result.output)
        assert "pinned to the Alguna account of merchant" in result.output, name
        assert "Traceback" not in result.output and "0th3r5ecret" not in result.output
    assert _writes(base_url) == writes_before  # zero writes
    after = httpx.get(f"{base_url}/_emulator/counters").json()
    new = {
        (c["method"], c["route"], c["status"]): c["count"] for c in after if c not in reads_before
    }
    assert set(new) == {("GET", "/merchants/{merchant_id}", 404)}, new


@pytest.mark.parametrize("account", ["mer_x", None])
def test_the_account_setting_is_checked_in_billing_toml(
    tmp_path: Path, account: str | None
) -> None:
    root = tmp_path / "p"
    project = _project(root, "http://127.0.0.1:9", account=None)
    text = LOCAL_SETTINGS + ('account = "mer_x"\n' if account else 'account = "not valid!"\n')
    (project / "billing.toml").write_text(text)
    result = _billing(project, KEY, "validate")
    assert result.exit_code == 1
    assert "billing.toml" in result.output and "account" in result.output
    assert json.dumps(result.output)  # a plain message, no traceback
    assert "Traceback" not in result.output

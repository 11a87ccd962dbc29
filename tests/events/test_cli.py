"""`billing events send` on an embedded environment: from flags, from JSONL and CSV files
(a re-run deduplicates), with a summary of ingested and failed events."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from alguna_emulator import create_app, emulator_transport
from reconciler.cli import main
from tests.emulator.clients import api_client

KEY = "sk_test_embedded_local"  # the embedded environment's account
NOT_KNOWN = "accepted   {0} ({0} unique ids); how many were new is not known"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("BILLING_ENV", raising=False)
    (tmp_path / "billing.toml").write_text(
        'default_environment = "local"\n[environments.local]\napi = "embedded"\n'
    )
    asyncio.run(_customer(tmp_path))
    return tmp_path


async def _customer(root: Path) -> None:
    app = create_app(db_path=str(root / ".billing" / "local.db"))
    try:
        async with api_client(emulator_transport(app), KEY) as api:
            made = await api.post(
                "/customers", json={"name": "Acme", "currency": "USD", "aliases": ["acme"]}
            )
            assert made.status_code == 201
    finally:
        app.state.emulator.store.close()


def _stored(root: Path) -> list[dict[str, Any]]:
    async def read() -> list[dict[str, Any]]:
        app = create_app(db_path=str(root / ".billing" / "local.db"))
        try:
            async with api_client(emulator_transport(app), KEY) as api:
                response = await api.get(f"/_emulator/objects/event?api_key={KEY}")
                data: list[dict[str, Any]] = response.json()["data"]
                return data
        finally:
            app.state.emulator.store.close()

    return asyncio.run(read())


def _run(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--project", str(root), "events", "send", *args])


def test_one_event_from_flags(project: Path) -> None:
    result = _run(
        project,
        "--customer",
        "acme",
        "--event",
        "api_call",
        "--property",
        "ms=12",
        "--property",
        "region=us-east-1",
        "--property",
        "id=007",
        "--count",
        "3",
        "--unique-id",
        "job-1",
    )
    assert result.exit_code == 0, result.output
    assert NOT_KNOWN.format(3) in result.output
    stored = sorted(_stored(project), key=lambda e: e["id"])
    assert [e["id"] for e in stored] == ["job-1-1", "job-1-2", "job-1-3"]
    assert stored[0]["properties"] == {"ms": 12, "region": "us-east-1", "id": "007"}


def test_a_jsonl_file_twice_stores_each_event_once(project: Path) -> None:
    path = project / "usage.jsonl"
    lines = [
        {"customer": "acme", "event_name": "api_call", "properties": {"n": i % 3}}
        for i in range(250)
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    first = _run(project, "--file", str(path))
    assert first.exit_code == 0, first.output
    # The API's answer (`{ingested, failed}`) does not say which events were new.
    assert NOT_KNOWN.format(250) in first.output
    assert "duplicate" not in first.output
    second = _run(project, "--file", str(path), "--format", "json")
    assert second.exit_code == 0, second.output
    summary = json.loads(second.output)
    assert (summary["ingested"], summary["failed"], summary["invalid"]) == (250, 0, 0)
    assert (summary["new"], summary["duplicates"]) == (None, None)  # not known, not guessed
    assert len(_stored(project)) == 250  # the re-run deduplicated


def test_the_metering_guides_field_names_are_accepted(project: Path) -> None:
    """Alguna's usage-metering guide names the fields `customer_id` and `idempotency_key`
    (the API's `account` and `unique_id`); a file written to the guide is sent as is."""
    path = project / "guide.jsonl"
    lines = [
        {"customer_id": "acme", "event_name": "api_call", "idempotency_key": f"req-{i}"}
        for i in range(3)
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    result = _run(project, "--file", str(path))
    assert result.exit_code == 0, result.output
    assert NOT_KNOWN.format(3) in result.output
    assert {e["id"] for e in _stored(project)} == {"req-0", "req-1", "req-2"}
    csv_path = project / "guide.csv"
    csv_path.write_text("idempotency_key,customer_id,event_name\nreq-9,acme,api_call\n")
    result = _run(project, "--file", str(csv_path))
    assert result.exit_code == 0, result.output
    assert "req-9" in {e["id"] for e in _stored(project)}


def test_a_csv_file_with_problems_reports_them_by_line(project: Path) -> None:
    path = project / "usage.csv"
    path.write_text(
        "unique_id,customer,event_name,region\n"
        "r1,acme,api_call,us\n"
        "r2,nobody,api_call,us\n"
        "r3,acme,,us\n"
        "r4,acme,api_call,eu\n"
    )
    result = _run(project, "--file", str(path))
    assert result.exit_code == 1, result.output
    assert NOT_KNOWN.format(2) in result.output
    assert "failed     1" in result.output and "invalid    1 (not sent)" in result.output
    assert "line 3: the API reported it failed" in result.output
    assert "line 4: event_name is required" in result.output
    assert {e["id"] for e in _stored(project)} == {"r1", "r4"}


def test_option_errors(project: Path) -> None:
    both = _run(project, "--file", str(project / "billing.toml"), "--customer", "acme")
    assert both.exit_code == 1 and "either --file or" in both.output
    neither = _run(project)
    assert neither.exit_code == 1 and "--customer and --event" in neither.output
    fast = _run(project, "--customer", "acme", "--event", "e", "--rate", "5000")
    assert fast.exit_code == 1 and "above 'local'" in fast.output
    unknown = _run(project, "--file", str(project / "billing.toml"))
    assert unknown.exit_code == 1 and "use .jsonl or .csv" in unknown.output


@pytest.mark.parametrize(
    ("name", "content", "shown"),
    [
        (
            "usage.jsonl",
            b'{"customer": "acme", "event_name": "x"}\n{"n": "\xff"}\n',
            ":2: error file.encoding: not UTF-8 text",
        ),
        ("usage.csv", b"", ":1: error events.csv_header: the CSV file has no header row"),
        ("usage.txt", b"{}\n", ": error events.format: cannot tell the format of usage.txt"),
    ],
)
def test_a_file_that_cannot_be_read_as_events_is_a_user_error(
    project: Path, name: str, content: bytes, shown: str
) -> None:
    """Reported as any user error (the file and line, exit 1, no traceback), before any
    event is sent."""
    path = project / name
    path.write_bytes(content)
    result = _run(project, "--file", str(path))
    assert result.exit_code == 1, result.output
    assert f"{path}{shown}" in result.stderr
    assert result.stderr.rstrip().endswith(f"Error: cannot read {path}: 1 problem(s)")
    assert "Traceback" not in result.output
    assert _stored(project) == []


def test_how_many_were_new_is_known_when_none_was_accepted(project: Path) -> None:
    """Only then: the API's answer lists the accepted events, not which it already had."""
    sent = _run(project, "--customer", "nobody", "--event", "api_call", "--format", "json")
    assert sent.exit_code == 1, sent.output
    summary = json.loads(sent.stdout)
    assert (summary["ingested"], summary["failed"]) == (0, 1)
    assert (summary["new"], summary["duplicates"]) == (0, 0)
    text = _run(project, "--customer", "nobody", "--event", "api_call")
    assert "  ingested   0 new (0 unique ids)" in text.stdout
    assert "not known" not in text.stdout

"""Plan files: owner-only, secret-free, and read back with errors that name the file."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.api.connection import EMBEDDED_API_KEY_PREFIX
from reconciler.apply.plan_files import read_plan, write_plan
from reconciler.commands.workflow import apply_planned
from reconciler.errors import InvalidInputError
from reconciler.plan import Action, ApplyStatus
from reconciler.report.plan_output import plan_json
from tests.apply.harness import REMOTE_KEY, REMOTE_KEY_ENV, Workspace


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("permissive_umask")
async def test_plan_file_is_owner_only_and_secret_free(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plans of the embedded environment and of a remote-looking one (its key read from
    the process environment), each with ids, fingerprints and before/after values."""
    monkeypatch.setenv(REMOTE_KEY_ENV, REMOTE_KEY)
    texts: list[str] = []
    for env in ("local", "remote"):
        planned = await ws.plan(env)
        async with ws.target(env) as target:
            assert (await apply_planned(planned, target)).status is ApplyStatus.SUCCESS
        account = ws.control.account(REMOTE_KEY if env == "remote" else ws.control.api_key)
        (seats,) = [p for p in await account.objects("product") if p["sku"] == "SEAT-STD"]
        await account.edit("product", str(seats["id"]), {"name": "Seats (edited)"})
        plan = (await ws.plan(env)).plan
        assert [(c.address, c.action) for c in plan.changes] == [("product.seats", Action.UPDATE)]
        assert plan.fingerprints and plan.changes[0].remote_id == seats["id"]

        path = ws.plan_path(plan)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("stale", encoding="utf-8")
        path.chmod(0o666)
        assert write_plan(path, plan_json(plan)) == path
        assert mode(path) == 0o600
        assert mode(write_plan(ws.root / "fresh" / "plan.json", plan_json(plan))) == 0o600
        assert read_plan(path) == plan
        texts.append(path.read_text(encoding="utf-8"))
        assert [p.name for p in path.parent.iterdir()] == [path.name], "a temporary file remains"

    for text in texts:
        for secret in (EMBEDDED_API_KEY_PREFIX, REMOTE_KEY, REMOTE_KEY[8:]):
            assert secret not in text
        assert "Bearer" not in text and "Authorization" not in text


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b'{"format_version": 1}',
        b'{"format_version": 2, "plan_id": "x", "environment": "local",'
        b' "created_at": "2026-04-01T10:00:00Z", "catalog_digest": "", "summary": {}}',
        b"[]",
        b"\xff\xfe not utf-8",
    ],
    ids=["not-json", "not-a-plan", "future-format", "a-list", "not-utf8"],
)
def test_invalid_plan_file_names_the_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken-plan.json"
    path.write_bytes(content)

    with pytest.raises(InvalidInputError) as raised:
        read_plan(path)
    assert raised.value.diagnostics
    assert all(d.file == str(path) for d in raised.value.diagnostics)

    with pytest.raises(InvalidInputError) as shown:
        read_plan(path, shown_as="plans/local/broken-plan.json")
    assert {d.file for d in shown.value.diagnostics} == {"plans/local/broken-plan.json"}


def test_missing_plan_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.json"
    with pytest.raises(InvalidInputError) as raised:
        read_plan(path)
    assert [d.file for d in raised.value.diagnostics] == [str(path)]
    assert raised.value.diagnostics[0].code == "plan.unreadable"

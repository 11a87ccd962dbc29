"""The API key is never disclosed: not in output, log records (DEBUG, httpx and httpcore
included), exception text or files, through successes, retries, failures and a 401."""

from __future__ import annotations

import logging
import os
import tempfile
import time
import traceback
from pathlib import Path

import pytest

from reconciler.api.errors import ApiError
from tests.api.emulated import Emulated, emulated

SECRET = "sk_test_Q7hX2sd9LmVv0pRtY4bN8cKw"
METRIC = {"name": "API calls", "event_name": "api_call", "aggregation": {"method": "count"}}


def exception_texts(exc: BaseException) -> list[str]:
    """Everything an exception can show: str, repr, its formatted traceback, args, and
    the same for its cause and context chain (even a suppressed context)."""
    texts = ["".join(traceback.format_exception(exc))]
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts += [str(current), repr(current), repr(current.args), repr(vars(current))]
        request = getattr(current, "_request", None)
        if request is not None:
            texts += [repr(request), str(request.url)]
        current = current.__cause__ or current.__context__
    return texts


async def exercise(emu: Emulated, failures: list[BaseException]) -> None:
    async def expect_failure(coro: object) -> None:
        try:
            await coro  # type: ignore[misc]
        except ApiError as exc:
            failures.append(exc)
        else:
            raise AssertionError("expected a failure")

    # success, retries of every kind, then failures that are not retried
    await emu.writer.create("/metrics", METRIC, key="k1")
    await emu.fault(kind="error", status=503, method="GET", path="/metrics", count=2)
    await emu.fault(kind="drop_after_commit", method="POST", path="/products", count=1)
    await emu.fault(kind="rate_limit", method="GET", path="/plans", count=1, retry_after=0)
    await emu.reader.list_all("/metrics")
    await emu.reader.list_all("/plans")
    await emu.writer.create(
        "/products",
        {
            "name": "P",
            "fee_type": "fixed",
            "payment_terms": "advance",
            "billing_frequency": "recurring",
        },
        key="k2",
    )
    await emu.fault(kind="error", status=401, transient=False, method="GET", path="/customers")
    await expect_failure(emu.reader.list_all("/customers"))
    await expect_failure(emu.reader.get("/metrics/mtr_missing"))
    await expect_failure(emu.writer.create("/metrics", {"name": "no event"}, key="k3"))
    await emu.fault(kind="error", status=500, method="GET", path="/bundles")
    await expect_failure(emu.reader.list_all("/bundles"))
    await emu.fault(kind="drop_after_commit", method="POST", path="/customers", count=1)
    await expect_failure(emu.core.request("POST", "/customers", body={"name": "x"}))


async def test_the_api_key_appears_nowhere(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    started = time.time()
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "reconciler", "reconciler.api", "asyncio"):
        caplog.set_level(logging.DEBUG, logger=name)
    failures: list[BaseException] = []
    async with emulated(api_key=SECRET, db_path=str(tmp_path / "emulator.db")) as emu:
        await exercise(emu, failures)
        texts = [repr(emu.core.connection), str(emu.core.connection), repr(emu.core)]
        log = await emu.requests()

    assert len(failures) == 5
    assert {getattr(f, "status", None) for f in failures} == {401, 404, 422, 500, None}
    assert any(r["status"] == 503 for r in log) and any(r["dropped"] for r in log)
    out, err = capfd.readouterr()
    records = caplog.records
    assert any(r.name.startswith("httpx") for r in records)  # DEBUG capture is live
    assert any(r.name == "reconciler.api" for r in records)
    texts += [out, err, caplog.text, repr(log)]
    texts += [f"{r.getMessage()} {r.args!r} {vars(r)!r}" for r in records]
    for failure in failures:
        texts += exception_texts(failure)
    for text in texts:
        assert SECRET not in text

    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files  # the emulator's database, at least
    temp = Path(tempfile.gettempdir())
    files += [
        p
        for p in temp.glob("*")
        if p.is_file() and p.stat().st_mtime >= started and os.access(p, os.R_OK)
    ]
    for path in files:
        assert SECRET.encode() not in path.read_bytes(), path

"""Reliability scenarios: each runs a failure against the real client and emulator a
number of times and returns a `Row` (runs, failures, duplicates, lost changes).

Two harnesses, both existing ones:
- real processes (`tests/crash/harness.py`): a `billing sandbox serve` emulator and
  `billing` subprocesses to kill, interrupt or race (kill -9, Ctrl-C, two processes);
- the library in-process (`tests/apply/harness.py`): `reconciler.commands.workflow` against an
  in-process emulator whose control API injects faults, moves the clock and edits objects
  out of band (everything else).

A run *fails* when a guarantee does not hold: the account does not converge (a plan
after the last apply is not empty), an object is created twice (two live objects share a
natural key: a *duplicate*), a declared resource or an out-of-band edit is missing at the
end (a *lost change*), or a guard lets a write through that it must refuse.

Catalogs come from `benchmarks/catalog_gen.py` (every kind, all ten pricing models), the
process scenarios use the crash harness's 300-resource catalog. Used by
`benchmarks/reliability.py` (the table) and `tests/reliability/test_reliability.py`
(the same scenarios with fewer runs, `-m slow`).
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, Phase, given, settings

from alguna_emulator import emulator_transport
from benchmarks.catalog_gen import generate_catalog
from reconciler.api import ApiError, RetryPolicy
from reconciler.apply import PlanRefusedError, StalePlanError, apply_plan
from reconciler.apply.plan_files import read_plan, write_plan
from reconciler.commands.workflow import apply_planned, apply_saved, open_target, plan_target
from reconciler.model import DesiredState
from reconciler.plan import Action, ApplyResult, ApplyStatus, Plan
from reconciler.report.plan_output import plan_json
from tests.api.emulated import FAST_RETRY
from tests.apply.harness import Workspace, workspace
from tests.builders import write_catalog
from tests.crash.harness import (
    Emulator,
    Expected,
    Project,
    billing,
    calibrate,
    inspect_account,
    kill_runs,
    last_line,
    running,
    save_plan,
    wait_until,
)

NO_RETRY = RetryPolicy(max_attempts=1, base_delay=0.001, max_delay=0.001, max_total=5.0)
TWO_TRIES = RetryPolicy(max_attempts=2, base_delay=0.002, max_delay=0.02, max_total=5.0)
KINDS = ("metric", "product", "plan", "bundle", "customer", "subscription")
LIST_PATHS = {f"/{kind}s": kind for kind in KINDS}


@dataclass
class Row:
    """One scenario's outcome over its runs."""

    scenario: str
    runs: int = 0
    failures: int = 0
    duplicates: int = 0
    lost: int = 0
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # one line per failed run
    seconds: float = 0.0

    def fail(self, run: int, why: str) -> None:
        self.failures += 1
        self.problems.append(f"run {run}: {why}")

    @property
    def ok(self) -> bool:
        return self.failures == 0 and self.duplicates == 0 and self.lost == 0


# ---- checks on an in-process account ------------------------------------------------------


def _natural_keys(kind: str, obj: Mapping[str, Any]) -> list[str]:
    if kind in ("metric", "plan", "bundle"):
        return [str(obj["name"])]
    if kind == "product":
        return [str(obj["sku"])] if obj.get("sku") else []
    if kind == "customer":
        return [str(alias) for alias in obj.get("aliases") or []]
    key = (obj.get("metadata") or {}).get("billing_key")
    return [] if key is None else [str(key)]


@dataclass(frozen=True)
class Findings:
    converged: bool
    duplicates: list[str]
    missing: list[str]
    changes_left: int = 0


async def findings(ws: Workspace, expected: Expected) -> Findings:
    """With faults cleared: is a fresh plan empty, is any natural key held twice, is any
    declared resource (version, activation) missing?"""
    await ws.control.clear_faults()
    after = await ws.next_plan()
    objects = {kind: await ws.control.objects(kind) for kind in (*KINDS, "version")}
    duplicates: list[str] = []
    missing: list[str] = []
    for kind in KINDS:
        counts = Counter(k for obj in objects[kind] for k in _natural_keys(kind, obj))
        duplicates += [f"{kind} {key!r} x{n}" for key, n in sorted(counts.items()) if n > 1]
        missing += [f"{kind} {key!r}" for key in sorted(expected.keys[kind] - set(counts))]
    billing_key = {
        str(s["id"]): str((s.get("metadata") or {}).get("billing_key"))
        for s in objects["subscription"]
    }
    versions = Counter(
        (billing_key.get(str(v["subscription_id"]), "?"), str(v["effective_at"])[:10])
        for v in objects["version"]
    )
    duplicates += [f"version {key} x{n}" for key, n in sorted(versions.items()) if n > 1]
    missing += [f"version {key}" for key in sorted(expected.versions - set(versions))]
    active = {billing_key[str(s["id"])] for s in objects["subscription"] if s.get("activated_at")}
    missing += [f"activation of {key!r}" for key in sorted(expected.activated - active)]
    return Findings(not after.has_changes, duplicates, missing, len(after.changes))


def tally(row: Row, run: int, found: Findings) -> None:
    row.duplicates += len(found.duplicates)
    row.lost += len(found.missing)
    if not found.converged:
        row.fail(run, f"a plan after the last apply still has {found.changes_left} change(s)")
    elif found.duplicates or found.missing:
        row.fail(run, f"duplicates {found.duplicates[:3]}, missing {found.missing[:3]}")


async def apply_fresh(ws: Workspace, retry: RetryPolicy = FAST_RETRY) -> ApplyResult | None:
    """`billing apply --auto-approve` as a library call: plan, then apply that plan, both
    with `retry`. None when there is nothing to do."""
    async with ws.target(retry=retry) as target:
        planned = await plan_target(ws.catalog(), target, clock=ws.clock)
        if not planned.plan.has_changes:
            return None
        return await apply_planned(planned, target)


async def converge(ws: Workspace, attempts: int = 8, retry: RetryPolicy = FAST_RETRY) -> int:
    """Apply again until an apply succeeds or finds nothing to do, faults still on; a read
    that fails (an `ApiError` from the plan) counts as an attempt. Returns the attempts."""
    for attempt in range(1, attempts + 1):
        try:
            result = await apply_fresh(ws, retry)
        except ApiError:
            continue
        if result is None or result.status is ApplyStatus.SUCCESS:
            return attempt
    return attempts


def catalog(resources: int, seed: int) -> tuple[dict[str, str], Expected]:
    files = generate_catalog(resources, seed)
    return files, Expected.of(files)


# ---- in-process scenarios ----------------------------------------------------------------


async def commit_then_drop(root: Path, runs: int, resources: int = 80) -> Row:
    """A third of the writes (POST) commit, then the connection drops before the answer.
    Half the runs retry (the same Idempotency-Key must replay the stored answer), half do
    not retry (a crash right after the write: the next apply, a fresh plan, must find the
    objects by natural key)."""
    row = Row("commit-then-drop (33% of POSTs)")
    for run in range(runs):
        row.runs += 1
        files, expected = catalog(resources, seed=100 + run)
        retry = FAST_RETRY if run % 2 == 0 else NO_RETRY
        async with workspace(root / f"drop{run}", catalog=files) as ws:
            await ws.control.fault(kind="drop_after_commit", method="POST", percentage=33, seed=run)
            await converge(ws, retry=retry)
            dropped = sum(e["dropped"] for e in await ws.control.writes())
            if not dropped:
                row.fail(run, "no connection was dropped: nothing was exercised")
            tally(row, run, await findings(ws, expected))
    row.notes.append("even runs retry with the same key, odd runs do not retry")
    return row


async def rate_limit_storm(root: Path, runs: int, resources: int = 80) -> Row:
    """429 answers during an apply: the next 200 requests, or a seeded 50% of all of them
    (`Retry-After: 0`); or the emulator's own limits at 20/s standard and 2/s bulk
    against a client budgeted for 100,000/s (a misconfigured environment), so that only
    the API's 429s and their `Retry-After` pace it."""
    row = Row("429 storm")
    for run in range(runs):
        row.runs += 1
        files, expected = catalog(resources, seed=200 + run)
        async with workspace(root / f"storm{run}", catalog=files) as ws:
            planned = await ws.plan()
            variant = run % 3
            if variant == 0:
                await ws.control.fault(kind="rate_limit", count=200, retry_after=0)
            elif variant == 1:
                await ws.control.fault(kind="rate_limit", percentage=50, seed=run, retry_after=0)
            else:
                limits = {"rate_limits": {"enabled": True, "standard": 20, "bulk": 2}}
                response = await ws.control.client.patch("/settings", json=limits)
                assert response.status_code == 200, response.text
            async with ws.target() as target:
                first = await apply_planned(planned, target)
            storms = sum(e["status"] == 429 for e in await ws.control.requests())
            if first.status is not ApplyStatus.SUCCESS:
                await converge(ws)
            if variant == 2:
                limits = {"rate_limits": {"enabled": False}}
                await ws.control.client.patch("/settings", json=limits)
            if storms == 0:
                row.fail(run, "no request was answered 429: nothing was exercised")
            tally(row, run, await findings(ws, expected))
    row.notes.append("in turn: 200 in a row; 50% seeded; limits of 20/s and 2/s enforced")
    return row


async def chaos_soak(root: Path, runs: int, resources: int = 80) -> Row:
    """Everything at once, on reads and writes: 20% slow (100 ms), 12% transient 5xx, 8%
    dropped after commit, 2% hung (0.3 s, then a transient 504), with a client that
    tries each request only twice, so that reads and writes do fail. Apply until it
    succeeds (at most 12 times); a plan whose reads fail must raise, never plan from a
    partial read (which would show as duplicates)."""
    row = Row("network chaos soak")
    failed_reads = applies = 0
    for run in range(runs):
        row.runs += 1
        files, expected = catalog(resources, seed=300 + run)
        async with workspace(root / f"chaos{run}", catalog=files) as ws:
            faults: list[dict[str, Any]] = [
                {"kind": "hang", "percentage": 2, "hang_seconds": 0.3},
                {"kind": "drop_after_commit", "percentage": 8},
                {"kind": "error", "status": 502, "percentage": 4},
                {"kind": "error", "status": 503, "percentage": 4},
                {"kind": "error", "status": 504, "percentage": 4},
                {"kind": "latency", "latency_ms": 100, "percentage": 20},
            ]
            for index, spec in enumerate(faults):
                await ws.control.fault(**spec, seed=1000 * run + index)
            for _ in range(12):
                applies += 1
                try:
                    result = await apply_fresh(ws, retry=TWO_TRIES)
                except ApiError:
                    failed_reads += 1
                    continue
                if result is None or result.status is ApplyStatus.SUCCESS:
                    break
            tally(row, run, await findings(ws, expected))
    row.notes.append(
        f"{applies} applies, {failed_reads} of which stopped at a failed read (no plan made)"
    )
    return row


async def _save(ws: Workspace) -> Plan:
    plan = await ws.next_plan()
    return read_plan(write_plan(ws.plan_path(plan), plan_json(plan)))


async def idempotency_window_expiry(root: Path, runs: int, resources: int = 80) -> Row:
    """A saved plan is applied without retries while 30% of its POSTs commit and then
    drop (the client never learns they succeeded); the emulator clock then moves 25 hours
    on, past the 24 h key window; the same saved plan (odd runs: a fresh apply) resumes.
    The keys are forgotten, so only the natural keys stand between a resume and a
    duplicate."""
    row = Row("24 h key window expired, then resume")
    for run in range(runs):
        row.runs += 1
        files, expected = catalog(resources, seed=400 + run)
        async with workspace(root / f"expiry{run}", catalog=files) as ws:
            saved = await _save(ws)
            await ws.control.fault(kind="drop_after_commit", method="POST", percentage=30, seed=run)
            async with ws.target(retry=NO_RETRY) as target:
                first, _ = await apply_saved(ws.catalog(), target, saved, clock=ws.clock)
            await ws.control.clear_faults()
            if first.status is ApplyStatus.SUCCESS or not first.failed:
                row.fail(run, "no change failed: nothing was exercised")
            response = await ws.control.client.post("/clock/advance", json={"seconds": 25 * 3600})
            assert response.status_code == 200, response.text
            await ws.control.clear_log()
            if run % 2 == 0:
                async with ws.target() as target:
                    second, _ = await apply_saved(ws.catalog(), target, saved, clock=ws.clock)
            else:
                second = await apply_fresh(ws) or first
            replayed = sum(e["replayed"] for e in await ws.control.writes())
            if replayed:
                row.fail(run, f"{replayed} write(s) were replayed: the window had not expired")
            if second.status is not ApplyStatus.SUCCESS:
                row.fail(run, f"the resume did not succeed: {list(second.errors.values())[:2]}")
            tally(row, run, await findings(ws, expected))
    row.notes.append("even runs resume the saved plan, odd runs apply a fresh plan")
    return row


def _edited(ws: Workspace, files: Mapping[str, str], run: int) -> dict[str, str]:
    """The catalog with three products renamed and one added (a plan of updates and a
    create); which products depends on the run."""
    rng = random.Random(run)
    text = files["products.toml"]
    for index in rng.sample(range(10), 3):
        text = text.replace(
            f'name = "Product {index:04d}"\n', f'name = "Product {index:04d} v{run}"\n'
        )
    text += (
        f'\n[products.added{run}]\nname = "Added {run}"\nfee_type = "fixed"\n'
        'payment_terms = "advance"\nbilling_frequency = "recurring"\n'
    )
    return {**files, "products.toml": text}


async def _applied(ws: Workspace) -> None:
    result = await apply_fresh(ws)
    assert result is None or result.status is ApplyStatus.SUCCESS, result


async def stale_plans(root: Path, runs: int, resources: int = 40) -> Row:
    """A saved plan (three renames, one create), then before it is applied: an
    out-of-band edit of an object it updates (must be refused as stale, nothing written),
    the catalog edited again (refused: another catalog), or an edit of an object it does
    not touch (applied; that object left alone)."""
    row = Row("stale saved plans")
    for run in range(runs):
        row.runs += 1
        files, _ = catalog(resources, seed=500 + run)
        async with workspace(root / f"stale{run}", catalog=files) as ws:
            await _applied(ws)
            write_catalog(ws.root, _edited(ws, files, run))
            saved = await _save(ws)
            products = {str(p["sku"]): p for p in await ws.control.objects("product")}
            updated = [c.key for c in saved.changes if c.action is Action.UPDATE]
            untouched = sorted(set(products) - set(updated))
            variant = run % 3
            if variant == 0:
                target_id = str(products[random.Random(run).choice(updated)]["id"])
                await ws.control.edit("product", target_id, {"description": f"by hand {run}"})
            elif variant == 1:
                write_catalog(ws.root, _edited(ws, files, run + 1000))
            else:
                target_id = str(products[untouched[0]]["id"])
                await ws.control.edit("product", target_id, {"description": f"by hand {run}"})
            before = await ws.control.write_count()
            try:
                async with ws.target() as target:
                    result, _ = await apply_saved(ws.catalog(), target, saved, clock=ws.clock)
            except PlanRefusedError as refused:
                if variant == 2:
                    row.fail(run, f"refused a plan whose objects did not change: {refused}")
                if variant == 0 and not isinstance(refused, StalePlanError):
                    row.fail(run, f"refused, but not as stale: {refused}")
                if await ws.control.write_count() != before:
                    row.fail(run, "a refused plan wrote")
                continue
            if variant != 2:
                row.fail(run, "a stale plan was applied")
            elif result.status is not ApplyStatus.SUCCESS:
                row.fail(run, f"the plan failed: {result.errors}")
            else:
                after = {str(p["id"]): p for p in await ws.control.objects("product")}
                if after[target_id].get("description") != f"by hand {run}":
                    row.lost += 1
                    row.fail(run, "the edit of an object the plan does not touch was lost")
    row.notes.append("edited object it updates / catalog changed / edit elsewhere, in turn")
    return row


async def edit_between_read_and_write(root: Path, runs: int, resources: int = 40) -> Row:
    """`billing apply` (no plan file) reads the account, shows the plan, asks for
    confirmation, then writes. While the prompt waits, someone edits in the dashboard a
    product the plan renames: its description (even runs: a field the update does not
    write, which must survive the apply) or its name (odd runs: the field the update
    writes, which must not be overwritten: that change fails, naming the field, and the
    rest of the plan is made). Counted as lost when the edit is gone afterwards without
    any plan having shown it."""
    row = Row("out-of-band edit between read and write (fresh apply)")
    for run in range(runs):
        row.runs += 1
        files, _ = catalog(resources, seed=600 + run)
        same_field = run % 2 == 1
        async with workspace(root / f"race{run}", catalog=files) as ws:
            await _applied(ws)
            write_catalog(ws.root, _edited(ws, files, run))
            planned = await ws.plan()  # read and plan: the prompt is shown now
            updated = [c.key for c in planned.plan.changes if c.action is Action.UPDATE]
            products = {str(p["sku"]): p for p in await ws.control.objects("product")}
            edited = str(products[updated[0]]["id"])
            field_ = "name" if same_field else "description"
            edit = {field_: f"edited during the prompt {run}"}
            await ws.control.edit("product", edited, edit)
            async with ws.target() as target:
                result = await apply_planned(planned, target)  # confirmed: write
            refused = [c for c, e in result.errors.items() if "ChangedSinceReadError" in e]
            if same_field and refused != [f"product.{updated[0]}#update"]:
                row.fail(run, f"the update of the edited field was not refused: {result.errors}")
            elif not same_field and result.status is not ApplyStatus.SUCCESS:
                row.fail(run, f"the apply failed: {result.errors}")
            if same_field and len(result.applied) != len(planned.plan.changes) - 1:
                row.fail(run, f"the rest of the plan was not made: {result.pending}")
            kept = any(p.get(field_) == edit[field_] for p in await ws.control.objects("product"))
            after = await ws.next_plan()
            shown = any(c.remote_id == edited for c in after.changes)
            if not kept and not shown:
                row.lost += 1
                row.fail(run, "the edit was overwritten and no plan showed it")
            elif not kept:
                row.fail(run, "the edit was overwritten (a plan shows the difference)")
    row.notes.append(
        "even runs edit another field (kept: only changed fields are sent), odd runs the"
        " field the update writes (refused: re-read before the write)"
    )
    return row


class LyingTransport(httpx.AsyncBaseTransport):
    """Passes requests to the emulator and rewrites the answer to `GET <path>` (first
    page only, or every page) with `rewrite(body) -> body`: a proxy or API that returns
    a broken list."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        path: str,
        rewrite: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> None:
        self.inner = inner
        self.path = path
        self.rewrite = rewrite
        self.rewritten = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method != "GET" or request.url.path != self.path:
            return response
        if request.url.params.get("offset", "0") != "0" or response.status_code != 200:
            return response
        await response.aread()
        body = self.rewrite(json.loads(response.content))
        self.rewritten += 1
        headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
        return httpx.Response(200, headers=headers, content=json.dumps(body).encode())

    async def aclose(self) -> None:
        await self.inner.aclose()


def _empty_page(body: dict[str, Any]) -> dict[str, Any]:
    """No objects, and a page count that says so: indistinguishable from an empty list."""
    return {"data": [], "pagination": {**body["pagination"], "total_pages": 0}}


def _empty_page_claiming_pages(body: dict[str, Any]) -> dict[str, Any]:
    """No objects on page 1, though the page count says there are pages."""
    return {**body, "data": []}


def _short_first_page(body: dict[str, Any]) -> dict[str, Any]:
    """Page 1 of several cut to half, the page count unchanged (a truncated answer)."""
    return {**body, "data": body["data"][: len(body["data"]) // 2]}


def _no_data(body: dict[str, Any]) -> dict[str, Any]:
    return {"pagination": body["pagination"]}


def _no_pagination(body: dict[str, Any]) -> dict[str, Any]:
    return {"data": []}


async def _reader_sees(ws: Workspace, lying: LyingTransport) -> str:
    """What `ApiReader.list_all` alone returns through the same lie: how many of the
    live objects, or which error."""
    kind = LIST_PATHS[lying.path]
    live = len(await ws.control.objects(kind))
    again = LyingTransport(emulator_transport(ws.app), lying.path, lying.rewrite)
    try:
        async with _lying_target(ws, again) as target:
            listed = len(await target.reader.list_all(lying.path))
    except ApiError as exc:
        return f"list_all raised {type(exc).__name__}"
    return f"list_all returned {listed} of {live} {kind}s without an error"


@asynccontextmanager
async def _lying_target(ws: Workspace, transport: LyingTransport) -> AsyncIterator[Any]:
    async with open_target(ws.project, ws.env, transport, retry=FAST_RETRY) as target:
        yield target


Inject = Callable[[Workspace], Awaitable[LyingTransport | None]]


def _fault(status: int, transient: bool) -> Inject:
    async def inject(ws: Workspace) -> None:
        await ws.control.fault(
            kind="error", method="GET", path="/products", status=status, transient=transient
        )

    return inject


def _lie(rewrite: Callable[[dict[str, Any]], dict[str, Any]], path: str = "/products") -> Inject:
    async def make(ws: Workspace) -> LyingTransport:
        return LyingTransport(emulator_transport(ws.app), path, rewrite)

    return make


GUARD_CASES: dict[str, Inject] = {
    "401 on GET /products": _fault(401, False),
    "403 on GET /products": _fault(403, False),
    "500 on every GET /products": _fault(500, True),
    "200 without `data`": _lie(_no_data),
    "200 without `pagination`": _lie(_no_pagination),
    "200, page 1 of 2 empty: products": _lie(_empty_page_claiming_pages),
    "200, page 1 of 2 cut to half: products": _lie(_short_first_page),
    "200, page 1 of 2 cut to half: customers": _lie(_short_first_page, "/customers"),
    "200, empty, total_pages 0: products": _lie(_empty_page),
    "200, empty, total_pages 0: customers": _lie(_empty_page, "/customers"),
    "200, empty, total_pages 0: bundles": _lie(_empty_page, "/bundles"),
    "200, empty, total_pages 0: subscriptions": _lie(_empty_page, "/subscriptions"),
}
# Answers that contradict themselves (a page count saying more pages follow a short or
# empty page): the reader alone must refuse them, whatever the plan would make of them.
INCONSISTENT = frozenset(
    {
        "200, page 1 of 2 empty: products",
        "200, page 1 of 2 cut to half: products",
        "200, page 1 of 2 cut to half: customers",
    }
)


async def list_guard(
    root: Path, cases: Iterable[str] = GUARD_CASES, resources: int = 500
) -> list[Row]:
    """A full account (500 resources: products and customers span two list pages each);
    then one list endpoint answers wrongly while a plan reads it. The plan must fail, or
    carry errors that forbid applying it, rather than plan creates of what exists. A plan
    that comes out appliable anyway is applied, and the duplicates it makes counted."""
    files, expected = catalog(resources, seed=700)
    rows: list[Row] = []
    for index, name in enumerate(cases):
        row = Row(f"list guard: {name}", runs=1)
        rows.append(row)
        async with workspace(root / f"guard{index}", catalog=files) as ws:
            await _applied(ws)
            writes = await ws.control.write_count()
            transport = await GUARD_CASES[name](ws)
            try:
                if transport is None:
                    async with ws.target() as target:
                        planned = await plan_target(ws.catalog(), target, clock=ws.clock)
                else:
                    async with _lying_target(ws, transport) as target:
                        planned = await plan_target(ws.catalog(), target, clock=ws.clock)
            except ApiError as exc:
                row.notes.append(f"plan failed ({type(exc).__name__})")
                # fetch_live's other reads are still running (gather does not cancel
                # them): let them end before the emulator closes.
                await asyncio.sleep(0.2)
                continue
            finally:
                if transport is not None:
                    seen = await _reader_sees(ws, transport)
                    row.notes.append(seen)
                    if name in INCONSISTENT and "without an error" in seen:
                        row.fail(0, f"the reader accepted a self-contradicting list: {seen}")
            plan = planned.plan
            creates = sum(c.action is Action.CREATE for c in plan.changes)
            errors = sum(d.severity == "error" for d in plan.diagnostics)
            if errors:
                row.notes.append(f"plan with {errors} error(s): never applied")
                continue
            if not plan.has_changes:
                row.notes.append("plan made, empty")
                continue
            async with ws.target() as target:
                await apply_plan(plan, planned.desired, planned.live, target.writer, target.reader)
            made = await ws.control.write_count() - writes
            found = await findings(ws, expected)
            row.duplicates += len(found.duplicates)
            row.notes.append(f"appliable plan of {creates} create(s) of existing objects")
            row.fail(0, f"a plan from a broken list was appliable: applied, {made} write(s)")
    return rows


def no_perpetual_diff_generated(root: Path, catalogs: int, resources: int = 40) -> Row:
    """Generated catalogs (all ten pricing models, every kind): apply from empty, then a
    plan must be empty and applying it must write nothing."""
    row = Row(f"no perpetual diff: {catalogs} generated catalogs ({resources} resources)")

    async def one(run: int) -> None:
        files, expected = catalog(resources, seed=800 + run)
        async with workspace(root / f"diff{run}", catalog=files) as ws:
            first = await apply_fresh(ws)
            if first is None or first.status is not ApplyStatus.SUCCESS:
                row.fail(run, f"the apply failed: {first and first.errors}")
                return
            writes = await ws.control.write_count()
            again = await apply_fresh(ws)
            if again is not None:
                row.fail(run, f"a plan after apply has {len(again.applied)} change(s)")
            if await ws.control.write_count() != writes:
                row.fail(run, "a second apply wrote")
            tally(row, run, await findings(ws, expected))

    for run in range(catalogs):
        row.runs += 1
        asyncio.run(one(run))
    return row


def no_perpetual_diff_hypothesis(examples: int) -> Row:
    """Catalogs drawn by the wire strategies (`tests/apply/generated.py`: every field of
    every kind, repaired to be valid): apply from empty, plan again (must be empty), apply
    that (must write nothing). Failures are counted, not shrunk."""
    from tests.apply.generated import Direct, direct, valid_catalogs

    row = Row(f"no perpetual diff: {examples:,} hypothesis catalogs")

    async def converges(env: Direct, desired: DesiredState) -> str | None:
        await env.control.reset()
        _, result = await env.apply(desired)
        if result.status is not ApplyStatus.SUCCESS:
            return f"apply failed: {list(result.errors.values())[:1]}"
        second, live = await env.plan(desired)
        if second.has_changes:
            return f"plan after apply: {[c.change_id for c in second.changes][:3]}"
        await env.control.clear_log()
        await apply_plan(second, desired, live, env.writer, env.reader)
        if await env.control.write_count():
            return "applying the empty plan wrote"
        return None

    with direct() as env:

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(desired=valid_catalogs())
        def check(desired: DesiredState) -> None:
            row.runs += 1
            try:
                problem = env.run(converges(env, desired))
            except Exception as exc:  # counted, not raised: the soak goes on
                problem = f"{type(exc).__name__}: {exc}"
            if problem is not None:
                row.fail(row.runs, problem)

        check()
    return row


# ---- real processes ----------------------------------------------------------------------


def kill_nine(emulator: Emulator, project: Project, runs: int, seed: int) -> Row:
    """kill -9 of `billing apply --auto-approve` at seeded random points over the writing
    time of one uninterrupted apply (`tests/crash/harness.py`), then a rerun."""
    row = Row(f"kill -9 at random points ({project.expected.changes} changes)")
    calibration = calibrate(emulator, project)
    results = kill_runs(emulator, project, runs, seed, calibration)
    for result in results:
        row.runs += 1
        row.duplicates += len(result.duplicates)
        row.lost += len(result.missing)
        if not result.converged:
            row.fail(result.index, result.outcome)
    mid = sum(1 for r in results if r.killed and 0 < r.writes_before_kill < calibration.writes)
    row.notes.append(f"{mid} of {runs} kills landed between the first and the last write")
    return row


def _rerun_converges(emulator: Emulator, project: Project, name: str) -> str | None:
    rerun = billing(project, ["apply", "--auto-approve"], f"{name}-rerun")
    if rerun.returncode != 0:
        return f"rerun exit {rerun.returncode}"
    planned = billing(project, ["plan", "--detailed-exitcode", "--no-save"], f"{name}-plan")
    if planned.returncode != 0:
        return f"plan after the rerun exit {planned.returncode}"
    return None


def ctrl_c(
    emulator: Emulator, project: Project, runs: int, seed: int, twice: bool | None = None
) -> Row:
    """SIGINT to `billing apply` once a seeded number of changes are done: once (what is
    in flight finishes, exit 1 with what is pending) or twice, 20 ms apart (exit 130 at
    once); alternately, or only one way with `twice`. Then a rerun must converge."""
    row = Row("graceful Ctrl-C (once / twice)")
    rng = random.Random(seed)
    total = project.expected.changes
    late = 0
    for run in range(runs):
        row.runs += 1
        emulator.reset()
        after = rng.randint(10, total - 60)
        double = run % 2 == 1 if twice is None else twice
        name = f"sigint{run}"
        with running(project, ["apply", "--auto-approve"], name) as process:
            wait_until(lambda: process.applied_lines() >= after, process)  # noqa: B023
            process.signal(signal.SIGINT)
            if double:
                time.sleep(0.02)
                process.signal(signal.SIGINT)
            result = process.wait(timeout=60)
        expected_code = 130 if double else 1
        if double and result.returncode == 1 and "Apply incomplete" in result.stdout:
            # The graceful stop of the first SIGINT was over before the second arrived.
            late += 1
        elif result.returncode != expected_code:
            row.fail(run, f"exit {result.returncode}, expected {expected_code}")
        if not double and "Apply incomplete" not in result.stdout:
            row.fail(run, "no partial report after the first Ctrl-C")
        emulator.settled_writes()
        problem = _rerun_converges(emulator, project, name)
        if problem:
            row.fail(run, problem)
        found = inspect_account(emulator, project.expected)
        row.duplicates += len(found.duplicates)
        row.lost += len(found.missing)
    row.notes.append("even runs: one SIGINT (exit 1); odd runs: two (exit 130)")
    if late:
        row.notes.append(f"in {late} run(s) the second SIGINT came after the graceful stop")
    return row


def example_files() -> dict[str, str]:
    """The example catalog (`catalog/` at the repository root) rendered with the variables
    of its `local` environment: plain TOML for a crash-harness `Project`. Its invoice
    tests are left out: they name a usage file beside the catalog (`catalog/usage/`),
    which a `Project` of TOML files does not have, and they are no resources (nothing to
    apply; without this every load failed with `invoice_test.usage_file`)."""
    from reconciler.catalog.render import RenderedFile, render_file
    from reconciler.commands.project import Project as BillingProject

    root = Path(__file__).resolve().parents[2]
    variables = BillingProject.open(root).settings.variables_for("local")
    files: dict[str, str] = {}
    for path in sorted((root / "catalog").glob("*.toml")):
        if path.name == "invoice_tests.toml":
            continue
        rendered = render_file(path.name, path.read_text(encoding="utf-8"), variables)
        assert isinstance(rendered, RenderedFile), rendered
        files[path.name] = rendered.text
    return files


def two_processes(
    emulator: Emulator,
    project: Project,
    runs: int,
    same_plan: bool,
    stagger: float | tuple[float, float] = 1.0,
    write_latency_ms: float = 200.0,
    seed: int = 0,
    label: str | None = None,
) -> Row:
    """Two `billing apply` processes on an empty account, the second started `stagger`
    seconds after the first (or a seeded uniform draw from a `(low, high)` range, per
    run), while every POST takes `write_latency_ms` more (so that the first is still
    writing when the second reads): both applying one saved plan (the same idempotency
    keys), or each its own fresh plan (two plans, two ids: only the content-addressed
    keys of creates make them agree). Then one more `billing apply` if either failed
    (what a person does after a failure), a plan (must be empty) and the account
    (duplicates, missing). Both processes must exit 0."""
    what = "the same saved plan" if same_plan else "two fresh plans (no plan file)"
    row = Row(f"two processes applying at once: {what}{label or ''}")
    codes: Counter[str] = Counter()
    rng = random.Random(seed)
    delays: list[float] = []
    second_creates: list[int] = []  # how many creates the second process planned
    for run in range(runs):
        row.runs += 1
        emulator.reset()
        args = ["apply", "--auto-approve"]
        if same_plan:
            planfile = save_plan(project, project.root / "plans" / f"twice{run}.json")
            args = ["apply", str(planfile), "--auto-approve"]
        name = f"twice{run}-{'same' if same_plan else 'fresh'}"
        delay = stagger if isinstance(stagger, int | float) else rng.uniform(*stagger)
        delays.append(delay)
        slow = {"kind": "latency", "method": "POST", "latency_ms": write_latency_ms}
        emulator.control.post("/_emulator/faults", json=slow).raise_for_status()
        try:
            with running(project, args, f"{name}-a") as first:
                time.sleep(delay)
                with running(project, args, f"{name}-b") as second:
                    results = (first.wait(timeout=180), second.wait(timeout=180))
        finally:
            emulator.control.delete("/_emulator/faults").raise_for_status()
        codes.update(str(r.returncode) for r in results)
        planned_second = re.search(r"Plan: (\d+) to create", results[1].stdout)
        if planned_second is not None:
            second_creates.append(int(planned_second.group(1)))
        emulator.settled_writes()
        failed = [r for r in results if r.returncode != 0]
        if failed:
            billing(project, ["apply", "--auto-approve"], f"{name}-rerun")
        planned = billing(project, ["plan", "--detailed-exitcode", "--no-save"], f"{name}-plan")
        found = inspect_account(emulator, project.expected)
        row.duplicates += len(found.duplicates)
        row.lost += len(found.missing)
        if planned.returncode != 0 or not found.ok or failed:
            row.fail(
                run,
                f"exit codes {[r.returncode for r in results]}"
                f" ({'; '.join(last_line(r.stdout + r.stderr) for r in failed)}),"
                f" plan exit {planned.returncode}, {len(found.duplicates)} duplicate(s)"
                f" (e.g. {found.duplicates[:2]}), {len(found.missing)} missing",
            )
    when = (
        f"{stagger:g} s later"
        if isinstance(stagger, int | float)
        else f"{min(delays):.2f} to {max(delays):.2f} s later"
        f" (uniform {stagger[0]:g}-{stagger[1]:g} s, seeded)"
    )
    overlap = ""
    if not same_plan:
        total = project.expected.resources
        some = [n for n in second_creates if 0 < n < total]
        overlap = (
            f"; the second planned: every create in {second_creates.count(total)} runs, some"
            f" ({min(some, default=0)} to {max(some, default=0)} of {total}) in {len(some)},"
            f" none (the first had finished) in {runs - len(some) - second_creates.count(total)}"
        )
    row.notes.append(
        f"second process {when}, POSTs +{write_latency_ms:g} ms{overlap}; exit codes: "
        + ", ".join(f"{c} x{n}" for c, n in sorted(codes.items()))
    )
    return row

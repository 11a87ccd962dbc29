"""Apply under injected faults converges without duplicates.

The example catalog (29 resources) is applied to an empty account while the emulator
injects faults (its control API: seeded 5xx on writes, a 429 storm, connections dropped
after the write committed). If that first apply does not finish, a second one (a fresh
plan) does. Then the next plan is empty, and every kind, listed out of band, holds each
natural key once and exactly as many objects as the catalog declares.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from reconciler.api import RetryPolicy
from reconciler.commands.workflow import apply_planned
from reconciler.plan import ApplyResult, ApplyStatus
from tests.api.emulated import FAST_RETRY
from tests.apply.harness import Workspace, describe, duplicates, stored_counts

# Collection creates (and a subscription's versions): the writes that make new objects.
CREATES = r"^/(metrics|products|plans|bundles|customers|subscriptions)/?$|/versions/?$"
NO_RETRY = RetryPolicy(max_attempts=1, base_delay=0.001, max_delay=0.001, max_total=5.0)


def declared_counts(ws: Workspace) -> dict[str, int]:
    desired = ws.catalog().desired
    return {
        "metric": len(desired.metrics),
        "product": len(desired.products),
        "plan": len(desired.plans),
        "bundle": len(desired.bundles),
        "customer": len(desired.customers),
        "subscription": len(desired.subscriptions),
        "version": sum(len(s.versions) for s in desired.subscriptions.values()),
    }


async def apply_once(ws: Workspace, retry: RetryPolicy = FAST_RETRY) -> ApplyResult:
    planned = await ws.plan()
    assert planned.plan.has_changes
    async with ws.target(retry=retry) as target:
        return await apply_planned(planned, target)


async def assert_converged(ws: Workspace) -> None:
    """Nothing left to do, nothing made twice, nothing more than declared."""
    after = await ws.next_plan()
    assert not after.has_changes, "plan after apply is not empty:\n" + describe(after.changes)
    assert after.unmanaged == (), after.unmanaged
    assert await duplicates(ws.control) == {}
    assert await stored_counts(ws.control) == declared_counts(ws)


async def converge(ws: Workspace, retry: RetryPolicy = FAST_RETRY) -> list[ApplyResult]:
    """Apply under the faults; if that did not finish, clear them and apply once more.
    The faults fire only on writes, so the checking reads are not disturbed."""
    results = [await apply_once(ws, retry)]
    if results[0].status is not ApplyStatus.SUCCESS:
        await ws.control.clear_faults()
        results.append(await apply_once(ws))
        assert results[-1].status is ApplyStatus.SUCCESS, results[-1].errors
    await assert_converged(ws)
    return results


def by_key(entries: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in entries:
        if entry["idempotency_key"] is not None:
            grouped[entry["idempotency_key"]].append(entry)
    return grouped


async def test_ten_percent_server_errors_on_writes(ws: Workspace) -> None:
    """10% of POSTs and PATCHes (seeded), and the first POST, answer a transient 5xx: the
    client retries each with its Idempotency-Key and the apply finishes."""
    # The first write fails for sure, so the test exercises retries whatever the seeds do.
    await ws.control.fault(kind="error", method="POST", count=1, status=502)
    await ws.control.fault(kind="error", method="POST", percentage=10, seed=11, status=503)
    await ws.control.fault(kind="error", method="PATCH", percentage=10, seed=12, status=500)

    results = await converge(ws)

    writes = await ws.control.writes()
    failed = [e for e in writes if e["status"] >= 500]
    assert failed, "no fault fired: the test exercised nothing"
    if len(results) == 1:
        remaining = await ws.control.faults()
        assert 1 + sum(f["fired"] for f in remaining) == len(failed)
    grouped = by_key(writes)
    for entry in failed:
        assert entry["idempotency_key"] is not None, entry
        tries = grouped[entry["idempotency_key"]]
        assert any(t["status"] < 300 for t in tries), f"never retried to success: {tries}"
        assert {t["path"] for t in tries} == {entry["path"]}


async def test_429_storm(ws: Workspace) -> None:
    """Once planned, the next 40 requests of any kind are answered 429 (Retry-After 0)."""
    planned = await ws.plan()
    await ws.control.fault(kind="rate_limit", count=40, retry_after=0)
    async with ws.target() as target:
        first = await apply_planned(planned, target)
    log = await ws.control.requests()
    assert sum(1 for e in log if e["status"] == 429) == 40
    if first.status is not ApplyStatus.SUCCESS:
        await apply_once(ws)
    await assert_converged(ws)


async def test_connection_dropped_after_create_commits(ws: Workspace) -> None:
    """A third of the creates commit, then the connection drops before the answer: the
    retry (same Idempotency-Key) gets the stored answer instead of creating again."""
    await ws.control.fault(
        kind="drop_after_commit", method="POST", path_regex=CREATES, percentage=33, seed=5
    )

    results = await converge(ws)
    assert len(results) == 1 and results[0].status is ApplyStatus.SUCCESS, results[0].errors

    writes = await ws.control.writes()
    dropped = [e for e in writes if e["dropped"]]
    assert dropped, "no connection was dropped: the test exercised nothing"
    grouped = by_key(writes)
    for entry in dropped:
        retries = [t for t in grouped[entry["idempotency_key"]] if t["seq"] > entry["seq"]]
        assert retries and all(t["replayed"] for t in retries), retries


async def test_dropped_creates_without_retries_are_found_by_natural_key(ws: Workspace) -> None:
    """As above, but the client does not retry (a crash right after the write): those
    changes fail, the objects exist anyway. The next apply (a fresh plan, so new keys)
    finds them by natural key and does not create them again."""
    await ws.control.fault(
        kind="drop_after_commit", method="POST", path_regex=CREATES, percentage=33, seed=5
    )

    results = await converge(ws, retry=NO_RETRY)

    assert results[0].status is not ApplyStatus.SUCCESS
    assert results[0].failed
    assert len(results) == 2
    assert not set(results[0].failed) & set(results[1].applied), (
        "a change whose create committed was made again"
    )

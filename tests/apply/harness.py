"""The real apply workflow against the real in-process emulator, and the emulator's
control API to look at (and tamper with) the account out of band.

`Workspace` is a project folder in a temporary directory (a `billing.toml` with one
embedded environment and generous client rate limits, plus a catalog) whose environment
is an emulator app shared with a control client. Everything between the test and the
emulator is our own code, unmodified: `commands.workflow.open_target` / `plan_target` /
`apply_planned` / `apply_saved`, the real `HttpCore` and the real emulator pipeline.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from alguna_emulator import create_app, emulator_transport
from reconciler.api import RetryPolicy
from reconciler.api.connection import EMBEDDED_API_KEY_PREFIX
from reconciler.apply.plan_files import default_plan_path
from reconciler.apply.progress import Progress
from reconciler.commands.project import Project
from reconciler.commands.workflow import (
    Catalog,
    Planned,
    Target,
    load_catalog,
    open_target,
    plan_target,
)
from reconciler.plan import ApplyResult, Change, Plan
from tests import builders
from tests.api.emulated import FAST_RETRY, START
from tests.builders import EXAMPLE_CATALOG

ENV = "local"
WRITE_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})

# Fast client budgets: the suite measures behaviour, not the API's documented pace.
BILLING_TOML = """\
default_environment = "{env}"

[variables]
trial_days = 14
growth_base_fee = "49.00"
support_email = "billing-sandbox@example.com"

[environments.{env}]
api = "embedded"
{protected}
[environments.{env}.rate_limits]
standard = 100000
bulk = 100000
events = 100000

[environments.other]
api = "embedded"

[environments.other.rate_limits]
standard = 100000
bulk = 100000
events = 100000

# A remote-looking environment (a loopback `billing sandbox serve`): its key comes from
# the process environment. Tests reach it through the same in-process emulator.
[environments.remote]
base_url = "http://127.0.0.1:8787"
api_key_env = "{remote_key_env}"

[environments.remote.rate_limits]
standard = 100000
bulk = 100000
events = 100000
"""
REMOTE_KEY_ENV = "ALGUNA_APPLY_TEST_KEY"
REMOTE_KEY = "sk_live_remoteLooking0123456789abcdef"


class Ticker:
    """A plan clock: START, then one minute later on every call (deterministic, and two
    plans never share a creation time, so never a plan id)."""

    def __init__(self, start: dt.datetime = START) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        moment = self.now
        self.now += dt.timedelta(minutes=1)
        return moment


@dataclass
class Control:
    """The emulator's control API (`/_emulator/`), scoped to one account (`api_key`)."""

    client: httpx.AsyncClient
    api_key: str

    def account(self, api_key: str) -> Control:
        """The same control client, scoped to another account."""
        return Control(self.client, api_key)

    async def reset(self) -> None:
        """Forget every object, key and fault; clear the request log and counters."""
        assert (await self.client.post("/reset")).status_code == 200
        await self.clear_faults()
        await self.clear_log()

    async def fault(self, **spec: Any) -> dict[str, Any]:
        response = await self.client.post("/faults", json=spec)
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    async def faults(self) -> list[dict[str, Any]]:
        response = await self.client.get("/faults")
        assert response.status_code == 200, response.text
        rows: list[dict[str, Any]] = response.json()
        return rows

    async def clear_faults(self) -> None:
        assert (await self.client.delete("/faults")).status_code == 204

    async def requests(self) -> list[dict[str, Any]]:
        """The API request log, oldest first."""
        response = await self.client.get("/requests", params={"limit": 10_000})
        assert response.status_code == 200, response.text
        entries: list[dict[str, Any]] = response.json()
        return entries

    async def writes(self) -> list[dict[str, Any]]:
        """Logged API requests that could change something (POST, PATCH, PUT, DELETE)."""
        return [e for e in await self.requests() if e["method"] in WRITE_METHODS]

    async def write_count(self) -> int:
        """Writes counted (the counters are never trimmed, unlike the log)."""
        response = await self.client.get("/counters")
        assert response.status_code == 200, response.text
        return sum(row["count"] for row in response.json() if row["method"] in WRITE_METHODS)

    async def request_count(self) -> int:
        """API requests counted, of every method (the counters are never trimmed)."""
        response = await self.client.get("/counters")
        assert response.status_code == 200, response.text
        return sum(row["count"] for row in response.json())

    async def clear_log(self) -> None:
        assert (await self.client.delete("/requests")).status_code == 204

    async def objects(self, kind: str) -> list[dict[str, Any]]:
        response = await self.client.get(f"/objects/{kind}", params={"api_key": self.api_key})
        assert response.status_code == 200, response.text
        data: list[dict[str, Any]] = response.json()["data"]
        return data

    async def edit(self, kind: str, obj_id: str, patch: Mapping[str, Any]) -> dict[str, Any]:
        """An out-of-band edit (a JSON merge patch, as in the dashboard)."""
        response = await self.client.patch(
            f"/objects/{kind}/{obj_id}", params={"api_key": self.api_key}, json=dict(patch)
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


def control_for(app: FastAPI, api_key: str) -> Control:
    client = httpx.AsyncClient(
        transport=emulator_transport(app), base_url="http://emulator.invalid/_emulator"
    )
    return Control(client, api_key)


# Natural keys per kind (DESIGN §6), read from stored objects.
def _natural_keys(kind: str, obj: Mapping[str, Any]) -> list[str]:
    if kind in ("metric", "plan", "bundle"):
        return [str(obj["name"])]
    if kind == "product":
        return [str(obj["sku"])] if obj.get("sku") else []
    if kind == "customer":
        return [str(a) for a in obj.get("aliases") or []]
    if kind == "subscription":
        key = (obj.get("metadata") or {}).get("billing_key")
        return [str(key)] if key else []
    raise ValueError(kind)


async def duplicates(control: Control) -> dict[str, list[str]]:
    """Natural keys held by more than one stored object, by kind (empty: none)."""
    found: dict[str, list[str]] = {}
    for kind in ("metric", "product", "plan", "bundle", "customer", "subscription"):
        counts = Counter(k for obj in await control.objects(kind) for k in _natural_keys(kind, obj))
        repeated = sorted(k for k, n in counts.items() if n > 1)
        if repeated:
            found[kind] = repeated
    return found


async def stored_counts(control: Control) -> dict[str, int]:
    kinds = ("metric", "product", "plan", "bundle", "customer", "subscription", "version")
    return {kind: len(await control.objects(kind)) for kind in kinds}


def describe(changes: Iterable[Change]) -> str:
    """Each change with its differing fields, for assertion messages."""
    lines: list[str] = []
    for change in changes:
        lines.append(f"{change.change_id}: {change.reason}")
        lines.extend(
            f"    {f.path}: {f.before!r} -> {f.after!r}"
            + (" (forces replace)" if f.forces_replace else "")
            for f in change.fields
        )
        if not change.fields and change.before is None:
            lines.append(f"    after: {change.after!r}")
    return "\n".join(lines)


def write_project(
    root: Path,
    *,
    catalog: Path | Mapping[str, str] = EXAMPLE_CATALOG,
    protected: bool = False,
) -> Project:
    """A project folder at `root`: this harness's billing.toml plus a catalog (a folder
    to copy, or file name -> TOML text), written by `tests.builders`."""
    text = BILLING_TOML.format(
        env=ENV,
        protected="protected = true\n" if protected else "",
        remote_key_env=REMOTE_KEY_ENV,
    )
    return Project.open(builders.write_project(root, catalog, settings=text))


@dataclass
class Workspace:
    """A project folder whose embedded environment is one shared in-process emulator."""

    root: Path
    app: FastAPI
    control: Control
    clock: Ticker = field(default_factory=Ticker)
    env: str = ENV

    @property
    def project(self) -> Project:
        """Re-read on every use, so a test may rewrite billing.toml or the catalog."""
        return Project.open(self.root)

    @asynccontextmanager
    async def target(
        self, env: str | None = None, retry: RetryPolicy = FAST_RETRY
    ) -> AsyncIterator[Target]:
        async with open_target(
            self.project, env or self.env, emulator_transport(self.app), retry=retry
        ) as target:
            yield target

    def plan_path(self, plan: Plan) -> Path:
        """Where `billing plan` saves `plan`: `<plans_dir>/<env>/<plan id>.json`."""
        return default_plan_path(self.root / self.project.settings.plans_dir, plan)

    def catalog(self, env: str | None = None) -> Catalog:
        return load_catalog(self.project, env or self.env)

    async def plan(self, env: str | None = None) -> Planned:
        async with self.target(env) as target:
            return await plan_target(self.catalog(env), target, clock=self.clock)

    async def next_plan(self) -> Plan:
        return (await self.plan()).plan


@asynccontextmanager
async def workspace(
    root: Path,
    *,
    catalog: Path | Mapping[str, str] = EXAMPLE_CATALOG,
    protected: bool = False,
) -> AsyncIterator[Workspace]:
    write_project(root, catalog=catalog, protected=protected)
    app = create_app(clock_start=START)
    control = control_for(app, EMBEDDED_API_KEY_PREFIX + ENV)
    try:
        yield Workspace(root=root, app=app, control=control)
    finally:
        await control.client.aclose()
        app.state.emulator.store.close()


class Recorder:
    """A `Progress` that records what apply reported, and may set `stop` once
    `stop_after` changes have finished (an interrupt halfway through)."""

    def __init__(self, stop: asyncio.Event | None = None, stop_after: int | None = None) -> None:
        self.stop = stop
        self.stop_after = stop_after
        self.todo: list[str] = []
        self.started: list[str] = []
        self.finished: list[tuple[str, str | None]] = []
        self.result: ApplyResult | None = None

    def begin(self, plan: Plan, todo: Sequence[Change]) -> None:
        self.todo = [c.change_id for c in todo]

    def change_started(self, change: Change) -> None:
        self.started.append(change.change_id)

    def change_finished(self, change: Change, error: str | None) -> None:
        self.finished.append((change.change_id, error))
        stop, after = self.stop, self.stop_after
        if stop is not None and after is not None and len(self.finished) >= after:
            stop.set()

    def interrupted(self) -> None:
        pass

    def end(self, result: ApplyResult) -> None:
        self.result = result


def _is_progress(recorder: Recorder) -> Progress:
    return recorder  # mypy: a Recorder is a Progress

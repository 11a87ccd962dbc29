"""Runs one plan scenario: catalog + starting live account -> plan -> masked goldens.

A scenario is a folder (see README.md in this folder):

- `catalog/*.toml`: the desired catalog, loaded as `billing plan` loads it;
- `live/*.toml` (optional): the starting live account, declared as a catalog and created
  in a fresh in-process emulator through the real client (`to_wire` + `AlgunaWriter`),
  so each object carries its natural key and matches as a managed object would; a
  subscription with `activate = true` is activated, one with `cancel` is canceled;
- `unmanaged.json` (optional): raw v2 bodies POSTed after seeding, `[{"path", "body"}]`;
  a string `"$id:<address>"` anywhere in a body is replaced by that seeded object's id;
- `edits.json` (optional): out-of-band edits after seeding, `[{"address", "patch"}]`,
  made with the emulator control API (`PATCH /_emulator/objects/<kind>/<id>`, a JSON
  merge patch, as a person in the dashboard would make it);
- `billing.toml` (optional): project settings whose `local` variables render the
  catalog (else the only variable is `env = "local"`).

Goldens: `expected.json` (`plan_json`, the plan file format), `expected.txt`
(`plan_text`, no colour) and `expected.md` (`plan_markdown`). Remote ids are random, so
each is masked as `<id:N>`, numbered by first appearance in the plan JSON (the text and
Markdown use the same numbers).
"""

from __future__ import annotations

import asyncio
import difflib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reconciler.api import ApiWriter
from reconciler.catalog import load_desired
from reconciler.diff import diff
from reconciler.live import fetch_live
from reconciler.model import Address, DesiredState, Kind, LiveState, Subscription
from reconciler.plan import Plan
from reconciler.planning.planner import make_plan
from reconciler.report.plan_output import plan_json, plan_markdown, plan_text
from reconciler.settings import load_settings
from reconciler.source.diagnostics import Diagnostic, Severity
from reconciler.wire import MapResolver, to_wire, version_to_wire
from tests.api.emulated import API_KEY, Emulated

HERE = Path(__file__).parent
CREATED_AT = datetime(2026, 5, 1, 12, tzinfo=UTC)
ENVIRONMENT = "local"
UPDATE = os.environ.get("UPDATE_GOLDENS") == "1"

CREATE_ORDER: tuple[Kind, ...] = ("metric", "product", "bundle", "plan", "customer", "subscription")
# Emulator ids: catalog objects and versions have prefixed ids, found in any text;
# customers and subscriptions have plain 8-character ids, read from the emulator.
PLAIN_ID_KINDS = ("customer", "subscription")
PREFIXED_ID = re.compile(r"\b(?:prod|mtr|pln|bnd|subv|price)_[0-9A-Za-z]{22}\b")


def scenario_folders() -> list[Path]:
    """Every scenario folder (one holding a `catalog/` folder), by name."""
    return sorted(p for p in HERE.iterdir() if (p / "catalog").is_dir())


class ScenarioError(AssertionError):
    """The scenario itself is broken (a bad catalog, a failed seed request)."""


@dataclass
class Outcome:
    """One scenario run: the states, the plan, and the plain remote ids to mask."""

    desired: DesiredState
    catalog_diagnostics: tuple[Diagnostic, ...]
    live: LiveState
    plan: Plan
    remote_ids: set[str] = field(default_factory=set)


def variables(folder: Path) -> dict[str, Any]:
    if (folder / "billing.toml").is_file():
        return {"env": ENVIRONMENT, **load_settings(folder).variables_for(ENVIRONMENT)}
    return {"env": ENVIRONMENT}


def load(folder: Path, catalog_dir: str) -> tuple[DesiredState, tuple[Diagnostic, ...]]:
    """A catalog of the scenario (`catalog` or `live`); fails on any error."""
    result = load_desired(folder, catalog_dir, ENVIRONMENT, variables(folder))
    if result.state is None:
        shown = "\n".join(str(d) for d in result.diagnostics)
        raise ScenarioError(f"{folder.name}/{catalog_dir} does not load:\n{shown}")
    return result.state, tuple(result.diagnostics)


async def seed(writer: ApiWriter, state: DesiredState) -> dict[str, str]:
    """Create every resource of `state` as apply would (dependency order, keyed
    creates, later versions after their subscription), then activate and cancel
    subscriptions as declared. Returns remote ids by address."""
    ids: dict[Address, str] = {}
    for kind in CREATE_ORDER:
        for key, resource in getattr(state, f"{kind}s").items():
            resolver = MapResolver(state, ids)
            body = to_wire(resource, key, resolver)
            created = await writer.create(f"/{kind}s", body, key=f"seed:{kind}.{key}")
            ids[Address(kind=kind, key=key)] = str(created["id"])
    for key, sub in state.subscriptions.items():
        remote = ids[Address(kind="subscription", key=key)]
        resolver = MapResolver(state, ids)
        for index, version in enumerate(sub.versions[1:], start=1):
            await writer.create(
                f"/subscriptions/{remote}/versions",
                version_to_wire(version, sub, resolver),
                key=f"seed:subscription.{key}.versions[{index}]",
            )
        await _lifecycle(writer, key, sub, remote)
    return {str(address): remote for address, remote in ids.items()}


async def _lifecycle(writer: ApiWriter, key: str, sub: Subscription, remote: str) -> None:
    """Activate (a cancellation needs an active subscription) and cancel, as declared."""
    if sub.activate or sub.cancel is not None:
        await writer.action(
            f"/subscriptions/{remote}/activate", key=f"seed:subscription.{key}#activate"
        )
    if sub.cancel is None:
        return
    effective = sub.cancel.effective
    body = {
        "reason": sub.cancel.reason,
        "effective": effective if isinstance(effective, str) else effective.isoformat(),
        "reason_description": sub.cancel.description,
    }
    await writer.action(
        f"/subscriptions/{remote}/cancel", body, key=f"seed:subscription.{key}#cancel"
    )


def with_ids(value: Any, seeded: Mapping[str, str]) -> Any:
    """`value` with every `"$id:<address>"` string replaced by the seeded remote id."""
    if isinstance(value, str) and value.startswith("$id:"):
        address = value.removeprefix("$id:")
        if address not in seeded:
            raise ScenarioError(f"{value}: no seeded object at {address}")
        return seeded[address]
    if isinstance(value, dict):
        return {k: with_ids(v, seeded) for k, v in value.items()}
    if isinstance(value, list):
        return [with_ids(v, seeded) for v in value]
    return value


def read_json(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    data = json.loads(path.read_text())
    if not isinstance(data, list) or not all(isinstance(entry, dict) for entry in data):
        raise ScenarioError(f"{path}: expected a JSON list of objects")
    return data


async def create_unmanaged(env: Emulated, folder: Path, seeded: Mapping[str, str]) -> None:
    for index, entry in enumerate(read_json(folder / "unmanaged.json")):
        body = with_ids(entry["body"], seeded)
        await env.writer.create(str(entry["path"]), body, key=f"unmanaged:{index}")


async def make_edits(env: Emulated, folder: Path, seeded: Mapping[str, str]) -> None:
    for entry in read_json(folder / "edits.json"):
        address = str(entry["address"])
        if address not in seeded:
            raise ScenarioError(f"edits.json: no seeded object at {address}")
        kind = Address.parse(address).kind
        response = await env.control.patch(
            f"/objects/{kind}/{seeded[address]}",
            json=with_ids(entry["patch"], seeded),
            params={"api_key": API_KEY},
        )
        if response.status_code != 200:
            raise ScenarioError(f"edit of {address} failed: {response.text}")


async def plain_ids(env: Emulated) -> set[str]:
    """The ids of every customer and subscription the emulator holds for our account:
    plain 8-character ids, which `PREFIXED_ID` cannot recognise in text."""
    listed = await asyncio.gather(*(env.objects(kind) for kind in PLAIN_ID_KINDS))
    return {str(obj["id"]) for objects in listed for obj in objects}


async def prepare(env: Emulated, folder: Path) -> tuple[DesiredState, tuple[Diagnostic, ...]]:
    """Seed the emulator with the scenario's live account; the desired state."""
    desired, diagnostics = load(folder, "catalog")
    seeded: dict[str, str] = {}
    if (folder / "live").is_dir():
        starting, _ = load(folder, "live")
        seeded = await seed(env.writer, starting)
    await create_unmanaged(env, folder, seeded)
    await make_edits(env, folder, seeded)
    return desired, diagnostics


async def plan_once(
    env: Emulated, desired: DesiredState, diagnostics: tuple[Diagnostic, ...]
) -> tuple[LiveState, Plan]:
    live = await fetch_live(env.reader, desired)
    result = diff(desired, live)
    plan = make_plan(desired, live, result, created_at=CREATED_AT, diagnostics=diagnostics)
    return live, plan


async def run(env: Emulated, folder: Path) -> Outcome:
    desired, diagnostics = await prepare(env, folder)
    live, plan = await plan_once(env, desired, diagnostics)
    return Outcome(
        desired=desired,
        catalog_diagnostics=diagnostics,
        live=live,
        plan=plan,
        remote_ids=await plain_ids(env),
    )


def has_errors(plan: Plan) -> bool:
    return any(d.severity is Severity.ERROR for d in plan.diagnostics)


# -- masking ------------------------------------------------------------------------------


def _id_pattern(remote: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![0-9A-Za-z_]){re.escape(remote)}(?![0-9A-Za-z_])")


class IdMask:
    """Replaces remote ids by `<id:N>`, numbered by first appearance in the first text
    masked (the plan JSON); later texts reuse the numbers and extend them."""

    def __init__(self, remote_ids: set[str]) -> None:
        self._known = remote_ids
        self._numbers: dict[str, int] = {}

    def __call__(self, text: str) -> str:
        candidates = self._known | set(PREFIXED_ID.findall(text))
        found: list[tuple[int, str]] = []
        for remote in candidates:
            if remote in self._numbers:
                continue
            match = _id_pattern(remote).search(text)
            if match is not None:
                found.append((match.start(), remote))
        for _, remote in sorted(found):
            self._numbers[remote] = len(self._numbers) + 1
        for remote, number in self._numbers.items():
            text = _id_pattern(remote).sub(f"<id:{number}>", text)
        return text


# -- goldens ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Golden:
    name: str
    text: str


def renderings(plan: Plan, remote_ids: set[str]) -> list[Golden]:
    """The goldens of a plan: JSON (the plan file format), text and Markdown, masked.

    Besides remote ids, the plan id's hash is masked: it hashes the changes, which carry
    remote ids (so two accounts never share a plan id), and so differs on every run of
    a scenario that touches a live object. Its timestamp part stays."""
    mask = IdMask(remote_ids)
    stamp, _, digest = plan.plan_id.partition("-")

    def masked(text: str) -> str:
        text = text.replace(plan.plan_id, f"{stamp}-<hash>") if digest else text
        return mask(text if text.endswith("\n") else text + "\n")

    return [
        Golden("expected.json", masked(plan_json(plan))),
        Golden("expected.txt", masked(plan_text(plan, color=False))),
        Golden("expected.md", masked(plan_markdown(plan))),
    ]


def check_golden(folder: Path, golden: Golden) -> str | None:
    """None if the golden matches (or was written under UPDATE_GOLDENS=1), else why not."""
    path = folder / golden.name
    if UPDATE:
        if not path.is_file() or path.read_text() != golden.text:
            path.write_text(golden.text)
        return None
    if not path.is_file():
        return (
            f"{folder.name}/{golden.name} is missing; run with UPDATE_GOLDENS=1 to write it,"
            " then read it before committing"
        )
    expected = path.read_text()
    if expected == golden.text:
        return None
    lines = difflib.unified_diff(
        expected.splitlines(keepends=True),
        golden.text.splitlines(keepends=True),
        fromfile=f"{folder.name}/{golden.name} (golden)",
        tofile="actual",
    )
    return "".join(lines)

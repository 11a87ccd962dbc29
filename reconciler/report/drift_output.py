"""`billing drift` output: a plan read the other way, as what changed outside the catalog.

The plan says what apply would do; drift says what is different now. The same changes are
framed from the live side: an update's fields read `live: X  declared: Y` (the live value
first, beside the declared one), a create reads "declared, missing from the live account".
Symbols are the plan's (`change_view`): they still say what `billing apply` would do.

Contracts:
- Text (`drift_text`) ends with exactly one summary line: `Drift: N resources differ from
  the catalog.` (followed by `; M differences apply does not change (see the
  warnings).` when there is drift that is a diagnostic, `Plan.live_drift`: a duplicate
  of a managed object, a subscription status that contradicts the catalog), or `No
  drift: the live account matches the catalog.` A resource is a `kind.key`: a
  subscription whose settings and versions both drifted counts once. With errors (exit
  1) the line says so and never reads "No drift" (`drift_summary`).
- Markdown (`drift_markdown`, an issue body): first line `<!-- alguna-billing drift: <env> -->`;
  byte-stable for the same plan; no trailing spaces.
- JSON (`drift_json`): `{environment, checked_at, drifted, resources: [{address, kind, key,
  action, remote_id, description, fields: [{path, live, declared}]}], unmanaged,
  diagnostics}`. `drifted` is true exactly when some declared resource differs or there
  is drift that is a diagnostic (`Plan.live_drift`); unmanaged
  objects are listed but are not drift (they are outside the catalog).
Unmanaged objects and diagnostics are shown as in the plan (`sections`), less the apply
guards (`plan.*`).
"""

from __future__ import annotations

import json

from reconciler.plan import Action, Change, Plan
from reconciler.report.change_view import ChangeView
from reconciler.report.sections import UNMANAGED_NOTE, diagnostic_lines, timestamp
from reconciler.report.templating import painter, render
from reconciler.source.diagnostics import Diagnostic, Severity

DESCRIPTION: dict[Action, str] = {
    Action.CREATE: "declared, missing from the live account",
    Action.UPDATE: "changed outside the catalog",
    Action.REPLACE: "changed outside the catalog, in a field that cannot change in place",
    Action.NEW_VERSION: "declared version not live",
    Action.ACTIVATE: "declared active, live is a draft",
    Action.CANCEL: "declared canceled, live is not",
    Action.NEW_REVISION: "the current plan revision differs from the catalog (name,"
    " description, currency or the content digest its marker records)",
    Action.NOOP: "matches the catalog",
}


def describe(change: Change) -> str:
    """The drift of `change` in words. An update with no field of its own (it only follows
    another change, such as a replaced product it refers to) is described by its reason."""
    if change.action is Action.UPDATE and not ChangeView.of(change).rows:
        return f"follows another change: {change.reason}"
    return DESCRIPTION[change.action]


def drift_diagnostics(plan: Plan) -> list[Diagnostic]:
    """The plan's diagnostics without the apply guards (`plan.*`): whether apply would
    need `--allow-replace` is the plan's question, not drift's."""
    return [d for d in plan.diagnostics if not d.code.startswith("plan.")]


def drifted_resources(plan: Plan) -> int:
    """Distinct `kind.key` among the changes: versions count with their subscription."""
    return len({(c.kind, c.key) for c in plan.changes})


def drift_summary(plan: Plan) -> str:
    """The one summary line. With errors (drift exits 1) it never says "No drift": a
    resource that could not be read or compared may differ. Drift that is a diagnostic
    (`Plan.live_drift`) is counted after the resources."""
    n, other = drifted_resources(plan), len(plan.live_drift)
    errors = sum(d.severity is Severity.ERROR for d in drift_diagnostics(plan))
    problems = f"{errors} error{'' if errors == 1 else 's'}"
    more = (
        f"{other} difference{'' if other == 1 else 's'} apply does not change (see the warnings)"
        if other
        else ""
    )
    if n == 0 and errors:
        return (
            f"Drift not fully checked: {problems} above; the resources they name may"
            " differ from the catalog."
        )
    if n == 0:
        return f"Drift: {more}." if other else "No drift: the live account matches the catalog."
    verb = "differs" if n == 1 else "differ"
    found = f"Drift: {n} resource{'' if n == 1 else 's'} {verb} from the catalog"
    if other:
        found += f"; {more}"
    if errors:
        return f"{found}; {problems} above (the resources they name were not compared)."
    return f"{found}."


def drift_text(plan: Plan, *, color: bool = False) -> str:
    """Drift for a terminal; ANSI colour only when `color`."""
    return render(
        "drift.txt.j2",
        plan=plan,
        checked=timestamp(plan.created_at),
        views=[ChangeView.of(c) for c in plan.changes],
        description={c.change_id: describe(c) for c in plan.changes},
        unmanaged_note=UNMANAGED_NOTE,
        diagnostics=diagnostic_lines(drift_diagnostics(plan)),
        summary=drift_summary(plan),
        paint=painter(color),
    )


def drift_markdown(plan: Plan) -> str:
    """An issue body: marker line first, byte-stable for the same plan."""
    return render(
        "drift.md.j2",
        plan=plan,
        checked=timestamp(plan.created_at),
        views=[ChangeView.of(c) for c in plan.changes],
        description={c.change_id: describe(c) for c in plan.changes},
        unmanaged_note=UNMANAGED_NOTE,
        diagnostics=drift_diagnostics(plan),
        summary=drift_summary(plan),
    )


def drift_json(plan: Plan) -> str:
    """The JSON object described in the module docstring, with a trailing newline."""
    payload = {
        "environment": plan.environment,
        "checked_at": timestamp(plan.created_at),
        "drifted": plan.has_changes or bool(plan.live_drift),
        "resources": [_resource(c) for c in plan.changes],
        "unmanaged": [u.model_dump(mode="json") for u in plan.unmanaged],
        "diagnostics": [d.model_dump(mode="json") for d in drift_diagnostics(plan)],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def _resource(change: Change) -> dict[str, object]:
    return {
        "address": change.address,
        "kind": change.kind,
        "key": change.key,
        "action": change.action.value,
        "remote_id": change.remote_id,
        "description": describe(change),
        "fields": [
            {"path": row.path, "live": row.before, "declared": row.after}
            for row in ChangeView.of(change).rows
        ],
    }

"""`billing apply` output: what was done, what failed and why, and what to do next.

Contracts:
- Text (`apply_text`): a line per failed change with its error, a line per change not
  attempted, then one status line with the counts, and for an incomplete apply the next
  step. Counts are by action, of the plan's changes that were applied.
- JSON (`apply_json`): the `ApplyResult` itself (`plan_id`, `applied`, `pending`,
  `failed`, `errors`, `status`), so a CI step can read what to retry.
- `resumption_notes`: for a saved plan, how many of its changes an earlier run made and
  how many other differences were left alone (stderr lines; none when both are 0).
"""

from __future__ import annotations

from reconciler.plan import Action, ApplyResult, ApplyStatus, Plan
from reconciler.report.change_view import count_phrases
from reconciler.report.templating import render

APPLIED_VERBS: dict[Action, str] = {
    Action.CREATE: "{n} created",
    Action.UPDATE: "{n} updated",
    Action.REPLACE: "{n} replaced",
    Action.NEW_VERSION: "{n} new version{s}",
    Action.ACTIVATE: "{n} activated",
    Action.CANCEL: "{n} canceled",
    Action.NEW_REVISION: "{n} new revision{s}",
}

NO_MESSAGE = "no error message recorded"
RERUN = (
    "Run `billing apply` again to finish: it picks up where this run stopped"
    " without duplicating anything."
)
FIX_FIRST = (
    "A failure that is not transient (a rejected value, a permission) needs its cause fixed first."
)


def apply_text(result: ApplyResult, plan: Plan) -> str:
    """`plan` is the plan `result` came from: it names the changes and their actions."""
    return render(
        "apply.txt.j2",
        failed=[(_describe(i, plan), result.errors.get(i, NO_MESSAGE)) for i in result.failed],
        pending=[_describe(i, plan) for i in result.pending],
        status=status_line(result, plan),
        next_steps=[] if result.status is ApplyStatus.SUCCESS else _next_steps(result),
    )


def apply_json(result: ApplyResult) -> str:
    """`ApplyResult.model_validate_json` reads it back."""
    return result.model_dump_json(indent=2) + "\n"


def status_line(result: ApplyResult, plan: Plan) -> str:
    """`Apply complete: 3 created, …` or the incomplete/failed form with every count."""
    applied = count_phrases(_applied_counts(result, plan), APPLIED_VERBS)
    total = len(result.applied) + len(result.pending) + len(result.failed)
    rest = f"{len(result.failed)} failed, {len(result.pending)} not attempted"
    if result.status is ApplyStatus.SUCCESS:
        if not result.applied:
            return "Apply complete: nothing to do; the live account already matched the plan."
        return f"Apply complete: {applied}."
    if result.status is ApplyStatus.PARTIAL:
        done = len(result.applied)
        return f"Apply incomplete: {done} of {total} changes applied ({applied}), {rest}."
    return f"Apply failed: none of {total} changes applied, {rest}."


def _applied_counts(result: ApplyResult, plan: Plan) -> dict[Action, int]:
    counts: dict[Action, int] = {}
    for change_id in result.applied:
        action = _split(change_id, plan)[1]
        if action is not None:
            counts[action] = counts.get(action, 0) + 1
    return counts


def _split(change_id: str, plan: Plan) -> tuple[str, Action | None]:
    """The address and action of a `Change.change_id` (`<address>#<action>`): from the
    plan when it holds the change, else parsed (None for an action this version lacks)."""
    for change in plan.changes:
        if change.change_id == change_id:
            return change.address, change.action
    address, _, action = change_id.rpartition("#")
    return address, Action(action) if action in set(Action) else None


def _describe(change_id: str, plan: Plan) -> str:
    """`plan.pro (update)`."""
    address, action = _split(change_id, plan)
    return f"{address} ({action.value if action else change_id.rpartition('#')[2]})"


def _next_steps(result: ApplyResult) -> list[str]:
    return [RERUN, FIX_FIRST] if result.failed else [RERUN]


def resumption_notes(done: int, outside: int) -> list[str]:
    notes = []
    if done:
        notes.append(
            f"{done} change(s) of this plan were already applied (an earlier run); the rest"
            " were made now."
        )
    if outside:
        notes.append(
            f"Note: {outside} other difference(s) are not in this plan and were left alone;"
            " run `billing plan` to see them."
        )
    return notes

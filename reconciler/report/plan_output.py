"""`billing plan` output: text for a terminal, Markdown for a PR comment, JSON for files.

Contracts:
- Text (`plan_text`): a header (with a line for a promotion and one for a partial plan,
  when the plan is one), a legend of the symbols used (see `change_view`), the money
  review (a table per changed price, `money_table`: money first, before any field), one
  block per change in apply order (symbol, address, action, remote id, reason, then the
  field rows money first, or an outline of what a create brings), the unmanaged objects,
  the diagnostics, and exactly one summary line, last. ANSI escapes only with `color=True`.
- Markdown (`plan_markdown`): first line `<!-- alguna-billing plan: <env> -->`, the marker
  a CI script looks for to update its comment in place. A promotion and a partial plan
  say so right under the plan id. Warnings up front (price
  increases among them); under each change its money tables, then its field table. The
  same plan renders to the same bytes (nothing reads the clock), and nothing ends in a
  space.
- JSON (`plan_json`): the saved plan file format itself (DESIGN §4), so `plan --format
  json` output can be applied as a plan file.
"""

from __future__ import annotations

from reconciler.plan import Action, Plan
from reconciler.report.change_view import LABEL, STYLE, SYMBOL, ChangeView, count_phrases
from reconciler.report.money_table import money_tables, tables_by_change
from reconciler.report.sections import UNMANAGED_NOTE, diagnostic_lines, fence, timestamp
from reconciler.report.templating import painter, render
from reconciler.source.diagnostics import Severity

PLAN_VERBS: dict[Action, str] = {
    Action.CREATE: "{n} to create",
    Action.UPDATE: "{n} to update",
    Action.REPLACE: "{n} to replace",
    Action.NEW_VERSION: "{n} new version{s}",
    Action.ACTIVATE: "{n} to activate",
    Action.CANCEL: "{n} to cancel",
    Action.NEW_REVISION: "{n} new revision{s}",
}


def summary_line(plan: Plan) -> str:
    """`Plan: 2 to create, … (12 unchanged).`, or the no-changes sentence; a plan with
    errors says that it cannot be applied."""
    unchanged = plan.summary.unchanged
    errors = sum(1 for d in plan.diagnostics if d.severity is Severity.ERROR)
    if errors:
        listed = f"Plan: {count_phrases(counts(plan), PLAN_VERBS)}" if plan.has_changes else ""
        blocked = f"{errors} error(s) must be fixed before this plan can be applied"
        return f"{listed}; {blocked}." if listed else f"Not applicable: {blocked}."
    if not plan.has_changes:
        return f"No changes. The live account matches the catalog ({unchanged} unchanged)."
    return f"Plan: {count_phrases(counts(plan), PLAN_VERBS)} ({unchanged} unchanged)."


def promotion_line(plan: Plan) -> str | None:
    """What a promoted plan says about its source (None for other plans)."""
    promotion = plan.promotion
    if promotion is None:
        return None
    return (
        f'Promotion from "{promotion.from_environment}": the live account there matched the'
        f" catalog ({promotion.source_unchanged} unchanged, read"
        f" {timestamp(promotion.source_checked_at)}, catalog"
        f' {promotion.source_catalog_digest}); this plan brings "{plan.environment}" to the'
        " same catalog."
    )


def partial_line(plan: Plan) -> str | None:
    """What a partial plan selects and leaves out (None for a whole plan)."""
    partial = plan.partial
    if partial is None:
        return None
    parts = []
    if partial.targets:
        parts.append("targets " + ", ".join(partial.targets))
    if partial.excludes:
        parts.append("excludes " + ", ".join(partial.excludes))
    if partial.pulled_in:
        parts.append("pulled in as dependencies " + ", ".join(partial.pulled_in))
    left = partial.left_out
    parts.append(f"{left} other change{'' if left == 1 else 's'} left out")
    return f"Partial plan: {'; '.join(parts)}."


def counts(plan: Plan) -> dict[Action, int]:
    """Changes per action, from the plan's summary (checked against its changes)."""
    return {action: getattr(plan.summary, action.value) for action in PLAN_VERBS}


def plan_text(plan: Plan, *, color: bool = False) -> str:
    """The terminal plan (module docstring); ANSI colour only when `color`."""
    views = [ChangeView.of(c) for c in plan.changes]
    return render(
        "plan.txt.j2",
        plan=plan,
        created=timestamp(plan.created_at),
        views=views,
        legend=legend(plan),
        money=money_tables(plan.review),
        unmanaged_note=UNMANAGED_NOTE,
        diagnostics=diagnostic_lines(plan.diagnostics),
        summary=summary_line(plan),
        promotion=promotion_line(plan),
        partial=partial_line(plan),
        paint=painter(color),
    )


def legend(plan: Plan) -> list[tuple[str, str, str]]:
    """`(symbol, meaning, style)` for the symbols this plan uses, in action order; actions
    sharing a symbol share an entry (`+ create or new version`)."""
    used = {c.action for c in plan.changes}
    entries: dict[str, tuple[list[str], str]] = {}
    for action in Action:
        if action in used:
            entries.setdefault(SYMBOL[action], ([], STYLE[action]))[0].append(LABEL[action])
    return [(symbol, " or ".join(labels), style) for symbol, (labels, style) in entries.items()]


def plan_markdown(plan: Plan) -> str:
    """The PR comment: marker line first, byte-stable for the same plan."""
    views = [ChangeView.of(c) for c in plan.changes]
    return render(
        "plan.md.j2",
        plan=plan,
        created=timestamp(plan.created_at),
        views=views,
        fences={v.change.change_id: fence(v.outline) for v in views},
        money=tables_by_change(plan),
        table=[
            (LABEL[a], n)
            for a, n in counts(plan).items()
            if n or a is not Action.NEW_REVISION  # shown only when there are some
        ],
        alerts=alerts(plan),
        others=[d for d in plan.diagnostics if not _up_front(d.code, d.severity)],
        unmanaged_note=UNMANAGED_NOTE,
        summary=summary_line(plan),
        promotion=promotion_line(plan),
        partial=partial_line(plan),
    )


def plan_json(plan: Plan) -> str:
    """The plan file format (DESIGN §4): `Plan.model_validate_json` reads it back."""
    return plan.model_dump_json(indent=2) + "\n"


def alerts(plan: Plan) -> list[tuple[str, str, str]]:
    """`(level, code, message)` of what a reviewer must see before anything else: error
    diagnostics, the planner's guards (`plan.*`) and every replacement (a replacement
    without a guard diagnostic gets one here, so none can go unnoticed)."""
    found = [
        ("Error" if d.severity is Severity.ERROR else "Warning", d.code, d.message)
        for d in plan.diagnostics
        if _up_front(d.code, d.severity)
    ]
    guarded = {d.field for d in plan.diagnostics if d.code.startswith("plan.")}
    for change in plan.changes:
        if change.action is Action.REPLACE and change.address not in guarded:
            message = f"{change.address} will be replaced: {change.reason}"
            found.append(("Warning", "plan.replace", message))
    return found


def _up_front(code: str, severity: Severity) -> bool:
    return severity is Severity.ERROR or code.startswith("plan.")

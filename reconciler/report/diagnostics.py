"""Renders diagnostics as text (one line each, compiler style), JSON or Markdown.

Markdown is what `plan` and `drift --format markdown` print when there is no plan to show
(the catalog has errors): a CI comment or issue body that starts with the same marker line
as the report it stands in for, so a workflow updates the same comment.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from reconciler.report.templating import code, md
from reconciler.source.diagnostics import Diagnostic, Severity


def diagnostics_text(diagnostics: Sequence[Diagnostic]) -> str:
    """`file:line: error code [field]: message` lines, then a count."""
    lines = [str(d) for d in diagnostics]
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    lines.append(f"{errors} error(s), {warnings} warning(s)")
    return "\n".join(lines)


def diagnostics_json(diagnostics: Sequence[Diagnostic], **extra: object) -> str:
    """`{"valid": bool, "diagnostics": [...], ...extra}` with stable key order."""
    payload = {
        "valid": not any(d.severity is Severity.ERROR for d in diagnostics),
        **extra,
        "diagnostics": [d.model_dump(mode="json") for d in diagnostics],
    }
    return json.dumps(payload, indent=2)


def diagnostics_markdown(
    diagnostics: Sequence[Diagnostic], *, report: str, environment: str
) -> str:
    """A `report` ("plan" or "drift") body for `environment` that says it could not be
    made, and lists every diagnostic: marker line first, byte-stable, no trailing spaces.
    Values go through `md` and `code` (a message cannot inject links or HTML)."""
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    lines = [
        f"<!-- alguna-billing {report}: {environment} -->",
        f"## Billing {report} for {code(environment)}",
        "",
        f"**The catalog has {errors} error(s) and {warnings} warning(s): {report} not"
        " checked; nothing was read from or written to the account.**",
        "",
        "| severity | where | code | field | problem |",
        "| --- | --- | --- | --- | --- |",
    ]
    for d in diagnostics:
        where = f"{d.file}:{d.line}" if d.file and d.line else (d.file or "")
        cells = (
            d.severity.value,
            code(where) if where else "",
            code(d.code),
            code(d.field) if d.field else "",
            md(d.message),
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"

"""Renders diagnostics as text (one line each, compiler style) or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence

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

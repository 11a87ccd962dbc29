"""Sections that every plan-shaped report shows the same way: diagnostics and unmanaged
objects. Plan and drift share them, so a reviewer reading either sees the same lines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from reconciler.report.diagnostics import diagnostics_text
from reconciler.source.diagnostics import Diagnostic, Severity

UNMANAGED_NOTE = "not managed by this catalog; never touched; `billing import` adopts them"

SEVERITY_STYLE = {Severity.ERROR: "red", Severity.WARNING: "yellow"}


def diagnostic_lines(diagnostics: Sequence[Diagnostic]) -> list[tuple[str, str]]:
    """`(line, style)` pairs: the `diagnostics_text` lines (compiler style, then a count),
    each diagnostic's line styled by its severity. Empty when there is nothing to say."""
    if not diagnostics:
        return []
    lines = diagnostics_text(diagnostics).split("\n")
    styles = [SEVERITY_STYLE[d.severity] for d in diagnostics]
    return [(line, styles[i] if i < len(styles) else "bold") for i, line in enumerate(lines)]


def fence(lines: Sequence[str]) -> str:
    """A code fence longer than any backtick run that opens one of `lines`, so a value can
    never close the block early."""
    starts = [line.lstrip(" ") for line in lines]
    longest = max((len(s) - len(s.lstrip("`")) for s in starts), default=0)
    return "`" * max(3, longest + 1)


def timestamp(when: dt.datetime) -> str:
    """`2026-05-01T12:00:00Z`: UTC to the second, as plan ids and plan files write it."""
    return f"{when.astimezone(dt.UTC):%Y-%m-%dT%H:%M:%SZ}"

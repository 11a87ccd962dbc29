"""`billing import` output: what was imported, adopted and skipped, and what to do next.

Text (`import_text`): a heading (nothing to import, a dry run, or how many objects went
into how many files), a line per imported object (its id, file, adoption and what needed
it), the skipped objects with why, the imported objects the next plan would still change,
the diagnostics of the new files, then the next step.
"""

from __future__ import annotations

from reconciler.commands.importing import ImportResult
from reconciler.report.diagnostics import diagnostics_text


def import_text(result: ImportResult) -> str:
    """The import summary: files, objects (with adoption and why pulled in), skipped."""
    lines: list[str] = []
    env = result.environment
    if not result.imported:
        lines.append(f"Nothing to import from {env!r}: every live object is declared or skipped.")
    elif result.dry_run:
        lines.append(f"Would import {len(result.imported)} object(s) from {env!r} (dry run):")
    else:
        lines.append(
            f"Imported {len(result.imported)} object(s) from {env!r} into"
            f" {len(result.files)} file(s):"
        )
    for item in result.imported:
        where = f" -> {item.file}" if item.file else ""
        notes = []
        if item.adopted:
            notes.append(("would " if result.dry_run else "adopted: ") + item.adopted)
        if item.needed_by:
            notes.append("needed by " + ", ".join(item.needed_by))
        note = f"  ({'; '.join(notes)})" if notes else ""
        lines.append(f"  {item.address}  (id {item.remote_id}){where}{note}")
    if result.skipped:
        lines.append(f"Skipped {len(result.skipped)} object(s):")
        lines.extend(f"  {s.address}  (id {s.remote_id}): {s.reason}" for s in result.skipped)
    if result.residual:
        lines.append("Warning: the next plan would still change these imported objects:")
        lines.extend(f"  {r}" for r in result.residual)
    if result.diagnostics:
        lines.append(diagnostics_text(list(result.diagnostics)))
    if result.files and result.outside_catalog:
        lines.append(
            "Note: the files are outside the catalog folder; move them there for"
            " `billing plan` to see them."
        )
    elif result.files:
        lines.append(f"Next: billing plan --env {env} (no change for the imported objects).")
    return "\n".join(lines) + "\n"

"""`billing fmt` output: a line per file that changed (or would), a line per file left
alone or not TOML, and the closing count.

- `changed_lines` (stdout): `formatted <file>` or `would reformat <file>` per changed file,
  each followed by its unified diff when asked.
- `problem_lines` (stderr): `<file>[:line]: warning fmt.skipped: ...` per skipped file,
  then `<file>[:line]: error fmt.invalid: ...` per file with errors.
- `fmt_summary` (stderr): the counts, and with --check the command that fixes them.
"""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.commands.fmt.files import FileOutcome, Status


def changed_lines(outcomes: Sequence[FileOutcome], *, check: bool, show_diff: bool) -> str:
    """What changed, as `click.echo` would have printed it (so without a final newline)."""
    parts: list[str] = []
    for outcome in outcomes:
        if outcome.status is not Status.CHANGED:
            continue
        parts.append(f"{'would reformat' if check else 'formatted'} {outcome.shown}\n")
        if show_diff:
            parts.append(outcome.diff)
    return "".join(parts)


def _where(outcome: FileOutcome) -> str:
    return f"{outcome.shown}:{outcome.line}" if outcome.line else outcome.shown


def problem_lines(outcomes: Sequence[FileOutcome]) -> list[str]:
    lines = [
        f"{_where(o)}: warning fmt.skipped: {o.message}"
        for o in outcomes
        if o.status is Status.SKIPPED
    ]
    lines += [
        f"{_where(o)}: error fmt.invalid: {o.message}" for o in outcomes if o.status is Status.ERROR
    ]
    return lines


def fmt_summary(outcomes: Sequence[FileOutcome], *, check: bool) -> str:
    count = {status: sum(o.status is status for o in outcomes) for status in Status}
    changed, errors, skipped = count[Status.CHANGED], count[Status.ERROR], count[Status.SKIPPED]
    verb = "would be reformatted" if check else "reformatted"
    canonical = len(outcomes) - changed - errors - skipped
    text = (
        f"{changed} file(s) {verb}, {canonical} already canonical,"
        f" {skipped} left as they are, {errors} with errors."
    )
    if check and changed:
        text += "\nRun `billing fmt` to format them."
    return text

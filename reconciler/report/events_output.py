"""`billing events send` output: the summary of a send and its progress bar.

- Text (`send_text`): where the events went and how long it took (a rate from 100 events),
  the accepted count, failed and invalid counts, then the first `SHOWN_FAILURES` failures
  in line order and how many more there were. The API's answer does not say which
  accepted events it already had (it keeps them once), so accepted events are never
  shown as new: how many were new is known only when none were accepted.
- JSON (`send_json`): the same counts (`ingested` = accepted; `new` and `duplicates` are
  null when unknown), the number of unique ids, the seconds and every failure (`line`,
  `unique_id`, `reason`).
- `send_progress`: the transient bar on stderr that counts the lines of a file as they are
  sent (the CLI shows it on a terminal only).
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

SHOWN_FAILURES = 20


class SendSummary(Protocol):
    """What happened to each line of a send (the CLI's tally)."""

    source: str
    environment: str
    ingested: int
    failed: int
    invalid: int
    unique_ids: set[str]
    failures: list[dict[str, Any]]
    seconds: float


def send_json(summary: SendSummary) -> str:
    return json.dumps(
        {
            "environment": summary.environment,
            "source": summary.source,
            "ingested": summary.ingested,
            "new": 0 if _none_accepted(summary) else None,
            "duplicates": 0 if _none_accepted(summary) else None,
            "failed": summary.failed,
            "invalid": summary.invalid,
            "unique_ids": len(summary.unique_ids),
            "seconds": round(summary.seconds, 3),
            "failures": summary.failures,
        },
        indent=2,
    )


def send_text(summary: SendSummary) -> str:
    total = summary.ingested + summary.failed + summary.invalid
    # A rate over a handful of events would mostly measure start-up.
    rate = f" ({total / summary.seconds:,.0f} events/s)" if total >= 100 else ""
    lines = [
        f"Sent {summary.source} to {summary.environment!r} in {summary.seconds:.2f} s{rate}:",
        *_accepted(summary),
        f"  failed     {summary.failed:,}",
    ]
    if summary.invalid:
        lines.append(f"  invalid    {summary.invalid:,} (not sent)")
    shown = sorted(summary.failures, key=lambda f: (f["line"] is None, f["line"] or 0))
    for failure in shown[:SHOWN_FAILURES]:
        where = f"line {failure['line']}" if failure["line"] else failure["unique_id"]
        lines.append(f"  ! {where}: {failure['reason']}")
    if len(summary.failures) > SHOWN_FAILURES:
        lines.append(f"  ... and {len(summary.failures) - SHOWN_FAILURES} more")
    return "\n".join(lines)


def _none_accepted(summary: SendSummary) -> bool:
    """Whether how many events were new is known: only when none were accepted (the
    API's answer lists the accepted events, not which of them it already had)."""
    return summary.ingested == 0


def _accepted(summary: SendSummary) -> list[str]:
    ids = f"({len(summary.unique_ids):,} unique ids)"
    if _none_accepted(summary):
        return [f"  ingested   0 new {ids}"]
    return [
        f"  accepted   {summary.ingested:,} {ids}; how many were new is not known (the"
        " API's answer does not say)"
    ]


def send_progress() -> Progress:
    """A transient bar on stderr; the caller adds the task, starts and stops it."""
    return Progress(
        TextColumn("sending"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    )

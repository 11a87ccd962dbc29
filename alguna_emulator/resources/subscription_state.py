"""What a subscription *is* at a moment: status, current version, pending changes, dates.

Owns the derived state of a subscription, computed from stored facts and the emulator clock:
status (``draft``, ``scheduled``, ``active``, ``completed``, ``canceled``; a stored ``status``
written out of band, e.g. ``paused``, wins), the current version (the published version with
the latest ``effective_at`` not after now; ties go to the one published last), pending changes
(drafts and future published versions), monthly billing cycles, and the resolution of
``effective`` keywords and dates. Must not write anything.
"""

from __future__ import annotations

import calendar
from datetime import datetime
from typing import Any

from ..clock import format_ts, parse_ts
from ..errors import ApiError
from ..store import Doc, Store

EFFECTIVE_KEYWORDS = ("immediate", "next_billing_period", "end_of_term", "billing_cycle_start")


def add_months(moment: datetime, months: int) -> datetime:
    """The same day-of-month ``months`` later, clamped to the month's last day."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def status_of(sub: Doc, now: datetime) -> str:
    """The subscription's status at ``now``."""
    cancellation = sub.get("cancellation")
    if cancellation and parse_ts(cancellation["effective_at"]) <= now:
        return "canceled"
    if isinstance(sub.get("status"), str):
        return str(sub["status"])
    if not sub.get("activated_at"):
        return "draft"
    contract = sub["contract"]
    if parse_ts(contract["start_date"]) > now:
        return "scheduled"
    end = contract.get("end_date")
    if end and parse_ts(end) <= now and not sub["renewal"].get("auto_renew"):
        return "completed"
    return "active"


def current_version(versions: list[Doc], now: datetime) -> Doc | None:
    """The version in force at ``now``, if any."""
    live = [
        v for v in versions if v["status"] == "published" and parse_ts(v["effective_at"]) <= now
    ]
    if not live:
        return None
    return max(live, key=lambda v: (parse_ts(v["effective_at"]), v.get("published_order", 0)))


def pending_changes(versions: list[Doc], now: datetime) -> list[dict[str, Any]]:
    """Drafts and published versions that take effect after ``now``, soonest first."""
    pending = [v for v in versions if v["status"] == "draft" or parse_ts(v["effective_at"]) > now]
    pending.sort(key=lambda v: parse_ts(v["effective_at"]))
    return [
        {
            "version_id": v["id"],
            "status": v["status"],
            "description": v.get("description"),
            "effective_at": v["effective_at"],
        }
        for v in pending
    ]


def view(store: Store, account: str, sub: Doc, now: datetime) -> Doc:
    """The subscription as the API returns it: stored facts plus derived state."""
    versions = store.list(account, "version", parent=sub["id"])
    current = current_version(versions, now)
    return {
        **sub,
        "status": status_of(sub, now),
        "current_version_id": None if current is None else current["id"],
        "pending_changes": pending_changes(versions, now),
    }


def _cycle_anchor(sub: Doc) -> datetime:
    first = sub["billing"].get("first_billing_date")
    return parse_ts(first or sub["contract"]["start_date"])


def cycle_bounds(sub: Doc, now: datetime) -> tuple[datetime, datetime]:
    """Start and end of the monthly billing cycle containing ``now`` (assumed monthly)."""
    anchor = _cycle_anchor(sub)
    if now < anchor:
        return anchor, add_months(anchor, 1)
    months = (now.year - anchor.year) * 12 + now.month - anchor.month
    start = add_months(anchor, months)
    if start > now:
        start = add_months(anchor, months - 1)
    return start, add_months(start, 1)


def resolve_effective(sub: Doc, effective: str, now: datetime) -> datetime:
    """An ``effective`` keyword or date as a moment; 422 for anything else."""
    if effective == "immediate":
        return now
    if effective in ("next_billing_period", "billing_cycle_start"):
        start, end = cycle_bounds(sub, now)
        return end if effective == "next_billing_period" else min(start, now)
    if effective == "end_of_term":
        end = sub["contract"].get("end_date")
        return parse_ts(end) if end else cycle_bounds(sub, now)[1]
    try:
        return parse_ts(effective)
    except ValueError:
        allowed = ", ".join(EFFECTIVE_KEYWORDS)
        raise ApiError(
            422, f"effective must be one of {allowed} or a date (YYYY-MM-DD), not {effective!r}"
        ) from None


def contract_end(contract: Doc) -> str | None:
    """A fixed contract ends ``duration_months`` after its start; rolling ones do not end."""
    months = contract.get("duration_months")
    if contract.get("period_type") != "fixed" or not months:
        return None
    return format_ts(add_months(parse_ts(contract["start_date"]), int(months)))

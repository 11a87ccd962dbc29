"""``GET /subscriptions/{id}/billing-dates``: the dates a change may be scheduled on.

Owns the answer shape (dates as ``YYYY-MM-DD``, as documented) computed from the monthly
billing cycles of subscription_state: up to twelve upcoming cycle starts before the contract
ends, the current cycle, and the rest of it as the valid mid-cycle range. Must not schedule
anything.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from ..clock import parse_ts
from ..routing import api_router
from ..runtime import CtxDep
from .lookup import get_or_404
from .subscription_state import add_months, cycle_bounds

router = api_router("subscriptions")

UPCOMING_CYCLES = 12


class DateRange(BaseModel):
    start_date: str
    end_date: str


class BillingDates(BaseModel):
    valid_on_cycle_dates: list[str]
    contract_end_date: str | None = None
    current_cycle: DateRange
    next_billing_date: str
    next_renewal_date: str | None = None
    valid_mid_cycle_range: DateRange


def _day(moment: datetime) -> str:
    return moment.date().isoformat()


@router.get("/subscriptions/{subscription_id}/billing-dates", response_model=BillingDates)
async def billing_dates(subscription_id: str, ctx: CtxDep) -> dict[str, Any]:
    sub = get_or_404(ctx, "subscription", subscription_id)
    now = ctx.clock.now()
    start, end = cycle_bounds(sub, now)
    contract_end = sub["contract"].get("end_date")
    limit = parse_ts(contract_end) if contract_end else None
    upcoming = [add_months(end, n) for n in range(UPCOMING_CYCLES)]
    renews = bool(sub["renewal"].get("auto_renew")) and contract_end is not None
    return {
        "valid_on_cycle_dates": [_day(d) for d in upcoming if limit is None or d <= limit],
        "contract_end_date": contract_end[:10] if contract_end else None,
        "current_cycle": {"start_date": _day(start), "end_date": _day(end)},
        "next_billing_date": _day(end),
        "next_renewal_date": contract_end[:10] if renews and contract_end else None,
        "valid_mid_cycle_range": {"start_date": _day(now), "end_date": _day(end)},
    }

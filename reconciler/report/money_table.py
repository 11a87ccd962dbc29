"""The plan's money review (`Plan.review`) as tables: one per changed price.

Columns `quantity  before  after  change  %` (the first is `volume` for the percentage
models and `usage` for expressions, whose every metric takes the sampled value). Values
are the review's own decimals, never recomputed: the exact charges, with at least the
currency's minor-unit decimals (more where the charge has them), thousands separators;
the change signed (`+10.00`, `-0.05`, `0.00`); the percentage signed with 2 decimals,
`n/a` when there is no base (before missing or 0); `(none)` for a side
without the price (an item added or removed); `any` for the quantity of a price that
reads no usage. Every column is right-aligned in text, so the numbers line up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from reconciler.plan import ChargeSample, Plan, PriceReview

_FIRST_COLUMN = {
    "units": "quantity",
    "volume": "volume",
    "metrics": "usage",
    "flat": "quantity",
    "mixed": "quantity",
}
_NOTES = {
    "metrics": "every metric the expression reads set to the sampled usage",
    "mixed": "each sample used as quantity and as volume",
}


@dataclass(frozen=True)
class MoneyTable:
    """One review, ready to print: `title` (what is priced), `details` (how to read it),
    the header and the rows as strings, or `problem` (then no rows)."""

    review: PriceReview
    title: str
    details: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    problem: str | None = None

    def lines(self) -> list[str]:
        """The header and rows as text, every column right-aligned, two spaces apart."""
        table = [self.header, *self.rows]
        widths = [max(len(row[i]) for row in table) for i in range(len(self.header))]
        return ["  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)) for row in table]


def money_tables(reviews: Sequence[PriceReview]) -> list[MoneyTable]:
    """A table per review, in the plan's order (change order, then item path)."""
    return [money_table(review) for review in reviews]


def tables_by_change(plan: Plan) -> dict[str, list[MoneyTable]]:
    """The tables of `plan`'s reviews, by `Change.change_id` (for the per-change Markdown)."""
    out: dict[str, list[MoneyTable]] = {}
    for table in money_tables(plan.review):
        out.setdefault(table.review.change_id, []).append(table)
    return out


def money_table(review: PriceReview) -> MoneyTable:
    header = (_FIRST_COLUMN[review.basis], "before", "after", "change", "%")
    return MoneyTable(
        review=review,
        title=f"{review.address} {review.item}",
        details=details(review),
        header=header,
        rows=tuple(_row(sample) for sample in review.samples),
        problem=review.problem,
    )


def details(review: PriceReview) -> str:
    """`graduated_tiered, USD per billing period` plus what else the reader must know:
    the model change, the version compared with, the period priced."""
    before, after = review.before_type, review.after_type
    if before is None:
        model = f"added, {after}"
    elif after is None:
        model = f"removed, {before}"
    else:
        model = before if before == after else f"{before} -> {after}"
    if review.one_off:
        when = f"in billing period {review.period_index + 1}"
        parts = [f"{model}, {review.currency} once (one-off), {when}"]
    else:
        parts = [f"{model}, {review.currency} per billing period"]
    if review.compared_with is not None:
        parts.append(f"compared with {review.compared_with}")
    if review.period_index and not review.one_off:
        parts.append(f"billing period {review.period_index + 1}, the first after the trial")
    if review.basis in _NOTES:
        parts.append(_NOTES[review.basis])
    return "; ".join(parts)


def _row(sample: ChargeSample) -> tuple[str, str, str, str, str]:
    return (
        _usage(sample),
        amount(sample.before),
        amount(sample.after),
        signed_grouped(sample.difference),
        percent(sample.percent_change),
    )


def _usage(sample: ChargeSample) -> str:
    text = "any" if sample.quantity is None else f"{sample.quantity:,f}"
    if sample.transactions and sample.quantity:
        text += f" ({sample.transactions} tx)"
    tests = [n.strip() for n in sample.note.split(",") if n.strip().startswith("test ")]
    if tests:
        text += f" [{', '.join(tests)}]"
    return text


def amount(value: Decimal | None) -> str:
    """`1,234.50`, or `(none)` for a side without the price."""
    return "(none)" if value is None else f"{value:,f}"


def signed_grouped(value: Decimal) -> str:
    """`+1,234.50`, `-0.05`, `0.00`: grouped like `amount`, and zero has no sign
    (unlike `pricing_output.signed_plain`'s `+0.00`)."""
    return f"{abs(value):,f}" if value == 0 else f"{value:+,f}"


def percent(value: Decimal | None) -> str:
    """`+20.41%`, `-3.64%`, `0.00%`; `n/a` without a base."""
    if value is None:
        return "n/a"
    return f"{signed_grouped(value)}%"

"""`billing quote` and `billing test`: offline pricing from the catalog.

Both load the catalog for the environment (rendering its templates with that
environment's variables) and price with the engine; neither opens the API. Exit codes:
`quote` 0 on success, 1 on a catalog error or a bad reference, usage or currency; `test` 0
when every test passes (or none is declared), 1 on any failure or catalog error.
"""

from __future__ import annotations

import sys
from decimal import Decimal, InvalidOperation

import click

from alguna_pricing.errors import InvalidUsageError
from alguna_pricing.usage import UsageGroup
from reconciler.cli.common import Context, env_option, guarded, stdout_color
from reconciler.commands.invoice_tests import run_invoice_tests
from reconciler.commands.pricing_tests import run_tests
from reconciler.commands.workflow import load_catalog
from reconciler.errors import InvalidInputError
from reconciler.model import DesiredState
from reconciler.pricing.quoting import quote_price
from reconciler.pricing.refs import all_prices
from reconciler.report.diagnostics import diagnostics_json
from reconciler.report.invoice_output import with_invoice_tests, with_invoice_tests_json
from reconciler.report.pricing_output import (
    quote_json,
    quote_text,
    references_json,
    references_text,
    tests_json,
    tests_text,
)

_FORMAT = click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")


def _decimal(option: str, text: str | None, *, signed: bool = False) -> Decimal | None:
    """An exact decimal from the command line (`1_000_000`, `2.5`), never a float. A bad
    value is a user error (exit 1, like every other bad input), not a usage error."""
    if text is None:
        return None
    try:
        amount = Decimal(text.strip().replace("_", ""))
    except InvalidOperation:
        raise InvalidUsageError(f"{option} {text!r} is not a decimal number") from None
    if not amount.is_finite() or (amount < 0 and not signed):
        raise InvalidUsageError(f"{option} {text!r} must be a finite number >= 0")
    return amount


def _whole(option: str, text: str | None) -> int | None:
    if text is None:
        return None
    value = text.strip().replace("_", "")
    if not (value.isascii() and value.isdigit()):
        raise InvalidUsageError(f"{option} {text!r} must be a whole number >= 0")
    return int(value)


def _metrics(pairs: tuple[str, ...]) -> dict[str, Decimal] | None:
    """`--metric key=value` options as a mapping (None when none was given)."""
    if not pairs:
        return None
    out: dict[str, Decimal] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        amount = _decimal(f"--metric {key.strip()}", value, signed=True) if sep else None
        if amount is None or not key.strip():
            raise InvalidUsageError(f"--metric {pair!r}: write KEY=VALUE, e.g. api_calls=1200")
        out[key.strip()] = amount
    return out


_GROUP_HELP = "write PROPERTY=VALUE[,...]:FIELD=AMOUNT[,...], e.g. region=eu,plan=pro:quantity=250"
_GROUP_FIELDS = ("quantity", "volume", "count")


def _groups(values: tuple[str, ...]) -> list[UsageGroup] | None:
    """`--group` options (a matrix price's usage by event properties) as usage groups: the
    event properties before the last `:`, the usage fields (`quantity`, `volume`, `count`)
    after it. None when none was given."""
    if not values:
        return None
    out: list[UsageGroup] = []
    for text in values:
        props_text, sep, usage_text = text.rpartition(":")
        if not sep or not usage_text.strip():
            raise InvalidUsageError(f"--group {text!r}: {_GROUP_HELP}")
        properties: dict[str, str] = {}
        for pair in filter(None, (p.strip() for p in props_text.split(","))):
            key, eq, value = pair.partition("=")
            if not eq or not key.strip() or not value.strip():
                raise InvalidUsageError(f"--group {text!r}: property {pair!r}: {_GROUP_HELP}")
            properties[key.strip()] = value.strip()
        fields: dict[str, str] = {}
        for pair in (p.strip() for p in usage_text.split(",")):
            name, eq, amount = pair.partition("=")
            if not eq or name.strip() not in _GROUP_FIELDS:
                raise InvalidUsageError(
                    f"--group {text!r}: {pair!r} is not quantity=, volume= or count="
                )
            fields[name.strip()] = amount
        out.append(
            UsageGroup(
                properties,
                quantity=_decimal("--group quantity", fields.get("quantity")) or Decimal(0),
                volume=_decimal("--group volume", fields.get("volume")) or Decimal(0),
                transactions=_whole("--group count", fields.get("count")) or 0,
            )
        )
    return out


def _desired(obj: Context, env: str | None) -> DesiredState:
    project = obj.project()
    return load_catalog(project, project.environment(env)).desired


@click.command()
@click.argument("price_ref", required=False)
@env_option
@click.option("--quantity", default=None, help="Units (unit and unit-tier models).")
@click.option("--volume", default=None, help="Volume (percentage models).")
@click.option("--count", default=None, help="Transactions (volume_percentage).")
@click.option(
    "--metric",
    "metric_pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="A metric's value (expression prices); repeat for each.",
)
@click.option(
    "--group",
    "group_values",
    multiple=True,
    metavar="PROPS:USAGE",
    help="Usage of events with these properties (matrix prices); repeat for each, e.g."
    " region=eu,plan=pro:quantity=250 or region=us:volume=1000,count=12.",
)
@click.option(
    "--period",
    default="0",
    show_default=True,
    help="Billing period from the contract start, 0 first (trials, discounts).",
)
@click.option("--currency", default=None, help="Currency of a bundle's declared price.")
@_FORMAT
@click.pass_obj
@guarded
def quote(
    obj: Context,
    price_ref: str | None,
    env: str | None,
    quantity: str | None,
    volume: str | None,
    count: str | None,
    metric_pairs: tuple[str, ...],
    group_values: tuple[str, ...],
    period: str,
    currency: str | None,
    fmt: str,
) -> None:
    """Price a usage under a declared price, tier by tier (offline).

    PRICE_REF: plan.<plan>.<product>, plan.<plan>.<bundle>.<product>,
    bundle.<bundle>.<product> or subscription.<sub>.versions[<effective>].<product>.
    Without it, list every price reference the catalog declares.
    """
    state = _desired(obj, env)
    if price_ref is None:
        prices = all_prices(state)
        click.echo(references_json(prices) if fmt == "json" else references_text(prices), nl=False)
        return
    priced = quote_price(
        state,
        price_ref,
        quantity=_decimal("--quantity", quantity),
        volume=_decimal("--volume", volume),
        count=_whole("--count", count),
        metrics=_metrics(metric_pairs),
        period=_whole("--period", period) or 0,
        currency=currency,
        groups=_groups(group_values),
    )
    click.echo(quote_json(priced) if fmt == "json" else quote_text(priced), nl=False)


@click.command("test")
@env_option
@_FORMAT
@click.pass_obj
@guarded
def pricing_tests(obj: Context, env: str | None, fmt: str) -> None:
    """Run the pricing and invoice tests declared in the catalog (offline); exit 1 if any
    fails."""
    project = obj.project()
    name = project.environment(env)
    try:
        state = load_catalog(project, name).desired
    except InvalidInputError as exc:
        if fmt != "json":
            raise
        # CI reads JSON: a catalog error is reported in the shape `validate --format json` uses.
        click.echo(diagnostics_json(exc.diagnostics, environment=name))
        sys.exit(1)
    run = run_tests(state)
    invoices = run_invoice_tests(state, project.root)
    if fmt == "json":
        shown = with_invoice_tests_json(tests_json(run), invoices)
    else:
        shown = with_invoice_tests(tests_text(run, color=stdout_color()), invoices)
    click.echo(shown, nl=False)
    sys.exit(0 if run.ok and all(result.passed for result in invoices) else 1)

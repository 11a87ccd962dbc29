"""`billing quote` and `billing test`: offline pricing from the catalog.

Both load the catalog for the environment (rendering its templates with that
environment's variables) and price with the engine (`commands.quote`); neither opens the
API. Exit codes:
`quote` 0 on success, 1 on a catalog error or a bad reference, usage or currency; `test` 0
when every test passes (or none is declared), 1 on any failure or catalog error.
"""

from __future__ import annotations

import sys

import click

from reconciler.cli.common import Context, env_option, guarded, stdout_color
from reconciler.commands.quote import UsageText, quote_command, run_pricing_tests
from reconciler.errors import InvalidInputError
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
    usage = UsageText(
        quantity=quantity,
        volume=volume,
        count=count,
        metrics=metric_pairs,
        groups=group_values,
        period=period,
        currency=currency,
    )
    quoted = quote_command(obj.project(), env, price_ref, usage)
    if quoted.quote is None:
        prices = quoted.references
        click.echo(references_json(prices) if fmt == "json" else references_text(prices), nl=False)
        return
    priced = quoted.quote
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
        run = run_pricing_tests(project, name)
    except InvalidInputError as exc:
        if fmt != "json":
            raise
        # CI reads JSON: a catalog error is reported in the shape `validate --format json` uses.
        click.echo(diagnostics_json(exc.diagnostics, environment=name))
        sys.exit(1)
    if fmt == "json":
        shown = with_invoice_tests_json(tests_json(run.prices), run.invoices)
    else:
        shown = with_invoice_tests(tests_text(run.prices, color=stdout_color()), run.invoices)
    click.echo(shown, nl=False)
    sys.exit(0 if run.ok else 1)

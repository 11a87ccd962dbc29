"""`billing invoice preview`: thin; the logic is `commands.invoice_preview`, the output
`report.invoice_output`. Offline: exit 0, or 1 on a catalog or usage-file error."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.common import Context, env_option, guarded
from reconciler.commands.invoice_preview import preview_invoice
from reconciler.commands.workflow import load_catalog
from reconciler.report.invoice_output import invoice_json, invoice_text


@click.group()
def invoice() -> None:
    """Invoices the catalog produces (offline)."""


@invoice.command("preview")
@click.option("--customer", required=True, help="The customer's catalog key.")
@click.option("--subscription", default=None, help="Its subscription (if it has several).")
@click.option(
    "--period",
    default=0,
    show_default=True,
    type=click.IntRange(0, 1200),
    help="Billing cycle from the contract start, 0 first.",
)
@click.option(
    "--usage",
    "usage",
    default=None,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Usage events: the JSONL or CSV file `billing events send` takes.",
)
@env_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.pass_obj
@guarded
def preview(
    obj: Context,
    customer: str,
    subscription: str | None,
    period: int,
    usage: Path | None,
    env: str | None,
    fmt: str,
) -> None:
    """The invoice of one billing cycle of a subscription, line by line."""
    project = obj.project()
    state = load_catalog(project, project.environment(env)).desired
    result = preview_invoice(state, customer, subscription, period, usage)
    click.echo(invoice_json(result) if fmt == "json" else invoice_text(result), nl=False)

"""The example catalog in `catalog/`: valid in every environment, complete, and editor-ready.

The example is documentation that runs: it must validate for every environment in
billing.toml (through the library and the CLI), use every pricing model and every kind,
render different values per environment where the variables differ, and match the JSON
Schema that `billing schema` publishes for editors.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from alguna_pricing.model.prices import FixedPrice
from reconciler.catalog import catalog_files
from reconciler.catalog.render import RenderedFile, render_file
from reconciler.cli import main
from reconciler.commands.project import Project
from reconciler.model import KIND_OF_TABLE, PRICE_TYPES, DesiredState, Item, Price
from tests.builders import example_state

ROOT = Path(__file__).resolve().parents[1]
ENVIRONMENTS = sorted(Project.open(ROOT).settings.environments)


@pytest.fixture(scope="module")
def project() -> Project:
    return Project.open(ROOT)


@pytest.fixture(scope="module")
def states() -> dict[str, DesiredState]:
    """The loaded catalog per environment (loaded once for the whole module)."""
    return {env: example_state(env) for env in ENVIRONMENTS}


def _item_prices(items: tuple[Item, ...], state: DesiredState) -> Iterator[tuple[str, Price]]:
    """(product key, price) of each item; a bundle item yields its overrides, or the
    bundle's declared prices when it has none."""
    for item in items:
        if item.product is not None and item.price is not None:
            yield item.product, item.price
        elif item.bundle is not None:
            children = item.items if item.items is not None else state.bundles[item.bundle].items
            for child in children:
                yield child.product, child.price


def _all_prices(state: DesiredState) -> list[tuple[str, Price]]:
    prices: list[tuple[str, Price]] = []
    for plan in state.plans.values():
        prices += _item_prices(plan.items, state)
    for bundle in state.bundles.values():
        prices += [(child.product, child.price) for child in bundle.items]
    for subscription in state.subscriptions.values():
        for version in subscription.versions:
            prices += _item_prices(version.items, state)
    return prices


# ---- validation ------------------------------------------------------------------------


def test_billing_toml_declares_the_environments_the_example_is_written_for() -> None:
    assert {"local", "sandbox", "production"} <= set(ENVIRONMENTS)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_catalog_validates_through_the_library(project: Project, env: str) -> None:
    result = project.load_desired(env)
    assert result.state is not None
    assert result.state.environment == env
    # The example is clean: no errors, and no warnings either.
    assert [str(d) for d in result.diagnostics] == []


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_catalog_validates_through_the_cli(env: str) -> None:
    result = CliRunner().invoke(main, ["--project", str(ROOT), "validate", "--env", env])
    assert result.exit_code == 0, result.output
    assert f"valid for environment '{env}'" in result.output


# ---- coverage of the catalog language --------------------------------------------------


# The example catalog (catalog/) is not changed on the matrix branch; a matrix price is
# exercised end to end by tests/scenarios/update_matrix_price and tests/test_cli_matrix.py.
NOT_IN_EXAMPLE = frozenset({"matrix"})


def test_every_pricing_model_is_used(states: dict[str, DesiredState]) -> None:
    for env, state in states.items():
        used = {price.type for _, price in _all_prices(state)}
        assert used == set(PRICE_TYPES) - NOT_IN_EXAMPLE, (env, set(PRICE_TYPES) - used)
    assert len(PRICE_TYPES) == 11


def test_every_kind_is_declared(states: dict[str, DesiredState]) -> None:
    state = states["production"]
    for table in KIND_OF_TABLE:
        assert getattr(state, table), f"no [{table}.<key>] in the example catalog"
    kinds = {address.kind for address in state.resources()}
    assert kinds == set(KIND_OF_TABLE.values())


def test_metrics_show_several_aggregations_and_filter_groups(
    states: dict[str, DesiredState],
) -> None:
    metrics = states["production"].metrics.values()
    assert len({m.aggregation.method for m in metrics}) >= 4
    assert any(m.filter_groups for m in metrics)


def test_products_cover_recurring_one_off_and_metered(states: dict[str, DesiredState]) -> None:
    products = states["production"].products.values()
    kinds = {(p.fee_type, p.billing_frequency) for p in products}
    assert {("fixed", "recurring"), ("fixed", "one-off"), ("metered", None)} <= kinds
    assert any(p.sku for p in products), "one product sets an explicit sku"


def test_plans_show_terms_trials_invoice_settings_and_commercials(
    states: dict[str, DesiredState],
) -> None:
    plans = states["production"].plans
    assert len(plans) >= 3
    assert any(p.contract and p.contract.duration_months for p in plans.values())
    assert any(p.renewal for p in plans.values())
    assert any(p.trial_days for p in plans.values())
    assert any(p.invoice_settings for p in plans.values())
    assert any(p.entitlements for p in plans.values())
    assert any(p.minimum_spend for p in plans.values())
    assert any(p.discount for p in plans.values())
    bundle_items = [i for p in plans.values() for i in p.items if i.bundle is not None]
    assert any(i.items is None for i in bundle_items), "a plan uses a bundle as declared"
    assert any(i.items is not None for i in bundle_items), "a plan overrides a bundle"


def test_customers_have_aliases_addresses_and_contacts(states: dict[str, DesiredState]) -> None:
    customers = states["production"].customers
    assert len(customers) >= 2
    for key, customer in customers.items():
        assert customer.aliases, key
        assert customer.billing_address is not None, key
        assert customer.contacts, key
        assert sum(c.is_primary for c in customer.contacts) == 1, key


def test_a_subscription_changes_price_in_a_later_version(
    states: dict[str, DesiredState],
) -> None:
    subscriptions = states["production"].subscriptions.values()
    versioned = [s for s in subscriptions if len(s.versions) >= 2]
    assert versioned
    for subscription in versioned:
        first, later = subscription.versions[0], subscription.versions[-1]
        assert isinstance(first.effective, dt.date)
        assert isinstance(later.effective, dt.date)
        assert first.effective < later.effective
        assert first.items != later.items, "the later version changes a price"


def test_a_resource_declares_a_rename(states: dict[str, DesiredState]) -> None:
    assert any(r.moved_from for r in states["production"].resources().values())


# ---- environments ----------------------------------------------------------------------


def _growth_fee(state: DesiredState) -> Decimal:
    for item in state.plans["growth"].items:
        if item.product == "platform_fee":
            assert isinstance(item.price, FixedPrice)
            return item.price.price_per_unit
    raise AssertionError("the growth plan has no platform_fee item")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_variables_reach_the_rendered_catalog(
    project: Project, states: dict[str, DesiredState], env: str
) -> None:
    variables = project.settings.variables_for(env)
    growth = states[env].plans["growth"]
    assert growth.trial_days == variables["trial_days"]
    assert _growth_fee(states[env]) == Decimal(str(variables["growth_base_fee"]))
    assert growth.invoice_settings is not None
    assert variables["support_email"] in str(growth.invoice_settings.invoice_footer_text)
    # Only production emails invoices and receipts to real customers.
    sends = growth.invoice_settings.send_invoices_to_customer
    assert sends is (True if env == "production" else None)


def test_sandbox_and_production_render_different_values(
    states: dict[str, DesiredState],
) -> None:
    sandbox, production = states["sandbox"], states["production"]
    assert sandbox.plans["growth"].trial_days != production.plans["growth"].trial_days
    assert _growth_fee(sandbox) != _growth_fee(production)
    assert sandbox.plans["growth"].invoice_settings != production.plans["growth"].invoice_settings
    assert sandbox.catalog_digest != production.catalog_digest
    # Everything that does not depend on a variable is the same in both.
    assert sandbox.metrics == production.metrics
    assert sandbox.products == production.products
    assert sandbox.subscriptions == production.subscriptions


# ---- the JSON Schema for editors -------------------------------------------------------


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _jsonable(value: Any) -> Any:
    """TOML values as a JSON document holds them: dates and times as ISO strings
    (Decimal stays: jsonschema treats it as a number)."""
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, dt.date | dt.time):  # datetime is a date
        return value.isoformat()
    return value


def _rendered(project: Project, file: Path, env: str) -> dict[str, Any]:
    relative = file.relative_to(ROOT).as_posix()
    variables = project.settings.variables_for(env)
    rendered = render_file(relative, file.read_text(encoding="utf-8"), variables)
    assert isinstance(rendered, RenderedFile), rendered
    document: dict[str, Any] = _jsonable(tomllib.loads(rendered.text, parse_float=Decimal))
    return document


CATALOG_FILES = catalog_files(ROOT / "catalog")


def test_the_example_catalog_has_several_files() -> None:
    assert len(CATALOG_FILES) >= 5


@pytest.mark.parametrize("env", ENVIRONMENTS)
@pytest.mark.parametrize("file", CATALOG_FILES, ids=lambda f: f.name)
def test_schema_accepts_every_rendered_file(
    project: Project, validator: Draft202012Validator, file: Path, env: str
) -> None:
    document = _rendered(project, file, env)
    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(document)
    ]
    assert errors == []


def test_schema_rejects_a_typo(project: Project, validator: Draft202012Validator) -> None:
    """The schema is strict like the models: an unknown field is an editor error."""
    document = _rendered(project, ROOT / "catalog" / "metrics.toml", "production")
    metric = next(iter(document["metrics"].values()))
    metric["event_nmae"] = metric.pop("event_name")
    assert not validator.is_valid(document)

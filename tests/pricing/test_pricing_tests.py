"""Pricing tests in the catalog: loading `[tests.*]`, the digest, and the runner."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from alguna_pricing.model.prices import Spend
from alguna_pricing.quote import LineItem
from reconciler.commands.pricing_tests import compare_lines, run_test, run_tests
from reconciler.commands.project import Project
from reconciler.model import KINDS, CatalogFile, DesiredState, ExpectedLine, PricingTest
from reconciler.report.schema import catalog_schema
from tests.builders import copy_example, example_state


@pytest.fixture(scope="module")
def state() -> DesiredState:
    return example_state("production")


# ---- loading --------------------------------------------------------------------------


def test_the_example_declares_tests_that_are_not_resources(state: DesiredState) -> None:
    assert len(state.tests) >= 3
    assert state.tests["growth_seats_25"].expected_total == D("315.00")
    tables = ("metrics", "products", "plans", "bundles", "customers", "subscriptions")
    assert len(state.resources()) == sum(len(getattr(state, table)) for table in tables)
    assert {address.kind for address in state.resources()} <= set(KINDS)


def test_the_digest_ignores_tests(tmp_path: Path) -> None:
    project_dir = copy_example(tmp_path)
    before = Project.open(project_dir).load_desired("local").state
    assert before is not None
    tests_file = project_dir / "catalog" / "pricing_tests.toml"
    tests_file.write_text(
        tests_file.read_text(encoding="utf-8").replace('"315.00"', '"316.00"')
        + '\n[tests.extra]\nprice = "plan.growth.realtime"\nquantity = 10\n'
        'expected_total = "0.15"\n',
        encoding="utf-8",
    )
    after = Project.open(project_dir).load_desired("local").state
    assert after is not None
    assert after.tests != before.tests and "extra" in after.tests
    assert after.catalog_digest == before.catalog_digest
    tests_file.unlink()
    without = Project.open(project_dir).load_desired("local").state
    assert without is not None and without.tests == {}
    assert without.catalog_digest == before.catalog_digest


def test_the_schema_publishes_the_tests_table() -> None:
    schema = catalog_schema()
    assert "tests" in schema["properties"]
    assert "PricingTest" in schema["$defs"]
    fields = schema["$defs"]["PricingTest"]["properties"]
    assert {"price", "quantity", "volume", "count", "metrics", "expected_total", "lines"} <= set(
        fields
    )
    assert schema["$defs"]["PricingTest"]["required"] == ["price", "expected_total"]
    assert CatalogFile().tests == {}


def test_tests_that_are_not_a_table_are_reported(tmp_path: Path) -> None:
    project_dir = copy_example(tmp_path)
    (project_dir / "catalog" / "zz.toml").write_text("tests = 3\n", encoding="utf-8")
    result = Project.open(project_dir).load_desired("local")
    assert result.state is None
    [diagnostic] = result.diagnostics
    assert (diagnostic.code, diagnostic.file, diagnostic.line, diagnostic.field) == (
        "catalog.table",
        "catalog/zz.toml",
        1,
        "tests",
    )


def test_a_test_on_an_invalid_plan_is_not_reported_twice(tmp_path: Path) -> None:
    project_dir = copy_example(tmp_path)
    plans = project_dir / "catalog" / "plans.toml"
    plans.write_text(
        plans.read_text(encoding="utf-8").replace(
            'name = "Growth"', 'name = "Growth"\nbogus = 1', 1
        ),
        encoding="utf-8",
    )
    result = Project.open(project_dir).load_desired("local")
    assert result.state is None
    assert [d.code for d in result.diagnostics] == ["field.unknown"]


# ---- comparing line items -------------------------------------------------------------


def _line(description: str, amount: str, quantity: str = "1") -> LineItem:
    return LineItem(kind="units", description=description, quantity=D(quantity), amount=D(amount))


def test_compare_lines_by_position() -> None:
    actual = (_line("a", "10.00", "2"), _line("b", "5"))
    same = (
        ExpectedLine(description="a", amount=D("10")),
        ExpectedLine(description="b", amount=D(5)),
    )
    assert compare_lines(same, actual) == ()
    wrong = (
        ExpectedLine(description="a", amount=D("10"), quantity=D(3)),
        ExpectedLine(description="c", amount=D("6")),
        ExpectedLine(description="d", amount=D("1")),
    )
    diffs = compare_lines(wrong, actual)
    assert [(d.position, d.problem, d.fields) for d in diffs] == [
        (1, "different", ("quantity",)),
        (2, "different", ("description", "amount")),
        (3, "missing", ()),
    ]
    extra = compare_lines(same[:1], actual)
    assert [(d.position, d.problem) for d in extra] == [(2, "unexpected")]


# ---- running --------------------------------------------------------------------------


def test_the_example_tests_pass(state: DesiredState) -> None:
    run = run_tests(state)
    failures = [(r.name, r.error, r.difference, r.line_differences) for r in run.results]
    assert run.ok, failures
    assert run.passed == len(state.tests) and run.failed == 0
    assert [r.name for r in run.results] == sorted(state.tests)


def test_a_wrong_total_fails_with_the_difference(state: DesiredState) -> None:
    test = PricingTest(price="plan.growth.seats", quantity=D(25), expected_total=D("300"))
    result = run_test(state, "wrong", test)
    assert not result.passed
    assert not result.total_matches
    assert result.difference == D("15.00")
    assert result.error is None


def test_a_wrong_line_fails_even_with_the_right_total(state: DesiredState) -> None:
    test = PricingTest(
        price="plan.growth.seats",
        quantity=D(4),
        expected_total=D("15.00"),
        lines=(
            ExpectedLine(description="tier 1 (over 0, up to 3)", amount=D(0)),
            ExpectedLine(description="tier 2", amount=D(15)),
        ),
    )
    result = run_test(state, "lines", test)
    assert result.total_matches
    assert not result.passed
    assert [d.fields for d in result.line_differences] == [("description",)]


def test_a_test_the_engine_cannot_price_fails_with_the_reason(state: DesiredState) -> None:
    growth = state.plans["growth"]
    items = list(growth.items)
    realtime = next(i for i, item in enumerate(items) if item.product == "realtime")
    price = items[realtime].price
    assert price is not None
    yearly_floor = price.model_copy(update={"minimum_spend": Spend(amount=D(10), period="yearly")})
    items[realtime] = items[realtime].model_copy(update={"price": yearly_floor})
    broken = state.model_copy(
        update={
            "plans": {**state.plans, "growth": growth.model_copy(update={"items": tuple(items)})}
        }
    )
    test = PricingTest(price="plan.growth.realtime", quantity=D(1), expected_total=D(10))
    result = run_test(broken, "floor", test)
    assert not result.passed
    assert result.priced is None
    assert result.error is not None and "spend limit" in result.error


def test_an_unknown_reference_fails_instead_of_raising(state: DesiredState) -> None:
    test = PricingTest(price="plan.growth.nothing", quantity=D(1), expected_total=D(0))
    result = run_test(state, "unknown", test)
    assert not result.passed
    assert result.error is not None and "has no price" in result.error


def test_no_tests_is_a_passing_run(state: DesiredState) -> None:
    run = run_tests(state.model_copy(update={"tests": {}}))
    assert run.ok and run.results == ()


def test_totals_compare_as_numbers_at_the_minor_unit(state: DesiredState) -> None:
    for expected, passes in (
        ("315", True),
        ("315.00", True),
        ("315.0000", True),
        ("315.01", False),
    ):
        test = PricingTest(price="plan.growth.seats", quantity=D(25), expected_total=D(expected))
        assert run_test(state, "t", test).passed is passes, expected

"""`billing fmt`: canonical catalog files, comments kept, data never changed, templates
left alone when formatting could mangle them."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main
from reconciler.commands.fmt import format_toml
from tests.builders import EXAMPLE_CATALOG, copy_example

MESSY = """\


# Products we sell.
[products.seats]
  "name"   =   "Team seats"<TRAILING>
fee_type="fixed"    # seats are a fixed fee
payment_terms = "advance"



billing_frequency = "recurring"
[plans.growth]
name = "Growth"
contract = { period_type = "monthly_rolling", start_date = 2026-01-01 }
""".replace("<TRAILING>", "   ")

CANONICAL = """\
# Products we sell.
[products.seats]
name = "Team seats"
fee_type = "fixed"    # seats are a fixed fee
payment_terms = "advance"

billing_frequency = "recurring"
[plans.growth]
name = "Growth"
contract = { period_type = "monthly_rolling", start_date = 2026-01-01 }
"""


def data(text: str) -> object:
    return tomllib.loads(text, parse_float=Decimal)


def test_whitespace_spacing_and_bare_keys() -> None:
    result = format_toml(MESSY)
    assert result.changed
    assert result.text == CANONICAL
    assert data(result.text) == data(MESSY)
    assert format_toml(result.text).changed is False


def test_sort_keys_moves_comments_with_their_key() -> None:
    text = """\
[plans.growth.items.price]
billing_interval = "monthly"
# the list price
price_per_unit = 49
type = "fixed"
mystery = 1

[products.api]
sku = "API"
name = "API"
fee_type = "metered"
"""
    result = format_toml(text, sort_keys=True)
    assert (
        result.text
        == """\
[plans.growth.items.price]
type = "fixed"
billing_interval = "monthly"
# the list price
price_per_unit = 49
mystery = 1

[products.api]
name = "API"
fee_type = "metered"
sku = "API"
"""
    )
    assert format_toml(text).changed is False, "keys move only with sort_keys"


def test_the_example_catalog_is_canonical() -> None:
    for path in sorted(EXAMPLE_CATALOG.glob("*.toml")):
        result = format_toml(path.read_text())
        assert result.changed is False, path.name
        assert result.error is None


def test_templates_are_left_alone_when_formatting_could_mangle_them() -> None:
    statements = '[plans.p]\n{% if env == "production" %}\ntrial_days = 30\n{% endif %}\n'
    result = format_toml(statements)
    assert result.skipped and "Jinja statements" in result.skipped
    assert result.text == statements

    not_toml = "[plans.p]\n  trial_days = {{ trial_days }}\n"
    result = format_toml(not_toml)
    assert result.skipped and "only once rendered" in result.skipped
    assert result.line == 2 and result.text == not_toml

    in_strings = '[plans.p]\n  price_per_unit = "{{ fee }}"\n'
    result = format_toml(in_strings)
    assert result.text == '[plans.p]\nprice_per_unit = "{{ fee }}"\n'


def test_invalid_toml_is_an_error_with_its_line() -> None:
    result = format_toml('[products.a]\nname = "x"\nname = "y"\n')
    assert result.error is not None and result.line == 3


def test_whitespace_inside_multiline_strings_is_data() -> None:
    text = '[plans.p]\nadditional_terms = """\nline with trailing spaces   \n\n\n\nend"""\n'
    result = format_toml(text)
    assert data(result.text) == data(text)
    assert "trailing spaces   \n" in result.text


def test_crlf_becomes_lf() -> None:
    result = format_toml('[products.a]\r\nname = "x"\r\n')
    assert result.text == '[products.a]\nname = "x"\n'


# -- the command ---------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_example(tmp_path)


def billing(project: Path | None, *args: str) -> Result:
    prefix = ["--project", str(project)] if project is not None else []
    return CliRunner().invoke(main, [*prefix, *args], env={"NO_COLOR": "1"})


def test_check_passes_on_the_example_project_with_a_warning_for_templates(project: Path) -> None:
    result = billing(project, "fmt", "--check")
    assert result.exit_code == 0, result.output
    assert "catalog/plans.toml: warning fmt.skipped" in result.stderr


def test_check_lists_files_that_would_change_then_fmt_fixes_them(project: Path) -> None:
    messy = project / "catalog" / "messy.toml"
    messy.write_text(MESSY.replace("[plans.growth]", "[plans.growth_messy]"))
    before = messy.read_text()

    check = billing(project, "fmt", "--check", "--diff")
    assert check.exit_code == 1
    assert "would reformat catalog/messy.toml" in check.stdout
    assert '+name = "Team seats"' in check.stdout
    assert messy.read_text() == before, "--check writes nothing"

    fixed = billing(project, "fmt")
    assert fixed.exit_code == 0, fixed.output
    assert "formatted catalog/messy.toml" in fixed.stdout
    assert billing(project, "fmt", "--check").exit_code == 0


def test_files_given_need_no_project_and_bad_files_are_errors(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text('[products.a]\nname = "x"\n')
    broken = tmp_path / "broken.toml"
    broken.write_text("[products.a]\nname = \n")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe")

    result = billing(None, "fmt", "--check", str(good), str(broken), str(binary))
    assert result.exit_code == 1
    assert "broken.toml:2: error fmt.invalid: not valid TOML" in result.stderr
    assert "binary.toml: error fmt.invalid: not UTF-8 text" in result.stderr
    assert "Traceback" not in result.output

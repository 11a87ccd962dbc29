"""billing.toml: parsing, environments, variables, and every problem with its line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from reconciler.errors import EnvironmentSelectionError, InvalidInputError, ProjectNotFoundError
from reconciler.settings import find_project, load_settings, parse_settings
from reconciler.source.diagnostics import Diagnostic

FULL = """default_environment = "local"
catalog_dir = "catalog"
plans_dir = "plans"

[variables]
trial_days = 14
growth_base_fee = "49.00"
rate = 0.25

[environments.local]
api = "embedded"
db = ".billing/dev.db"

[environments.sandbox]
base_url = "http://127.0.0.1:8787"
api_key_env = "ALGUNA_SANDBOX_API_KEY"
rate_limits = { standard = 20, bulk = 2.5 }

[environments.production]
base_url = "https://api.alguna.io"
api_key_env = "ALGUNA_API_KEY"
protected = true

[environments.production.variables]
trial_days = 30
"""


def problems(text: str) -> list[Diagnostic]:
    with pytest.raises(InvalidInputError) as caught:
        parse_settings(text)
    assert caught.value.diagnostics
    for d in caught.value.diagnostics:
        assert d.file == "billing.toml"
        assert d.message
    return caught.value.diagnostics


def located(text: str) -> set[tuple[str, int | None, str | None]]:
    return {(d.code, d.line, d.field) for d in problems(text)}


def test_full_settings() -> None:
    settings = parse_settings(FULL)
    assert settings.default_environment == "local"
    assert set(settings.environments) == {"local", "sandbox", "production"}
    assert settings.environments["local"].embedded
    assert not settings.environments["sandbox"].embedded
    assert settings.environments["sandbox"].rate_limits.bulk == 2.5
    assert settings.environments["production"].protected
    assert settings.variables["rate"] == Decimal("0.25")  # exact, never a binary float


def test_variables_are_overridden_per_environment() -> None:
    settings = parse_settings(FULL)
    assert settings.variables_for("production") == {
        "trial_days": 30,
        "growth_base_fee": "49.00",
        "rate": Decimal("0.25"),
        "env": "production",
    }
    assert settings.variables_for("local")["trial_days"] == 14
    assert settings.variables_for("local")["env"] == "local"


def test_select_environment() -> None:
    settings = parse_settings(FULL)
    assert settings.select(None) == "local"
    assert settings.select("production") == "production"
    with pytest.raises(EnvironmentSelectionError, match="staging"):
        settings.select("staging")


def test_minimal_settings_take_defaults() -> None:
    settings = parse_settings('default_environment = "dev"\n[environments.dev]\napi = "embedded"\n')
    assert settings.catalog_dir == "catalog"
    assert settings.plans_dir == "plans"
    assert settings.variables == {}
    assert settings.environments["dev"].rate_limits.standard == 100.0


def test_toml_syntax_error_has_its_line() -> None:
    assert located('default_environment = "local"\n\n[environments.local\napi = "embedded"\n') == {
        ("toml.syntax", 3, None)
    }


def test_unknown_keys_with_suggestions() -> None:
    found = problems(
        'default_environment = "local"\ncatalog_directory = "c"\n\n'
        '[environments.local]\napi = "embedded"\nprotect = true\n'
    )
    by_field = {d.field: d for d in found}
    assert set(by_field) == {"catalog_directory", "environments.local.protect"}
    assert by_field["catalog_directory"].line == 2
    assert by_field["environments.local.protect"].line == 6
    assert "did you mean `protected`" in by_field["environments.local.protect"].message
    assert {d.code for d in found} == {"field.unknown"}


def test_wrong_types() -> None:
    found = located(
        'default_environment = "local"\n[environments.local]\napi = "embedded"\n'
        'protected = "yes"\nrate_limits = { standard = "fast" }\n'
    )
    assert found == {
        ("field.type", 4, "environments.local.protected"),
        ("field.type", 5, "environments.local.rate_limits.standard"),
    }


def test_default_environment_must_be_declared() -> None:
    found = problems('default_environment = "staging"\n\n[environments.local]\napi = "embedded"\n')
    assert [(d.code, d.line, d.field) for d in found] == [
        ("settings.default_environment", 1, "default_environment")
    ]
    assert "staging" in found[0].message and "local" in found[0].message


def test_undeclared_default_is_reported_with_other_problems() -> None:
    found = located(
        'default_environment = "prod"\n[environments.local]\napi = "embedded"\n'
        'base_url = "https://x.example"\n'
    )
    assert found == {
        ("settings.default_environment", 1, "default_environment"),
        ("field.invalid", 2, "environments.local"),
    }


@pytest.mark.parametrize(
    ("environment", "code"),
    [
        ('api = "embedded"\nbase_url = "http://localhost:8787"', "field.invalid"),
        ('api = "embedded"\napi_key_env = "KEY"', "field.invalid"),
        ('base_url = "https://api.alguna.io"', "field.invalid"),
        ('api_key_env = "KEY"', "field.invalid"),
        ("", "field.invalid"),
        ('api = "remote"', "field.enum"),
    ],
)
def test_an_environment_is_embedded_or_remote(environment: str, code: str) -> None:
    found = problems(f'default_environment = "e"\n\n[environments.e]\n{environment}\n')
    assert code in {d.code for d in found}
    assert all(d.line == 3 or d.line == 4 for d in found)


def test_field_formats() -> None:
    found = located(
        'default_environment = "local"\n'
        "[variables]\n"
        '"trial-days" = 1\n'
        "[environments.local]\n"
        'api = "embedded"\n'
        "[environments.Prod]\n"
        'base_url = "api.alguna.io"\n'
        'api_key_env = "ALGUNA KEY"\n'
    )
    assert found == {
        ("field.format", 3, "variables.trial-days"),
        ("field.format", 6, "environments.Prod"),
        ("field.format", 7, "environments.Prod.base_url"),
        ("field.format", 8, "environments.Prod.api_key_env"),
    }


@pytest.mark.parametrize("folder", ["/etc/catalog", "../catalog", "a/../../b", "", "C:/catalog"])
def test_catalog_dir_stays_inside_the_project(folder: str) -> None:
    found = located(
        f'default_environment = "l"\ncatalog_dir = "{folder}"\n[environments.l]\napi = "embedded"\n'
    )
    assert found == {("field.invalid", 2, "catalog_dir")}


def test_environments_must_not_be_empty() -> None:
    found = located('default_environment = "local"\nenvironments = {}\n')
    assert ("field.empty", 2, "environments") in found


def test_missing_default_environment() -> None:
    found = located('[environments.local]\napi = "embedded"\n')
    assert {code for code, _, _ in found} == {"field.missing"}


def test_rate_limits_must_be_positive() -> None:
    found = located(
        'default_environment = "l"\n[environments.l]\napi = "embedded"\n'
        "[environments.l.rate_limits]\nbulk = 0\n"
    )
    assert found == {("field.range", 5, "environments.l.rate_limits.bulk")}


def test_a_number_too_long_for_python_is_a_syntax_problem() -> None:
    found = problems('default_environment = "l"\n[variables]\nbig = ' + "9" * 5000 + "\n")
    assert [(d.code, d.line) for d in found] == [("toml.syntax", 3)]


def test_load_settings_reads_utf8(tmp_path: Path) -> None:
    (tmp_path / "billing.toml").write_bytes(
        '\ufeffdefault_environment = "l"\r\n[environments.l]\r\napi = "embedded"\r\n'.encode()
    )
    assert load_settings(tmp_path).default_environment == "l"


def test_load_settings_reports_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "billing.toml").write_bytes(b'default_environment = "l"\n# caf\xe9\n')
    with pytest.raises(InvalidInputError) as caught:
        load_settings(tmp_path)
    [d] = caught.value.diagnostics
    assert (d.code, d.file, d.line) == ("file.encoding", "billing.toml", 2)


def test_find_project(tmp_path: Path) -> None:
    (tmp_path / "billing.toml").write_text('default_environment = "l"\n')
    nested = tmp_path / "catalog" / "deep"
    nested.mkdir(parents=True)
    assert find_project(None, start=nested) == tmp_path.resolve()
    assert find_project(tmp_path) == tmp_path
    with pytest.raises(ProjectNotFoundError):
        find_project(nested)

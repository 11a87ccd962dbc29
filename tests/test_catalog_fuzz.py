"""Fuzz: arbitrary text or bytes in a catalog file or in billing.toml produce diagnostics,
never a crash; so do well-formed TOML catalogs with wrong values in resource fields.

The library may raise only `BillingError` subclasses for user input, and a failure always
carries at least one diagnostic with the file it is about.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from reconciler.catalog import LoadResult
from reconciler.cli import main
from reconciler.commands.project import Project
from reconciler.errors import BillingError, InvalidInputError
from reconciler.model import PRICE_CLASSES, PRICE_TYPES, RESOURCE_CLASS
from reconciler.source.diagnostics import Severity
from tests.builders import LOCAL_SETTINGS, write_project

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


VALID_CATALOG = """[metrics.api_calls]
name = "API calls"
event_name = "api_call"
aggregation = { method = "count" }

[products.api]
name = "API"
fee_type = "metered"
payment_terms = "arrears"
metrics = ["api_calls"]

[products.seat]
name = "Seat"
fee_type = "fixed"
payment_terms = "advance"
billing_frequency = "recurring"

[plans.pro]
name = "Pro"
currency = "USD"
trial_days = 14

[[plans.pro.items]]
product = "seat"
price = { type = "fixed", billing_interval = "monthly", price_per_unit = 49 }

[[plans.pro.items]]
product = "api"
[plans.pro.items.price]
type = "graduated_tiered"
billing_interval = "monthly"
tiers = [{ up_to = 1000, price_per_unit = 0 }, { price_per_unit = 0.002 }]

[bundles.team]
name = "Team"
[[bundles.team.items]]
product = "seat"
price = { type = "fixed", billing_interval = "monthly", price_per_unit = 10 }

[customers.acme]
name = "Acme"
currency = "USD"
contacts = [{ email = "billing@acme.example" }]

[subscriptions.acme_pro]
customer = "acme"
plan = "pro"
contract = { start_date = 2025-01-01 }
metadata = { owner = "sales" }
versions = [{ effective = 2025-01-01 }]
"""


def project(
    root: Path, catalog: str | bytes = VALID_CATALOG, billing: str | bytes = LOCAL_SETTINGS
) -> Path:
    return write_project(root, {"x.toml": catalog}, settings=billing)


def check_result(result: LoadResult, source_lines: int) -> None:
    """A load either succeeds or names at least one error, each located in a file."""
    errors = [d for d in result.diagnostics if d.severity is Severity.ERROR]
    if result.state is None:
        assert errors, "a failed load carries at least one error"
    else:
        assert not errors
    for d in result.diagnostics:
        assert d.code and d.message
        assert d.file == "catalog/x.toml"
        assert d.line is None or 1 <= d.line <= source_lines + 1, d


def load(root: Path) -> LoadResult | InvalidInputError:
    """Open the project and load its default environment's catalog; a BillingError is
    returned (checked) rather than raised, anything else propagates and fails the test."""
    try:
        opened = Project.open(root)
        return opened.load_desired(opened.environment(None))
    except InvalidInputError as exc:
        assert exc.diagnostics, "InvalidInputError carries its diagnostics"
        for d in exc.diagnostics:
            assert d.code and d.message and d.file
        return exc
    except BillingError as exc:
        assert str(exc)
        return InvalidInputError([], str(exc))


def lines_in(content: str | bytes) -> int:
    text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
    return text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1


def test_the_fuzz_baseline_is_valid(tmp_path: Path) -> None:
    result = load(project(tmp_path))
    assert isinstance(result, LoadResult) and result.state is not None, result


# Text that looks a little like a catalog, so fuzzing reaches past the first character.
_FRAGMENTS = st.sampled_from(
    [
        "[metrics.a]\n", "[[plans.p.items]]\n", "[products.", "]", "=", " = ", '"', "'''",
        '"""', "{", "}", "{{", "}}", "{%", "%}", "{#", "#}", "{% for x in y %}", "{% endfor %}",
        "{% if true %}", "{% endif %}", "{{ env }}", "{{ nope }}", "\n", "\r\n", "\r", "#",
        "1e30", "9" * 4400, "nan", "-inf", "2025-02-30", "2025-01-01", "true", "[", ",",
        'type = "tiered"', "up_to = 5", "\x00", "\x1e7\x1f", "\ufeff", "\\u0000", ".",
        'name = "x"', "price = {", "tiers = [", "items = []",
    ]
)  # fmt: skip
CATALOG_TEXT = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(_FRAGMENTS, st.text(max_size=8)), max_size=40).map("".join),
    st.builds(lambda a, b: VALID_CATALOG[:a] + b + VALID_CATALOG[a:],
              st.integers(0, len(VALID_CATALOG)), st.text(max_size=20)),
)  # fmt: skip


@FUZZ
@given(text=CATALOG_TEXT)
def test_any_text_in_a_catalog_file(tmp_path: Path, text: str) -> None:
    result = load(project(tmp_path, catalog=text))
    assert isinstance(result, LoadResult)
    check_result(result, lines_in(text))


@FUZZ
@given(data=st.one_of(st.binary(max_size=400), CATALOG_TEXT.map(lambda t: t.encode("utf-16"))))
def test_any_bytes_in_a_catalog_file(tmp_path: Path, data: bytes) -> None:
    result = load(project(tmp_path, catalog=data))
    assert isinstance(result, LoadResult)
    check_result(result, lines_in(data))


SETTINGS_TEXT = st.one_of(
    st.text(max_size=300),
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    LOCAL_SETTINGS, 'default_environment = "', "[environments.", "local]\n",
                    'api = "embedded"\n', 'base_url = "https://x"\n', "api_key_env = 'K'\n",
                    "[variables]\n", "catalog_dir = '/'\n", "protected = 1\n", "rate_limits",
                    " = { standard = 0 }\n", "[environments.local.variables]\n", "=", "\n",
                ]
            ),
            st.text(max_size=8),
        ),
        max_size=20,
    ).map("".join),
    st.builds(lambda a, b: LOCAL_SETTINGS[:a] + b + LOCAL_SETTINGS[a:],
              st.integers(0, len(LOCAL_SETTINGS)), st.text(max_size=20)),
)  # fmt: skip


@FUZZ
@given(text=SETTINGS_TEXT)
def test_any_text_in_billing_toml(tmp_path: Path, text: str) -> None:
    result = load(project(tmp_path, billing=text))
    if isinstance(result, LoadResult):
        assert result.state is not None or result.diagnostics


@FUZZ
@given(data=st.binary(max_size=300))
def test_any_bytes_in_billing_toml(tmp_path: Path, data: bytes) -> None:
    outcome = load(project(tmp_path, billing=data))
    if isinstance(outcome, InvalidInputError):  # bytes that happen to be valid TOML are rare
        assert outcome.diagnostics, f"no diagnostic for: {outcome}"
        assert {d.file for d in outcome.diagnostics} == {"billing.toml"}


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(catalog=CATALOG_TEXT, billing=st.one_of(st.just(LOCAL_SETTINGS), SETTINGS_TEXT))
def test_the_cli_never_shows_a_traceback(tmp_path: Path, catalog: str, billing: str) -> None:
    root = project(tmp_path, catalog=catalog, billing=billing)
    for fmt in ("text", "json"):
        result = CliRunner().invoke(
            main, ["--project", str(root), "validate", "--format", fmt], env={"BILLING_ENV": None}
        )
        output = result.stdout + result.stderr
        assert result.exit_code in (0, 1), output
        assert "Traceback" not in output
        assert "internal error" not in output, output
        if result.exit_code == 1:
            assert "error" in output


# ---- structured: valid TOML, wrong values ------------------------------------------------------


def _fields(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[str]:
    """Every field name of `model` and the models nested in it."""
    if model in seen:
        return set()
    seen.add(model)
    names = set(model.model_fields)
    for info in model.model_fields.values():
        for nested in _nested_models(info.annotation):
            names |= _fields(nested, seen)
    return names


def _nested_models(annotation: Any) -> list[type[BaseModel]]:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _nested_models(arg)]


_SEEN: set[type[BaseModel]] = set()
FIELD_NAMES = sorted(
    set().union(*(_fields(m, _SEEN) for m in [*RESOURCE_CLASS.values(), *PRICE_CLASSES]))
)

_KEYS = st.one_of(st.sampled_from(FIELD_NAMES), st.from_regex(r"[a-z_]{1,8}", fullmatch=True))
_SCALARS: st.SearchStrategy[Any] = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.decimals(allow_nan=True, allow_infinity=True, places=3),
    st.decimals(min_value=Decimal("-1e40"), max_value=Decimal("1e40")),
    st.booleans(),
    st.text(max_size=12),
    st.sampled_from([*PRICE_TYPES, "monthly", "metered", "fixed", "count", "sum", "USD", "usd",
                     "api_calls", "seat", "api", "pro", "acme", "team", "", "net_30", "immediate"]),
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)),
)  # fmt: skip
TOML_VALUES: st.SearchStrategy[Any] = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=4)),
    max_leaves=10,
)


def toml_value(value: Any) -> str:
    """`value` as a one-line TOML value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if value.is_nan():
            return "nan"
        if value.is_infinite():
            return "-inf" if value < 0 else "inf"
        text = str(value)
        return text if any(c in text for c in ".eE") else text + ".0"
    if isinstance(value, str):
        return json.dumps(value.replace("\x7f", ""), ensure_ascii=False)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{ " + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
        )
    raise TypeError(type(value))


def toml_document(catalog: dict[str, Any]) -> str:
    out = [  # top-level values first: after a header they would belong to its table
        f"{json.dumps(table)} = {toml_value(entries)}"
        for table, entries in catalog.items()
        if not isinstance(entries, dict)
    ]
    for table, entries in catalog.items():
        if not isinstance(entries, dict):
            continue
        plain = {k: v for k, v in entries.items() if not isinstance(v, dict)}
        if plain:
            out.append(f"[{json.dumps(table)}]")
            out.extend(f"{json.dumps(k)} = {toml_value(v)}" for k, v in plain.items())
        for key, body in entries.items():
            if isinstance(body, dict):
                out.append(f"[{json.dumps(table)}.{json.dumps(key)}]")
                out.extend(f"{json.dumps(k)} = {toml_value(v)}" for k, v in body.items())
    return "\n".join(out) + "\n"


BASE_DATA = tomllib.loads(VALID_CATALOG, parse_float=Decimal)


def mutate(data: Any, draw: Callable[[st.SearchStrategy[Any]], Any]) -> Any:
    """Replace, delete or add one value somewhere in `data` (a copy is returned)."""
    if isinstance(data, dict) and data and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(data)))
        copy = dict(data)
        action = draw(st.sampled_from(["descend", "descend", "replace", "delete", "add"]))
        if action == "descend":
            copy[key] = mutate(data[key], draw)
        elif action == "replace":
            copy[key] = draw(TOML_VALUES)
        elif action == "delete":
            del copy[key]
        else:
            copy[draw(_KEYS)] = draw(TOML_VALUES)
        return copy
    if isinstance(data, list) and data and draw(st.booleans()):
        index = draw(st.integers(0, len(data) - 1))
        copy_list = list(data)
        copy_list[index] = mutate(data[index], draw)
        return copy_list
    return draw(TOML_VALUES)


@FUZZ
@given(data=st.data())
def test_wrong_values_in_resource_fields(tmp_path: Path, data: st.DataObject) -> None:
    catalog = BASE_DATA
    for _ in range(data.draw(st.integers(1, 3))):
        catalog = mutate(catalog, data.draw)
    if not isinstance(catalog, dict):
        catalog = {"metrics": catalog}
    text = toml_document(catalog)
    tomllib.loads(text)  # the document itself is well-formed TOML
    result = load(project(tmp_path, catalog=text))
    assert isinstance(result, LoadResult)
    check_result(result, lines_in(text))
    for d in result.diagnostics:
        if d.code.startswith("field."):
            assert d.field, d  # a wrong value names the field it is in


@FUZZ
@given(
    kind=st.sampled_from(sorted(RESOURCE_CLASS)),
    body=st.dictionaries(_KEYS, TOML_VALUES, max_size=8),
)
def test_random_resource_bodies(tmp_path: Path, kind: str, body: dict[str, Any]) -> None:
    text = toml_document({**BASE_DATA, f"{kind}s": {"fuzzed": body}})
    tomllib.loads(text)
    result = load(project(tmp_path, catalog=text))
    assert isinstance(result, LoadResult)
    check_result(result, lines_in(text))


@pytest.mark.parametrize(
    "catalog",
    [
        VALID_CATALOG.replace("price_per_unit = 49", "price_per_unit = 1e30"),
        VALID_CATALOG.replace("trial_days = 14", "trial_days = " + "1" * 5000),
        VALID_CATALOG.replace('name = "Pro"', 'name = "{{ 10 ** 5000 }}"'),
        VALID_CATALOG.replace('name = "Pro"', 'name = "{{ range(3) | join("\x1e1\x1f") }}"'),
        "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    ],
    ids=["huge-amount", "huge-integer", "huge-rendered-integer", "marker-chars", "recursion"],
)
def test_regressions(tmp_path: Path, catalog: str) -> None:
    result = load(project(tmp_path, catalog=catalog))
    assert isinstance(result, LoadResult)
    check_result(result, lines_in(catalog))

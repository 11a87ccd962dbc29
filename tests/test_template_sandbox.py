"""Catalog templates cannot escape the sandbox, read the environment or exhaust the machine.

Each escape that worked against the plain Jinja2 environment is tried through the CLI
with an API key in the environment: the result is a diagnostic at the template's file
and line, exit 1, no command run, no key printed, within the time budget.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reconciler.catalog.render import RenderedFile, render_file
from reconciler.catalog.template_sandbox import MAX_OUTPUT, MAX_RANGE, MAX_WEIGHT
from reconciler.cli import main
from reconciler.source.diagnostics import Diagnostic
from tests.builders import write_project

KEY = "k3yid.S3CR3T-sandbox-test-key-0123456789"
SETTINGS = (
    'default_environment = "local"\n\n[variables]\nfee = "10.00"\nnames = ["a", "b"]\n\n'
    '[environments.local]\napi = "embedded"\n\n'
    '[environments.prod]\nbase_url = "https://api.alguna.io"\napi_key_env = "ALGUNA_API_KEY"\n'
)
HEADER = '[products.seats]\nname = "Seats"\nfee_type = "fixed"\n'  # lines 1-3


def _project(tmp_path: Path, line4: str) -> Path:
    catalog = HEADER + line4 + "\n" + 'payment_terms = "advance"\n'
    return write_project(tmp_path, {"products.toml": catalog}, settings=SETTINGS)


def _invoke(project: Path, *args: str) -> Result:
    return CliRunner().invoke(
        main, ["--project", str(project), *args], env={"ALGUNA_API_KEY": KEY, "BILLING_ENV": None}
    )


ESCAPES = {
    "function globals": 'description = "{{ lipsum.__globals__.os.popen("touch PWNED").read() }}"',
    "class mro": "description = \"{{ ''.__class__.__mro__[1].__subclasses__() }}\"",
    "cycler internals": 'description = "{{ cycler.__init__.__globals__.os.environ }}"',
    "joiner internals": 'description = "{{ joiner.__init__.__globals__.os.popen("touch PWNED") }}"',
    "namespace internals": 'description = "{{ namespace.__init__.__globals__ }}"',
    "template reference": 'description = "{{ self.__init__.__globals__.__builtins__ }}"',
    "environment variable": 'description = "{{ environ.ALGUNA_API_KEY }}{{ fee.__class__ }}"',
    "str.format padding": 'description = "{{ "{:999999999}".format(1) }}"',
    "range of a billion": "{% for i in range(10**9) %}{% endfor %}",
    "a string of a billion": 'description = "{{ "x" * 10**9 }}"',
    "printf padding": 'description = "{{ "%999999999d" % 1 }}"',
    "huge power": 'description = "{{ 2 ** (10 ** 9) }}"',
    "repeated concatenation": 'description = "{% set a = "x" * 999999 %}{{ a ~ a ~ a }}"',
    "sum of lists": 'description = "{{ ([[1] * 1000] * 1000) | sum(start=[]) }}"',
}


@pytest.mark.parametrize("source", list(ESCAPES.values()), ids=list(ESCAPES))
def test_an_escape_is_a_located_diagnostic_and_nothing_runs(tmp_path: Path, source: str) -> None:
    project = _project(tmp_path, source)
    started = time.monotonic()
    result = _invoke(project, "validate", "--format", "json")
    assert result.exit_code == 1, result.output
    [diagnostic] = json.loads(result.stdout)["diagnostics"]
    assert diagnostic["code"] in {"template.forbidden", "template.limit", "template.undefined"}
    assert (diagnostic["file"], diagnostic["line"]) == ("catalog/products.toml", 4)
    plan = _invoke(project, "plan", "--env", "prod")  # the CI job: a key in the environment
    assert plan.exit_code == 1, plan.output
    assert f"catalog/products.toml:4: error {diagnostic['code']}" in plan.stderr
    for output in (result.output, result.stderr, plan.output, plan.stderr):
        assert "Traceback" not in output
        assert KEY not in output
    assert time.monotonic() - started < 10
    assert not (project / "PWNED").exists() and not Path("PWNED").exists()
    assert not (project / ".billing").exists()  # no target was opened: no API call


def test_the_text_output_names_file_line_and_code(tmp_path: Path) -> None:
    project = _project(tmp_path, ESCAPES["class mro"])
    result = _invoke(project, "validate")
    assert result.exit_code == 1
    assert "catalog/products.toml:4: error template.forbidden" in result.stderr
    assert "'__class__'" in result.stderr


def test_a_runaway_loop_stops_at_the_time_budget(tmp_path: Path) -> None:
    project = _project(
        tmp_path,
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    )
    started = time.monotonic()
    result = _invoke(project, "validate", "--format", "json")
    elapsed = time.monotonic() - started
    assert result.exit_code == 1
    [diagnostic] = json.loads(result.stdout)["diagnostics"]
    assert diagnostic["code"] == "template.limit"
    assert diagnostic["line"] == 4
    assert "time budget" in diagnostic["message"]
    # The budget is 5 s per render, and the second render (the line-marked one) never
    # starts: two renders, each stopped at its budget, cannot take less than 10 s.
    assert elapsed < 10


# --- render_file: the budgets one by one ------------------------------------------------

VARIABLES = {"env": "local", "names": ["a", "b"], "plans": {"pro": 10, "team": 20}}


def _failure(source: str, time_budget: float = 1.0) -> Diagnostic:
    result = render_file("catalog/x.toml", "x = 1\n" + source, VARIABLES, time_budget)
    assert isinstance(result, Diagnostic), result
    assert result.line == 2
    return result


def _rendered(source: str) -> str:
    result = render_file("catalog/x.toml", source, VARIABLES)
    assert isinstance(result, RenderedFile), result
    return result.text


@pytest.mark.parametrize(
    "source",
    [
        "{% macro f(n) %}{% if n > 0 %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}"
        "{{ f(60) }}",
        "{% for i in range(100000) %}{% for c in names * 100000 %}{% endfor %}{% endfor %}",
    ],
    ids=["exponential macro", "nested loops over data"],
)
def test_time_budget(source: str) -> None:
    started = time.monotonic()
    diagnostic = _failure(source, time_budget=0.5)
    assert diagnostic.code == "template.limit"
    assert time.monotonic() - started < 3


@pytest.mark.parametrize(
    "source",
    [
        f'{{% set a = "x" * {MAX_WEIGHT} %}}{{% set s %}}{{% for i in range(3) %}}{{{{ a }}}}'
        "{% endfor %}{% endset %}{{ s | length }}",
        f"{{{{ ([1] * {MAX_WEIGHT // 10}) * 11 }}}}",
        f'{{{{ (["x" * 1000] * 2000) | join("y" * {MAX_WEIGHT}) }}}}',
        '{{ ("x" * 100000) | replace("", "yyyyyyyyyyyy") }}',
        f"{{% for i in range({MAX_RANGE + 1}) %}}{{% endfor %}}",
        '{{ "%.99999f" % 1 }}',
        "{{ (10 ** 4000) * (10 ** 4000) }}",
    ],
    ids=["captured block", "nested list", "join", "replace", "range", "printf", "big int"],
)
def test_size_budgets(source: str) -> None:
    assert _failure(source).code == "template.limit"


def test_the_output_budget() -> None:
    source = '{% set a = "x" * 900000 %}{% for i in range(100) %}{{ a }}\n{% endfor %}'
    assert MAX_OUTPUT < 100 * 900_000
    diagnostic = _failure(source, time_budget=30)
    assert diagnostic.code == "template.limit"
    assert "renders to more than" in diagnostic.message


@pytest.mark.parametrize(
    "source",
    [
        "{{ names.append('c') }}",  # mutation (immutable sandbox)
        "{{ plans.update({}) }}",
        "{{ names.__len__() }}",
        "{{ env.encode() }}",  # a method not on the read-only list
        "{{ names | attr('__class__') }}",
    ],
)
def test_forbidden_access(source: str) -> None:
    # an unknown filter fails at compile time (template.syntax), the rest when rendered
    assert _failure(source).code in {"template.forbidden", "template.syntax"}


def test_the_vocabulary_a_catalog_needs_still_works() -> None:
    source = (
        "{% for key, fee in plans | dictsort %}[plans.{{ key }}] # {{ fee * 2 }} {{ fee + 1 }}\n"
        "{% endfor %}"
        "{% for n in names if n != 'b' %}{{ n | upper }}{{ loop.index }}{% endfor %}\n"
        "{{ plans.items() | list | length }} {{ plans.get('pro') }} {{ env.upper() }}\n"
        "{{ names | join(', ') }} {{ 'a-b' | replace('-', '_') }} {{ [1, 2] | sum }}\n"
        "{% macro price(v) %}\"{{ '%.2f' % v }}\"{% endmacro %}{{ price(49) }} {{ 'x' * 3 }}\n"
        "{% set block %}{{ 'p' ~ 1 }}{% endset %}{{ block }} {{ 2 ** 10 }} {{ 7 // 2 }}"
    )
    assert _rendered(source) == (
        "[plans.pro] # 20 11\n[plans.team] # 40 21\n"
        "A1\n"
        "2 10 LOCAL\n"
        "a, b a_b 3\n"
        '"49.00" xxx\n'
        "p1 1024 3"
    )

"""Rendering catalog templates and mapping rendered lines back to template lines."""

from __future__ import annotations

import pytest

from reconciler.catalog.render import RenderedFile, render_file
from reconciler.source.diagnostics import Diagnostic

VARS = {"env": "local", "trial_days": 14, "names": ["a", "b"]}


def render(source: str, variables: dict[str, object] | None = None) -> RenderedFile:
    result = render_file("catalog/x.toml", source, VARS if variables is None else variables)
    assert isinstance(result, RenderedFile), result
    return result


def failure(source: str) -> Diagnostic:
    result = render_file("catalog/x.toml", source, VARS)
    assert isinstance(result, Diagnostic), result
    assert result.file == "catalog/x.toml"
    return result


def template_line_of(rendered: RenderedFile, text: str, occurrence: int = 0) -> int | None:
    """The template line of the `occurrence`-th rendered line equal to `text`."""
    numbers = [n for n, line in enumerate(rendered.text.split("\n"), 1) if line == text]
    return rendered.template_line(numbers[occurrence])


def test_a_file_without_jinja_is_its_own_rendering() -> None:
    source = '[plans.pro]\nname = "Pro"\n'
    rendered = render(source)
    assert rendered.text == source
    assert rendered.template_line(2) == 2
    assert rendered.template_line(None) is None


def test_inline_tables_are_not_jinja() -> None:
    source = 'a = { method = "count" }\nb = {{ trial_days }}\n'
    rendered = render(source)
    assert rendered.text == 'a = { method = "count" }\nb = 14\n'
    assert rendered.template_line(2) == 2


def test_lines_after_a_for_loop_map_to_the_template() -> None:
    rendered = render(
        """{% for n in names %}
[metrics.{{ n }}]
name = "{{ n }}"
{% endfor %}

[products.x]
bad = 1
"""
    )
    assert template_line_of(rendered, "[metrics.a]") == 2
    assert template_line_of(rendered, 'name = "b"') == 3
    assert template_line_of(rendered, "[products.x]") == 6
    assert template_line_of(rendered, "bad = 1") == 7


def test_lines_after_a_multi_line_if_map_to_the_template() -> None:
    rendered = render(
        """{% if env == "production"
      or env == "sandbox" %}
a = 1
{% else %}
a = 2
{% endif %}
b = 3
"""
    )
    assert template_line_of(rendered, "a = 2") == 5
    assert template_line_of(rendered, "b = 3") == 7


def test_whitespace_control_keeps_lines_right() -> None:
    rendered = render(
        """[plans.pro]
{%- if trial_days %}
trial_days = {{ trial_days }}
{%- endif %}
name = "Pro"
"""
    )
    assert rendered.text == '[plans.pro]\ntrial_days = 14\nname = "Pro"\n'
    assert template_line_of(rendered, "[plans.pro]") == 1
    assert template_line_of(rendered, "trial_days = 14") == 3
    assert template_line_of(rendered, 'name = "Pro"') == 5


def test_a_multi_line_value_maps_to_the_line_of_its_expression() -> None:
    rendered = render('a = 1\nb = """{{ text }}"""\nc = 3\n', {"text": "x\ny\nz"})
    assert template_line_of(rendered, 'b = """x') == 2
    assert template_line_of(rendered, "y") == 2
    assert template_line_of(rendered, 'z"""') == 2
    assert template_line_of(rendered, "c = 3") == 3


def test_jinja_comments_and_set_blocks_spanning_lines() -> None:
    rendered = render(
        """{# a comment
over two lines #}
{% set fee %}
49.00
{% endset %}
a = {{ fee | trim }}
"""
    )
    assert template_line_of(rendered, "a = 49.00") == 6


def test_out_of_range_lines_are_clamped() -> None:
    rendered = render("{% if true %}\na = 1\n{% endif %}\n")
    assert rendered.template_line(0) == rendered.template_line(1)
    assert rendered.template_line(999) == rendered.template_line(len(rendered.line_map))


def test_syntax_error() -> None:
    d = failure("a = 1\nb = {{ trial_days + }}\n")
    assert (d.code, d.line) == ("template.syntax", 2)


def test_unclosed_block() -> None:
    d = failure("{% if true %}\na = 1\n")
    assert d.code == "template.syntax"
    assert d.line is not None


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("a = {{ nope }}\n", 1),
        ("{% for n in names %}\nx_{{ n }} = 1\n{% endfor %}\nb = {{ nope }}\n", 4),
        ('{% if env == "x"\n   or true %}\na = 1\n{% endif %}\n\nb = {{ nope }}\n', 6),
        ("{% for n in names %}\nx_{{ n }} = {{ prices[n] }}\n{% endfor %}\n", 2),
        ("{%- for n in names -%}\n{%- endfor %}\n\nz = {{ nope.attr }}\n", 4),
        ("{% macro m() %}\n{% endmacro %}\n{{ m() }}\nq = {{ nope }}\n", 4),
    ],
)
def test_undefined_variable_is_reported_at_its_template_line(source: str, line: int) -> None:
    d = failure(source)
    assert (d.code, d.line) == ("template.undefined", line)
    assert "billing.toml" in d.message


def test_a_rendering_failure_is_a_diagnostic() -> None:
    d = failure("a = 1\nb = {{ 1 // 0 }}\n")
    assert (d.code, d.line) == ("template.error", 2)
    d = failure('{% include "other.toml" %}\n')
    assert (d.code, d.line) == ("template.unsupported", 1)


def test_undefined_is_strict_even_when_printed_in_a_string() -> None:
    d = failure('name = "{{ product_name }}"\n')
    assert d.code == "template.undefined"


def test_the_environment_name_is_a_variable_of_settings_not_of_render() -> None:
    rendered = render("a = {{ env }}\n", {"env": "prod"})
    assert rendered.text == "a = prod\n"


def test_marker_characters_in_the_source_do_not_confuse_the_map() -> None:
    rendered = render("a = 1\n\x1e99\x1f = {{ trial_days }}\n")
    assert "\x1e99\x1f" in rendered.text
    assert rendered.template_line(2) == 2

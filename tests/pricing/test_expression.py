"""The expression evaluator: the documented grammar works, everything else is refused
with a problem naming the expression, and nothing is ever executed."""

from __future__ import annotations

import builtins
from decimal import Decimal as D

import pytest

from reconciler.pricing import (
    ExpressionError,
    Usage,
    check_expression,
    evaluate,
    price_charge,
    referenced_metrics,
)
from tests.pricing.builders import expression

METRICS = {"api_calls": D(1500), "gb": D(25), "zero": D(0)}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.01", D("0.01")),
        ("0.1 + 0.2", D("0.3")),  # exact: literals are read as Decimal, not float
        ("usage.api_calls", D(1500)),
        ("usage.api_calls * 0.001", D("1.500")),
        ("(usage.api_calls - 1000) / 100", D(5)),
        ("-usage.gb", D(-25)),
        ("min(usage.gb, 10, 30)", D(10)),
        ("max(usage.api_calls - 2000, 0)", D(0)),
        ("ceil(usage.gb / 10)", D(3)),
        ("floor(usage.gb / 10)", D(2)),
        ("ceil(-2.5)", D(-2)),
        ("1_000.5", D("1000.5")),
        ("1e3", D(1000)),
        ("  2 * 3  ", D(6)),
        ("1 / 3", D("0." + "3" * 50)),  # division: 50 significant digits
    ],
)
def test_documented_grammar(text: str, value: D) -> None:
    assert check_expression(text) == []
    assert evaluate(text, METRICS) == value


UNSAFE = [
    "__import__('os').system('echo owned')",
    "().__class__.__bases__[0].__subclasses__()",
    "usage.__class__",
    "usage.api_calls.real",
    "open('/etc/passwd')",
    "eval('1')",
    "exec('x = 1')",
    "lambda: 1",
    "[1, 2]",
    "{'a': 1}",
    "usage['api_calls']",
    "1 if usage.gb else 2",
    "usage.gb < 3",
    "not 1",
    "~1",
    "+1",
    "2 ** 1000000",
    "7 // 2",
    "7 % 2",
    "'text'",
    "f'{1}'",
    "True",
    "None",
    "1j",
    "x",
    "api_calls",
    "(y := 3)",
    "min(*[1, 2])",
    "max(a=1, b=2)",
    "ceil(1, 2)",
    "min(1)",
    "round(1.5)",
    "usage.a; usage.b",
    "",
    "   ",
    "1 +",
    "-" * 70 + "1",
    "1" + "+1" * 100,
    "(" * 300 + "1" + ")" * 300,
    "1" * 2001,
]


@pytest.mark.parametrize("text", UNSAFE)
def test_everything_else_is_refused_without_running(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def forbidden(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the evaluator must never eval, exec or open")

    for name in ("eval", "exec", "open"):
        monkeypatch.setattr(builtins, name, forbidden)
    assert check_expression(text), text
    with pytest.raises(ExpressionError) as caught:
        evaluate(text, METRICS)
    assert caught.value.expression == text
    assert caught.value.problems


def test_problem_messages_name_the_construct() -> None:
    assert check_expression("usage.a ** 2") == ["operator ** is not allowed (only + - * /)"]
    assert check_expression("foo(1)") == [
        "call of `foo` is not allowed (only ceil, floor, max, min)"
    ]
    assert check_expression("rate") == [
        "unknown name `rate`: write a metric as `usage.<metric_key>`"
    ]
    problems = check_expression("usage.a + usage.b", metrics=["a"])
    assert problems == ["`usage.b` names a metric the price does not have"]


def test_referenced_metrics() -> None:
    assert referenced_metrics("max(usage.a - usage.b, 0) * usage.a") == {"a", "b"}
    with pytest.raises(ExpressionError):
        referenced_metrics("usage.a ** 2")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("usage.missing", "no usage given for metric `usage.missing`"),
        ("1 / usage.zero", "division by zero"),
        ("0 / usage.zero", "division by zero"),
        ("1e9999 * 1e9999", "value out of range"),
    ],
)
def test_evaluation_errors_name_the_expression(text: str, problem: str) -> None:
    with pytest.raises(ExpressionError, match="expression") as caught:
        evaluate(text, METRICS)
    assert caught.value.expression == text
    assert problem in str(caught.value)


def test_negative_unit_price_is_an_error() -> None:
    price = expression(("usage.gb", "0.01 - 0.02"))
    with pytest.raises(ExpressionError, match="negative"):
        price_charge(price, Usage(metrics={"gb": D(1)}), "USD")


def test_invalid_expression_in_a_price_is_an_error_naming_it() -> None:
    price = expression(("usage.gb ** 2", "1"))
    with pytest.raises(ExpressionError, match=r"usage\.gb \*\* 2"):
        price_charge(price, Usage(metrics={"gb": D(1)}), "USD")

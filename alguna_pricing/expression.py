"""The expression language of expression prices: arithmetic over `usage.<metric_key>`.

Part of the catalog language (vocabulary layer): the validator checks expressions with
`check_expression` and the pricing engine evaluates them with `evaluate`.

The documented shape is `quantity_expression = "usage.api_calls"`,
`unit_price_expression = "0.01"`. The grammar accepted is exactly:

    expr := number | usage.<metric_key> | expr (+ | - | * | /) expr | -expr | (expr)
          | min(expr, expr, ...) | max(expr, expr, ...) | ceil(expr) | floor(expr)

Text is parsed with `ast.parse(mode="eval")` and only the whitelisted nodes are walked;
anything else (names, attributes other than `usage.<key>`, subscripts, strings, `**`,
comparisons, lambdas...) is a problem naming the construct. Nothing is ever passed to
`eval`/`exec`/`compile`. Number literals are read from their source text as Decimal, so
`0.1` is exactly one tenth. `+ - *` are exact up to 50 significant digits; `/` rounds to 50
significant digits (half even); `ceil`/`floor` round to an integer.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Collection, Mapping, Sequence
from decimal import (
    ROUND_CEILING,
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DecimalException,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from functools import lru_cache

from alguna_pricing.failure import BillingError


class ExpressionError(BillingError):
    """An expression outside the documented shape, or one that cannot be evaluated
    (unknown metric, division by zero, negative unit price). Names the expression."""

    def __init__(self, expression: str, problems: Sequence[str]) -> None:
        self.expression = expression
        self.problems = tuple(problems)
        super().__init__(f"expression {expression!r}: " + "; ".join(self.problems))


MAX_LENGTH = 1000
"""Longest expression accepted (the catalog's and the API's limit)."""
MAX_DEPTH = 64
"""Deepest nesting accepted: keeps the walk bounded whatever the input."""
USAGE = "usage"
"""The one name an expression may use: `usage.<metric_key>`."""

_KEY = re.compile(r"[a-z][a-z0-9_]{0,63}")
_ARITY: dict[str, tuple[int, int | None]] = {
    "min": (2, None),
    "max": (2, None),
    "ceil": (1, 1),
    "floor": (1, 1),
}
_OPERATORS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
}
_ALLOWED_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div)
_CONTEXT = Context(
    prec=50,
    rounding=ROUND_HALF_EVEN,
    Emax=10_000,
    Emin=-10_000,
    traps=[InvalidOperation, DivisionByZero, Overflow],
)


class _Checker:
    """Walks a parsed expression and lists every construct outside the grammar."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []
        self.metrics: set[str] = set()

    def check(self, node: ast.expr, depth: int = 0) -> None:
        if depth > MAX_DEPTH:
            self.problems.append(f"nested more than {MAX_DEPTH} levels deep")
            return
        if isinstance(node, ast.Constant):
            self._constant(node)
        elif isinstance(node, ast.BinOp):
            if not isinstance(node.op, _ALLOWED_OPERATORS):
                symbol = _OPERATORS.get(type(node.op), type(node.op).__name__)
                self.problems.append(f"operator {symbol} is not allowed (only + - * /)")
            self.check(node.left, depth + 1)
            self.check(node.right, depth + 1)
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.USub):
                self.problems.append("only unary minus is allowed")
            self.check(node.operand, depth + 1)
        elif isinstance(node, ast.Call):
            self._call(node, depth)
        elif isinstance(node, ast.Attribute):
            self._metric(node)
        elif isinstance(node, ast.Name):
            self.problems.append(
                f"unknown name `{node.id}`: write a metric as `{USAGE}.<metric_key>`"
            )
        else:
            shown = ast.get_source_segment(self.source, node) or type(node).__name__
            self.problems.append(f"`{shown}` is not allowed ({type(node).__name__})")

    def _constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            self.problems.append(f"only numbers are allowed, not {node.value!r}")

    def _call(self, node: ast.Call, depth: int) -> None:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in _ARITY:
            shown = ast.get_source_segment(self.source, node.func) or "?"
            self.problems.append(
                f"call of `{shown}` is not allowed (only {', '.join(sorted(_ARITY))})"
            )
        else:
            low, high = _ARITY[name]
            count = len(node.args)
            if node.keywords or any(isinstance(arg, ast.Starred) for arg in node.args):
                self.problems.append(f"{name}() takes plain positional arguments only")
            elif count < low or (high is not None and count > high):
                wanted = f"{low}" if low == high else f"at least {low}"
                self.problems.append(f"{name}() takes {wanted} argument(s), got {count}")
        for arg in node.args:
            if not isinstance(arg, ast.Starred):
                self.check(arg, depth + 1)

    def _metric(self, node: ast.Attribute) -> None:
        if not (isinstance(node.value, ast.Name) and node.value.id == USAGE):
            shown = ast.get_source_segment(self.source, node) or node.attr
            self.problems.append(f"`{shown}` is not allowed: only `{USAGE}.<metric_key>`")
        elif not _KEY.fullmatch(node.attr):
            self.problems.append(f"`{node.attr}` is not a metric key (lowercase, a-z0-9_)")
        else:
            self.metrics.add(node.attr)


@lru_cache(maxsize=1024)
def _parse(text: str) -> tuple[ast.expr | None, tuple[str, ...], frozenset[str]]:
    """The parsed tree (None if unusable), its problems and the metric keys it names."""
    if len(text) > MAX_LENGTH:
        return None, (f"longer than {MAX_LENGTH} characters",), frozenset()
    source = text.strip()
    if not source:
        return None, ("empty expression",), frozenset()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarnings about user text: not ours
            tree = ast.parse(source, mode="eval").body
    except SyntaxError as exc:
        return None, (f"not an arithmetic expression: {exc.msg}",), frozenset()
    except (RecursionError, MemoryError, ValueError):
        return None, ("too complex to parse",), frozenset()
    checker = _Checker(source)
    try:
        checker.check(tree)
    except RecursionError:
        return None, ("too complex to check",), frozenset()
    return tree, tuple(checker.problems), frozenset(checker.metrics)


def check_expression(text: str, metrics: Collection[str] | None = None) -> list[str]:
    """Every problem with `text` as an expression (empty when it is valid), for the
    validator. With `metrics` (the keys the price may use) a metric not among them is a
    problem too. Never evaluates anything."""
    _tree, problems, named = _parse(text)
    found = list(problems)
    if metrics is not None:
        found.extend(
            f"`{USAGE}.{key}` names a metric the price does not have"
            for key in sorted(named - set(metrics))
        )
    return found


def referenced_metrics(text: str) -> frozenset[str]:
    """The metric keys `text` reads (`usage.<key>`). Raises `ExpressionError` if invalid."""
    _tree, problems, named = _parse(text)
    if problems:
        raise ExpressionError(text, problems)
    return named


def evaluate(text: str, metrics: Mapping[str, Decimal]) -> Decimal:
    """The value of `text` with `usage.<key>` read from `metrics`.

    Raises `ExpressionError` (naming `text`) when the text has problems, a metric it reads
    is not in `metrics` (a missing metric is not taken as zero: the caller forgot it), a
    division by zero occurs, or the value leaves the representable range.
    """
    tree, problems, _named = _parse(text)
    if problems or tree is None:
        raise ExpressionError(text, problems or ("unusable expression",))
    try:
        with localcontext(_CONTEXT):
            return +_Evaluator(text, metrics).value(tree)
    except DecimalException as exc:
        raise ExpressionError(text, [f"value out of range ({type(exc).__name__})"]) from exc


class _Evaluator:
    """Computes a tree `_Checker` accepted; meets only whitelisted nodes."""

    def __init__(self, text: str, metrics: Mapping[str, Decimal]) -> None:
        self.text = text
        self.source = text.strip()
        self.metrics = metrics

    def value(self, node: ast.expr) -> Decimal:
        if isinstance(node, ast.Constant):
            return self._number(node)
        if isinstance(node, ast.BinOp):
            left, right = self.value(node.left), self.value(node.right)
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Sub):
                return left - right
            if isinstance(node.op, ast.Mult):
                return left * right
            if right == 0:
                raise ExpressionError(self.text, ["division by zero"])
            return left / right
        if isinstance(node, ast.UnaryOp):
            return -self.value(node.operand)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            args = [self.value(arg) for arg in node.args]
            name = node.func.id
            if name == "min":
                return min(args)
            if name == "max":
                return max(args)
            rounding = ROUND_CEILING if name == "ceil" else ROUND_FLOOR
            return args[0].to_integral_value(rounding=rounding)
        if isinstance(node, ast.Attribute):
            if node.attr not in self.metrics:
                raise ExpressionError(
                    self.text, [f"no usage given for metric `{USAGE}.{node.attr}`"]
                )
            return self.metrics[node.attr]
        raise ExpressionError(self.text, [f"unexpected {type(node).__name__}"])

    def _number(self, node: ast.Constant) -> Decimal:
        if isinstance(node.value, int):
            return Decimal(node.value)
        segment = ast.get_source_segment(self.source, node)
        if segment is None:
            raise ExpressionError(self.text, ["number literal without source text"])
        return Decimal(segment.replace("_", ""))

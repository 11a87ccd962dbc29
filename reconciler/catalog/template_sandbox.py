"""What a catalog template may do: the Jinja2 sandbox, its vocabulary and its budgets.

Catalog files are code written by whoever can open a pull request, and `billing plan`
renders them in CI next to the API key. So a template sees only the variables declared
in billing.toml (plus `env`), the `range` global and the filters in `ALLOWED_FILTERS`;
it may read plain data (keys of tables, items of lists) and call the few read-only
methods in `_SAFE_METHODS`, nothing else: no attributes of Python objects, no globals
of functions, no environment variables. Jinja2's immutable sandbox blocks the
underscore attributes; this module narrows it to the whitelist above.

Budgets make a hostile or careless template fail fast instead of exhausting the machine:
every value a template builds (by `*`, `+`, `~`, `%`, `**`, a filter or a captured block)
has a weight (characters plus items, nested values counted) of at most `MAX_WEIGHT`,
a file renders to at most `MAX_OUTPUT` characters, and rendering stops after
`time_budget` seconds, checked at every loop iteration and call (every repetition in a
template passes through one of the two; each step between them is bounded by the sizes).
A breach raises `TemplateLimitError` from inside the template, so its traceback carries
the template line; `SecurityError` marks a forbidden access. This module never reads a file, the
environment or the network.
"""

from __future__ import annotations

import contextvars
import re
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.filters import FILTERS as DEFAULT_FILTERS
from jinja2.runtime import Context, LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment

__all__ = [
    "ALLOWED_FILTERS",
    "DEFAULT_TIME_BUDGET_SECONDS",
    "MAX_OUTPUT",
    "MAX_RANGE",
    "MAX_WEIGHT",
    "CatalogSandbox",
    "SecurityError",
    "TemplateLimitError",
    "budget",
    "budgeted_loops",
]

# A whole 10,000-resource catalog renders to a few MB; a single value past a million
# characters or items is a runaway, not a catalog.
MAX_WEIGHT = 1_000_000
MAX_OUTPUT = 50_000_000
MAX_RANGE = 100_000
MAX_INT_BITS = 10_000  # about 3,000 digits: far beyond any money amount
DEFAULT_TIME_BUDGET_SECONDS = 5.0

# Filters with bounded output for bounded input. Left out on purpose: those whose output
# size is set by an argument (center, indent, wordwrap, format, batch, slice), and those
# that read attributes or run code by name (attr, map by filter name is kept: it only
# applies other allowed filters).
ALLOWED_FILTERS = [
    "abs",
    "capitalize",
    "count",
    "d",
    "default",
    "dictsort",
    "first",
    "float",
    "int",
    "items",
    "join",
    "last",
    "length",
    "list",
    "lower",
    "map",
    "max",
    "min",
    "reject",
    "rejectattr",
    "replace",
    "reverse",
    "round",
    "select",
    "selectattr",
    "sort",
    "string",
    "sum",
    "title",
    "tojson",
    "trim",
    "truncate",
    "unique",
    "upper",
]

# Read-only attributes and methods a template may use on plain data and `loop`.
_SAFE_METHODS: dict[type, frozenset[str]] = {
    dict: frozenset({"items", "keys", "values", "get"}),
    str: frozenset(
        {
            "lower",
            "upper",
            "title",
            "capitalize",
            "strip",
            "lstrip",
            "rstrip",
            "startswith",
            "endswith",
            "isdigit",
            "isalpha",
        }
    ),
    list: frozenset({"index", "count"}),
    tuple: frozenset({"index", "count"}),
    date: frozenset({"year", "month", "day", "isoformat"}),
    LoopContext: frozenset(
        {"index", "index0", "revindex", "revindex0", "first", "last", "length", "depth",
         "depth0", "previtem", "nextitem", "cycle", "changed"}
    ),
}  # fmt: skip

# `%` string formatting with a width or precision above three digits, or taken from an
# argument (`*`), could build any size of string.
_WIDE_FORMAT = re.compile(r"%[-#0 +]*(?:\*|\d{4,})|%[-#0 +]*\d*\.(?:\*|\d{4,})")


_NUMBERS = frozenset({int, float, Decimal, bool})
_GROWS_SLOWLY = frozenset({"+", "%", "//"})  # on numbers: at most one more digit


class TemplateLimitError(Exception):
    """A template went over a size or time budget."""


@dataclass
class _Budget:
    deadline: float
    seconds: float
    output: int = 0
    ticks: int = 0

    def tick(self) -> None:
        self.ticks += 1
        if self.ticks & 0xFF == 0 and time.monotonic() > self.deadline:
            raise TemplateLimitError(
                f"rendering took longer than {self.seconds:g} s (the time budget of a"
                " catalog file): look for a loop or macro that runs far more often than"
                " intended"
            )


_CURRENT: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar(
    "template_budget", default=None
)


def _tick() -> None:
    current = _CURRENT.get()
    if current is not None:
        current.tick()


class budget:
    """Sets the time budget for renders in this context (thread and task safe)."""

    def __init__(self, seconds: float) -> None:
        self._budget = _Budget(time.monotonic() + seconds, seconds)
        self._token: contextvars.Token[_Budget | None] | None = None

    def __enter__(self) -> budget:
        self._token = _CURRENT.set(self._budget)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _CURRENT.reset(self._token)

    def count_output(self, chunks: Generator[str, None, None]) -> Iterator[str]:
        """Passes rendered chunks through, stopping past `MAX_OUTPUT` characters. The
        error is thrown into the template's generator, so it carries the template line
        being rendered."""
        total = self._budget.output
        for chunk in chunks:
            total += len(chunk)
            if total > MAX_OUTPUT:
                chunks.throw(
                    TemplateLimitError(f"the file renders to more than {MAX_OUTPUT:,} characters")
                )
            yield chunk
        self._budget.output = total


def _weight(value: object, limit: int = MAX_WEIGHT) -> int:
    """Characters plus items of `value`, nested values counted each time they occur;
    stops counting once past `limit` (so the cost is bounded by the limit)."""
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str | bytes):
            total += len(item)
        elif isinstance(item, dict):
            total += len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            total += len(item)
            stack.extend(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            total += item.bit_length() // 8
        else:
            total += 1
        if total > limit:
            return total
    return total


def _check_weight(value: object, what: str) -> None:
    if _weight(value) > MAX_WEIGHT:
        raise TemplateLimitError(
            f"{what} would build a value larger than {MAX_WEIGHT:,} characters or items"
        )


def _check_int(bits: int, what: str) -> None:
    if bits > MAX_INT_BITS:
        raise TemplateLimitError(
            f"{what} would build a number of about {int(bits * 0.30103):,} digits"
            f" (at most {int(MAX_INT_BITS * 0.30103):,})"
        )


def _range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise TemplateLimitError(
            f"range() of {len(numbers):,} numbers is more than the {MAX_RANGE:,} allowed"
        )
    return numbers


def _join(value: Iterable[Any], d: str = "", attribute: str | int | None = None) -> str:
    if attribute is not None:
        raise SecurityError("join(attribute=...) is not available in catalog templates")
    parts: list[str] = []
    size = 0
    for item in value:
        _tick()
        text = str(item)
        size += len(text) + len(d)
        if size > MAX_WEIGHT:
            raise TemplateLimitError(f"join would build more than {MAX_WEIGHT:,} characters")
        parts.append(text)
    return d.join(parts)


def _replace(value: str, old: str, new: str, count: int | None = None) -> str:
    text = str(value)
    occurrences = text.count(old) if old else len(text) + 1
    if count is not None and count >= 0:
        occurrences = min(occurrences, count)
    if len(text) + occurrences * len(new) > MAX_WEIGHT:
        raise TemplateLimitError(f"replace would build more than {MAX_WEIGHT:,} characters")
    return text.replace(old, new, -1 if count is None else count)


def _sum(values: Iterable[Any], attribute: str | int | None = None, start: Any = 0) -> Any:
    if attribute is not None or not isinstance(start, int | float | Decimal):
        raise SecurityError("sum() adds numbers only in catalog templates")
    total: Any = start
    for item in values:
        _tick()
        if not isinstance(item, int | float | Decimal) or isinstance(item, bool):
            raise SecurityError("sum() adds numbers only in catalog templates")
        total = total + item
        if isinstance(total, int):
            _check_int(total.bit_length(), "sum()")
    return total


def _filters() -> dict[str, Callable[..., Any]]:
    chosen = {name: DEFAULT_FILTERS[name] for name in ALLOWED_FILTERS}
    chosen.update(join=_join, replace=_replace, sum=_sum)
    return chosen


class CatalogSandbox(ImmutableSandboxedEnvironment):
    """The Jinja2 environment of catalog templates (see the module docstring)."""

    intercepted_binops = frozenset({"*", "**", "+", "%", "//"})

    def __init__(self, **options: Any) -> None:
        super().__init__(
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            autoescape=False,
            finalize=self._finalize,
            **options,
        )
        self.globals.clear()
        self.globals["range"] = _range
        self.filters = _filters()

    # -- what may be read and called --------------------------------------------------

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        allowed = next(
            (names for kind, names in _SAFE_METHODS.items() if isinstance(obj, kind)), None
        )
        return (
            allowed is not None and attr in allowed and super().is_safe_attribute(obj, attr, value)
        )

    def wrap_str_format(self, value: Any) -> None:
        """`str.format` can pad to any width: not offered (its access is refused)."""
        return None

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _tick()
        return super().call(__context, __obj, *args, **kwargs)

    # -- what may be built ------------------------------------------------------------

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if (
            type(left) in _NUMBERS
            and type(right) in _NUMBERS
            and (
                operator in _GROWS_SLOWLY
                or (operator == "*" and not (type(left) is type(right) is int))
            )
        ):
            return super().call_binop(context, operator, left, right)  # bounded growth
        if operator == "*":
            if isinstance(left, int) and isinstance(right, int):
                _check_int(left.bit_length() + right.bit_length(), "`*`")
            else:
                count, other = (left, right) if isinstance(left, int) else (right, left)
                if (
                    isinstance(count, int)
                    and count > 0
                    and (count > MAX_WEIGHT or _weight(other) * count > MAX_WEIGHT)
                ):
                    raise TemplateLimitError(
                        f"`*` would build a value larger than {MAX_WEIGHT:,} characters or items"
                    )
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and right > 0:
                _check_int(max(left.bit_length(), 1) * right, "`**`")
            elif isinstance(right, int | float | Decimal) and abs(Decimal(right)) > MAX_INT_BITS:
                raise TemplateLimitError("`**` with so large an exponent is not allowed")
        elif operator == "%" and isinstance(left, str):
            arguments = right if isinstance(right, tuple) else (right,)
            widest = max((_weight(argument) for argument in arguments), default=0)
            if _WIDE_FORMAT.search(left) or len(left) + left.count("%") * widest > MAX_WEIGHT:
                raise TemplateLimitError(
                    "`%` formatting would build more than"
                    f" {MAX_WEIGHT:,} characters, or takes a width or precision above 999"
                )
        result = super().call_binop(context, operator, left, right)
        if operator == "+" and not isinstance(result, int | float | Decimal):
            _check_weight(result, "`+`")
        return result

    def checked_join(self, parts: Iterable[Any]) -> str:
        """`~`: the concatenation Jinja2 compiles to `str_join`, with a size check."""
        texts = [str(part) for part in parts]
        if sum(map(len, texts)) > MAX_WEIGHT:
            raise TemplateLimitError(f"`~` would build more than {MAX_WEIGHT:,} characters")
        return "".join(texts)

    def concat(self, pieces: Iterable[str]) -> str:
        """Joins a captured block (`{% set x %}`, a macro body): bounded like a value."""
        collected = list(pieces)
        if sum(map(len, collected)) > MAX_WEIGHT:
            raise TemplateLimitError(
                f"a captured block or macro would render more than {MAX_WEIGHT:,} characters"
            )
        return "".join(collected)

    def budget_iter(self, iterable: Iterable[Any]) -> Iterator[Any]:
        """What every `{% for %}` iterates through: one budget tick per item."""
        for item in iterable:
            _tick()
            yield item

    @staticmethod
    def _finalize(value: Any) -> Any:
        """Every `{{ }}` value before it is printed: a structure is weighed (its text can
        be far larger than any one operation that built it); a string already was."""
        kind = type(value)
        if kind is str:
            if len(value) > MAX_WEIGHT:
                _check_weight(value, "an expression")
        elif kind not in _NUMBERS and kind is not date and value is not None:
            _check_weight(value, "an expression")
        return value

    def _generate(
        self,
        source: nodes.Template,
        name: str | None,
        filename: str | None,
        defer_init: bool = False,
    ) -> str:
        budgeted_loops(source)
        return super()._generate(source, name, filename, defer_init)


class _CheckedConcat(jinja2.compiler.CodeGenerator):
    """Compiles `a ~ b` to the environment's size-checked join."""

    def visit_Concat(self, node: nodes.Concat, frame: jinja2.compiler.Frame) -> None:
        self.write("environment.checked_join((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


CatalogSandbox.code_generator_class = _CheckedConcat


def budgeted_loops(tree: nodes.Template) -> None:
    """Routes every `{% for %}` through `CatalogSandbox.budget_iter` (in place)."""
    for loop in tree.find_all(nodes.For):
        loop.iter = nodes.Call(
            nodes.EnvironmentAttribute("budget_iter"), [loop.iter], [], None, None
        )

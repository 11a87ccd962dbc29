"""Catalog templates: renders a catalog file with Jinja2 and maps lines back.

With `template_sandbox`, the only modules that use Jinja2 for catalog files. Every
catalog file is a template rendered in the catalog sandbox (only declared variables,
budgets of size and time: see `template_sandbox`) with `StrictUndefined`, so a missing
variable is an error rather than an empty string. Diagnostics must point at the line the
user wrote, not the rendered line, so a second render marks where every template line
starts (`RenderedFile.template_line`).
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream

from reconciler.catalog.template_sandbox import (
    DEFAULT_TIME_BUDGET_SECONDS,
    CatalogSandbox,
    SecurityError,
    TemplateLimitError,
    budget,
)
from reconciler.source.diagnostics import Diagnostic

# Marker around a template line number; control characters never occur in TOML text.
_MARK = "\x1e{}\x1f"
_MARK_RE = re.compile("\x1e(\\d+)\x1f")
# What starts Jinja2 syntax with the default delimiters (`{{`, `{%`, `{#`). A file without
# any is its own rendering (keep_trailing_newline): TOML inline tables use `{` alone, and
# rendering a large plain catalog twice cost more than parsing it (docs/performance.md).
_JINJA_SYNTAX = re.compile(r"\{[{%#]")


class _LineMarks(Extension):
    """Puts a marker with the template line at the start of every line of literal text
    (also of a piece that continues a line after a tag or an expression)."""

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        for token in stream:
            if token.type != "data":
                yield token
                continue
            pieces = token.value.split("\n")
            marked = [
                _MARK.format(token.lineno + offset) + piece for offset, piece in enumerate(pieces)
            ]
            yield Token(token.lineno, "data", "\n".join(marked))


def _environment(*extensions: type[Extension]) -> jinja2.Environment:
    return CatalogSandbox(extensions=list(extensions))


_PLAIN = _environment()
_MARKED = _environment(_LineMarks)


@dataclass(frozen=True)
class RenderedFile:
    """A rendered catalog file and the template line of every rendered line."""

    path: str
    text: str
    line_map: tuple[int, ...]

    def template_line(self, rendered_line: int | None) -> int | None:
        """The template line that produced `rendered_line` (both 1-based)."""
        if rendered_line is None or not self.line_map:
            return rendered_line
        index = min(max(rendered_line, 1), len(self.line_map)) - 1
        return self.line_map[index]


def _line_map(marked: str) -> tuple[int, ...]:
    """For each rendered line, the template line of its first literal text; a line with
    none (text from an expression) takes the line of the text just before it."""
    found = [_MARK_RE.findall(line) for line in marked.split("\n")]
    following = next((int(marks[0]) for marks in found if marks), 1)
    result: list[int] = []
    previous: int | None = None
    for marks in found:
        if marks:
            result.append(int(marks[0]))
            previous = int(marks[-1])
        else:
            result.append(previous if previous is not None else following)
    return tuple(result)


# Tags that load another template: catalog files are rendered one by one, without a loader.
_LOADING_TAGS: dict[type[nodes.Node], str] = {
    nodes.Extends: "extends",
    nodes.Include: "include",
    nodes.Import: "import",
    nodes.FromImport: "from ... import",
}


class _UnsupportedTag(Exception):
    def __init__(self, tag: str, line: int) -> None:
        super().__init__(tag)
        self.tag = tag
        self.line = line


def _template(env: jinja2.Environment, path: str, source: str) -> jinja2.Template:
    """Compile with the file's path as the template name, so tracebacks carry it.
    Raises _UnsupportedTag for a tag that would load another template."""
    tree = env.parse(source, name=path, filename=path)
    for node in tree.find_all(tuple(_LOADING_TAGS)):
        raise _UnsupportedTag(_LOADING_TAGS[type(node)], node.lineno)
    code = env.compile(tree, name=path, filename=path)
    return env.template_class.from_code(env, code, env.make_globals(None), None)


def _error_line(exc: BaseException, path: str) -> int | None:
    """The template line an exception was raised at, from Jinja2's rewritten traceback."""
    line = getattr(exc, "lineno", None)
    if isinstance(line, int):
        return line
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename == path and frame.lineno is not None:
            return frame.lineno
    return None


def _render(template: jinja2.Template, variables: Mapping[str, Any], seconds: float) -> str:
    with budget(seconds) as limits:
        chunks = template.generate(variables)
        assert isinstance(chunks, Generator)  # Jinja2's contract; the budget throws into it
        return "".join(limits.count_output(chunks))


def render_file(
    path: str,
    source: str,
    variables: Mapping[str, Any],
    time_budget: float = DEFAULT_TIME_BUDGET_SECONDS,
) -> RenderedFile | Diagnostic:
    """Render one template in the catalog sandbox. Returns the rendering, or a diagnostic
    for a template syntax error, a tag that loads another template (include, import,
    extends), an undefined variable, a forbidden access (`template.forbidden`), a size or
    time budget exceeded (`template.limit`, each of the two renders gets `time_budget`
    seconds) or any other rendering failure (never raises for them)."""
    if _JINJA_SYNTAX.search(source) is None:  # no Jinja2 syntax: its own rendering
        return RenderedFile(path, source, ())
    mapped = "\x1e" not in source  # a marker in the text itself (never valid TOML)
    try:
        text = _render(_template(_PLAIN, path, source), variables, time_budget)
        marked = _render(_template(_MARKED, path, source), variables, time_budget) if mapped else ""
    except jinja2.TemplateSyntaxError as exc:
        return Diagnostic(
            code="template.syntax", message=exc.message or str(exc), file=path, line=exc.lineno
        )
    except _UnsupportedTag as exc:
        return Diagnostic(
            code="template.unsupported",
            message=f"`{{% {exc.tag} %}}` cannot be used: catalog files do not support includes,"
            " imports or extends (each file is rendered on its own); use variables from"
            " billing.toml instead",
            file=path,
            line=exc.line,
        )
    except SecurityError as exc:
        return Diagnostic(
            code="template.forbidden",
            message=f"{str(exc).rstrip('.')}. Catalog templates see only the variables of"
            " billing.toml, `env`, `range` and the documented filters (docs/catalog.md)",
            file=path,
            line=_error_line(exc, path),
        )
    except (TemplateLimitError, MemoryError, RecursionError) as exc:
        return Diagnostic(
            code="template.limit",
            message=str(exc)
            if isinstance(exc, TemplateLimitError)
            else "the template recursed or allocated too much (a macro calling itself?)",
            file=path,
            line=_error_line(exc, path),
        )
    except jinja2.UndefinedError as exc:
        return Diagnostic(
            code="template.undefined",
            message=f"{exc.message} (declare it under [variables] in billing.toml)",
            file=path,
            line=_error_line(exc, path),
        )
    except Exception as exc:  # a user template may fail in any way: report, don't crash
        return Diagnostic(
            code="template.error",
            message=f"{type(exc).__name__}: {exc}",
            file=path,
            line=_error_line(exc, path),
        )
    return RenderedFile(path, text, _line_map(marked) if mapped else ())

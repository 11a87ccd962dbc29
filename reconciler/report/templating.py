"""The Jinja2 environment of the output templates, and the filters they share.

Templates live in `reconciler/report/templates/*.j2` (package data). `StrictUndefined`
turns a misspelt variable into an error instead of a silently empty report.
`autoescape` is off because the outputs are text and Markdown, not HTML: Markdown values
go through `md` (prose) or `code` (paths and values) explicitly, so a `|` in a value can
never break a table and a `<` can never open a tag.

Colour is not the templates' business: they call `paint(text, style)`, which the caller
passes in as the identity (no colour) or as an ANSI painter. The painter renders rich
styles without a console, so it writes escapes exactly when asked, whatever the terminal
or `NO_COLOR` say (the CLI decides `color` and honours `NO_COLOR` there).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from reconciler.report.values import show

if TYPE_CHECKING:
    from jinja2 import Environment

Painter = Callable[[str, str], str]

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|])")
_LONGEST_TICKS = re.compile(r"`+")
_CODE_SPAN = re.compile(r"(`[^`]+`)")


def md(text: object) -> str:
    """`text` as inert Markdown prose on one line: emphasis, links, table pipes and HTML
    neutralized. Backtick spans that the message itself wrote (`payment_terms`) stay code
    spans, since diagnostics and reasons quote field names that way."""
    pieces = _CODE_SPAN.split(" ".join(str(text).split("\n")))
    return "".join(
        piece.replace("|", "\\|") if index % 2 else _prose(piece)
        for index, piece in enumerate(pieces)
    )


def _prose(text: str) -> str:
    escaped = _MD_SPECIAL.sub(r"\\\1", text)
    return escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def code(text: object) -> str:
    """`text` as a Markdown code span, safe inside a table cell: the fence is longer than
    any run of backticks inside, and `|` is escaped (GitHub splits cells before it parses
    code spans)."""
    value = " ".join(str(text).split("\n")).replace("|", "\\|")
    runs = [len(m) for m in _LONGEST_TICKS.findall(value)]
    fence = "`" * (max(runs, default=0) + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def html_text(text: object) -> str:
    """`text` for an HTML element (`<summary>`): Markdown is not parsed there, so only
    HTML escaping applies."""
    return html.escape(" ".join(str(text).split("\n")), quote=False)


def plain(text: str, style: str) -> str:
    """The no-colour painter."""
    return text


def ansi(text: str, style: str) -> str:
    """The colour painter: `text` in rich's `style`, as 8-colour ANSI escapes."""
    from rich.color import ColorSystem  # imported on use: `billing validate` never paints
    from rich.style import Style

    return Style.parse(style).render(text, color_system=ColorSystem.STANDARD)


def painter(color: bool) -> Painter:
    return ansi if color else plain


@cache
def environment() -> Environment:
    # Jinja2 is imported on first render, not with this module: `md` and `code` serve
    # `billing validate`'s diagnostics, whose start-up should not pay for a template engine.
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("reconciler.report", "templates"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md"] = md
    env.filters["code"] = code
    env.filters["show"] = show
    env.filters["html"] = html_text
    return env


def render(name: str, **context: Any) -> str:
    """Template `name` rendered with `context`; trailing spaces stripped from every line
    (templates indent for readability; no output format needs a trailing space)."""
    text = environment().get_template(name).render(**context)
    return "\n".join(line.rstrip() for line in text.split("\n"))

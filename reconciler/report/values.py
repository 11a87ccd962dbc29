"""How one JSON value reads on one line, in every human output (text and Markdown).

Plan values are JSON (decimals are strings, DESIGN §4). A reviewer reads `0.05 -> 0.04`,
not `"0.05" -> "0.04"`, yet must still tell the text `"10"` from nothing at all: so
decimal strings print bare, other strings quoted, and "not set" as `(none)`.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from pydantic import JsonValue


def show(value: JsonValue) -> str:
    """One value on one line, for humans: decimals bare (`0.05`), other strings quoted
    (`"Platform"`), `(none)` for not set, lists and objects as compact JSON."""
    if value is None:
        return "(none)"
    if isinstance(value, str):
        return value if _is_decimal(value) else json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _is_decimal(text: str) -> bool:
    if not text or text.strip() != text:
        return False
    try:
        return Decimal(text).is_finite()
    except InvalidOperation:
        return False

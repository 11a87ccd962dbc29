"""`shown`: server text made safe to show: the connection's own key removed, one line,
bounded length.

A server may echo what it was sent (a 401 whose detail quotes the `Authorization`
header, a proxy's error page). Whatever an answer says reaches a terminal, a CI log or a
pull-request comment only through here, so the key never does, and a hostile answer
cannot forge extra output lines or flood the screen.
"""

from __future__ import annotations

import re
from functools import lru_cache

REDACTED = "[redacted]"
MAX_SHOWN = 300
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


@lru_cache(maxsize=8)
def _pattern(secret: str) -> re.Pattern[str]:
    """`secret` with any of its characters percent-encoded or not (`sk%5Ftest_...`), in
    any letter case: over-redacting a look-alike is harmless, missing an encoding is not."""
    parts = (f"(?:{re.escape(char)}|%{ord(char):02x})" for char in secret)
    return re.compile("".join(parts), re.IGNORECASE)


def shown(text: str, secret: str) -> str:
    """`text` without `secret` (also percent-encoded), control characters (line breaks
    included) turned into spaces, cut to `MAX_SHOWN` characters."""
    if secret:
        text = _pattern(secret).sub(REDACTED, text)
    text = _CONTROL.sub(" ", text).strip()
    if len(text) > MAX_SHOWN:
        text = text[: MAX_SHOWN - 1] + "…"
    return text

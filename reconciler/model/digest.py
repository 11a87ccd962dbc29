"""The one digest recipe: SHA-256 over text, and the one canonical JSON text of a value.

Every identity the reconciler derives is made here: catalog digests and plan ids (saved
plan files), fingerprints (staleness checks), idempotency keys (the API's replay cache),
revision digests and `applied_by` (live plans' descriptions), derived event ids
(Alguna's event store). All of these outlive the process that made them, so the bytes
hashed must never change: `tests/test_identity_digests.py` pins an example of each.

Contracts:
- `canonical_json` sorts keys at every depth, separates without spaces and writes any
  value JSON does not know (`Decimal`, `date`) as `str(value)`. Non-ASCII is escaped
  (`\\u00e9`) unless `ensure_ascii=False`: only derived event ids hash it unescaped, as
  they always have (changing either side would change ids already stored).
- `digest(text, length)` is the first `length` hex digits (at most 64) of SHA-256 over
  `text`'s UTF-8 bytes; `labelled=True` prefixes `sha256:` (catalog digests and
  fingerprints carry the label, keys and ids do not).
"""

from __future__ import annotations

import hashlib
import json

_FULL = 64


def canonical_json(value: object, *, ensure_ascii: bool = True) -> str:
    """The canonical JSON text of `value` (module docstring): equal values, equal text."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=ensure_ascii, default=str
    )


def digest(text: str, length: int = _FULL, *, labelled: bool = False) -> str:
    """The first `length` hex digits of SHA-256 over `text` (UTF-8), `sha256:`-prefixed
    when `labelled`."""
    if not 0 < length <= _FULL:
        raise ValueError(f"a digest has 1 to {_FULL} hex digits, not {length}")
    hexed = hashlib.sha256(text.encode()).hexdigest()[:length]
    return f"sha256:{hexed}" if labelled else hexed

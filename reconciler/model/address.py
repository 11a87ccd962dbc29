"""`Address`: how every resource is named in plans, diagnostics and CLI flags.

`<kind>.<key>`; a subscription version is `subscription.<key>.versions[<effective>]`.
The kinds and their facts are in `reconciler.model.kinds`.

An `Address` is its text: a `str` subclass that also carries the parsed `kind`, `key`
and `version`. So plan JSON, fingerprints and every rendered output read exactly as
they did when addresses were plain strings (the same text, the same sort order, the
same hash), while the type says where an address is expected: change and plan keys,
remote ids, fingerprints and sources are keyed by `Address`, and a plain string must be
parsed (`Address.parse`) to become one. In pydantic models an `Address` field or key
validates from its text (JSON) and serializes to it.
"""

from __future__ import annotations

import re
from typing import Any, NoReturn

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from reconciler.model.kinds import KINDS, Kind

_ADDRESS = re.compile(
    r"^(?P<kind>[a-z]+)\.(?P<key>[a-z][a-z0-9_]*)(?:\.versions\[(?P<version>[^\]]+)\])?$"
)


class Address(str):
    """`kind.key[.versions[version]]`; immutable, equal to (and hashed as) its text."""

    kind: Kind
    key: str
    version: str | None

    def __new__(cls, kind: Kind, key: str, version: str | None = None) -> Address:
        if kind not in KINDS:
            raise ValueError(f"not a resource kind: {kind!r}")
        base = f"{kind}.{key}"
        self = super().__new__(cls, f"{base}.versions[{version}]" if version is not None else base)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "version", version)
        return self

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"Address is immutable (cannot set {name})")

    def __repr__(self) -> str:
        # As a plain string's: printing a list of addresses shows what it always did.
        return str.__repr__(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Address, (self.kind, self.key, self.version))

    @property
    def resource(self) -> Address:
        """The resource a version belongs to (`subscription.acme`); else the address."""
        return self if self.version is None else Address(self.kind, self.key)

    @classmethod
    def parse(cls, text: str) -> Address:
        """Parse `kind.key` or `subscription.key.versions[effective]`; ValueError if not."""
        if isinstance(text, Address):
            return text
        match = _ADDRESS.match(text)
        if match is None or match["kind"] not in KINDS:
            raise ValueError(f"not a resource address: {text!r} (expected <kind>.<key>)")
        if match["version"] is not None and match["kind"] != "subscription":
            raise ValueError(f"only subscriptions have versions: {text!r}")
        kind: Kind = match["kind"]
        return cls(kind, match["key"], match["version"])

    @classmethod
    def _validated(cls, value: object) -> Address:
        if not isinstance(value, str):
            raise ValueError(f"an address is text (<kind>.<key>), not {type(value).__name__}")
        return cls.parse(value)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        """Validates from the text (an `Address` passes as it is); serializes to the text."""
        return core_schema.no_info_plain_validator_function(
            cls._validated,
            json_schema_input_schema=core_schema.str_schema(),
            serialization=core_schema.plain_serializer_function_ser_schema(
                str.__str__, return_schema=core_schema.str_schema()
            ),
        )

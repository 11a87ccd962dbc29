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

An `Address` is only its text (`__slots__ = ()`: no instance dict): `kind`, `key` and
`version` are read back from it when asked. A plan at 10,000 resources holds some 50,000
addresses at its peak (sources, ids, fingerprints, the diff's maps); with the three parts
kept in a per-instance dict each took 550 bytes instead of about 80 (issue 19). Reading
the text back is unambiguous because a key never holds a `.` (the constructor refuses
one; catalog and derived keys are `[a-z][a-z0-9_]*`).
"""

from __future__ import annotations

import re
from typing import Any, NoReturn, cast

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from reconciler.model.kinds import KINDS, Kind

_VERSIONS = ".versions["
_ADDRESS = re.compile(
    r"^(?P<kind>[a-z]+)\.(?P<key>[a-z][a-z0-9_]*)(?:\.versions\[(?P<version>[^\]]+)\])?$"
)


class Address(str):
    """`kind.key[.versions[version]]`; immutable, equal to (and hashed as) its text."""

    __slots__ = ()

    def __new__(cls, kind: Kind, key: str, version: str | None = None) -> Address:
        if kind not in KINDS:
            raise ValueError(f"not a resource kind: {kind!r}")
        if "." in key:
            raise ValueError(f"not a resource key: {key!r} (a key holds no `.`)")
        text = f"{kind}.{key}" if version is None else f"{kind}.{key}.versions[{version}]"
        return super().__new__(cls, text)

    @property
    def kind(self) -> Kind:
        """The kind: the text before the first `.`."""
        return cast(Kind, self[: self.find(".")])

    @property
    def key(self) -> str:
        """The key: between the first `.` and the next one (or the end)."""
        start = self.find(".") + 1
        end = self.find(".", start)
        return self[start:] if end < 0 else self[start:end]

    @property
    def version(self) -> str | None:
        """A subscription version's effective date or keyword, else None."""
        start = self.find(_VERSIONS)
        return None if start < 0 else self[start + len(_VERSIONS) : -1]

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

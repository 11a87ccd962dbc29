"""`Address`: how every resource is named in plans, diagnostics and CLI flags.

`<kind>.<key>`; a subscription version is `subscription.<key>.versions[<effective>]`.
The kinds and their facts are in `reconciler.model.kinds`.
"""

from __future__ import annotations

import re

from reconciler.model.base import Frozen
from reconciler.model.kinds import KINDS, Kind

_ADDRESS = re.compile(
    r"^(?P<kind>[a-z]+)\.(?P<key>[a-z][a-z0-9_]*)(?:\.versions\[(?P<version>[^\]]+)\])?$"
)


class Address(Frozen):
    kind: Kind
    key: str
    version: str | None = None

    def __str__(self) -> str:
        base = f"{self.kind}.{self.key}"
        return f"{base}.versions[{self.version}]" if self.version is not None else base

    @property
    def resource(self) -> str:
        """The resource a version belongs to (`subscription.acme`); else the address."""
        return f"{self.kind}.{self.key}"

    @staticmethod
    def resource_of(text: str) -> str:
        """`subscription.acme.versions[2026-01-01]` -> `subscription.acme`."""
        return Address.parse(text).resource

    @classmethod
    def parse(cls, text: str) -> Address:
        """Parse `kind.key` or `subscription.key.versions[effective]`; ValueError if not."""
        match = _ADDRESS.match(text)
        if match is None or match["kind"] not in KINDS:
            raise ValueError(f"not a resource address: {text!r} (expected <kind>.<key>)")
        if match["version"] is not None and match["kind"] != "subscription":
            raise ValueError(f"only subscriptions have versions: {text!r}")
        return cls.model_validate(match.groupdict())

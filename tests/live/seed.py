"""Creating a desired state in the emulator the way apply will: catalog model -> wire
body (`to_wire`; for a subscription its create body, then its settings PATCH) -> keyed
create, in dependency order, ids collected as it goes; a subscription's later versions
are created after it (`version_to_wire`)."""

from __future__ import annotations

from reconciler.api import ApiWriter
from reconciler.model import Address, DesiredState, Kind, Subscription
from reconciler.wire import MapResolver, subscription_create_bodies, to_wire, version_to_wire

CREATE_ORDER: tuple[Kind, ...] = ("metric", "product", "bundle", "plan", "customer", "subscription")


async def create_all(writer: ApiWriter, desired: DesiredState) -> dict[Address, str]:
    """Create every resource of `desired`; returns remote ids by address."""
    ids: dict[Address, str] = {}
    for kind in CREATE_ORDER:
        for key, resource in getattr(desired, f"{kind}s").items():
            resolver = MapResolver(desired, ids)
            later = {}
            if isinstance(resource, Subscription):
                body, later = subscription_create_bodies(resource, key, resolver)
            else:
                body = to_wire(resource, key, resolver)
            created = await writer.create(f"/{kind}s", body, key=f"seed:{kind}.{key}")
            ids[Address(kind=kind, key=key)] = created["id"]
            if kind != "subscription":
                continue
            if later:  # what the SDK's create does not take, as apply sets it
                path = f"/subscriptions/{created['id']}"
                await writer.update(path, later, key=f"seed:{kind}.{key}.settings")
            for index, version in enumerate(resource.versions[1:], start=1):
                await writer.create(
                    f"/subscriptions/{created['id']}/versions",
                    version_to_wire(version, resource, resolver),
                    key=f"seed:{kind}.{key}.versions[{index}]",
                )
    return ids

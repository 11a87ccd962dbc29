"""`Address`: a typed address that reads, sorts, hashes and serializes as its text, so
plan files and outputs are what they were when addresses were plain strings."""

from __future__ import annotations

import copy
import json
import pickle

import pytest
from pydantic import ValidationError

from reconciler.model import Address, Kind
from reconciler.plan import Action, Change, Plan, Summary


def test_parse_and_build_agree() -> None:
    version = Address.parse("subscription.acme.versions[2026-01-01]")
    assert (version.kind, version.key, version.version) == ("subscription", "acme", "2026-01-01")
    assert version == Address("subscription", "acme", "2026-01-01")
    assert version.resource == Address("subscription", "acme") == "subscription.acme"
    plain = Address.parse("product.api")
    assert plain.resource is plain
    assert Address.parse(plain) is plain


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("prod", "not a resource address"),
        ("widget.api", "not a resource address"),
        ("product.Api", "not a resource address"),
        ("product.api.versions[2026-01-01]", "only subscriptions have versions"),
    ],
)
def test_bad_text_is_refused(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        Address.parse(text)


def test_unknown_kind_cannot_be_built() -> None:
    with pytest.raises(ValueError, match="not a resource kind"):
        Address("widget", "api")  # type: ignore[arg-type]


def test_a_key_with_a_dot_cannot_be_built() -> None:
    """The parts are read back from the text, which a `.` in the key would make ambiguous."""
    with pytest.raises(ValueError, match="holds no"):
        Address("product", "a.versions[x]")


@pytest.mark.parametrize(
    ("parts", "text"),
    [
        (("metric", "api_calls", None), "metric.api_calls"),
        (("subscription", "acme", "2026-01-01"), "subscription.acme.versions[2026-01-01]"),
        (("subscription", "a_1", "end_of_term"), "subscription.a_1.versions[end_of_term]"),
    ],
)
def test_is_only_its_text(parts: tuple[Kind, str, str | None], text: str) -> None:
    """No instance dict (a plan holds tens of thousands of addresses: issue 19); the parts
    are read back from the text."""
    address = Address(*parts)
    assert address == text
    assert not hasattr(address, "__dict__")
    assert (address.kind, address.key, address.version) == parts


def test_is_immutable_and_survives_copies() -> None:
    address = Address("subscription", "acme", "next_billing_period")
    with pytest.raises(AttributeError, match="immutable"):
        address.key = "other"  # type: ignore[misc]
    for clone in (copy.deepcopy(address), pickle.loads(pickle.dumps(address))):
        assert clone == address
        assert (clone.kind, clone.key, clone.version) == (
            "subscription",
            "acme",
            "next_billing_period",
        )


def test_reads_sorts_and_hashes_as_its_text() -> None:
    texts = ["subscription.b", "metric.z", "plan.a", "subscription.b.versions[2026-01-01]"]
    addresses = [Address.parse(t) for t in texts]
    assert sorted(addresses) == sorted(texts)
    assert {a: 1 for a in addresses}["plan.a"] == 1
    assert f"{addresses[2]}" == "plan.a" and repr(addresses[2]) == "'plan.a'"
    assert json.dumps({addresses[1]: addresses[2]}) == '{"metric.z": "plan.a"}'


def test_plan_json_keeps_addresses_as_text_and_refuses_bad_ones() -> None:
    change = Change(
        address=Address("product", "api"), kind="product", key="api", action=Action.CREATE, after={}
    )
    plan = Plan(
        plan_id="p",
        environment="e",
        created_at="2026-05-01T12:00:00Z",
        catalog_digest="sha256:x",
        changes=(change,),
        summary=Summary(create=1),
        fingerprints={Address("metric", "m"): "sha256:y"},
    )
    data = json.loads(plan.model_dump_json())
    assert data["changes"][0]["address"] == "product.api"
    assert data["fingerprints"] == {"metric.m": "sha256:y"}
    again = Plan.model_validate_json(plan.model_dump_json())
    assert again == plan
    assert isinstance(again.changes[0].address, Address)
    assert all(isinstance(a, Address) for a in again.fingerprints)
    data["fingerprints"] = {"not an address": "sha256:y"}
    with pytest.raises(ValidationError, match="not a resource address"):
        Plan.model_validate_json(json.dumps(data))

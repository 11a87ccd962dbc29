"""Identity digests are pinned: every value here lives outside the process.

Catalog digests and plan ids sit in users' saved plan files; idempotency keys in the
API's 24-hour replay cache; revision digests and `applied_by` in live plans'
descriptions; fingerprints in saved plans; derived event ids in Alguna's event store.
A refactoring that changes one of them silently breaks resumes, staleness checks,
revision recognition or event deduplication, so each is pinned to the value the code
produced before the digests were merged into `reconciler.model.digest` (issue 14).
Non-ASCII inputs are included: some recipes escape them (`ensure_ascii`), one does not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

import reconciler
from reconciler.api.events import derived_unique_id
from reconciler.apply.keys import content_key, derived_key, idempotency_key, successor
from reconciler.diff import diff
from reconciler.live.fetch import fingerprint
from reconciler.model import DesiredState, LiveState, canonical_json, digest
from reconciler.model.plan_marker import applied_by
from reconciler.planning.planner import make_plan
from reconciler.wire.refs import CatalogModels
from reconciler.wire.revisions import plan_digest

REPO = Path(__file__).resolve().parent.parent
NOON = dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def desired() -> DesiredState:
    return reconciler.load_catalog(reconciler.open_project(REPO), "sandbox").desired


def _live(desired: DesiredState) -> LiveState:
    """A live account holding the metrics, products (the first renamed) and customers."""
    first = sorted(desired.products)[0]
    old = desired.products[first]
    products = {**desired.products, first: old.model_copy(update={"name": old.name + " (old)"})}
    ids = {
        **{f"metric.{k}": f"mtr_{i}" for i, k in enumerate(sorted(desired.metrics))},
        **{f"product.{k}": f"prod_{i}" for i, k in enumerate(sorted(products))},
        **{f"customer.{k}": f"cus_{i}" for i, k in enumerate(sorted(desired.customers))},
    }
    return LiveState(
        environment="sandbox",
        metrics=dict(desired.metrics),
        products=products,
        customers=dict(desired.customers),
        ids=ids,
        fingerprints={f"product.{k}": fingerprint(r) for k, r in sorted(desired.products.items())},
    )


def test_catalog_digest(desired: DesiredState) -> None:
    assert desired.catalog_digest == (
        "sha256:ea08b294de2cd7e8b39f6072c1ebee31c38879361cc97df280afcc9d7a1cb4f0"
    )


def test_catalog_digest_escapes_non_ascii(tmp_path: Path) -> None:
    shutil.copy(REPO / "billing.toml", tmp_path / "billing.toml")
    shutil.copytree(REPO / "catalog", tmp_path / "catalog")
    bundles = tmp_path / "catalog" / "bundles.toml"
    bundles.write_text(
        bundles.read_text().replace('name = "Payments"', 'name = "Paiements été ✓"'),
        encoding="utf-8",
    )
    state = reconciler.load_catalog(reconciler.open_project(tmp_path), "sandbox").desired
    assert state.catalog_digest == (
        "sha256:cb7ae8eefa6bb7fdfec963a248d438dbba232671c7bdc9e83dd909e392f41383"
    )


def test_plan_id_and_plan_json(desired: DesiredState) -> None:
    live = _live(desired)
    plan = make_plan(desired, live, diff(desired, live), created_at=NOON)
    assert plan.plan_id == "20260501T120000Z-fda95d5d1f38"
    assert applied_by(plan.plan_id) == "10733a3f"
    text = plan.model_dump_json(indent=2)
    assert hashlib.sha256(text.encode()).hexdigest() == (
        "d916169a2c4ac381a972c664303b43fc7c916a903f260098cb6b4f4df38b4f8e"
    )


def test_plan_revision_digests(desired: DesiredState) -> None:
    models = CatalogModels(desired)
    digests = {key: plan_digest(plan, models) for key, plan in sorted(desired.plans.items())}
    assert digests == {
        "developer": "20d1e3971831",
        "enterprise": "ae88602cec9e",
        "growth": "3372b5c5422d",
    }


def test_fingerprints(desired: DesiredState) -> None:
    prints = {key: fingerprint(product) for key, product in sorted(desired.products.items())}
    assert prints == {
        "api_requests": "sha256:5f2830e814bc1f0f55c15558a8cc5bab",
        "auth_mau": "sha256:a6ec584652696f22b2fc5e977f08518b",
        "card_processing": "sha256:c6d716d22417afcde0aaff44e35a5883",
        "fx_conversion": "sha256:5b946b94d9efb40e783313296d4323da",
        "gpu_runners": "sha256:f656fb8d84d4340d06335295d3f7ea7c",
        "onboarding": "sha256:0834856f602fd6e36ee7413806752a30",
        "payouts": "sha256:221348de21a0205be5f890d980b9184b",
        "platform_fee": "sha256:7f2c3e32384a852c2ec13673c133fd1f",
        "premium_support": "sha256:025b237dd34f3fc194893c96f400be19",
        "realtime": "sha256:718914ef8d38b9e23b21ff45e29c8b3f",
        "seats": "sha256:bf9f9a7ee397a1bfc5f953fbca9b4fa2",
        "storage": "sha256:f0d13f8b4d3a9da4843cf41241e620fd",
    }
    first = desired.products[sorted(desired.products)[0]]
    unicode = first.model_copy(update={"name": "Café ✓"})
    assert fingerprint(unicode) == "sha256:e6efea52b9b262f10f6946fb0e623bfa"


def test_idempotency_keys() -> None:
    assert derived_key("a", "b") == "billing-7e18f737311b2dc3b2f269dd78396b0351f14fb66efa879f"
    plan_id = "20260501T120000Z-fda95d5d1f38"
    assert idempotency_key(plan_id, "product.api#update", "update") == (
        "billing-683fb80a7ccf610f93b64b8e9920c3076d529e242c9750c7"
    )
    body = {
        "name": "Café",
        "amount": Decimal("10.50"),
        "on": dt.date(2026, 1, 2),
        "n": [1, {"b": 2, "a": 1}],
    }
    assert content_key("sandbox", "product.api", "create", "/products", body) == (
        "billing-e77872a0796609a2ea11888d7044025cded2b3a2d29c1e2a"
    )
    assert content_key("sandbox", "product.api", "create", "/products") == (
        "billing-9f65a5c3968a936e3db92c047183ffdd6d9795d6b3b8f535"
    )
    assert successor("billing-abc", "prod_123") == (
        "billing-f49eaaf443a4da3c147b97989eeb8fa5c7fb870c9f0e6247"
    )


def test_derived_event_id_keeps_non_ascii() -> None:
    content = {
        "account": "acme",
        "event_name": "api.call",
        "timestamp": None,
        "properties": {"région": "Zürich", "n": 2},
    }
    assert derived_unique_id(content, 1) == "evt_4cd962c1ba690fc5c47b999b23cbdf28"


def test_canonical_json_and_digest_contract() -> None:
    value = {"b": [1, {"d": Decimal("1.50"), "c": dt.date(2026, 1, 2)}], "a": "é"}
    assert canonical_json(value) == '{"a":"\\u00e9","b":[1,{"c":"2026-01-02","d":"1.50"}]}'
    assert canonical_json(value, ensure_ascii=False) == (
        '{"a":"é","b":[1,{"c":"2026-01-02","d":"1.50"}]}'
    )
    full = hashlib.sha256(b"text").hexdigest()
    assert digest("text") == full
    assert digest("text", 12) == full[:12]
    assert digest("text", 32, labelled=True) == "sha256:" + full[:32]
    for length in (0, 65):
        with pytest.raises(ValueError, match="1 to 64 hex digits"):
            digest("text", length)

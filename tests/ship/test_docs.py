"""The documentation of policies holds: docs/settings.md's example parses and its sample
violation is what a real plan gets; docs/workflow.md's OPA/conftest example reads only
plan-JSON fields that real plans have, with the types it uses (conftest itself is a Go
binary, not installable from PyPI, so it is not run here)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from reconciler.apply.plan_files import read_plan
from reconciler.planning.policies import evaluate
from reconciler.settings import parse_settings
from tests.scenarios.harness import scenario_folders

ROOT = Path(__file__).resolve().parents[2]
ENVIRONMENTS = """
[environments.local]
api = "embedded"

[environments.production]
base_url = "https://api.alguna.io"
api_key_env = "ALGUNA_API_KEY"
protected = true
"""


def section(doc: str, title: str) -> str:
    text = (ROOT / "docs" / doc).read_text()
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end]


def test_the_settings_example_parses_and_its_violation_is_real() -> None:
    policies_doc = section("settings.md", "Policies")
    (example,) = re.findall(r"```toml\n(.*?)```", policies_doc, re.S)
    settings = parse_settings('default_environment = "local"\n' + example + ENVIRONMENTS)
    assert {p.check for p in settings.policies} == {
        "replace", "cancel", "price_increase", "protected_environment", "creates"
    }  # fmt: skip
    (sample,) = re.findall(r"```\n(billing\.toml: .*?)\n```", policies_doc, re.S)
    plan = read_plan(ROOT / "tests/scenarios/replace_product_immutable_fields/expected.json")
    plan = plan.model_copy(update={"environment": "production"})
    rule = settings.policies[0]
    (violation,) = evaluate(plan, [rule], protected=True)
    assert str(violation) == sample


def _rego() -> str:
    (rego,) = re.findall(r"```rego\n(.*?)```", section("workflow.md", "Policies"), re.S)
    return str(rego)


def _plans() -> list[dict[str, Any]]:
    return [json.loads((f / "expected.json").read_text()) for f in scenario_folders()]


def test_the_conftest_example_reads_fields_real_plans_have() -> None:
    rego = _rego()
    collections = dict(re.findall(r"some (\w+) in input\.(\w+)", rego))
    assert collections == {"change": "changes", "review": "review"}
    fields = {
        var: set(re.findall(rf"\b{var}\.(\w+)", rego)) for var in collections
    }  # fmt: skip
    assert fields == {
        "change": {"action", "address", "kind"},
        "review": {"address", "item", "max_increase_percent"},
    }
    tops = set(re.findall(r"input\.(\w+)", rego))
    assert tops == {"environment", "changes", "review", "summary"}
    assert re.findall(r"input\.summary\.(\w+)", rego) == ["create", "create"]

    plans = _plans()
    seen: dict[str, set[str]] = {"changes": set(), "review": set()}
    for plan in plans:
        assert isinstance(plan["environment"], str)
        assert isinstance(plan["summary"]["create"], int)
        for collection, var in (("changes", "change"), ("review", "review")):
            for entry in plan.get(collection, []):
                for name in fields[var]:
                    value = entry[name]
                    if name != "max_increase_percent":
                        assert isinstance(value, str), (collection, name, value)
                    elif value is not None:  # null when nothing rises (to_number reads it as 0)
                        float(value)  # a decimal string: rego's to_number reads it
                seen[collection].add(str(entry.get("action", "review")))
    # The rules have something real to fire on.
    assert {"replace", "cancel", "create"} <= seen["changes"]
    assert any(r.get("max_increase_percent") for p in plans for r in p.get("review", []))


def test_review_is_left_out_of_plans_without_price_changes() -> None:
    """`some review in input.review` is simply false on a plan without a review: the key
    is absent (plan.py: written only when non-empty), which rego treats as undefined."""
    without = [p for p in _plans() if "review" not in p]
    assert without, "some scenario changes no price"

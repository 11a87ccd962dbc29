"""An amount-off discount and an advance minimum spend, applied end to end.

Through the CLI on the embedded emulator: a bundle price with both is created, read back
and found unchanged; the emulator stores what the SDK's shapes say (`discount_type =
"fixed"` on a bundle price, `billing_direction` on the minimum); switching the minimum to
arrears is a field change the plan shows without a money review (only the timing moved).
"""

from __future__ import annotations

from pathlib import Path

from tests.builders import write_project
from tests.running import billing, control

CATALOG = """
[metrics.api_calls]
name = "API calls"
event_name = "api_call"
aggregation = { method = "count" }

[products.api]
name = "API"
fee_type = "metered"
payment_terms = "arrears"
metrics = ["api_calls"]

[bundles.addons]
name = "Add-ons"

[[bundles.addons.items]]
product = "api"

[bundles.addons.items.price]
type = "unit"
billing_interval = "monthly"
price_per_unit = 0.01
minimum_spend = { amount = 100, billing_direction = "DIRECTION" }

[bundles.addons.items.price.discount]
type = "fixed"
amount = 15
duration_type = "fixed"
duration_unit = "months"
duration_value = 3
"""


def _project(root: Path, direction: str) -> Path:
    return write_project(root, {"catalog.toml": CATALOG.replace("DIRECTION", direction)})


def test_an_amount_off_and_an_advance_minimum_apply_and_read_back(tmp_path: Path) -> None:
    project = _project(tmp_path, "advance")
    applied = billing(project, "apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "Apply complete: 3 created" in applied.stdout

    (bundle,) = control(project, "GET", "/objects/bundle")["data"]
    (price,) = bundle["prices"]
    assert price["discount"]["amount"] == "15"
    assert (price["discount"].get("type") or price["discount"].get("discount_type")) == "fixed"
    assert price["minimum_spend"]["billing_direction"] == "advance"

    again = billing(project, "plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes." in again.stdout

    _project(tmp_path, "arrears")
    switched = billing(project, "plan", "--detailed-exitcode")
    assert switched.exit_code == 2, switched.output
    assert "1 to update" in switched.stdout
    field = 'items[api].price.minimum_spend.billing_direction: "advance" -> "arrears"'
    assert field in switched.stdout
    assert "Money:" not in switched.stdout  # the period's total does not change

    assert billing(project, "apply", "--auto-approve").exit_code == 0
    (bundle,) = control(project, "GET", "/objects/bundle")["data"]
    assert bundle["prices"][0]["minimum_spend"]["billing_direction"] == "arrears"
    assert billing(project, "plan", "--detailed-exitcode").exit_code == 0

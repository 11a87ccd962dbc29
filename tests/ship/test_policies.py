"""Policies on plans (billing.toml `[[policies]]`): one test per rule kind, through the
real CLI on a `billing init` project and its embedded emulator; `apply` refusing a
denied plan with zero writes, counted by the emulator; `show` judging a saved plan by
today's rules. The `cancel` rule is checked on the real plan of the subscription_cancel
scenario (a subscription cancel needs a seeded, active subscription)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from reconciler import PlanRefusedError, apply_changes_async, open_project
from reconciler.apply.plan_files import read_plan
from reconciler.errors import InvalidInputError
from reconciler.planning.policies import evaluate, with_policies
from reconciler.settings import Policy, parse_settings
from reconciler.source.diagnostics import Severity
from tests.running import billing
from tests.ship.project import add_settings, emulator, new_project, saved_plan, set_starter_fee

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.fixture
def applied(tmp_path: Path) -> Path:
    """A new project, applied: the live account matches its catalog."""
    project = new_project(tmp_path / "demo")
    done = billing(project, "apply", "--auto-approve")
    assert done.exit_code == 0, done.output
    return project


def policy(name: str, check: str, effect: str = "deny", extra: str = "") -> str:
    return f'[[policies]]\nname = "{name}"\ncheck = "{check}"\neffect = "{effect}"\n{extra}'


def test_replace_denied_and_warned(applied: Path) -> None:
    products = applied / "catalog" / "products.toml"
    products.write_text(
        products.read_text().replace('payment_terms = "advance"', 'payment_terms = "arrears"')
    )
    add_settings(applied, policy("no-replace", "replace", "deny", 'reason = "ask finance"\n'))
    denied = billing(applied, "plan")
    assert denied.exit_code == 1, denied.output
    assert "policy.no-replace" in denied.stdout
    assert "product.platform_fee would be replaced: denied by policy 'no-replace'" in denied.stdout
    assert "(ask finance)" in denied.stdout
    assert "Saved the plan" not in denied.stderr, "a denied plan is not saved"

    settings = applied / "billing.toml"
    settings.write_text(settings.read_text().replace('effect = "deny"', 'effect = "warn"'))
    warned = billing(applied, "plan")
    assert warned.exit_code == 0, warned.output
    assert "warning policy.no-replace [product.platform_fee]" in warned.stdout


def test_price_increase_above_the_percentage(applied: Path) -> None:
    add_settings(applied, policy("rises", "price_increase", extra="above_percent = 20\n"))
    set_starter_fee(applied, "34")  # +17.24%: allowed
    allowed = billing(applied, "plan")
    assert allowed.exit_code == 0, allowed.output
    assert "policy.rises" not in allowed.stdout
    set_starter_fee(applied, "39")  # +34.48%: denied
    denied = billing(applied, "plan")
    assert denied.exit_code == 1, denied.output
    assert "policy.rises" in denied.stdout
    assert "rises by up to +34.48%, above the 20% this rule allows" in denied.stdout


def test_changes_in_a_protected_environment(applied: Path) -> None:
    settings = applied / "billing.toml"
    settings.write_text(
        settings.read_text().replace('api = "embedded"\n', 'api = "embedded"\nprotected = true\n')
    )
    add_settings(applied, policy("freeze", "protected_environment", extra='kinds = ["bundle"]\n'))
    assert billing(applied, "plan").exit_code == 0, "no change, no violation"
    set_starter_fee(applied, "30")
    denied = billing(applied, "plan")
    assert denied.exit_code == 1, denied.output
    assert "1 change(s) in protected environment 'local': bundle.starter#update" in denied.stdout


def test_creates_more_than_n(tmp_path: Path) -> None:
    project = new_project(tmp_path / "demo")
    add_settings(project, policy("small-steps", "creates", extra="max = 3\n"))
    denied = billing(project, "plan")
    assert denied.exit_code == 1, denied.output
    assert "the plan creates 4 object(s), more than the 3 this rule allows" in denied.stdout
    settings = project / "billing.toml"
    settings.write_text(settings.read_text().replace("max = 3", "max = 4"))
    assert billing(project, "plan").exit_code == 0


def test_cancel_on_the_subscription_cancel_scenario() -> None:
    plan = read_plan(SCENARIOS / "subscription_cancel" / "expected.json")
    rule = Policy(name="never-cancel", check="cancel")
    (found,) = evaluate(plan, [rule], protected=False)
    assert found.code == "policy.never-cancel" and found.severity is Severity.ERROR
    assert found.field is not None and found.field.startswith("subscription.")
    assert evaluate(plan, [rule.model_copy(update={"kinds": ["plan"]})], protected=False) == ()
    other_env = rule.model_copy(update={"environments": ["production"]})
    assert evaluate(plan, [other_env], protected=False) == ()
    judged = with_policies(plan, [rule], protected=False)
    assert with_policies(judged, [rule], protected=False) == judged, "idempotent"
    assert with_policies(judged, [], protected=False) == plan, "dropped with the rule"


def test_apply_refuses_a_denied_saved_plan_with_zero_writes(applied: Path) -> None:
    set_starter_fee(applied, "39")
    planned = billing(applied, "plan")
    assert planned.exit_code == 0, planned.output
    planfile = saved_plan(planned).resolve()
    # The rule is added after the plan was saved: apply judges it by today's rules.
    without_rule = (applied / "billing.toml").read_text()
    add_settings(applied, policy("rises", "price_increase", extra="above_percent = 10\n"))

    refused = billing(applied, "apply", str(planfile), "--auto-approve")
    assert refused.exit_code == 1, refused.output
    assert "policy.rises" in refused.stderr and "nothing was written" in refused.stderr

    shown = billing(applied, "show", str(planfile))
    assert shown.exit_code == 1, "show judges it as apply does"
    assert "denied by policy 'rises'" in shown.stdout

    async def through_the_library() -> None:
        async with emulator(applied) as emu:
            project = open_project(applied)
            saved = read_plan(planfile)
            with pytest.raises(PlanRefusedError, match=r"policy\.rises"):
                await apply_changes_async(project, plan=saved, transport=emu.transport)
            with pytest.raises(PlanRefusedError, match=r"policy\.rises"):
                await apply_changes_async(project, transport=emu.transport)
            assert await emu.writes() == 0
            # The counter does count: without the rule, the same plan is applied.
            (applied / "billing.toml").write_text(without_rule)
            result = await apply_changes_async(
                open_project(applied), plan=saved, transport=emu.transport
            )
            assert result.applied == ("bundle.starter#update",)
            assert await emu.writes() >= 1

    fresh = billing(applied, "apply", "--auto-approve")
    assert fresh.exit_code == 1 and "policy.rises" in fresh.stderr
    asyncio.run(through_the_library())


def test_drift_does_not_judge(applied: Path) -> None:
    add_settings(applied, policy("small-steps", "creates", extra="max = 0\n"))
    assert billing(applied, "drift").exit_code == 0


def test_bad_policies_are_reported_with_their_lines(tmp_path: Path) -> None:
    text = (
        'default_environment = "local"\n'
        "[[policies]]\n"
        'name = "a"\n'
        'check = "price_increase"\n'
        "[[policies]]\n"
        'name = "a"\n'
        'check = "replace"\n'
        'environments = ["prod"]\n'
        "[[policies]]\n"
        'name = "b"\n'
        'check = "explode"\n'
        "[environments.local]\n"
        'api = "embedded"\n'
    )
    with pytest.raises(InvalidInputError) as raised:
        parse_settings(text)
    shown = [(d.line, d.field, d.message) for d in raised.value.diagnostics]
    assert shown[0][0] == 2 and "above_percent is required" in shown[0][2]
    assert shown[1][:2] == (6, "policies[1].name") and "used twice" in shown[1][2]
    assert shown[2][:2] == (8, "policies[1].environments") and "prod" in shown[2][2]
    assert shown[3][0] == 11 and shown[3][1] == "policies[2].check"

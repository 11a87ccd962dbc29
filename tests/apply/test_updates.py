"""Apply converges from a live account that already holds an older catalog: in-place
updates and replaces leave nothing to do.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings

from reconciler.commands.workflow import apply_planned
from reconciler.model import DesiredState
from reconciler.plan import Action, ApplyStatus
from reconciler.source.diagnostics import Severity
from tests.apply.generated import Direct, direct, valid_catalogs
from tests.apply.harness import describe, workspace
from tests.builders import write_catalog
from tests.live.valid import catalog_errors

# The settings PATCH can change on a live subscription, except `billing` and `renewal`
# (see test_removed_subscription_billing_and_renewal_fields_are_cleared).
SUBSCRIPTION_SETTINGS = (
    "name",
    "description",
    "metadata",
    "discount",
    "trial_days",
    "minimum_spend",
    "maximum_spend",
)


def moved_to(old: DesiredState, new: DesiredState) -> DesiredState:
    """`new`, except that its generated subscription is `old`'s with `new`'s in-place
    settings: the rest (customer, plan, contract, versions) cannot change in place."""
    before, after = old.subscriptions["gen"], new.subscriptions["gen"]
    subscription = before.model_copy(
        update={name: getattr(after, name) for name in SUBSCRIPTION_SETTINGS}
    )
    return new.model_copy(update={"subscriptions": {**new.subscriptions, "gen": subscription}})


async def updates_converge(env: Direct, old: DesiredState, new: DesiredState) -> None:
    await env.control.reset()
    _, result = await env.apply(old)
    assert result.status is ApplyStatus.SUCCESS, result.errors

    plan, result = await env.apply(new)
    assert not [d for d in plan.diagnostics if d.severity is Severity.ERROR]
    assert result.status is ApplyStatus.SUCCESS, result.errors

    after, _ = await env.plan(new)
    assert not after.has_changes, "plan after apply is not empty:\n" + describe(after.changes)


def test_apply_converges_from_another_catalog() -> None:
    with direct() as env:

        @settings(
            max_examples=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(old=valid_catalogs(), new=valid_catalogs())
        def check(old: DesiredState, new: DesiredState) -> None:
            new = moved_to(old, new)
            assert catalog_errors(new) == []
            env.run(updates_converge(env, old, new))

        check()


SUBSCRIPTION = """
[products.platform]
name = "Platform"
fee_type = "fixed"
payment_terms = "advance"
billing_frequency = "recurring"

[customers.acme]
name = "Acme"
currency = "USD"

[subscriptions.acme_main]
customer = "acme"
contract = {{ period_type = "fixed", duration_months = 12, start_date = 2026-05-01 }}
renewal = {{ auto_renew = true, period_type = "fixed"{renewal} }}
billing = {{ payment_terms = "net_30"{billing} }}

[[subscriptions.acme_main.versions]]
effective = 2026-05-01
[[subscriptions.acme_main.versions.items]]
product = "platform"
[subscriptions.acme_main.versions.items.price]
type = "fixed"
billing_interval = "monthly"
price_per_unit = 49
"""
FULL = {
    "subscriptions.toml": SUBSCRIPTION.format(
        renewal=", duration_months = 12", billing=", first_billing_date = 2026-05-01"
    )
}
TRIMMED = {"subscriptions.toml": SUBSCRIPTION.format(renewal="", billing="")}


async def test_removed_subscription_billing_and_renewal_fields_are_cleared(
    tmp_path: Path,
) -> None:
    async with workspace(tmp_path / "project", catalog=FULL) as ws:
        planned = await ws.plan()
        async with ws.target() as target:
            assert (await apply_planned(planned, target)).status is ApplyStatus.SUCCESS
        write_catalog(ws.root, TRIMMED)

        planned = await ws.plan()
        assert [(c.address, c.action) for c in planned.plan.changes] == [
            ("subscription.acme_main", Action.UPDATE)
        ]
        async with ws.target() as target:
            assert (await apply_planned(planned, target)).status is ApplyStatus.SUCCESS

        (live,) = await ws.control.objects("subscription")
        after = await ws.next_plan()
        assert not after.has_changes, describe(after.changes)
        assert live["billing"].get("first_billing_date") is None
        assert live["renewal"].get("duration_months") is None

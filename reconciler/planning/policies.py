"""Policies on plans: the rules of billing.toml's `[[policies]]` checked against a plan.

Pure: reads only the plan, the rules and whether the environment is protected. A
violation is a `Diagnostic` coded `policy.<rule name>` (file `billing.toml`, `field` the
address it concerns, when one does): an error for `effect = "deny"` (apply refuses a
plan with any error, `apply_refusals`), a warning for `warn`.

`with_policies` is idempotent: it drops the plan's earlier `policy.*` diagnostics before
adding the current ones, so a saved plan checked again (by `billing show` or `billing
apply PLANFILE`) is judged by today's rules and renders as `billing plan` showed it when
the rules did not change.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from reconciler.plan import Action, Change, Plan
from reconciler.settings import SETTINGS_FILE, Policy
from reconciler.source.diagnostics import Diagnostic, Severity

CODE_PREFIX = "policy."


def with_policies(plan: Plan, policies: Sequence[Policy], *, protected: bool) -> Plan:
    """`plan` with its policy diagnostics replaced by those of `policies` (after every
    other diagnostic, in rule order)."""
    kept = tuple(d for d in plan.diagnostics if not d.code.startswith(CODE_PREFIX))
    found = evaluate(plan, policies, protected=protected)
    if kept + found == plan.diagnostics:
        return plan
    return plan.model_copy(update={"diagnostics": kept + found})


def evaluate(plan: Plan, policies: Sequence[Policy], *, protected: bool) -> tuple[Diagnostic, ...]:
    """Every violation of `policies` (those for other environments are skipped) by `plan`."""
    return tuple(
        violation
        for policy in policies
        if policy.applies_to(plan.environment)
        for violation in _violations(plan, policy, protected)
    )


def _violations(plan: Plan, policy: Policy, protected: bool) -> Iterator[Diagnostic]:
    changes = [c for c in plan.changes if policy.kinds is None or c.kind in policy.kinds]
    if policy.check in ("replace", "cancel"):
        action = Action.REPLACE if policy.check == "replace" else Action.CANCEL
        for change in changes:
            if change.action is action:
                yield _diagnostic(policy, f"{change.address} would be {_past(action)}", change)
    elif policy.check == "price_increase":
        assert policy.above_percent is not None
        for review in plan.review:
            kind = review.address.kind
            rise = review.max_increase_percent
            if policy.kinds is not None and kind not in policy.kinds:
                continue
            if rise is not None and rise > policy.above_percent:
                yield _diagnostic(
                    policy,
                    f"{review.address} {review.item}: the charge rises by up to +{rise}%,"
                    f" above the {policy.above_percent:f}% this rule allows",
                    address=review.address,
                )
    elif policy.check == "protected_environment":
        if protected and changes:
            listed = ", ".join(c.change_id for c in changes[:5])
            more = f" and {len(changes) - 5} more" if len(changes) > 5 else ""
            yield _diagnostic(
                policy,
                f"{len(changes)} change(s) in protected environment {plan.environment!r}:"
                f" {listed}{more}",
            )
    elif policy.check == "creates":
        assert policy.max is not None
        creates = [c for c in changes if c.action is Action.CREATE]
        if len(creates) > policy.max:
            yield _diagnostic(
                policy,
                f"the plan creates {len(creates)} object(s), more than the {policy.max}"
                " this rule allows",
            )


def _past(action: Action) -> str:
    return "replaced" if action is Action.REPLACE else "canceled"


def _diagnostic(
    policy: Policy, what: str, change: Change | None = None, *, address: str | None = None
) -> Diagnostic:
    verdict = "denied" if policy.effect == "deny" else "warned"
    reason = f" ({policy.reason})" if policy.reason else ""
    return Diagnostic(
        code=f"{CODE_PREFIX}{policy.name}",
        severity=Severity.ERROR if policy.effect == "deny" else Severity.WARNING,
        file=SETTINGS_FILE,
        field=change.address if change is not None else address,
        message=f"{what}: {verdict} by policy {policy.name!r}{reason}",
    )

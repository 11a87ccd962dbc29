"""`make_plan`: a diff wrapped into a reviewable, replayable `Plan` (pure: no I/O, no clock).

Owns the plan id, the guards and the plan's record of what it read; the changes
themselves come from `diff`. Must not read the API or the clock: the caller passes the
live state and `created_at`, so the same inputs always give the same plan (goldens).

Contracts:
- `plan_id` is `<created_at as YYYYMMDDTHHMMSSZ>-<12 hex>`, the hex a hash of the
  environment, catalog digest, creation time, fingerprints and changes. Two plans made
  at different times have different ids even when their changes are equal, so the
  plan-scoped idempotency keys of one (updates and renames: derived from the id by
  `apply`) never replay the responses of another: a change reverted out of band and
  planned again is really made again. Creates and lifecycle steps are keyed by content
  instead, so that two plans making the same object agree (`apply.keys`).
- `fingerprints` hold every managed live object read (`LiveState.fingerprints`): a saved
  plan is checked against them before any write.
- Guards are diagnostics in the plan, so a reviewer sees them before apply enforces them
  (`apply_refusals`): a `replace` needs `--allow-replace`; replacing a subscription is
  refused outright (the old one would keep billing); a protected environment applies
  only from a saved plan.
- `review` holds what every changed price charges before and after at representative
  usages (`reconciler.planning.review`). A price whose sampled charge rises by more than
  `review_threshold` percent (billing.toml `[review] price_increase_warning_percent`)
  gets a `plan.price_increase` warning: a warning, not an error, since raising a price
  is often the point of the pull request; it puts the rise in front of the reviewer.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from reconciler.diff import DiffResult
from reconciler.model import DesiredState, LiveState, canonical_json, digest
from reconciler.model.collection import fewer_collections
from reconciler.plan import Action, Change, ChargeSample, Plan, PriceReview
from reconciler.planning.review import exceeds, price_reviews
from reconciler.settings import DEFAULT_PRICE_INCREASE_WARNING_PERCENT
from reconciler.source.diagnostics import Diagnostic, Severity


def make_plan(
    desired: DesiredState,
    live: LiveState,
    result: DiffResult,
    *,
    created_at: dt.datetime,
    diagnostics: tuple[Diagnostic, ...] = (),
    review_threshold: Decimal = DEFAULT_PRICE_INCREASE_WARNING_PERCENT,
) -> Plan:
    """The plan for `result` (the diff of `desired` against `live`). `diagnostics` are
    the catalog's own warnings, carried so that the plan shows them too;
    `review_threshold` is the sampled price rise, in percent, above which a price gets
    a `plan.price_increase` warning."""
    if created_at.tzinfo is None:
        raise ValueError("created_at must be timezone-aware")
    # The plan id dumps every change; with thousands, a full collection walking the
    # states and the diff again was a third of this call's CPU at 10,000 (issue 19).
    with fewer_collections():
        return _make_plan(desired, live, result, created_at, diagnostics, review_threshold)


def _make_plan(
    desired: DesiredState,
    live: LiveState,
    result: DiffResult,
    created_at: dt.datetime,
    diagnostics: tuple[Diagnostic, ...],
    review_threshold: Decimal,
) -> Plan:
    created_at = created_at.astimezone(dt.UTC).replace(microsecond=0)
    guards = [g for change in result.changes if (g := _guard(change, desired)) is not None]
    review = price_reviews(result.changes, desired, live)
    rises = [_price_increase(r, review_threshold, desired) for r in review]
    return Plan(
        plan_id=plan_id(desired, live, result.changes, created_at),
        environment=desired.environment,
        created_at=created_at,
        catalog_digest=desired.catalog_digest,
        changes=result.changes,
        summary=result.summary,
        diagnostics=(*diagnostics, *result.diagnostics, *guards, *filter(None, rises)),
        fingerprints=dict(sorted(live.fingerprints.items())),
        unmanaged=result.unmanaged,
        review=review,
    )


def plan_id(
    desired: DesiredState, live: LiveState, changes: tuple[Change, ...], created_at: dt.datetime
) -> str:
    content = {
        "environment": desired.environment,
        "catalog_digest": desired.catalog_digest,
        "created_at": created_at.isoformat(),
        "fingerprints": live.fingerprints,
        "changes": [c.model_dump(mode="json") for c in changes],
    }
    return f"{created_at:%Y%m%dT%H%M%SZ}-{digest(canonical_json(content), 12)}"


def _guard(change: Change, desired: DesiredState) -> Diagnostic | None:
    if change.action is not Action.REPLACE:
        return None
    source = desired.sources.get(change.address)
    where = {"file": source.file, "line": source.line} if source else {}
    if change.kind == "subscription":
        return Diagnostic(
            code="plan.subscription_replace",
            severity=Severity.ERROR,
            field=change.address,
            message=f"{change.address}: {_forced(change)} cannot change on a live subscription,"
            " and replacing it would leave the old one billing. Declare a new subscription"
            " (a new key) and cancel this one explicitly with a `cancel` table",
            **where,
        )
    return Diagnostic(
        code="plan.replace",
        severity=Severity.WARNING,
        field=change.address,
        message=f"{change.address} will be replaced ({_forced(change)} cannot change in"
        " place): the live object is renamed out of the way and a new one created; apply"
        " needs --allow-replace",
        **where,
    )


def _price_increase(
    review: PriceReview, threshold: Decimal, desired: DesiredState
) -> Diagnostic | None:
    """The `plan.price_increase` warning of `review`, if it rises above `threshold` %."""
    worst = review.worst
    if worst is None or not exceeds(review, threshold):
        return None
    source = desired.sources.get(review.address.resource)
    where = {"file": source.file, "line": source.line} if source else {}
    return Diagnostic(
        code="plan.price_increase",
        severity=Severity.WARNING,
        field=f"{review.address}.{review.item}",
        message=f"{review.address} {review.item}: the charge rises by up to"
        f" +{review.max_increase_percent}% (at {_usage(review, worst)}:"
        f" {worst.before} → {worst.after} {review.currency}"
        f" {'once (one-off)' if review.one_off else 'per billing period'}),"
        f" above the {threshold:f}% review threshold",
        **where,
    )


def _usage(review: PriceReview, sample: ChargeSample) -> str:
    """`quantity 1,001`, `volume 10,000.01`, `every metric at 100`, `any usage`."""
    if sample.quantity is None:
        return "any usage" if review.basis == "flat" else sample.note
    value = f"{sample.quantity:,f}"
    if review.basis == "volume":
        return f"volume {value}"
    if review.basis == "metrics":
        return f"every metric at {value}"
    return f"quantity {value}"


def _forced(change: Change) -> str:
    return ", ".join(f"`{f.path}`" for f in change.fields if f.forces_replace)


def apply_refusals(
    plan: Plan, *, allow_replace: bool, from_saved_plan: bool, protected: bool
) -> list[str]:
    """Why `plan` must not be applied as asked (empty: it may). Checked before any write."""
    reasons: list[str] = []
    errors = [d for d in plan.diagnostics if d.severity is Severity.ERROR]
    if errors:
        reasons.append(
            f"the plan has {len(errors)} error(s) ({', '.join(sorted({d.code for d in errors}))});"
            " fix them and plan again"
        )
    if protected and not from_saved_plan:
        reasons.append(
            f"environment {plan.environment!r} is protected: apply a saved, reviewed plan"
            f" (billing plan --env {plan.environment} --out FILE, then billing apply FILE)"
        )
    replaced = [c.address for c in plan.changes if c.action is Action.REPLACE]
    if replaced and not allow_replace:
        reasons.append(
            f"the plan replaces {len(replaced)} resource(s) ({', '.join(replaced[:5])});"
            " rerun with --allow-replace once you have reviewed them"
        )
    return reasons

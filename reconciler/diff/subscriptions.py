"""Subscriptions: settings, versions, activation and cancellation (issue 6).

A subscription is compared in three parts:

- Settings (everything but `versions`, `activate`, `cancel`): as any resource
  (`resource_change`): PATCHable settings -> `update`; `customer`, `plan`, `currency`,
  `contract` -> `replace`. A replaced subscription is new: its versions and activation
  are planned as for a create. Terms the declaration leaves to its plan are compared
  with the live subscription's own (`_inherited_from_live`): the API copied them from
  the plan revision it was created from, and later revisions do not change them.
- Versions, matched to live versions by effective date. A declared version dated with a
  keyword (`next_billing_period`...) is resolved by the API when created, so it matches,
  in declared order, the unmatched live versions later than every date-matched one.
  Declared and not live -> `new_version` (address `subscription.<key>.versions[<eff>]`).
  Matched but different: on a draft subscription (its versions are drafts, editable) ->
  `update` of that version. On an activated one the version is published: it is what
  the API shows, never re-derived from the catalog's plan (which may have new revisions,
  or replaced products, since): only its own declared items (overrides) and description
  are compared with what was published (`_own_parts`), and a difference there is an
  error diagnostic saying how to express the change as a new version. Live versions not
  declared -> a warning (published versions cannot be removed). A declared version with
  `plan` (follow that plan's current revision) is reported as a migration.
- Lifecycle: `activate = true` on a draft live subscription -> `activate`. A declared
  `cancel` on a live subscription not yet canceled -> `cancel`; a subscription that is
  merely absent from the catalog is never canceled (it is not even looked at). A declared
  cancel with no live subscription creates nothing (warning). `activate = false` on an
  active subscription plans nothing: a subscription cannot return to draft.
- Status drift (`subscription.status_drift`, a warning that `billing drift` counts as
  drift): the live `status` contradicts the catalog in a way apply cannot undo. Canceled
  (or a cancellation scheduled) while the catalog declares no `cancel`; `paused` while it
  declares `activate = true`; activated (not a draft) while it declares `activate =
  false`. Each message says what to declare to record it.

Limits of the live model, stated so they are not mistaken for rules: `LiveState` does not
carry version statuses, so "draft" is read from the subscription (not activated), and it
knows a cancellation only if the wire mapping reads `cancellation` back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from reconciler.diff.fields import dump, field_changes
from reconciler.diff.noops import noop_change
from reconciler.diff.resources import resource_change
from reconciler.model import Address, Source, Subscription, Version
from reconciler.model.resources import SubscriptionBilling
from reconciler.plan import Action, Change, FieldChange
from reconciler.source.diagnostics import Diagnostic, Severity


@dataclass
class SubscriptionDiff:
    """Changes (noops included) and diagnostics for one declared subscription."""

    changes: list[Change] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass(frozen=True)
class SubscriptionInput:
    """One declared subscription and what is known of it live (all canonical)."""

    key: str
    desired: Subscription
    live: Subscription | None
    remote_id: str | None = None
    moved_from: str | None = None
    source: Source | None = None
    live_status: str | None = None
    sources: Mapping[Address, Source] = field(default_factory=dict)  # versions, by address
    declared: Subscription | None = None  # as written: which items override the plan


def subscription_diff(sub: SubscriptionInput) -> SubscriptionDiff:
    """The changes and diagnostics for one subscription; every change's reason names the
    customer, so a reviewer sees who is affected without looking the key up."""
    out = _subscription_diff(sub)
    who = f"customer {sub.desired.customer}"
    out.changes = [
        c if c.action is Action.NOOP else c.model_copy(update={"reason": f"{who}: {c.reason}"})
        for c in out.changes
    ]
    return out


def _subscription_diff(sub: SubscriptionInput) -> SubscriptionDiff:
    out = SubscriptionDiff()
    address = Address(kind="subscription", key=sub.key)
    desired, live = sub.desired, sub.live
    if live is None and desired.cancel is not None:
        out.diagnostics.append(
            _diagnostic(
                sub,
                "subscription.cancel_not_live",
                Severity.WARNING,
                "cancel",
                f"{address} declares a cancellation but no live subscription matches it;"
                " nothing is created",
            )
        )
        return out
    settings = resource_change(
        address,
        _settings(_inherited_from_live(desired, sub.declared, live)),
        None if live is None else _settings(live),
        sub.remote_id,
        sub.moved_from,
    )
    if live is None or settings.action is Action.REPLACE:
        # A new subscription: created with its first version, the later ones added, then
        # activated (activation publishes the draft versions).
        first = _settings(desired).model_copy(update={"versions": desired.versions[:1]})
        out.changes.append(settings.model_copy(update={"after": dump(first)}))
        out.changes.extend(
            _new_version(sub.key, v, _written(sub, i + 1))
            for i, v in enumerate(desired.versions[1:])
        )
        if desired.activate:
            out.changes.append(_activate(sub.key, None))
        return out
    out.changes.append(settings)
    _versions(sub, live, out)
    if desired.activate and not live.activate:
        out.changes.append(_activate(sub.key, sub.remote_id))
    if desired.cancel is not None:
        _cancel(sub, live, out)
    _status_drift(sub, live, out)
    return out


def _status_drift(sub: SubscriptionInput, live: Subscription, out: SubscriptionDiff) -> None:
    """The live status against `activate` and `cancel` (module docstring)."""
    desired, status, address = sub.desired, sub.live_status, Address("subscription", sub.key)
    problem: str | None = None
    if desired.cancel is None and (status == "canceled" or live.cancel is not None):
        when = ""
        if live.cancel is not None:
            when = f" (reason {live.cancel.reason}, effective {live.cancel.effective})"
        state = "canceled" if status == "canceled" else "scheduled for cancellation"
        problem = (
            f"{address} is {state} in the live account{when}, but the catalog declares no"
            f" cancel{' and activate = true' if desired.activate else ''}: it was canceled"
            " outside the catalog. A cancellation cannot be undone by apply: declare it (a"
            " `cancel` table) to record it, or declare a new subscription to bill again"
        )
    elif status == "paused" and desired.activate:
        problem = (
            f"{address} is paused in the live account, but the catalog declares activate ="
            " true: it was paused outside the catalog and apply does not resume it. Resume"
            " it in the dashboard, or cancel it in the catalog"
        )
    elif not desired.activate and live.activate and status not in (None, "draft"):
        problem = (
            f"{address} is {status} in the live account, but the catalog declares activate"
            " = false (a draft): it was activated outside the catalog, and a subscription"
            " cannot return to draft. Declare activate = true to record it"
        )
    if problem is not None:
        out.diagnostics.append(
            _diagnostic(sub, "subscription.status_drift", Severity.WARNING, "status", problem)
        )


def _inherited_from_live(
    desired: Subscription, declared: Subscription | None, live: Subscription | None
) -> Subscription:
    """`desired` with the terms its declaration leaves to its plan taken from `live`: the
    API copied them from the plan revision the subscription was created from, which keeps
    them whatever later revisions say (grandfathering); a plan's terms cannot be read
    back, so the live subscription is the record of them."""
    if live is None or declared is None or declared.plan is None:
        return desired
    update: dict[str, object] = {
        name: getattr(live, name)
        for name in ("trial_days", "discount", "minimum_spend", "maximum_spend", "renewal")
        if getattr(declared, name) is None
    }
    if declared.renewal is not None and declared.renewal.duration_months is None:
        months = live.renewal.duration_months if live.renewal is not None else None
        renewal = desired.renewal or declared.renewal
        update["renewal"] = renewal.model_copy(update={"duration_months": months})
    if declared.contract.duration_months is None:
        update["contract"] = desired.contract.model_copy(
            update={"duration_months": live.contract.duration_months}
        )
    if declared.billing is None or declared.billing.payment_terms is None:
        terms = live.billing.payment_terms if live.billing is not None else None
        billing = (desired.billing or SubscriptionBilling()).model_copy(
            update={"payment_terms": terms}
        )
        update["billing"] = billing if billing.model_dump(exclude_none=True) else None
    return desired.model_copy(update=update)


def _settings(subscription: Subscription) -> Subscription:
    return subscription.model_copy(update={"versions": (), "activate": False, "cancel": None})


def effective_text(version: Version) -> str:
    effective = version.effective
    return effective.isoformat() if isinstance(effective, dt.date) else effective


def _version_address(key: str, version: Version) -> Address:
    return Address(kind="subscription", key=key, version=effective_text(version))


def _new_version(key: str, version: Version, written: Version | None = None) -> Change:
    reason = f"declared version effective {effective_text(version)} is not live"
    if written is not None and written.plan is not None:
        reason += f"; it moves to plan.{written.plan}: its current revision's prices" + (
            ", with this version's overrides" if written.items else ""
        )
    return Change(
        address=_version_address(key, version),
        kind="subscription",
        key=key,
        action=Action.NEW_VERSION,
        after=dump(version),
        reason=reason,
    )


def _activate(key: str, remote_id: str | None) -> Change:
    return Change(
        address=Address("subscription", key),
        kind="subscription",
        key=key,
        action=Action.ACTIVATE,
        remote_id=remote_id,
        before={"activate": False},
        after={"activate": True},
        reason="declared activate = true; the subscription is a draft",
    )


def match_versions(declared: Sequence[Version], live: Sequence[Version]) -> dict[int, int]:
    """Declared index -> live index (rules in the module docstring)."""
    by_date = {v.effective: j for j, v in enumerate(live) if isinstance(v.effective, dt.date)}
    matched = {
        i: by_date[v.effective]
        for i, v in enumerate(declared)
        if isinstance(v.effective, dt.date) and v.effective in by_date
    }
    dates = [live[j].effective for j in matched.values()]
    last = max((d for d in dates if isinstance(d, dt.date)), default=None)
    pool = [
        j
        for j, v in enumerate(live)
        if j not in matched.values()
        and (not isinstance(v.effective, dt.date) or last is None or v.effective > last)
    ]
    keyworded = [i for i, v in enumerate(declared) if not isinstance(v.effective, dt.date)]
    matched.update(zip(keyworded, pool, strict=False))
    return matched


def _versions(sub: SubscriptionInput, live: Subscription, out: SubscriptionDiff) -> None:
    declared = sub.desired.versions
    matched = match_versions(declared, live.versions)
    for i, version in enumerate(declared):
        if i not in matched:
            out.changes.append(_new_version(sub.key, version, _written(sub, i)))
            continue
        live_version = live.versions[matched[i]]
        address = _version_address(sub.key, version)
        if live.activate:
            # Published: read back, never re-derived from the plan; only the version's own
            # declared overrides (and description) are compared with what was published.
            want, have = _own_parts(version, _written(sub, i), live_version)
            fields = field_changes(have, want)
            if fields:
                # Its outcome is the diagnostic: not a change, and not "unchanged" either.
                out.diagnostics.append(_published(sub, address, version, fields))
                continue
            action = Action.NOOP
        else:
            # Matching is the identity; a keyword the API resolved to a date is no difference.
            fields = field_changes(live_version, _dated(version, live_version))
            action = Action.NOOP if not fields else Action.UPDATE
        before, after = dump(live_version), dump(version)
        if action is Action.NOOP:
            out.changes.append(noop_change(address, before, after, "live matches the catalog"))
            continue
        out.changes.append(
            Change(
                address=address,
                kind="subscription",
                key=sub.key,
                action=action,
                before=before,
                after=after,
                fields=fields,
                reason="draft version: edited in place before activation",
            )
        )
    for j in sorted(set(range(len(live.versions))) - set(matched.values())):
        text = effective_text(live.versions[j])
        out.diagnostics.append(
            _diagnostic(
                sub,
                "subscription.version_undeclared",
                Severity.WARNING,
                f"versions[{text}]",
                f"subscription.{sub.key} has a live version effective {text} that the"
                " catalog does not declare; published versions cannot be removed, so"
                " declare it to record it",
            )
        )


def _written(sub: SubscriptionInput, index: int) -> Version | None:
    """The `index`-th version as declared (None: the subscription declares none, so its
    first version is its plan's items)."""
    versions = sub.declared.versions if sub.declared is not None else ()
    return versions[index] if index < len(versions) else None


def _own_parts(version: Version, written: Version | None, live: Version) -> tuple[Version, Version]:
    """What of a published version its declaration decides, declared and live: the items
    it declares (overrides of its plan's items, or every item without a plan) and its
    description if declared. The plan's items it copied are what was published."""
    refs = {item.ref for item in written.items} if written is not None else set()
    described = written is not None and written.description is not None

    def own(v: Version, description: str | None) -> Version:
        items = tuple(sorted((i for i in v.items if i.ref in refs), key=lambda i: i.ref))
        return Version(effective=live.effective, description=description, items=items)

    return (
        own(version, version.description if described else None),
        own(live, live.description if described else None),
    )


def _dated(version: Version, live: Version) -> Version:
    return version.model_copy(update={"effective": live.effective})


def _published(
    sub: SubscriptionInput, address: Address, version: Version, fields: Sequence[FieldChange]
) -> Diagnostic:
    shown = "; ".join(f"{f.path}: {f.before!r} -> {f.after!r}" for f in fields[:3])
    if len(fields) > 3:
        shown += f"; {len(fields) - 3} more"
    return _diagnostic(
        sub,
        "subscription.version_published",
        Severity.ERROR,
        address,
        f"{address} is published and cannot be edited ({shown}). Keep it as it is live and"
        " declare the new prices as a new version: add a [[subscriptions."
        f"{sub.key}.versions]] entry with effective = a later date (or"
        ' "next_billing_period") and the changed items',
        at=address,
    )


def _cancel(sub: SubscriptionInput, live: Subscription, out: SubscriptionDiff) -> None:
    cancel = sub.desired.cancel
    assert cancel is not None
    if live.cancel is None:
        out.changes.append(
            Change(
                address=Address("subscription", sub.key),
                kind="subscription",
                key=sub.key,
                action=Action.CANCEL,
                remote_id=sub.remote_id,
                before={"cancel": None},
                after={"cancel": dump(cancel)},
                reason=f"declared cancel (reason {cancel.reason}, effective"
                f" {cancel.effective}); the live subscription is not canceled",
            )
        )
    elif live.cancel.reason != cancel.reason:
        out.diagnostics.append(
            _diagnostic(
                sub,
                "subscription.cancel_differs",
                Severity.WARNING,
                "cancel",
                f"subscription.{sub.key} is already canceled (reason {live.cancel.reason});"
                " a cancellation cannot be changed",
            )
        )


def _diagnostic(
    sub: SubscriptionInput,
    code: str,
    severity: Severity,
    field: str,
    message: str,
    *,
    at: Address | None = None,
) -> Diagnostic:
    """A diagnostic located at the declared version `at` (its own `[[...versions]]` line),
    else at the subscription."""
    source = sub.sources.get(at) if at is not None else None
    source = source or sub.source
    return Diagnostic(
        code=code,
        message=message,
        severity=severity,
        field=field,
        file=source.file if source else None,
        line=source.line if source else None,
    )

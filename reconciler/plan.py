"""The plan vocabulary: `Action`, `FieldChange`, `Change`, `ChargeSample`, `PriceReview`,
`Plan`, `ApplyResult` (types only).

`diff` produces changes, `planner` wraps them in a `Plan`, `report` renders it, `apply`
performs it and returns an `ApplyResult`. A plan is saved and re-read as JSON, so the
JSON form below is a public contract (DESIGN §4); change it only with `format_version`.

Plan JSON, `format_version` 1 (`Plan.model_dump_json()`; `Plan.model_validate_json` reads
it back to an equal `Plan`):

    {
      "format_version": 1,
      "plan_id": "…", "environment": "production",
      "created_at": "2026-05-01T12:00:00Z",          # timezone-aware, UTC on output
      "catalog_digest": "sha256:…",
      "changes": [                                     # no `noop`; in apply order
        {"address": "product.api", "kind": "product", "key": "api",
         "action": "update", "remote_id": "prod_…",
         "before": {…}, "after": {…},                  # catalog-shaped, canonical, JSON-safe
         "fields": [{"path": "items[api].price.tiers[1].price_per_unit",
                     "before": "0.05", "after": "0.04", "forces_replace": false}],
         "reason": "…"}
      ],
      "summary": {"create": 0, "update": 1, "replace": 0, "new_version": 0,
                  "activate": 0, "cancel": 0, "unchanged": 12},
                                                       # + "new_revision": n when n > 0
      "diagnostics": [{"code": …, "message": …, "file": …, "line": …, "field": …,
                       "severity": "error" | "warning"}],
      "fingerprints": {"product.api": "sha256:…"},    # every live object read
      "unmanaged": [{"kind": …, "key": …, "remote_id": …, "natural_key": …}],
      "review": [                                      # only when a price changes (below)
        {"address": "plan.starter", "action": "update", "item": "items[api]",
         "currency": "USD", "before_type": "graduated_tiered",
         "after_type": "graduated_tiered", "basis": "units", "period_index": 0,
         "compared_with": null,
         "samples": [{"quantity": "1001", "transactions": null, "note": "past a bound",
                      "before": "55.05", "after": "68.81", "difference": "13.76",
                      "percent_change": "25.00"}],
         "max_increase_percent": "25.00", "problem": null}
      ],
      "promotion": {"from_environment": "sandbox",      # only from `billing promote`
                    "source_catalog_digest": "sha256:…",
                    "source_checked_at": "2026-05-01T11:59:58Z", "source_unchanged": 31},
      "partial": {"targets": ["plan.growth"], "excludes": [],   # only with --target/--exclude
                  "pulled_in": ["product.seats"], "left_out": 4}
    }

Contracts:
- `before`/`after` are the resource (or version, for `new_version` and version updates)
  in the catalog's own shape, normalized (`reconciler.wire.canonical`), dumped in JSON
  mode without defaults: decimals are strings ("0.05"), dates ISO strings. `after`
  re-validates (as JSON) into the catalog model it came from.
- `before` is None exactly for `create` and `new_version`; `after` is never None.
- `forces_replace` marks the fields that make a change a `replace`: a change is a
  `replace` if and only if one of its fields forces it.
- `new_revision` (added within format_version 1; counted in `summary` only when
  present, so a plan without one reads byte for byte as before): a plan whose content
  changed gets a new plan object (plans are write-once, `reconciler.diff.plans`); its
  `fields` include `revision` (the content digest, before -> after) and `before` is what a
  plan read shows (name, currency, description).
- `(address, action)` is unique in a plan; `Change.change_id` names it (`apply` derives
  idempotency keys from it and `ApplyResult` lists it).
- `summary` counts each action among `changes` (checked), plus `unchanged`: the declared
  resources and versions that need nothing (the no-ops, which are not listed).
- Plans hold no secrets: nothing here carries credentials, and values come only from the
  catalog and the live account.
- `review` (added within format_version 1, so a reader of an older file gets `()`): one
  `PriceReview` per changed price (`reconciler.planning.review` says which prices and which
  usages are sampled), in change order. It is written only when non-empty, so a plan that
  changes no price has exactly the keys above without it, byte for byte as before, and an
  older release (which forbids unknown keys) still reads it. Every review names a change
  of the plan (`address`, `action`). Amounts are decimal strings, like every money value;
  they are charges for one billing period in `currency`, rounded as the pricing engine
  rounds a total (once, half up, to the currency's minor unit).
- `promotion` and `partial` (added within format_version 1, written only when set, like
  `review`): a plan made by `billing promote` records the environment it was proven on
  and that environment's catalog digest (`Promotion`); a plan made with `--target` or
  `--exclude` records the selection, the dependencies it pulled in and how many changes
  of the whole plan it leaves out (`PartialPlan`), so a saved partial plan says so.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal, Self

from pydantic import AwareDatetime, Field, JsonValue, model_validator

from alguna_pricing.model.values import Frozen
from reconciler.model import KINDS, Address, Kind, UnmanagedObject, kind_rank
from reconciler.source.diagnostics import Diagnostic

FORMAT_VERSION = 1

JsonObject = dict[str, JsonValue]


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    REPLACE = "replace"
    NEW_VERSION = "new_version"
    ACTIVATE = "activate"
    CANCEL = "cancel"
    NEW_REVISION = "new_revision"
    NOOP = "noop"


_NO_BEFORE = frozenset({Action.CREATE, Action.NEW_VERSION})

# Apply order (DESIGN §7): kinds in dependency order (`kind_rank`: after what they refer
# to, bundles before plans since plan items name bundles), then a subscription's own
# changes, its new versions, and last its lifecycle (activation publishes the draft
# versions created before it).
_VERSION_GROUP = len(KINDS)
_LIFECYCLE_GROUP = _VERSION_GROUP + 1
# Timing keywords in chronological order, after every dated version.
_KEYWORD_ORDER = ("immediate", "next_billing_period", "end_of_term")


class FieldChange(Frozen):
    """One changed value, at a human path (`items[api].price.tiers[1].price_per_unit`):
    keyed collections by key, ordered lists by index. None stands for "not set"."""

    path: str = Field(min_length=1)
    before: JsonValue = None
    after: JsonValue = None
    forces_replace: bool = False


class Change(Frozen):
    """One thing `apply` will do to one resource (or subscription version)."""

    address: Address
    kind: Kind
    key: str
    action: Action
    remote_id: str | None = None
    before: JsonObject | None = None
    after: JsonObject | None = None
    fields: tuple[FieldChange, ...] = ()
    reason: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        address = self.address
        if (address.kind, address.key) != (self.kind, self.key):
            raise ValueError(f"address {self.address} does not name {self.kind}.{self.key}")
        if (self.before is None) != (self.action in _NO_BEFORE):
            raise ValueError(f"{self.action} change: `before` must be set unless it creates")
        if self.after is None:
            raise ValueError("`after` must be set")
        if any(f.forces_replace for f in self.fields) != (self.action is Action.REPLACE):
            raise ValueError("a change is a replace exactly when a field forces it")
        return self

    @property
    def change_id(self) -> str:
        """`<address>#<action>`: unique within a plan."""
        return f"{self.address}#{self.action.value}"

    @property
    def version(self) -> str | None:
        """The effective date or keyword of a version change, else None."""
        return self.address.version


def apply_order(change: Change) -> tuple[int, str, int, str, int]:
    """Sort key of a change in apply order: dependency group, key, then version
    (dates, then keywords chronologically), then action."""
    version = change.version
    if change.kind == "subscription" and change.action in (Action.ACTIVATE, Action.CANCEL):
        group = _LIFECYCLE_GROUP
    elif version is not None:
        group = _VERSION_GROUP
    else:
        group = kind_rank(change.kind)
    if version is None:
        when = (0, "")
    elif version in _KEYWORD_ORDER:
        when = (2, str(_KEYWORD_ORDER.index(version)))
    else:
        when = (1, version)
    return (group, change.key, when[0], when[1], list(Action).index(change.action))


def _zero(value: int) -> bool:
    return value == 0


class Summary(Frozen):
    """Changes per action, plus `unchanged` (declared things that need nothing)."""

    create: int = 0
    update: int = 0
    replace: int = 0
    new_version: int = 0
    activate: int = 0
    cancel: int = 0
    new_revision: int = Field(default=0, exclude_if=_zero)
    unchanged: int = 0

    @classmethod
    def of(cls, changes: tuple[Change, ...] | list[Change], unchanged: int) -> Summary:
        counts = Counter(c.action.value for c in changes if c.action is not Action.NOOP)
        return cls(unchanged=unchanged, **counts)

    @property
    def total(self) -> int:
        """Changes to make (everything but `unchanged`)."""
        return sum(
            (
                self.create,
                self.update,
                self.replace,
                self.new_version,
                self.activate,
                self.cancel,
                self.new_revision,
            )
        )


ReviewBasis = Literal["units", "volume", "metrics", "flat", "mixed"]
"""What a `ChargeSample.quantity` is: units (unit and unit-tier models), a transaction
volume in the currency's major units (percentage models), the value given to every metric
an expression reads, nothing (`flat`: neither side depends on usage, `quantity` is None),
or, when the model changes between those, one number used as each (`mixed`)."""


def _empty(value: tuple[object, ...]) -> bool:
    return not value


def _false(value: bool) -> bool:
    return not value


class ChargeSample(Frozen):
    """One usage priced under both sides of a price change: the exact charge for one
    billing period, before and after, with at least the currency's minor-unit decimals
    (more where the charge has them: `0.025`).

    `before`/`after` are None when that side has no such price (an item added or removed);
    `difference` counts a missing side as 0 (what the customer pays more, or less), and
    `percent_change` is None when `before` is missing or 0 (no base to compare with), else
    `difference / before x 100` rounded half up to 2 decimals (2 significant digits when
    a real change would read 0.00). Both are computed from the charges as shown, so a
    reader can redo them from the table."""

    quantity: Decimal | None = None
    transactions: int | None = Field(default=None, ge=0)
    note: str = ""
    before: Decimal | None = None
    after: Decimal | None = None
    difference: Decimal
    percent_change: Decimal | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        zero = Decimal(0)
        if self.difference != (self.after or zero) - (self.before or zero):
            raise ValueError("difference must be after - before (a missing side counts 0)")
        if self.percent_change is not None and not self.before:
            raise ValueError("percent_change needs a non-zero `before`")
        return self


class PriceReview(Frozen):
    """What one changed price charges before and after, at representative usages.

    `address` and `action` name the change (`change_id`); `item` is the price's path in its
    owner, written as field paths are (`items[api]`, `items[addons].items[storage]`);
    `before_type`/`after_type` are the pricing models (None: no such price on that side);
    `compared_with` is, for a new subscription version, the version it follows.
    `period_index` is the billing period priced (the first outside either side's trial;
    for a `one_off` price, whose product is billed once, the period it is charged in).
    `max_increase_percent` is the largest positive `percent_change` (None: no sample
    rises by a percentage). `problem` says why nothing could be priced (then no samples).
    """

    address: Address
    action: Action
    item: str = Field(min_length=1)
    currency: str
    before_type: str | None = None
    after_type: str | None = None
    basis: ReviewBasis
    period_index: int = Field(default=0, ge=0)
    compared_with: Address | None = None
    one_off: bool = Field(default=False, exclude_if=_false)
    samples: tuple[ChargeSample, ...] = ()
    max_increase_percent: Decimal | None = None
    problem: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.before_type is None and self.after_type is None:
            raise ValueError("a price review needs a price on at least one side")
        rises = [s.percent_change for s in self.samples if s.percent_change]
        largest = max((p for p in rises if p > 0), default=None)
        if self.max_increase_percent != largest:
            raise ValueError("max_increase_percent must be the largest sampled increase")
        return self

    @property
    def change_id(self) -> str:
        """The id of the change this review belongs to (`Change.change_id`)."""
        return f"{self.address}#{self.action.value}"

    @property
    def worst(self) -> ChargeSample | None:
        """The first sample with the largest increase, or None when nothing rises."""
        if self.max_increase_percent is None:
            return None
        return next(s for s in self.samples if s.percent_change == self.max_increase_percent)


def _unset(value: object) -> bool:
    return value is None


class Promotion(Frozen):
    """Where a promoted plan comes from: `billing promote --from <from_environment>` first
    planned the catalog against that environment and found nothing to change.

    `source_catalog_digest` is the catalog as rendered for the source environment (its
    variables differ, so it differs from the plan's own `catalog_digest`);
    `source_checked_at` is when the source account was read; `source_unchanged` how many
    declared resources it held unchanged (the proof that they match)."""

    from_environment: str
    source_catalog_digest: str
    source_checked_at: AwareDatetime
    source_unchanged: int = Field(default=0, ge=0)


class PartialPlan(Frozen):
    """A plan restricted with `--target`/`--exclude` (`reconciler.planning.targeting`).

    `targets`/`excludes` are the addresses as given (`<kind>.<key>`); `pulled_in` the
    addresses added because a selected change needs them (a reference that is created or
    replaced by the same plan, or the plans and bundles re-pointed to a replaced product);
    `left_out` how many changes of the whole plan this one does not make."""

    targets: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    pulled_in: tuple[Address, ...] = ()
    left_out: int = Field(default=0, ge=0)


class Plan(Frozen):
    """A reviewed, replayable plan (format above). Changes are non-noop, unique and in
    apply order; the summary agrees with them; every price review names one of them."""

    format_version: int = FORMAT_VERSION
    plan_id: str = Field(min_length=1)
    environment: str
    created_at: AwareDatetime
    catalog_digest: str
    changes: tuple[Change, ...] = ()
    summary: Summary
    diagnostics: tuple[Diagnostic, ...] = ()
    fingerprints: dict[Address, str] = Field(default_factory=dict)
    unmanaged: tuple[UnmanagedObject, ...] = ()
    review: tuple[PriceReview, ...] = Field(default=(), exclude_if=_empty)
    promotion: Promotion | None = Field(default=None, exclude_if=_unset)
    partial: PartialPlan | None = Field(default=None, exclude_if=_unset)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.format_version != FORMAT_VERSION:
            raise ValueError(
                f"plan format_version {self.format_version} is not supported"
                f" (this version reads {FORMAT_VERSION})"
            )
        if any(c.action is Action.NOOP for c in self.changes):
            raise ValueError("a plan lists no noop changes")
        ids = [c.change_id for c in self.changes]
        if len(set(ids)) != len(ids):
            raise ValueError("a change appears twice")
        if list(self.changes) != sorted(self.changes, key=apply_order):
            raise ValueError("changes are not in apply order")
        if self.summary != Summary.of(self.changes, self.summary.unchanged):
            raise ValueError("summary does not match the changes")
        unknown = sorted({r.change_id for r in self.review} - set(ids))
        if unknown:
            raise ValueError(f"price reviews name changes the plan does not have: {unknown}")
        return self

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    @property
    def live_drift(self) -> tuple[Diagnostic, ...]:
        """Diagnostics that report the live account differing from the catalog in a way
        apply does not change (`LIVE_DRIFT_CODES`): `billing drift` counts them as drift."""
        return tuple(d for d in self.diagnostics if d.code in LIVE_DRIFT_CODES)


# Drift that is a diagnostic rather than a change: a second live object with a managed
# natural key, a subscription whose status contradicts `activate`/`cancel`.
LIVE_DRIFT_CODES = frozenset({"live.duplicate", "subscription.status_drift"})


class ApplyStatus(StrEnum):
    SUCCESS = "success"  # everything applied (or nothing to do)
    PARTIAL = "partial"  # some applied, some failed or not reached
    ERROR = "error"  # nothing applied, something failed or not reached


class ApplyResult(Frozen):
    """What an apply did, by `Change.change_id`: applied, pending (not attempted, e.g.
    after an interrupt or a failed dependency) and failed (with a message in `errors`,
    which must not contain secrets). `status` is derived from the three lists; given in
    input (a JSON round trip), it must agree."""

    plan_id: str
    applied: tuple[str, ...] = ()
    pending: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    errors: dict[str, str] = Field(default_factory=dict)
    status: ApplyStatus = ApplyStatus.SUCCESS

    @model_validator(mode="before")
    @classmethod
    def _derive_status(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        derived = _status(data.get("applied", ()), data.get("pending", ()), data.get("failed", ()))
        given = data.get("status")
        if given is not None and str(given) != derived.value:
            raise ValueError(f"status {given!r} contradicts the lists (expected {derived.value})")
        return {**data, "status": derived}

    @model_validator(mode="after")
    def _disjoint(self) -> Self:
        seen = [*self.applied, *self.pending, *self.failed]
        if len(set(seen)) != len(seen):
            raise ValueError("a change is listed twice in applied/pending/failed")
        if not set(self.errors) <= set(self.failed):
            raise ValueError("`errors` describes only failed changes")
        return self


def _status(applied: Any, pending: Any, failed: Any) -> ApplyStatus:
    if not pending and not failed:
        return ApplyStatus.SUCCESS
    return ApplyStatus.PARTIAL if applied else ApplyStatus.ERROR

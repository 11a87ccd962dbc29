"""`import_live`: the sequence of `billing import`.

1. Read the live account as `billing plan` does (`fetch_live`: unmanaged objects come
   mapped to catalog models under derived keys) and the raw objects (to see natural keys
   and the fields the catalog has no place for).
2. Choose the objects (`select`: filters, identity, dependencies).
3. Adopt, when asked: write the natural key of each object that has none (one PATCH per
   object, with a deterministic idempotency key, so a rerun repeats nothing). This is
   the only write an import makes, and only with `--adopt`: the one exception to "only
   apply holds a writer", since without a natural key no catalog entry can ever match
   the object. It touches nothing the catalog prices; an object adopted but then left
   out (step 6) merely carries its natural key, and the next import takes it.
4. Read the account again with the imported objects declared, so they are mapped exactly
   as the next plan will map them (a subscription's versions are only read then).
5. Write each as its catalog entry (`shape`, `emit`), with comments (`unmapped`).
6. Check before writing a byte: the project's catalog plus the new files is loaded in a
   temporary copy with the real loader; an object whose entry does not validate is left
   out (and what refers to it), saying why; the loaded catalog is planned against the
   account read in 4, and any change left at an imported address is reported
   (`residual`; empty when the import is exact, which the tests require).
7. Write the files, never over an existing one (`files`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.apply import PlanRefusedError
from reconciler.apply.keys import derived_key
from reconciler.catalog import load_desired
from reconciler.commands.importing.emit import Block, render_file
from reconciler.commands.importing.files import Layout, PlannedFile, plan_files, write_files
from reconciler.commands.importing.plan_items import ItemsSource, with_plan_items
from reconciler.commands.importing.select import (
    Candidate,
    Selected,
    Skipped,
    expression_renames,
    select_candidates,
)
from reconciler.commands.importing.shape import ShapeError, catalog_form
from reconciler.commands.importing.unmapped import unmapped_fields
from reconciler.commands.project import Project
from reconciler.commands.workflow import Catalog, Clock, Target, utc_now
from reconciler.diff import diff
from reconciler.live import fetch_live
from reconciler.model import (
    KIND_OF_TABLE,
    KINDS,
    PATH_OF_KIND,
    TABLE_OF_KIND,
    Address,
    DesiredState,
    Kind,
    LiveState,
    Plan,
    Resource,
)
from reconciler.planning.targeting import references
from reconciler.source.diagnostics import Diagnostic, Severity
from reconciler.wire import MapResolver, to_wire

_TABLE_FIELD = re.compile(r"^(?P<table>[a-z]+)\.(?P<key>[a-z][a-z0-9_]*)")


@dataclass(frozen=True)
class ImportOptions:
    """What to import and where. `out_dir` is absolute; `kinds` empty means all;
    `pattern` a glob on key, natural key or name; `layout` one file per kind or per
    resource; `adopt` allows writing natural keys; `dry_run` writes nothing at all."""

    out_dir: Path
    kinds: tuple[Kind, ...] = ()
    pattern: str | None = None
    layout: Layout = "kind"
    adopt: bool = False
    dry_run: bool = False


@dataclass(frozen=True)
class Imported:
    """One object now declared: its address, live id, natural key, the file it went to
    (project-relative), the adoption made for it, and what pulled it in."""

    address: Address
    remote_id: str
    natural_key: str
    file: str | None = None
    adopted: str | None = None
    needed_by: tuple[Address, ...] = ()


@dataclass(frozen=True)
class ImportResult:
    environment: str
    imported: tuple[Imported, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    files: tuple[str, ...] = ()
    residual: tuple[str, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    outside_catalog: bool = False
    dry_run: bool = False


@dataclass
class _State:
    selected: Selected
    skipped: dict[Address, Skipped] = field(default_factory=dict)

    def skip(self, candidate: Candidate, reason: str) -> None:
        self.selected.candidates.pop(candidate.address, None)
        self.skipped[candidate.address] = Skipped(candidate.address, candidate.remote_id, reason)
        for other in list(self.selected.candidates.values()):
            if candidate.address in references(other.model):
                self.skip(other, f"refers to {candidate.address}, which cannot be imported")


async def import_live(
    project: Project,
    catalog: Catalog,
    target: Target,
    options: ImportOptions,
    *,
    clock: Clock = utc_now,
) -> ImportResult:
    """Import the unmanaged objects `options` selects (module docstring). Raises
    `ApiError` on a failed read or adoption (files are written only after both)."""
    desired = catalog.desired
    raw_lists, live = await asyncio.gather(
        asyncio.gather(*(target.reader.list_all(PATH_OF_KIND[kind]) for kind in KINDS)),
        fetch_live(target.reader, desired),
    )
    raw: dict[Kind, list[dict[str, Any]]] = dict(zip(KINDS, raw_lists, strict=True))
    live, _ = await with_plan_items(target.reader, live, raw["subscription"])
    selected = select_candidates(
        live,
        desired,
        raw,
        kinds=options.kinds,
        pattern=options.pattern,
        adopt=options.adopt,
    )
    selected = expression_renames(selected, live, desired)
    state = _State(selected, dict(selected.skipped))
    if options.dry_run or not selected.candidates:
        return _result(target.name, state, files=(), dry_run=options.dry_run)
    if target.protected and any(c.adoption is not None for c in selected.candidates.values()):
        raise PlanRefusedError(
            "import refused; nothing was written",
            [
                f"environment {target.name!r} is protected: --adopt would write natural keys"
                " to its live objects outside a reviewed plan. Adopt in a non-protected"
                " environment, or run import without --adopt"
            ],
        )
    adopted = await _adopt(target, list(selected.candidates.values()))
    provisional = _declaring(desired, selected.candidates.values())
    live = await fetch_live(target.reader, provisional)
    live, sources = await with_plan_items(target.reader, live, raw["subscription"])
    versions = await _raw_versions(target, live, selected.candidates.values())
    blocks = _blocks(state, desired, live, raw, versions, target.name, adopted, sources)
    checked = _check(project, target.name, options, state, blocks, live, clock)
    written = write_files(checked.files) if checked.files else ()
    inside = _inside(options.out_dir, project.root / project.settings.catalog_dir)
    return _result(
        target.name,
        state,
        files=written,
        adopted=adopted,
        checked=checked,
        outside_catalog=bool(written) and not inside,
    )


def adoption_key(environment: str, candidate: Candidate) -> str:
    """Deterministic idempotency key of an adoption write (same on every rerun)."""
    return derived_key("adopt", environment, candidate.kind, candidate.remote_id, candidate.key)


async def _adopt(target: Target, candidates: list[Candidate]) -> dict[Address, str]:
    todo = [c for c in candidates if c.adoption is not None]
    await asyncio.gather(
        *(
            target.writer.update(c.adoption.path, c.adoption.body, key=adoption_key(target.name, c))
            for c in todo
            if c.adoption is not None
        )
    )
    return {c.address: c.adoption.description for c in todo if c.adoption is not None}


def _declaring(desired: DesiredState, candidates: Iterable[Candidate]) -> DesiredState:
    """`desired` with the candidates declared under their keys (for matching only)."""
    tables: dict[str, dict[str, Resource]] = {}
    for candidate in candidates:
        table = TABLE_OF_KIND[candidate.kind]
        tables.setdefault(table, dict(desired.table(candidate.kind)))[candidate.key] = (
            candidate.model
        )
    return desired.model_copy(update=tables)


async def _raw_versions(
    target: Target, live: LiveState, candidates: Iterable[Candidate]
) -> dict[Address, list[dict[str, Any]]]:
    subscriptions = [c for c in candidates if c.kind == "subscription"]
    ids = [live.ids.get(c.address, c.remote_id) for c in subscriptions]
    lists = await asyncio.gather(
        *(target.reader.get_list(f"/subscriptions/{remote}/versions") for remote in ids)
    )
    return {c.address: list(v) for c, v in zip(subscriptions, lists, strict=True)}


def _blocks(
    state: _State,
    desired: DesiredState,
    live: LiveState,
    raw: Mapping[Kind, Sequence[Mapping[str, Any]]],
    versions: Mapping[Address, list[dict[str, Any]]],
    environment: str,
    adopted: Mapping[Address, str],
    sources: Mapping[str, ItemsSource],
) -> dict[Address, Block]:
    """The catalog entry of every candidate, as read back in `live`."""
    by_id = {str(obj.get("id")): obj for kind in raw for obj in raw[kind]}
    resolver = MapResolver(live, live.ids)
    reverse = {remote: a.key for a, remote in live.ids.items()}
    # Versions are written as overrides of the plan the catalog declares: the declared
    # one for a managed plan, the live one (as read now) for an imported plan.
    plans: dict[str, Plan] = {**live.plans, **desired.plans}
    blocks: dict[Address, Block] = {}
    for candidate in sorted(state.selected.candidates.values(), key=_order):
        model = live.table(candidate.kind).get(candidate.key)
        if model is None:
            state.skip(candidate, "could not be read back from the live account (changed?)")
            continue
        try:
            shaped = catalog_form(candidate.key, model, plans)
        except ShapeError as exc:
            state.skip(candidate, str(exc))
            continue
        obj = by_id.get(candidate.remote_id, {})
        body = to_wire(model, candidate.key, resolver)
        extra = unmapped_fields(
            candidate.kind,
            obj,
            body,
            versions.get(candidate.address, ()),
            item_name=lambda item: reverse.get(
                str(item.get("product_id") or item.get("bundle_id")), "?"
            ),
        )
        blocks[candidate.address] = Block(
            table=TABLE_OF_KIND[candidate.kind],
            key=candidate.key,
            model=shaped,
            comments=_comments(
                candidate,
                environment,
                adopted.get(candidate.address),
                extra,
                sources.get(candidate.key) if candidate.kind == "plan" else None,
            ),
        )
    return {a: b for a, b in blocks.items() if a in state.selected.candidates}


def _order(candidate: Candidate) -> tuple[int, str]:
    return (KINDS.index(candidate.kind), candidate.key)


def _comments(
    candidate: Candidate,
    environment: str,
    adopted: str | None,
    extra: list[str],
    items_source: ItemsSource | None = None,
) -> tuple[str, ...]:
    name = getattr(candidate.model, "name", None) or candidate.natural_key
    lines = [
        f'{candidate.kind.capitalize()} "{name}": imported from "{environment}"'
        f" (id {candidate.remote_id})."
    ]
    if adopted:
        lines.append(f"Adopted: {adopted} on the live object, so the catalog recognises it.")
    if candidate.needed_by:
        lines.append(f"Imported because {', '.join(candidate.needed_by)} refers to it.")
    if items_source is not None:
        lines.extend(items_source.lines())
    if extra:
        lines.append("Live fields the catalog does not manage (left as they are in Alguna):")
        lines.extend(f"  {line}" for line in extra)
    return tuple(lines)


@dataclass(frozen=True)
class _Checked:
    files: tuple[PlannedFile, ...]
    residual: tuple[str, ...]
    diagnostics: tuple[Diagnostic, ...]


def _check(
    project: Project,
    environment: str,
    options: ImportOptions,
    state: _State,
    blocks: dict[Address, Block],
    live: LiveState,
    clock: Clock,
) -> _Checked:
    """Lay the blocks out in files and load the catalog with them (in a temporary copy);
    leave out what does not validate; plan the rest against `live` (module docstring)."""
    header = _header(environment, clock())
    catalog_dir = project.settings.catalog_dir
    variables = project.settings.variables_for(environment)
    for _ in range(len(blocks) + 1):
        kept = [b for a, b in blocks.items() if a in state.selected.candidates]
        files = plan_files(
            options.out_dir, kept, options.layout, header, render_file, project.root, catalog_dir
        )
        with tempfile.TemporaryDirectory(prefix="billing-import-") as tmp:
            root = Path(tmp)
            shutil.copytree(project.root / catalog_dir, root / catalog_dir)
            for planned in files:
                where = root / catalog_dir / planned.inside_catalog
                where.parent.mkdir(parents=True, exist_ok=True)
                where.write_text(planned.text, encoding="utf-8")
            loaded = load_desired(root, catalog_dir, environment, variables)
        failing = _failing(loaded.diagnostics, state)
        if failing:
            for address, message in failing.items():
                candidate = state.selected.candidates.get(address)
                if candidate is not None:
                    state.skip(candidate, f"its catalog entry does not validate: {message}")
            continue
        residual: tuple[str, ...] = ()
        if loaded.state is not None:
            residual = _residual(loaded.state, live, state)
        # Only what the new files say (the rest of the catalog was loaded before), under
        # the names the files will have.
        shown = {f"{catalog_dir}/{planned.inside_catalog}": planned.shown for planned in files}
        own = tuple(
            d.model_copy(update={"file": shown[d.file]})
            for d in loaded.diagnostics
            if d.file in shown
        )
        return _Checked(tuple(files), residual, own)
    return _Checked((), (), ())


def _failing(diagnostics: list[Diagnostic], state: _State) -> dict[Address, str]:
    found: dict[Address, str] = {}
    for d in diagnostics:
        if d.severity is not Severity.ERROR:
            continue
        match = _TABLE_FIELD.match(d.field or "")
        if match is None or match["table"] not in KIND_OF_TABLE:
            continue
        address = Address(KIND_OF_TABLE[match["table"]], match["key"])
        if address in state.selected.candidates:
            found.setdefault(address, f"{d.code}: {d.message}")
    return found


def _residual(loaded: DesiredState, live: LiveState, state: _State) -> tuple[str, ...]:
    """Changes the next plan would still show at imported addresses (should be none)."""
    result = diff(loaded, live)
    imported = set(state.selected.candidates)
    out: list[str] = []
    for change in result.changes:
        if change.address.resource in imported:
            fields = ", ".join(f.path for f in change.fields) or change.reason
            out.append(f"{change.address}: {change.action.value} ({fields})")
    return tuple(out)


def _header(environment: str, now: dt.datetime) -> tuple[str, ...]:
    return (
        f'Imported by `billing import` from environment "{environment}" on'
        f" {now.astimezone(dt.UTC):%Y-%m-%d}.",
        "These objects were live but not declared; the catalog now manages them.",
        "Renaming a key later: metrics, plans and bundles freely (their name is their",
        "identity); products keep their `sku`; customers and subscriptions need the old",
        "key in `moved_from`.",
    )


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _result(
    environment: str,
    state: _State,
    *,
    files: Sequence[PlannedFile],
    adopted: Mapping[Address, str] | None = None,
    checked: _Checked | None = None,
    outside_catalog: bool = False,
    dry_run: bool = False,
) -> ImportResult:
    file_of = {address: f.shown for f in files for address in f.addresses}
    adopted = adopted or {}
    imported = tuple(
        Imported(
            address=c.address,
            remote_id=c.remote_id,
            natural_key=c.natural_key,
            file=file_of.get(c.address),
            adopted=adopted.get(c.address)
            or (c.adoption.description if dry_run and c.adoption else None),
            needed_by=c.needed_by,
        )
        for c in sorted(state.selected.candidates.values(), key=_order)
    )
    return ImportResult(
        environment=environment,
        imported=imported,
        skipped=tuple(sorted(state.skipped.values(), key=lambda s: s.address)),
        files=tuple(f.shown for f in files),
        residual=checked.residual if checked else (),
        diagnostics=checked.diagnostics if checked else (),
        outside_catalog=outside_catalog,
        dry_run=dry_run,
    )

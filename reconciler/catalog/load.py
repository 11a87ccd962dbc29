"""Loads the catalog for one environment: render, parse, validate, cross-check.

The pipeline is total: every file is rendered and parsed, every resource validated and
every rule run, and all problems come back together as diagnostics with file, template
line and field path. Nothing here talks to the API; a catalog with any error never
reaches a stage that could.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from reconciler.catalog.declared import Declared
from reconciler.catalog.entries import validated_entry
from reconciler.catalog.findings import Finding
from reconciler.catalog.invoice_test_rules import check_invoice_tests
from reconciler.catalog.render import RenderedFile, render_file
from reconciler.catalog.rules import check_catalog
from reconciler.catalog.salvage import salvage
from reconciler.catalog.test_rules import (
    INVOICE_TESTS_TABLE,
    TESTS_TABLE,
    DeclaredTest,
    check_tests,
    declare_tests,
)
from reconciler.model import (
    KIND_OF_TABLE,
    RESOURCE_CLASS,
    TABLE_OF_KIND,
    Address,
    DesiredState,
    InvoiceTest,
    Kind,
    Source,
    canonical_json,
    digest,
)
from reconciler.model.collection import fewer_collections
from reconciler.source.diagnostics import Diagnostic, has_errors, sort_key
from reconciler.source.toml_errors import decode_text, toml_error_line, toml_error_message
from reconciler.source.toml_lines import Path as FieldPath
from reconciler.source.toml_lines import TomlLines
from reconciler.source.validation_errors import field_path


@dataclass(frozen=True)
class ParsedFile:
    """A rendered and parsed catalog file, and how to find a field's template line."""

    rendered: RenderedFile
    data: dict[str, Any]
    lines: TomlLines

    @property
    def path(self) -> str:
        return self.rendered.path

    def line_of(self, path: FieldPath) -> int | None:
        return self.rendered.template_line(self.lines.line_of(path))

    def diagnostic(self, path: FieldPath, code: str, message: str) -> Diagnostic:
        """An error at `path` in this file, with its template line and field."""
        return Diagnostic(
            code=code,
            message=message,
            file=self.path,
            line=self.line_of(path),
            field=field_path(path),
        )


@dataclass(frozen=True)
class LoadResult:
    """The outcome of loading: the state (None if any error) and every diagnostic,
    warnings included."""

    state: DesiredState | None
    diagnostics: list[Diagnostic]


def catalog_files(catalog_dir: Path) -> list[Path]:
    """Every `*.toml` below the catalog folder, in a stable order."""
    return sorted(p for p in catalog_dir.rglob("*.toml") if p.is_file())


def load_desired(
    project: Path, catalog_dir: str, environment: str, variables: Mapping[str, Any]
) -> LoadResult:
    """Load and check the catalog of `project` for `environment`; never raises for a
    catalog problem (every one is a diagnostic in the result). The raising form, on a
    `Project`, is `reconciler.load_catalog` (commands.workflow)."""
    with fewer_collections():  # a load's objects live until it ends: don't walk them again
        return _load_desired(project, catalog_dir, environment, variables)


def _load_desired(
    project: Path, catalog_dir: str, environment: str, variables: Mapping[str, Any]
) -> LoadResult:
    root = project / catalog_dir
    diagnostics: list[Diagnostic] = []
    parsed: list[ParsedFile] = []
    if not root.is_dir():
        missing = Diagnostic(
            code="catalog.missing", message=f"no catalog folder {catalog_dir}/", file=catalog_dir
        )
        return LoadResult(None, [missing])
    for file in catalog_files(root):
        relative = Path(os.path.relpath(file, project)).as_posix()
        result = _parse_file(relative, file, variables)
        if isinstance(result, Diagnostic):
            diagnostics.append(result)
        else:
            parsed.append(result)
    declared, sources, shape_diagnostics = _validate(parsed)
    tests, test_diagnostics = declare_tests(parsed)
    invoice_tests, invoice_diagnostics = declare_tests(parsed, INVOICE_TESTS_TABLE, InvoiceTest)
    diagnostics.extend(shape_diagnostics)
    diagnostics.extend(test_diagnostics)
    diagnostics.extend(invoice_diagnostics)
    diagnostics.extend(
        _locate(finding, sources)
        for finding in check_catalog(declared)
        if not _suppressed(finding, declared)
    )
    diagnostics.extend(check_tests(declared, tests))
    diagnostics.extend(check_invoice_tests(declared, invoice_tests, project))
    diagnostics.sort(key=sort_key)
    if has_errors(diagnostics):
        return LoadResult(None, diagnostics)
    state = _desired_state(environment, declared, sources, tests, invoice_tests)
    return LoadResult(state, diagnostics)


def _parse_file(relative: str, file: Path, variables: Mapping[str, Any]) -> ParsedFile | Diagnostic:
    try:
        raw = file.read_bytes()
    except OSError as exc:
        return Diagnostic(code="file.unreadable", message=str(exc.strerror), file=relative)
    source = decode_text(raw)
    if isinstance(source, int):
        return Diagnostic(
            code="file.encoding", message="not UTF-8 text", file=relative, line=source
        )
    rendered = render_file(relative, source, variables)
    if isinstance(rendered, Diagnostic):
        return rendered
    try:
        data = tomllib.loads(rendered.text, parse_float=Decimal)
    except ValueError as exc:  # TOMLDecodeError, or an integer too long to convert
        return Diagnostic(
            code="toml.syntax",
            message=toml_error_message(exc),
            file=relative,
            line=rendered.template_line(toml_error_line(exc, rendered.text)),
        )
    return ParsedFile(rendered, data, TomlLines(rendered.text))


_Sources = dict[tuple[Kind, str], tuple[ParsedFile, int | None]]


def _validate(parsed: list[ParsedFile]) -> tuple[Declared, _Sources, list[Diagnostic]]:
    """Shape-validate every resource of every file; merge them, reporting duplicates."""
    declared = Declared()
    sources: _Sources = {}
    diagnostics: list[Diagnostic] = []
    for file in parsed:
        for table, entries in file.data.items():
            if table in (TESTS_TABLE, INVOICE_TESTS_TABLE):  # tests: see `declare_tests`
                continue
            kind = KIND_OF_TABLE.get(table)
            if kind is None:
                diagnostics.append(_unknown_table(file, table))
                continue
            if not isinstance(entries, dict):
                diagnostics.append(
                    file.diagnostic(
                        (table,),
                        "catalog.table",
                        f"`{table}` must be a table of resources: [{table}.<key>]",
                    )
                )
                continue
            for key, body in entries.items():
                diagnostics.extend(_declare(declared, sources, file, kind, table, key, body))
    return declared, sources, diagnostics


def _unknown_table(file: ParsedFile, table: str) -> Diagnostic:
    known = ", ".join(f"[{t}.<key>]" for t in (*KIND_OF_TABLE, TESTS_TABLE, INVOICE_TESTS_TABLE))
    return file.diagnostic(
        (table,),
        "catalog.unknown_table",
        f"unknown top-level table `{table}`; catalog files hold {known}",
    )


def _declare(
    declared: Declared,
    sources: _Sources,
    file: ParsedFile,
    kind: Kind,
    table: str,
    key: str,
    body: object,
) -> list[Diagnostic]:
    path: FieldPath = (table, key)
    line = file.line_of(path)
    if (kind, key) in sources:
        first, first_line = sources[kind, key]
        where = f"{first.path}:{first_line}" if first_line else first.path
        return [
            file.diagnostic(
                path,
                "key.duplicate",
                f"{table}.{key} is already declared at {where}; keys are unique"
                " per kind across all files",
            )
        ]
    sources[kind, key] = (file, line)
    declared.keys.setdefault(kind, set()).add(key)
    resource, diagnostics = validated_entry(file, path, body, RESOURCE_CLASS[kind])
    if resource is None and isinstance(body, dict):
        resource, holes = salvage(RESOURCE_CLASS[kind], body)
        declared.holes[kind, key] = holes
    if resource is not None:
        getattr(declared, table)[key] = resource
    return diagnostics


def _suppressed(finding: Finding, declared: Declared) -> bool:
    """A finding decided on a value that failed validation: that value's own diagnostic
    says what is wrong, and the rule saw None (or a part) in its place. Unless the finding
    names what it read, that is anything at, inside or around its path; a finding about
    the whole resource (an empty path) stands."""
    reads = finding.reads if finding.reads is not None else (finding.path,)
    return any(bool(path) and declared.broken(finding.kind, finding.key, path) for path in reads)


def _locate(finding: Finding, sources: _Sources) -> Diagnostic:
    table = TABLE_OF_KIND[finding.kind]
    path = (table, finding.key, *finding.path)
    file, line = sources[finding.kind, finding.key]
    return Diagnostic(
        code=finding.code,
        message=finding.message,
        file=file.path,
        line=file.line_of(path) or line,
        field=field_path(path),
        severity=finding.severity,
    )


def _version_sources(declared: Declared, sources: _Sources) -> dict[Address, Source]:
    """Each declared subscription version by its address (`subscription.k.versions[2026-
    01-01]`), at its own `[[subscriptions.k.versions]]` line: plan-time diagnostics about
    a version point there, not at the subscription."""
    out: dict[Address, Source] = {}
    for key, subscription in sorted(declared.subscriptions.items()):
        file, line = sources["subscription", key]
        for index, version in enumerate(subscription.versions):
            effective = version.effective
            text = effective.isoformat() if isinstance(effective, dt.date) else effective
            address = Address(kind="subscription", key=key, version=text)
            here = file.line_of(("subscriptions", key, "versions", index)) or line
            out[address] = Source(file=file.path, line=here)
    return out


def _desired_state(
    environment: str,
    declared: Declared,
    sources: _Sources,
    tests: Mapping[str, DeclaredTest],
    invoice_tests: Mapping[str, DeclaredTest],
) -> DesiredState:
    """The state with its digest. Pricing tests ride along but stay out of the digest:
    the digest says what the catalog declares to Alguna, and a saved plan must not go
    stale because a test was added or fixed."""
    state_sources = {
        Address(kind, key): Source(file=file.path, line=line)
        for (kind, key), (file, line) in sorted(sources.items())
    }
    state_sources.update(_version_sources(declared, sources))
    tables = {table: dict(sorted(getattr(declared, table).items())) for table in KIND_OF_TABLE}
    dumped = {
        table: {k: v.model_dump(mode="json") for k, v in items.items()}
        for table, items in tables.items()
    }
    catalog_digest = digest(canonical_json(dumped), labelled=True)
    return DesiredState(
        environment=environment,
        sources=state_sources,
        catalog_digest=catalog_digest,
        tests={key: tests[key].test for key in sorted(tests)},
        invoice_tests={key: invoice_tests[key].test for key in sorted(invoice_tests)},
        **tables,
    )

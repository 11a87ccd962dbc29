"""Rules of a `matrix` price that its field types cannot express.

- `price.matrix_duplicate_dimension`: two dimensions read one event property;
- `price.matrix_match_missing`: a cell without a `match`;
- `price.matrix_unknown_dimension`: a match names a key that is not a dimension;
- `price.matrix_match_incomplete`: a match leaves out a dimension (write `*` for any);
- `price.matrix_value_not_listed`: a match value outside its dimension's `values`;
- `price.matrix_duplicate_match`: two cells with one match (only the first could price);
- `price.matrix_fallback_match`: the fallback has a `match` (it prices what no cell does);
- and the tier rules inside tiered cells (`tier_rules`).

The cell type (`price.matrix_cell_type`) is checked by validation. A partial price (see
`salvage`) may hold None anywhere: a rule that depends on the dimensions runs only when
every dimension validated, and cells that failed are skipped.
"""

from __future__ import annotations

from alguna_pricing.model.prices import MatrixPrice
from reconciler.catalog.tier_rules import Reporter, check_tiers
from reconciler.model.matrix import WILDCARD, MatrixCell, MatrixDimension
from reconciler.source.toml_lines import Path


def check_matrix(price: MatrixPrice, err: Reporter) -> None:
    dimensions = _dimensions(price, err)
    cells: tuple[MatrixCell | None, ...] = price.cells or ()
    seen: dict[tuple[tuple[str, str], ...], int] = {}
    for index, cell in enumerate(cells):
        if cell is None:
            continue
        at: Path = ("cells", index)
        _cell_tiers(cell, at, err)
        if cell.match is None:
            names = ", ".join(d.key for d in dimensions or ())
            err(
                at,
                "price.matrix_match_missing",
                f"a cell needs a `match` naming a value (or *) for each dimension: {names}",
                reads=((*at, "match"),),
            )
            continue
        if dimensions is None:
            continue
        if _match_ok(cell.match, dimensions, (*at, "match"), err):
            key = tuple((d.key, cell.match[d.key]) for d in dimensions)
            if key in seen:
                err(
                    (*at, "match"),
                    "price.matrix_duplicate_match",
                    f"cells[{seen[key]}] has the same match; each combination is priced by"
                    " one cell",
                )
            else:
                seen[key] = index
    fallback = price.fallback
    if fallback is not None:
        _cell_tiers(fallback, ("fallback",), err)
        if fallback.match is not None:
            err(
                ("fallback", "match"),
                "price.matrix_fallback_match",
                "the fallback prices the usage no cell routes to: remove its `match`",
            )


def _dimensions(price: MatrixPrice, err: Reporter) -> tuple[MatrixDimension, ...] | None:
    """The dimensions, or None when one of them failed validation."""
    dimensions = price.dimensions
    if dimensions is None or any(d is None or d.key is None for d in dimensions):
        return None
    first: dict[str, int] = {}
    for index, dimension in enumerate(dimensions):
        if dimension.key in first:
            err(
                ("dimensions", index, "key"),
                "price.matrix_duplicate_dimension",
                f"dimensions[{first[dimension.key]}] already reads `{dimension.key}`",
            )
        first.setdefault(dimension.key, index)
    return dimensions


def _match_ok(
    match: dict[str, str], dimensions: tuple[MatrixDimension, ...], at: Path, err: Reporter
) -> bool:
    """Report what is wrong with one match; True when it names each dimension once."""
    by_key = {d.key: d for d in dimensions}
    ok = True
    for key, value in match.items():
        dimension = by_key.get(key)
        if dimension is None:
            known = ", ".join(by_key)
            err(
                (*at, key),
                "price.matrix_unknown_dimension",
                f"`{key}` is not a dimension of this price ({known})",
            )
            ok = False
        elif (
            dimension.values is not None
            and value != WILDCARD
            and None not in dimension.values
            and value not in dimension.values
        ):
            listed = ", ".join(dimension.values)
            err(
                (*at, key),
                "price.matrix_value_not_listed",
                f"{value!r} is not one of the values of dimension `{key}` ({listed}) nor *",
            )
    missing = [d.key for d in dimensions if d.key not in match]
    if missing:
        err(
            at,
            "price.matrix_match_incomplete",
            f"the match leaves out {', '.join(missing)}: name a value for every dimension"
            " (* for any value)",
        )
        ok = False
    return ok


def _cell_tiers(cell: MatrixCell, at: Path, err: Reporter) -> None:
    tiers = getattr(cell, "tiers", None)
    if not tiers:
        return

    def inside(sub: Path, code: str, message: str, reads: tuple[Path, ...] | None = None) -> None:
        shifted = None if reads is None else tuple((*at, *r) for r in reads)
        err((*at, *sub), code, message, reads=shifted)

    check_tiers(tiers, inside)

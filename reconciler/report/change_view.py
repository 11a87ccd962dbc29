"""How one change reads to a reviewer: its symbol, its style, its value rows.

Shared by the plan, drift and apply outputs so that the three agree on every symbol and
every rendered value. Symbols follow Terraform where it has one:

| action        | symbol | style  |
|---------------|--------|--------|
| `create`      | `+`    | green  |
| `update`      | `~`    | yellow |
| `replace`     | `-/+`  | bold red |
| `new_version` | `+`    | green (the address names the version: `…versions[2026-07-01]`) |
| `activate`    | `>`    | cyan   |
| `cancel`      | `x`    | red    |

Rows are ordered money first (`money`).
"""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.plan import Action, Change, FieldChange
from reconciler.report.money import money_first
from reconciler.report.outline import outline

SYMBOL: dict[Action, str] = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.REPLACE: "-/+",
    Action.NEW_VERSION: "+",
    Action.ACTIVATE: ">",
    Action.CANCEL: "x",
    Action.NEW_REVISION: "+",
    Action.NOOP: " ",
}

STYLE: dict[Action, str] = {
    Action.CREATE: "green",
    Action.UPDATE: "yellow",
    Action.REPLACE: "bold red",
    Action.NEW_VERSION: "green",
    Action.ACTIVATE: "cyan",
    Action.CANCEL: "red",
    Action.NEW_REVISION: "green",
    Action.NOOP: "dim",
}

LABEL: dict[Action, str] = {
    Action.CREATE: "create",
    Action.UPDATE: "update",
    Action.REPLACE: "replace",
    Action.NEW_VERSION: "new version",
    Action.ACTIVATE: "activate",
    Action.CANCEL: "cancel",
    Action.NEW_REVISION: "new revision",
    Action.NOOP: "no-op",
}

_FLIPS = frozenset({Action.ACTIVATE, Action.CANCEL})


def rows(change: Change) -> list[FieldChange]:
    """The value rows of `change`, money first. Activate and cancel carry no field rows
    (the diff describes them by `before`/`after` alone): they get a row per top-level key
    that differs, so they show what they flip. A create or new version has none (it has
    nothing to compare against; see `outline`)."""
    if change.action not in _FLIPS or change.before is None or change.after is None:
        return money_first(change.fields)
    keys = [*change.before, *(k for k in change.after if k not in change.before)]
    derived = [
        FieldChange(path=k, before=change.before.get(k), after=change.after.get(k))
        for k in keys
        if change.before.get(k) != change.after.get(k)
    ]
    return money_first(derived)


def count_phrases(counts: dict[Action, int], verbs: dict[Action, str]) -> str:
    """`2 to create, 1 to update, …`: every action in `verbs`, zero or not, in order
    (new plan revisions only when there are some)."""
    out = []
    for action, verb in verbs.items():
        n = counts.get(action, 0)
        if action is Action.NEW_REVISION and n == 0:
            continue
        out.append(verb.format(n=n, s="" if n == 1 else "s"))
    return ", ".join(out)


def _shows_declared(change: Change) -> bool:
    """Creates, and new plan revisions whose old prices no published version shows (a
    plan read cannot): their declared values are all a reviewer can see."""
    if change.after is None:
        return False
    if change.before is None:
        return True
    return (
        change.action is Action.NEW_REVISION
        and change.kind == "plan"
        and not change.before.get("items")
    )


@dataclass(frozen=True)
class ChangeView:
    """A change as the templates see it: everything precomputed, nothing to decide."""

    change: Change
    symbol: str
    label: str
    style: str
    rows: list[FieldChange]
    outline: list[str]

    @classmethod
    def of(cls, change: Change) -> ChangeView:
        return cls(
            change=change,
            symbol=SYMBOL[change.action],
            label=LABEL[change.action],
            style=STYLE[change.action],
            rows=rows(change),
            outline=outline(change.after) if change.after and _shows_declared(change) else [],
        )

    @property
    def path_width(self) -> int:
        """The width of the path column (capped: one long path must not push every
        value off the screen)."""
        return min(max((len(r.path) for r in self.rows), default=0), 40)

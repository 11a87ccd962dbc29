"""The diff: desired state vs live state -> ordered changes (pure; the only deepdiff user).

`diff(desired, live) -> DiffResult` is the entry point (`engine`); `fields` turns two
models into `FieldChange`s with human paths, `normalize` puts both states in canonical
form, `resources` and `subscriptions` decide the action per declared resource.
"""

from reconciler.diff.engine import DiffResult, diff
from reconciler.diff.fields import render_path
from reconciler.diff.resources import immutable_fields

__all__ = ["DiffResult", "diff", "immutable_fields", "render_path"]

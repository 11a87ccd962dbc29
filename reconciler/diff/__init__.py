"""The diff: desired state vs live state -> ordered changes (pure; the only deepdiff user).

`diff(desired, live) -> DiffResult` is the entry point (`engine`; `desired_side(desired)`
is its catalog half, computed apart by a caller that can overlap it with the read);
`fields` turns two models into `FieldChange`s with human paths, `normalize` puts both
states in canonical form, `resources` and `subscriptions` decide the action per declared
resource.
"""

from reconciler.diff.engine import DesiredSide, DiffResult, desired_side, diff
from reconciler.diff.fields import render_path
from reconciler.diff.resources import immutable_fields

__all__ = [
    "DesiredSide",
    "DiffResult",
    "desired_side",
    "diff",
    "immutable_fields",
    "render_path",
]

"""`billing show PLANFILE`: a saved plan read back, offline, to be rendered again.

Reads only the file (and billing.toml, for its policies): no API key, no network, no
catalog. The plan is what `billing plan` saved, so rendering it with the same renderer
gives what `billing plan` printed, byte for byte. Its policy diagnostics are computed
again with the project's current `[[policies]]` (`planning.policies.with_policies`), as
`billing apply PLANFILE` will judge it; with unchanged rules they are those it was saved
with. Outside a project the plan is shown as saved.
"""

from __future__ import annotations

from pathlib import Path

from reconciler.apply.plan_files import read_plan
from reconciler.commands.project import Project
from reconciler.plan import Plan
from reconciler.planning.policies import with_policies


def show_plan(path: Path, project: Project | None, shown_as: str | None = None) -> Plan:
    """The plan saved in `path`, judged by `project`'s policies (None: as saved).
    InvalidInputError naming the file if it is not a plan file."""
    plan = read_plan(path, shown_as)
    if project is None:
        return plan
    settings = project.settings
    environment = settings.environments.get(plan.environment)
    return with_policies(
        plan,
        settings.policies_for(plan.environment),
        protected=environment is not None and environment.protected,
    )

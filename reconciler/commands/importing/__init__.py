"""`billing import`: catalog files for live objects the catalog does not declare yet.

`import_live(project, catalog, target, options)` is the entry point (`run` has the
sequence; `command.import_environment` is what `billing import` calls); `select`
chooses the objects (filters, identity, dependencies), `shape` puts a live model in the
form a person declares it, `emit` writes catalog TOML, `unmapped` lists the live fields
the catalog has no place for, `files` names and writes the files.

The contract the tests hold it to: after an import, `billing plan` shows no change for
the imported objects.
"""

from reconciler.commands.importing.command import import_environment
from reconciler.commands.importing.files import Layout
from reconciler.commands.importing.run import Imported, ImportOptions, ImportResult, import_live
from reconciler.commands.importing.select import Skipped

__all__ = [
    "ImportOptions",
    "ImportResult",
    "Imported",
    "Layout",
    "Skipped",
    "import_environment",
    "import_live",
]

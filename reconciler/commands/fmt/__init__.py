"""`billing fmt`: catalog files in canonical form, without losing a comment.

`format_toml(text)` formats one file's text (the rules, and why it is safe, are in
`toml_format`); `format_files(root, files, write=...)` runs it over files and says what
changed (`format_catalog`, what `billing fmt` calls, picks the files first);
`key_order` (in `order`) is the canonical key order, shared with `importing`, so that an
imported file is already canonical.
"""

from reconciler.commands.fmt.command import format_catalog, format_failed
from reconciler.commands.fmt.files import FileOutcome, format_files
from reconciler.commands.fmt.order import Node, key_order
from reconciler.commands.fmt.toml_format import Formatted, format_toml

__all__ = [
    "FileOutcome",
    "Formatted",
    "Node",
    "format_catalog",
    "format_failed",
    "format_files",
    "format_toml",
    "key_order",
]

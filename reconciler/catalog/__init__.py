"""The desired state: the catalog files of a project, loaded and checked per environment.

`load_desired` is the entry point (every diagnostic, never raises for a catalog problem;
`reconciler.load_catalog` is its raising form on a project); see `load` for the pipeline
and `rules` for the checks.
"""

from reconciler.catalog.load import LoadResult, catalog_files, load_desired

__all__ = ["LoadResult", "catalog_files", "load_desired"]

"""The desired state: the catalog files of a project, loaded and checked per environment.

`load_catalog` is the entry point; see `load` for the pipeline and `rules` for the checks.
"""

from reconciler.catalog.load import LoadResult, catalog_files, load_catalog, load_or_raise

__all__ = ["LoadResult", "catalog_files", "load_catalog", "load_or_raise"]

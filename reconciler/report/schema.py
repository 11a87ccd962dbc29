"""The JSON Schema of one catalog file, for editors and CI (`billing schema`)."""

from __future__ import annotations

import json
from typing import Any

from reconciler.model import CatalogFile
from reconciler.version import __version__

SCHEMA_ID = "https://alguna-billing.invalid/schema/catalog.schema.json"


def catalog_schema() -> dict[str, Any]:
    schema = CatalogFile.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": f"alguna-billing catalog file (v{__version__})",
        **schema,
    }


def catalog_schema_json() -> str:
    return json.dumps(catalog_schema(), indent=2, sort_keys=False)

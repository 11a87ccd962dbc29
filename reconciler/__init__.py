"""Billing as code for Alguna.

The package is layered (DESIGN.md section 3, enforced by import-linter contracts in
pyproject.toml): vocabulary (errors, diagnostics, model, settings) < edges (render, wire,
api) < states (catalog, live, diff) < workflow < features < entry (cli). The emulator
stands apart and imports nothing from the rest of the package.
"""

__version__ = "0.1.0"

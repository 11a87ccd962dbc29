"""The package version (kept apart from `reconciler/__init__.py`, the public face, so that
low layers can read it without depending on the face)."""

__version__ = "0.1.0"

"""The test suite. Helpers are imported as `tests.<folder>.<module>` (see ../conftest.py)."""

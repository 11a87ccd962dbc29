"""The Alguna API client: the only httpx user outside the emulator.

`HttpCore(connection_for(name, settings), transport)` is the client (an async context
manager); wrap it in `AlgunaReader` (for planning) or `AlgunaWriter` (for apply only).
See `http` for retries, `budget` for rate limits and concurrency, `guard` for the
environment checks, `errors` for what can fail.
"""

from reconciler.api.connection import Connection, RetryPolicy, connection_for
from reconciler.api.errors import ApiError
from reconciler.api.http import HttpCore
from reconciler.api.reader import AlgunaReader, ApiReader
from reconciler.api.writer import AlgunaWriter, ApiWriter

__all__ = [
    "AlgunaReader",
    "AlgunaWriter",
    "ApiError",
    "ApiReader",
    "ApiWriter",
    "Connection",
    "HttpCore",
    "RetryPolicy",
    "connection_for",
]

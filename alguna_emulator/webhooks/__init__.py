"""Webhooks from the emulator: the lifecycle events it models, signed and delivered with
retries to endpoints registered through the control API.

Modules: ``signing`` (Standard Webhooks and ``X-Webhook-Signature`` headers), ``outbox``
(endpoints, messages and deliveries in the store), ``dispatcher`` (sending due attempts, in
a background thread or on demand), ``events`` (what resources call to emit an event, and
the payload shapes), ``routes`` (the control API under ``/_emulator/webhooks``).

Kept import-free here: ``runtime`` imports the dispatcher, and ``events`` imports
``runtime``, so this package's ``__init__`` must not pull either in.
"""

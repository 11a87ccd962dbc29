"""The request pipeline: pure ASGI stages wrapped around the API routes, outermost first.

requestlog (log and counters) > edge (crashes become 500s, Transient-Error, dropped
connections) > gate (bearer key, Alguna-Version, account) > ratelimit (standard/bulk buckets) >
idempotency (reserve, replay, release) > faults (injected latency, errors, hangs, drops) >
routes. Only ``/_emulator/`` and the OpenAPI/docs pages bypass the stages (see stage.Stage).
"""

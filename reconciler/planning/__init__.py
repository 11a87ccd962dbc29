"""Planning: a diff made into a reviewable, replayable `Plan` (pure: no I/O, no clock).

Owns the plan itself (`planner`: id, guards, what was read), partial plans
(`targeting`: `--target`/`--exclude` as a filter on a diff) and the money review of
price changes (`review`, with the sample usages of `sampling`).

Must not read the API, write, print or look at the clock: callers pass the states and
`created_at`, so the same inputs always give the same plan.
"""

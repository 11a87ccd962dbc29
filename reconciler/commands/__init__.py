"""Commands: what each `billing` command does, as library calls returning result objects.

One module (or package) per command: `workflow` (plan, apply and drift of one
environment), `promote`, `importing`, `fmt` and `pricing_tests` (`billing test`), with
`project` (a project folder and its settings) as what they all start from.

Owns the sequence of a command: load, open the environment's API, read, plan, apply.
Must not print (results are data; `report/` renders them), parse arguments or exit
(`cli/`), nor import the emulator: an embedded environment is reached through the httpx
transport the caller passes in.

Phase 2 of issue 14 moves the logic still held in `cli/` (events, listen, the apply
sequence of `cli/workflow`) here.
"""

"""Commands: what each `billing` command does, as library calls returning result objects.

One module (or package) per command, each what its `reconciler.cli` module calls:
`plan_apply` (plan, apply and drift of one environment: open it, plan, save the plan
file, apply with `Review` callbacks for what a person sees and confirms), `promote`,
`importing`, `fmt`, `quote` (`billing quote` and `billing test`), `events` (`billing
events send`), `listen` (`billing listen`: the local receiver server and its endpoint),
`sandbox` (`billing sandbox serve|reset`), `init` and `show`. Below them: `workflow` (the
async sequence they share: open the environment, read, plan, apply), `interrupt` (Ctrl-C
for long runs), `project` (a project folder and its settings, what they all start from),
`library` (the Python entry points of the public face) and `embedded` (the in-process
emulator transport of embedded environments).

Owns the sequence of a command: load, open the environment's API (an embedded one
through `embedded.transport_for`), read, plan, apply. Must not print (results are data;
`report/` renders them; where a person decides in the middle, the caller passes
callbacks), parse arguments or exit (`cli/`), nor import the emulator outside `embedded`
and `sandbox` (a `protected` import contract).
"""

"""Real processes for crash-safety runs: a `billing sandbox serve` emulator, a project that
points at it, `billing` subprocesses to kill, and the checks that follow a kill.

The emulator is its own process, so it outlives a killed client and finishes the requests
that were in flight at the kill (the realistic case). Every subprocess is started in its
own session (a Ctrl-C in the terminal running the tests never reaches it) with its output
in files (a killed process never blocks on a full pipe), and is killed on the way out.

The API key is a fake, but it is still treated as a secret: it travels only in the child
processes' environment and in request headers/queries, and is never printed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import Any

import httpx

from tests.crash.catalog_gen import generate_catalog
from tests.running import billing_script

ENVIRONMENT = "crash"
KEY_VARIABLE = "BILLING_CRASH_TEST_API_KEY"
# A fake key; the guard judges only sk_test_/sk_live_ keys against Alguna's own hosts,
# and any key against a loopback http:// URL is accepted.
FAKE_KEY = "sk_test_crash_safety_fake_key"
KINDS = ("metric", "product", "plan", "bundle", "customer", "subscription", "version")
WRITE_METHODS = ("POST", "PATCH", "PUT", "DELETE")
KEY_BOUND_TO_OTHER_BODY = "was already used with a different body"


class HarnessError(RuntimeError):
    """The harness itself could not do its part (start the emulator, a process hung)."""


def free_port() -> int:
    """A port nothing listens on right now. Another process may still take it before the
    emulator binds it; `Emulator.start` then retries with another port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def data_dir(fallback: Path) -> Path:
    """Where the emulator's database goes: a RAM-backed folder when there is one (SQLite's
    fsync per commit on a disk makes every write ~25 ms, which only slows the runs down:
    a client crash does not depend on the server's durability), else `fallback`."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        return Path(tempfile.mkdtemp(prefix="billing-crash-", dir=shm))
    fallback.mkdir(parents=True, exist_ok=True)
    return fallback


def _stop(process: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """SIGINT (a clean stop), then SIGKILL if it lingers; always reaped."""
    if process.poll() is None:
        with suppress(ProcessLookupError):
            process.send_signal(signal.SIGINT)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Emulator:
    """A running `billing sandbox serve` and a client for its control API."""

    process: subprocess.Popen[bytes]
    port: int
    db: Path
    log: Path
    control: httpx.Client = field(repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    def start(cls, workdir: Path, attempts: int = 5) -> Emulator:
        """Serve a fresh emulator on a free port, data in `workdir/emu.db`; no server-side
        rate limits (the default of `serve`)."""
        workdir.mkdir(parents=True, exist_ok=True)
        db = workdir / "emu.db"
        log = workdir / "emulator.log"
        for _ in range(attempts):
            port = free_port()
            log_start = log.stat().st_size if log.exists() else 0
            with log.open("ab") as out:
                process = subprocess.Popen(
                    [billing_script(), "sandbox", "serve", "--port", str(port), "--db", str(db)],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                    env=child_environment(),
                )
            control = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30.0)
            emulator = cls(process, port, db, log, control)
            try:
                ready = emulator._wait_ready(log_start, timeout=30.0)
            except BaseException:
                emulator.stop()
                raise
            if ready:
                return emulator
            emulator.stop()  # lost a race for the port, or failed to start: try again
        raise HarnessError(f"the emulator did not start; see {log}")

    def _wait_ready(self, log_start: int, timeout: float) -> bool:
        """Ours is listening (uvicorn says so in our log: a server that took the port
        first would answer too, and must not be mistaken for ours) and answering."""
        listening = f"Uvicorn running on {self.base_url}".encode()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            with self.log.open("rb") as output:
                output.seek(log_start)
                started = listening in output.read()
            if started:
                with suppress(httpx.TransportError):
                    if self.control.get("/_emulator/settings").status_code == 200:
                        return True
            time.sleep(0.05)
        return False

    def stop(self) -> None:
        self.control.close()
        _stop(self.process)

    def reset(self) -> None:
        """Empty every account and the request log and counters."""
        self.control.post("/_emulator/reset").raise_for_status()
        self.control.delete("/_emulator/requests").raise_for_status()

    def writes(self) -> int:
        """API writes (any method but GET) answered with success since the last reset.
        A request the kill cut off halfway (its body truncated) is answered 400 and wrote
        nothing, so it does not count."""
        response = self.control.get("/_emulator/counters")
        response.raise_for_status()
        return sum(
            c["count"]
            for c in response.json()
            if c["method"] in WRITE_METHODS and 200 <= c["status"] < 300
        )

    def settled_writes(self, quiet: float = 0.6, timeout: float = 10.0) -> int:
        """`writes()` once it has stopped moving for `quiet` seconds: requests that were in
        flight when a client died still complete on the server (the slowest writes of a
        busy apply take about half a second)."""
        deadline = time.monotonic() + timeout
        last = self.writes()
        still_since = time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.05)
            now = self.writes()
            if now != last:
                last, still_since = now, time.monotonic()
            elif time.monotonic() - still_since >= quiet:
                break
        return last

    def objects(self, kind: str) -> list[dict[str, Any]]:
        """Every stored object of `kind` in the test account (the control API, which
        takes the account's key in the query: never let that URL into a message)."""
        response = self.control.get(f"/_emulator/objects/{kind}", params={"api_key": FAKE_KEY})
        if response.status_code != 200:
            raise HarnessError(f"listing {kind} objects: HTTP {response.status_code}")
        data: list[dict[str, Any]] = response.json()["data"]
        return data


@contextmanager
def serving(fallback: Path) -> Iterator[Emulator]:
    """A running emulator (data under `data_dir(fallback)`), stopped and its data removed
    on the way out, whatever happens."""
    folder = data_dir(fallback)
    try:
        emulator = Emulator.start(folder)
        try:
            yield emulator
        finally:
            emulator.stop()
    finally:
        if folder != fallback:
            shutil.rmtree(folder, ignore_errors=True)


def child_environment() -> dict[str, str]:
    """The environment of every `billing` subprocess: the fake key, no colour, and no
    inherited `BILLING_ENV` (the project's default environment is the one)."""
    env = {k: v for k, v in os.environ.items() if k != "BILLING_ENV"}
    env[KEY_VARIABLE] = FAKE_KEY
    env["NO_COLOR"] = "1"
    return env


BILLING_TOML = """\
default_environment = "{environment}"

[environments.{environment}]
base_url = "{base_url}"
api_key_env = "{key_variable}"

# High client-side budgets, so that one run is quick; the emulator enforces none.
[environments.{environment}.rate_limits]
standard = 5000
bulk = 5000
"""


@dataclass(frozen=True)
class Expected:
    """The natural keys a catalog declares (DESIGN §6), per kind."""

    keys: dict[str, frozenset[str]]
    versions: frozenset[tuple[str, str]]  # (subscription billing_key, effective date)
    activated: frozenset[str]

    @classmethod
    def of(cls, files: Mapping[str, str]) -> Expected:
        tables: dict[str, dict[str, Any]] = {}
        for text in files.values():
            for kind, resources in tomllib.loads(text).items():
                tables.setdefault(kind, {}).update(resources)
        subscriptions = tables.get("subscriptions", {})
        return cls(
            keys={
                "metric": frozenset(r["name"] for r in tables.get("metrics", {}).values()),
                "product": frozenset(
                    r.get("sku", key) for key, r in tables.get("products", {}).items()
                ),
                "plan": frozenset(r["name"] for r in tables.get("plans", {}).values()),
                "bundle": frozenset(r["name"] for r in tables.get("bundles", {}).values()),
                "customer": frozenset(tables.get("customers", {})),
                "subscription": frozenset(subscriptions),
            },
            versions=frozenset(
                (key, str(version["effective"]))
                for key, sub in subscriptions.items()
                for version in sub.get("versions", [])
            ),
            activated=frozenset(k for k, s in subscriptions.items() if s.get("activate")),
        )

    @property
    def resources(self) -> int:
        return sum(len(keys) for keys in self.keys.values())

    @property
    def changes(self) -> int:
        """Changes of a plan from an empty account: a create per resource (a subscription
        with its first version), a `new_version` per later version, an `activate` each."""
        later = len(self.versions) - len(self.keys["subscription"])
        return self.resources + later + len(self.activated)


@dataclass
class Project:
    """A temporary project whose only environment is the emulator at `base_url`."""

    root: Path
    files: dict[str, str]
    expected: Expected

    @classmethod
    def write(cls, root: Path, base_url: str, files: dict[str, str]) -> Project:
        (root / "catalog").mkdir(parents=True, exist_ok=True)
        (root / "billing.toml").write_text(
            BILLING_TOML.format(
                environment=ENVIRONMENT, base_url=base_url, key_variable=KEY_VARIABLE
            ),
            encoding="utf-8",
        )
        for name, text in files.items():
            (root / "catalog" / name).write_text(text, encoding="utf-8")
        return cls(root, files, Expected.of(files))

    @classmethod
    def generated(cls, root: Path, base_url: str, n_resources: int, seed: int) -> Project:
        return cls.write(root, base_url, generate_catalog(n_resources, seed))

    def command(self, *args: str) -> list[str]:
        return [billing_script(), "--project", str(self.root), *args]


@dataclass
class Finished:
    """A `billing` process that ended: how, and its output."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float


class Running:
    """A `billing` subprocess with its output going to files."""

    def __init__(self, project: Project, args: list[str], name: str) -> None:
        self.args = args
        logs = project.root / "logs"
        logs.mkdir(exist_ok=True)
        self.stdout_path = logs / f"{name}.out"
        self.stderr_path = logs / f"{name}.err"
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.process = subprocess.Popen(
                project.command(*args),
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env=child_environment(),
            )
        self.started = time.monotonic()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def applied_lines(self) -> int:
        """Changes the process has reported applied so far (one line each on stderr)."""
        return count_applied(self.stderr())

    def signal(self, signum: int) -> None:
        with suppress(ProcessLookupError):
            self.process.send_signal(signum)

    def wait(self, timeout: float = 120.0) -> Finished:
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise HarnessError(
                f"`billing {' '.join(self.args)}` hung for {timeout:.0f} s; output in"
                f" {self.stderr_path}"
            ) from None
        return Finished(
            code,
            self.stdout_path.read_text(encoding="utf-8", errors="replace"),
            self.stderr(),
            self.elapsed(),
        )

    def kill(self) -> None:
        if self.process.poll() is None:
            with suppress(ProcessLookupError):
                self.process.kill()
        self.process.wait()


@contextmanager
def running(project: Project, args: list[str], name: str) -> Iterator[Running]:
    """A `billing` subprocess, killed on the way out whatever happens."""
    process = Running(project, args, name)
    try:
        yield process
    finally:
        process.kill()


def billing(project: Project, args: list[str], name: str, timeout: float = 120.0) -> Finished:
    """Run `billing ARGS` to the end."""
    with running(project, args, name) as process:
        return process.wait(timeout)


def wait_until(
    condition: Callable[[], bool], process: Running, timeout: float = 60.0, step: float = 0.02
) -> bool:
    """Poll `condition` until it holds (True) or the process ends first (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if process.process.poll() is not None:
            return condition()
        time.sleep(step)
    raise HarnessError(f"timed out after {timeout:.0f} s waiting on `billing {process.args}`")


@dataclass(frozen=True)
class Findings:
    """What the live account holds against what the catalog declares."""

    duplicates: list[str]  # "<kind> <natural key> x<count>"
    missing: list[str]  # "<kind> <natural key>"

    @property
    def ok(self) -> bool:
        return not self.duplicates and not self.missing


def _natural_keys(kind: str, obj: dict[str, Any]) -> list[str]:
    if kind in ("metric", "plan", "bundle"):
        return [str(obj["name"])]
    if kind == "product":
        return [str(obj["sku"])]
    if kind == "customer":
        return [str(alias) for alias in obj.get("aliases") or []]
    if kind == "subscription":
        key = (obj.get("metadata") or {}).get("billing_key")
        return [] if key is None else [str(key)]
    raise ValueError(kind)


def inspect_account(emulator: Emulator, expected: Expected) -> Findings:
    """Duplicates by natural key (every object of every kind, listed from the emulator)
    and declared resources that do not exist (or a subscription version or activation)."""
    duplicates: list[str] = []
    missing: list[str] = []
    subscriptions = emulator.objects("subscription")
    billing_key = {
        str(s["id"]): str((s.get("metadata") or {}).get("billing_key")) for s in subscriptions
    }
    for kind in KINDS[:-1]:
        objects = subscriptions if kind == "subscription" else emulator.objects(kind)
        counts = Counter(k for obj in objects for k in _natural_keys(kind, obj))
        duplicates += [f"{kind} {key!r} x{n}" for key, n in sorted(counts.items()) if n > 1]
        missing += [f"{kind} {key!r}" for key in sorted(expected.keys[kind] - set(counts))]
    versions = Counter(
        (billing_key.get(str(v["subscription_id"]), "?"), str(v["effective_at"])[:10])
        for v in emulator.objects("version")
    )
    duplicates += [f"version {key} x{n}" for key, n in sorted(versions.items()) if n > 1]
    missing += [f"version {key}" for key in sorted(expected.versions - set(versions))]
    active = {billing_key[str(s["id"])] for s in subscriptions if s.get("activated_at")}
    missing += [f"activation of subscription {k!r}" for k in sorted(expected.activated - active)]
    return Findings(duplicates, missing)


@dataclass(frozen=True)
class Calibration:
    """When an uninterrupted apply writes, in seconds from its start."""

    first_write: float
    last_write: float
    total: float
    writes: int

    def kill_range(self) -> tuple[float, float]:
        """Kill points, in seconds after a run's first write, that land while it writes
        (the very end left out: a kill after the last write is no crash at all).

        Counted from the first write rather than the process start: start-up and the
        plan's reads take 1 to 2.5 s depending on the machine's load, which would push
        many kills before any write, where there is nothing to crash."""
        return 0.0, 0.95 * (self.last_write - self.first_write)


def calibrate(emulator: Emulator, project: Project) -> Calibration:
    """Apply once without interruption, watching the emulator's write counter."""
    emulator.reset()
    first: float | None = None
    last = 0.0
    seen = 0
    with running(project, ["apply", "--auto-approve"], "calibrate") as process:
        while process.process.poll() is None:
            writes = emulator.writes()
            if writes and first is None:
                first = process.elapsed()
            if writes != seen:
                seen, last = writes, process.elapsed()
            time.sleep(0.02)
        result = process.wait()
    if result.returncode != 0 or first is None:
        raise HarnessError(f"the calibration apply failed (exit {result.returncode})")
    return Calibration(first, last, result.seconds, emulator.writes())


@dataclass
class KillRun:
    """One run: kill -9 an apply `offset` s after its first write, rerun it, check the
    account.

    With a saved plan, also: how many of its changes were left after the kill (a fresh
    plan's count), whether the rerun resumed exactly those, and whether a third apply of
    the plan was refused as already applied."""

    index: int
    offset: float  # the kill point drawn: seconds after the first write
    saved_plan: bool = False
    first_write: float | None = None  # s from the start; None: none before the kill
    kill_at: float = 0.0  # s from the start, when the kill was sent
    killed: bool = False  # False: the apply had finished before the kill
    writes_at_kill: int = 0  # answered by the emulator when the kill was sent
    writes_before_kill: int = 0  # ... once the requests in flight had completed
    rerun_code: int | None = None
    rerun_writes: int = 0
    plan_code: int | None = None
    duplicates: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    remaining: int | None = None  # saved plan: changes left after the kill
    resume_problem: str | None = None  # saved plan: how the rerun failed to resume
    rerun_says: str | None = None  # the rerun's last stderr line, when it failed
    rerun_failures: list[str] = field(default_factory=list)  # its `failed ...` lines
    fresh_apply_code: int | None = None  # after the known bug: a fresh `billing apply`
    error: str | None = None

    @property
    def converged(self) -> bool:
        return (
            self.error is None
            and self.rerun_code == (1 if self.saved_plan and self.remaining == 0 else 0)
            and self.plan_code == 0
            and self.resume_problem is None
            and not self.duplicates
            and not self.missing
        )

    @property
    def hit_truncated_body_bug(self) -> bool:
        """The rerun of a saved plan failed only because a request the kill cut off
        mid-body had bound its Idempotency-Key (test_truncated_request.py)."""
        return bool(self.rerun_failures) and all(
            KEY_BOUND_TO_OTHER_BODY in line for line in self.rerun_failures
        )

    @property
    def outcome(self) -> str:
        if self.error is not None:
            return f"error: {self.error}"
        if not self.converged:
            if self.hit_truncated_body_bug:
                return (
                    f"NOT converged: known bug, {len(self.rerun_failures)} change(s) refused"
                    " 422 (a request cut off mid-body bound its Idempotency-Key); then a"
                    f" fresh apply exit {self.fresh_apply_code}, plan exit {self.plan_code},"
                    f" {len(self.duplicates)} duplicate(s), {len(self.missing)} lost"
                )
            resume = f", {self.resume_problem}" if self.resume_problem else ""
            says = f" (rerun: {self.rerun_says})" if self.rerun_says else ""
            return (
                f"NOT converged: rerun exit {self.rerun_code}, plan exit {self.plan_code},"
                f" {len(self.duplicates)} duplicate(s), {len(self.missing)} lost{resume}{says}"
            )
        return "converged" if self.killed else "converged (apply finished before the kill)"


def last_line(text: str, width: int = 160) -> str:
    """The last non-blank line of a process's output, shortened (for a table)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:width] if lines else ""


def count_applied(stderr: str) -> int:
    """Changes a non-TTY `billing apply` reported applied (one `applied ...` line each)."""
    return sum(line.startswith("applied ") for line in stderr.splitlines())


ALREADY_DONE = re.compile(r"(\d+) change\(s\) of this plan were already applied")


def plan_changes(project: Project, name: str) -> int:
    """How many changes a fresh plan has (`billing plan --format json`)."""
    result = billing(project, ["plan", "--format", "json", "--no-save"], name)
    if result.returncode != 0:
        raise HarnessError(f"`billing plan` failed (exit {result.returncode})")
    return len(json.loads(result.stdout)["changes"])


def _check_resume(run: KillRun, rerun: Finished, total: int) -> str | None:
    """None if the rerun of a saved plan made exactly the changes left after the kill."""
    if run.remaining == 0:
        if "already applied" not in rerun.stderr:
            return "every change was in, yet the rerun was not refused as already applied"
        return None
    applied = count_applied(rerun.stderr)
    done_match = ALREADY_DONE.search(rerun.stderr)
    done = int(done_match.group(1)) if done_match else 0
    if applied != run.remaining or done != total - applied:
        return (
            f"the rerun applied {applied} change(s) and reported {done} done; after the kill"
            f" {run.remaining} of {total} were left"
        )
    return None


def kill_run(
    emulator: Emulator,
    project: Project,
    index: int,
    offset: float,
    planfile: Path | None = None,
    after_writes: int | None = None,
) -> KillRun:
    """Start `billing apply --auto-approve` (of `planfile` when given, else of a fresh
    plan), kill -9 it `offset` s after the emulator answers its first write (or, with
    `after_writes`, as soon as it has answered that many writes); rerun the same
    command to the end, then `plan --detailed-exitcode` and an inspection of the account.
    With a plan file: count what is left after the kill, check the rerun made exactly
    that, and that a third apply is refused. The emulator is not reset here."""
    args = ["apply", *([str(planfile)] if planfile else []), "--auto-approve"]
    run = KillRun(index=index, offset=offset, saved_plan=planfile is not None)
    try:
        with running(project, args, f"run{index}-killed") as process:
            before = emulator.writes()

            def due() -> bool:
                writes = emulator.writes()
                if writes > before and run.first_write is None:
                    run.first_write = round(process.elapsed(), 3)
                if after_writes is not None:
                    return writes >= after_writes
                first = run.first_write
                return first is not None and process.elapsed() >= first + offset

            wait_until(due, process, timeout=offset + 120.0)
            run.kill_at = round(process.elapsed(), 3)
            run.killed = process.process.poll() is None
            process.kill()
            run.writes_at_kill = emulator.writes()
        run.writes_before_kill = emulator.settled_writes()
        if planfile is not None:
            run.remaining = plan_changes(project, f"run{index}-remaining")
        rerun = billing(project, args, f"run{index}-rerun")
        run.rerun_code = rerun.returncode
        if rerun.returncode != 0:
            run.rerun_says = last_line(rerun.stderr)
            run.rerun_failures = [
                line for line in rerun.stderr.splitlines() if line.startswith("failed ")
            ]
        run.rerun_writes = emulator.writes() - run.writes_before_kill
        if planfile is not None and run.hit_truncated_body_bug:
            # The plan cannot finish (its keys are bound); a fresh plan has new keys, and
            # must still converge with nothing duplicated or lost.
            fresh = billing(project, ["apply", "--auto-approve"], f"run{index}-fresh")
            run.fresh_apply_code = fresh.returncode
        elif planfile is not None:
            total = len(json.loads(planfile.read_text(encoding="utf-8"))["changes"])
            run.resume_problem = _check_resume(run, rerun, total)
            third = billing(project, args, f"run{index}-third")
            if third.returncode != 1 or "already applied" not in third.stderr:
                run.resume_problem = (
                    f"a third apply of the plan exited {third.returncode}, not refused as"
                    " already applied"
                )
        run.plan_code = billing(
            project, ["plan", "--detailed-exitcode", "--no-save"], f"run{index}-plan"
        ).returncode
        findings = inspect_account(emulator, project.expected)
        run.duplicates, run.missing = findings.duplicates, findings.missing
    except (HarnessError, httpx.HTTPError) as exc:
        run.error = f"{type(exc).__name__}: {exc}".replace(FAKE_KEY, "<key>")
    return run


def save_plan(project: Project, path: Path) -> Path:
    """`billing plan --out PATH` of the current account."""
    result = billing(project, ["plan", "--out", str(path)], "save-plan")
    if result.returncode != 0 or not path.exists():
        raise HarnessError(f"`billing plan --out` failed (exit {result.returncode})")
    return path


def kill_offsets(calibration: Calibration, runs: int, seed: int) -> list[float]:
    low, high = calibration.kill_range()
    rng = Random(seed)
    return [round(rng.uniform(low, high), 3) for _ in range(runs)]


def kill_runs(
    emulator: Emulator,
    project: Project,
    runs: int,
    seed: int,
    calibration: Calibration,
    saved_plan: bool = False,
) -> list[KillRun]:
    """`runs` kill runs at seeded random points over the apply's writing time, each from
    an empty account; with `saved_plan`, each applies a plan saved just before."""
    results = []
    for index, offset in enumerate(kill_offsets(calibration, runs, seed), start=1):
        emulator.reset()
        planfile = None
        if saved_plan:
            planfile = save_plan(project, project.root / "plans" / f"run{index}.json")
        results.append(kill_run(emulator, project, index, offset, planfile))
    return results


def summary_table(results: list[KillRun], calibration: Calibration) -> str:
    """Per-run lines, then the totals: runs, kills (and how many landed between the
    first and the last write), converged runs, duplicates, lost changes (declared
    objects missing after the rerun), and the mean kill point."""
    lines = [
        f"Uninterrupted apply: {calibration.writes} writes, first at"
        f" {calibration.first_write:.2f} s, last at {calibration.last_write:.2f} s,"
        f" exit after {calibration.total:.2f} s",
        "",
        f"{'run':>4} {'1st write (s)':>13} {'+offset (s)':>11} {'kill at (s)':>11}"
        f" {'writes before kill':>18} {'rerun writes':>12}  outcome",
    ]
    for r in results:
        first = "-" if r.first_write is None else f"{r.first_write:.3f}"
        lines.append(
            f"{r.index:>4} {first:>13} {r.offset:>11.3f} {r.kill_at:>11.3f}"
            f" {r.writes_before_kill:>18} {r.rerun_writes:>12}  {r.outcome}"
        )
        for label, found in (("duplicate", r.duplicates), ("lost", r.missing)):
            lines += [f"       {label}: {item}" for item in found[:5]]
            if len(found) > 5:
                lines.append(f"       ... and {len(found) - 5} more {label}")
    killed = [r for r in results if r.killed]
    mid = [r for r in killed if 0 < r.writes_before_kill < calibration.writes]
    mean_offset = statistics.mean(r.offset for r in killed) if killed else 0.0
    mean_writes = statistics.mean(r.writes_before_kill for r in killed) if killed else 0.0
    share = mean_writes / calibration.writes if calibration.writes else 0.0
    header = (
        "runs",
        "kills (mid-write)",
        "converged",
        "duplicates",
        "lost changes",
        "mean kill point",
    )
    row = (
        str(len(results)),
        f"{len(killed)} ({len(mid)})",
        str(sum(r.converged for r in results)),
        str(sum(len(r.duplicates) for r in results)),
        str(sum(len(r.missing) for r in results)),
        f"{mean_offset:.2f} s after the 1st write, {mean_writes:.0f} of"
        f" {calibration.writes} writes ({share:.0%})",
    )
    widths = [max(len(h), len(v)) for h, v in zip(header, row, strict=True)]
    lines += [
        "",
        " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(),
        "-+-".join("-" * w for w in widths),
        " | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip(),
    ]
    return "\n".join(lines)

"""Runs a GitHub Actions workflow's job locally: the `run:` steps for real, in bash, the
GitHub parts faked.

What is real: every `run:` step, executed as GitHub executes it (`bash --noprofile
--norc -eo pipefail`), in a project folder, with the workflow's, job's and step's `env`,
`GITHUB_OUTPUT` and `steps.<id>.outputs`, step conditions, and the real `billing` on
PATH (against the project's embedded emulator). What is faked: `gh` (`fake_gh.py`: one
repository's comments, labels, issues, runs and artifacts), secrets and the `github`
context (given by the test), and the three actions the workflows use: checkout (the
project folder is the checkout), setup-python (the test's Python), upload-artifact
(copies the file into a folder the test hands to the fake `gh`).

This repository's own action (`uses: alguna/alguna-billing@<tag>`, `action.yml` at the
root: a composite action) runs as GitHub runs one: its inputs (with defaults) as the
`inputs` context, its steps in order with their own `steps` context, `shell: bash` and
`working-directory`, the calling step's `env` passed down, `GITHUB_ACTION_PATH` set, and
its `outputs` evaluated as the calling step's outputs. Its install step runs for real, with
pip offline (`PIP_NO_INDEX`, no pip config): the pinned `alguna-billing==<version>` is
satisfied by the package installed here, or the install fails, as a wrong pin would.

Expressions are evaluated for the small language the example workflows use and nothing
more (anything else is an error, so the workflows cannot quietly use more):
`${{ <context>.<path> }}` for `github`, `secrets`, `env`, `steps`, `inputs`, and
conditions made of `always()`, `success()`, `failure()` and `<ref> == '<text>'` / `!=`,
joined by `&&`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
COMPARISON = re.compile(r"^([a-z_.\-A-Z0-9]+)\s*(==|!=)\s*'([^']*)'$")
KNOWN_ACTIONS = ("actions/checkout@", "actions/setup-python@", "actions/upload-artifact@")
OWN_ACTION = "alguna/alguna-billing@"
ACTION_FILE = Path(__file__).resolve().parents[2] / "action.yml"


class UnsupportedError(AssertionError):
    """The workflow uses something this runner does not emulate."""


@dataclass
class StepResult:
    name: str
    ran: bool
    code: int = 0
    stdout: str = ""
    stderr: str = ""
    outputs: dict[str, str] = field(default_factory=dict)


@dataclass
class JobResult:
    succeeded: bool
    steps: list[StepResult]
    artifacts: dict[str, Path]

    def step(self, name: str) -> StepResult:
        (found,) = [s for s in self.steps if s.name == name]
        return found

    def log(self) -> str:
        lines = []
        for step in self.steps:
            status = f"ran, exit {step.code}" if step.ran else "skipped"
            lines.append(f"--- {step.name} ({status})\n{step.stdout}{step.stderr}")
        return "\n".join(lines)


@dataclass
class Context:
    """What GitHub would provide: the `github` context, secrets, the runner's
    environment (PATH with the fake `gh`), and where artifacts go."""

    github: Mapping[str, Any]
    secrets: Mapping[str, str]
    base_env: Mapping[str, str]
    artifacts: Path


def load_workflow(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    if True in data:  # YAML 1.1 reads the key `on` as true
        data["on"] = data.pop(True)
    return data


def run_job(workflow: Path, job: str, workdir: Path, context: Context) -> JobResult:
    data = load_workflow(workflow)
    spec = data["jobs"][job]
    env = {**_strings(data.get("env", {})), **_strings(spec.get("env", {}))}
    outputs: dict[str, dict[str, dict[str, str]]] = {}
    results: list[StepResult] = []
    artifacts: dict[str, Path] = {}
    failed = False
    for index, step in enumerate(spec["steps"]):
        name = step.get("name") or step.get("uses") or f"step {index}"
        scope = {"env": env, "steps": outputs, "github": context.github, "secrets": context.secrets}
        if not _condition(step.get("if"), scope, failed):
            results.append(StepResult(name, ran=False))
            continue
        step_env = {
            **env,
            **{k: _expand(v, scope) for k, v in _strings(step.get("env", {})).items()},
        }
        if str(step.get("uses", "")).startswith(OWN_ACTION):
            result, inner = _composite(name, step, scope, workdir, context, step_env, artifacts)
            results.extend(inner)
        elif "uses" in step:
            _action(step, scope, workdir, context, artifacts)
            result = StepResult(name, ran=True)
        else:
            result = _run(name, step["run"], workdir, context, step_env, scope)
        results.append(result)
        if "id" in step:
            outputs[step["id"]] = {"outputs": result.outputs}
        failed = failed or result.code != 0
    return JobResult(succeeded=not failed, steps=results, artifacts=artifacts)


def _composite(
    name: str,
    step: Mapping[str, Any],
    caller: Mapping[str, Any],
    workdir: Path,
    context: Context,
    env: Mapping[str, str],
    artifacts: dict[str, Path],
) -> tuple[StepResult, list[StepResult]]:
    """Run this repository's composite action (action.yml) for the calling `step`: the
    result of the calling step (its outputs are the action's), and each inner step's
    result, named `<name> / <inner name>`."""
    action = yaml.safe_load(ACTION_FILE.read_text())
    if action["runs"]["using"] != "composite":
        raise UnsupportedError("action.yml is not a composite action")
    given = {k: _expand(str(v), caller) for k, v in step.get("with", {}).items()}
    unknown = set(given) - set(action["inputs"])
    if unknown:
        raise UnsupportedError(f"unknown inputs of the action: {sorted(unknown)}")
    inputs = {
        key: given.get(key, _expand(str(spec.get("default", "")), caller))
        for key, spec in action["inputs"].items()
    }
    missing = [k for k, s in action["inputs"].items() if s.get("required") and not inputs[k]]
    if missing:
        raise UnsupportedError(f"required inputs missing: {missing}")
    outputs: dict[str, dict[str, dict[str, str]]] = {}
    inner: list[StepResult] = []
    failed = False
    action_env = {**env, "GITHUB_ACTION_PATH": str(ACTION_FILE.parent)}
    for index, sub in enumerate(action["runs"]["steps"]):
        label = f"{name} / {sub.get('name') or sub.get('uses') or index}"
        scope = {"env": action_env, "steps": outputs, "github": context.github, "inputs": inputs}
        if not _condition(sub.get("if"), scope, failed):
            inner.append(StepResult(label, ran=False))
            continue
        if "uses" in sub:
            _action(sub, scope, workdir, context, artifacts)
            inner.append(StepResult(label, ran=True))
            continue
        if sub.get("shell") != "bash":
            raise UnsupportedError(f"{label}: a composite run step needs shell: bash")
        sub_env = {
            **action_env,
            **{k: _expand(v, scope) for k, v in _strings(sub.get("env", {})).items()},
        }
        folder = workdir / _expand(str(sub.get("working-directory", ".")), scope)
        result = _run(label, sub["run"], folder, context, sub_env, scope)
        inner.append(result)
        if "id" in sub:
            outputs[sub["id"]] = {"outputs": result.outputs}
        failed = failed or result.code != 0
    scope = {"steps": outputs, "inputs": inputs, "github": context.github}
    values = {k: _expand(str(v["value"]), scope) for k, v in action.get("outputs", {}).items()}
    return StepResult(name, True, 1 if failed else 0, outputs=values), inner


def _strings(values: Mapping[str, Any]) -> dict[str, str]:
    return {str(k): str(v) for k, v in values.items()}


def _lookup(reference: str, scope: Mapping[str, Any]) -> str:
    value: Any = scope
    for part in reference.split("."):
        if not isinstance(value, Mapping):
            raise UnsupportedError(f"cannot evaluate {reference!r}")
        value = value.get(part)
        if value is None:  # a step that did not run (or an unset value): empty, as GitHub
            return ""
    return str(value)


def _expand(text: str, scope: Mapping[str, Any]) -> str:
    def one(match: re.Match[str]) -> str:
        expression = match.group(1)
        if not re.fullmatch(r"(github|secrets|env|steps|inputs)\.[A-Za-z0-9_.\-]+", expression):
            raise UnsupportedError(f"expression not supported here: {expression!r}")
        return _lookup(expression, scope)

    return EXPRESSION.sub(one, text)


def _condition(condition: str | None, scope: Mapping[str, Any], failed: bool) -> bool:
    if condition is None:
        return not failed
    text = EXPRESSION.sub(lambda m: m.group(1), str(condition)).strip()
    always = False
    verdict = True
    for atom in (part.strip() for part in text.split("&&")):
        if atom == "always()":
            always = True
        elif atom == "success()":
            verdict = verdict and not failed
        elif atom == "failure()":
            always, verdict = True, verdict and failed
        elif match := COMPARISON.match(atom):
            value = _lookup(match[1], scope)
            verdict = verdict and ((value == match[3]) == (match[2] == "=="))
        else:
            raise UnsupportedError(f"condition not supported: {atom!r}")
    return verdict and (always or not failed)


def _action(
    step: Mapping[str, Any],
    scope: Mapping[str, Any],
    workdir: Path,
    context: Context,
    artifacts: dict[str, Path],
) -> None:
    uses = str(step["uses"])
    if not uses.startswith(KNOWN_ACTIONS):
        raise UnsupportedError(f"action not emulated: {uses}")
    if uses.startswith("actions/upload-artifact@"):
        options = {k: _expand(str(v), scope) for k, v in step.get("with", {}).items()}
        target = context.artifacts / options["name"]
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(workdir / options["path"], target / Path(options["path"]).name)
        artifacts[options["name"]] = target


def _run(
    name: str,
    script: str,
    workdir: Path,
    context: Context,
    env: Mapping[str, str],
    scope: Mapping[str, Any],
) -> StepResult:
    output = workdir / ".github-output"
    workdir = workdir.resolve()
    output.write_text("")
    script_file = workdir / ".github-step.sh"
    script_file.write_text(_expand(script, scope))
    full_env = {
        **context.base_env,
        **env,
        "GITHUB_OUTPUT": str(output),
        "GITHUB_WORKSPACE": str(workdir),
        "GITHUB_REPOSITORY": str(context.github["repository"]),
        "GITHUB_SHA": str(context.github["sha"]),
        "GITHUB_RUN_ID": str(context.github["run_id"]),
        "CI": "true",
    }
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script_file)],
        cwd=workdir,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    script_file.unlink()
    output.unlink()
    return StepResult(name, True, done.returncode, done.stdout, done.stderr, outputs)


def runner_env(fake_bin: Path, state: Path) -> dict[str, str]:
    """The environment of a step before the workflow's own: this interpreter's `bin`
    (where `billing` is installed) and the fake `gh` first on PATH; nothing of ours
    (no BILLING_* leaks in from the test process)."""
    import sys

    python_bin = str(Path(sys.executable).parent)
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("BILLING_", "GITHUB_"))}
    keep["PATH"] = os.pathsep.join([str(fake_bin), python_bin, keep.get("PATH", "")])
    keep["FAKE_GH_STATE"] = str(state)
    # The action's `pip install alguna-billing==<version>`: offline, no user config, so
    # only the package installed here can satisfy the pin.
    keep.update({"PIP_NO_INDEX": "1", "PIP_CONFIG_FILE": os.devnull, "PIP_FIND_LINKS": ""})
    return keep

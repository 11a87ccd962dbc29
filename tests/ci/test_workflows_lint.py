"""Lint for the example CI files in examples/github/.

actionlint does not install here (its pip package downloads the binary from GitHub at
build time), so the workflows are checked against a JSON Schema of the workflow syntax
they use (strict: unknown keys are errors), plus the checks actionlint would make that
matter for them: every shell script parses (`bash -n`), expressions use known contexts
and refer to earlier steps by id, no expression is interpolated into a script (script
injection), and every `billing` call is a real command with real options (checked
against the CLI itself). When `actionlint` (or `shellcheck`) is on PATH it runs too.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import click
import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from reconciler.cli import main
from tests.builders import copy_example
from tests.ci.runner import EXPRESSION, load_workflow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "github"
ACTION = Path(__file__).resolve().parents[2] / "action.yml"
WORKFLOWS = sorted((EXAMPLES / "workflows").glob("*.yml"))
DOCS = Path(__file__).resolve().parents[2] / "docs" / "ci.md"

_STRINGS = {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}}
_LEVEL = {"enum": ["read", "write", "none"]}
_GLOBS = {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1}
WORKFLOW_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name", "on", "jobs"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string"},
        "on": {
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "properties": {
                "pull_request": {
                    "type": ["object", "null"],
                    "additionalProperties": False,
                    "properties": {"paths": _GLOBS, "branches": _GLOBS, "types": _GLOBS},
                },
                "push": {
                    "type": ["object", "null"],
                    "additionalProperties": False,
                    "properties": {"paths": _GLOBS, "branches": _GLOBS},
                },
                "schedule": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["cron"],
                        "additionalProperties": False,
                        "properties": {
                            "cron": {
                                "type": "string",
                                "pattern": r"^(\S+\s+){4}\S+$",
                            }
                        },
                    },
                },
                "workflow_dispatch": {"type": ["object", "null"]},
            },
        },
        "permissions": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                name: _LEVEL
                for name in ("actions", "contents", "issues", "pull-requests", "checks")
            },
        },
        "concurrency": {
            "type": "object",
            "required": ["group"],
            "additionalProperties": False,
            "properties": {
                "group": {"type": "string"},
                "cancel-in-progress": {"type": "boolean"},
            },
        },
        "env": _STRINGS,
        "jobs": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {
                "type": "object",
                "required": ["runs-on", "steps"],
                "additionalProperties": False,
                "properties": {
                    "runs-on": {"type": "string"},
                    "environment": {"type": "string"},
                    "env": _STRINGS,
                    "steps": {
                        "type": "array",
                        "minItems": 1,
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {
                                "name": {"type": "string"},
                                "id": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_-]*$"},
                                "if": {"type": "string"},
                                "uses": {
                                    "type": "string",
                                    "pattern": r"^[\w.-]+/[\w.-]+@v\d+(\.\d+)*$",
                                },
                                "with": _STRINGS,
                                "run": {"type": "string", "minLength": 1},
                                "env": _STRINGS,
                                "shell": {"enum": ["bash"]},
                            },
                            "oneOf": [{"required": ["uses"]}, {"required": ["run"]}],
                        },
                    },
                },
            },
        },
    },
}
CONTEXTS = ("github", "secrets", "env", "steps", "vars", "runner", "needs", "inputs", "matrix")
FUNCTIONS = ("always()", "success()", "failure()", "cancelled()")
# The environment variables a workflow may set: the tool's documented ones, the API key
# variable billing.toml names, gh's token, and the scripts' own locals.
ALLOWED_ENV = {"BILLING_ENV", "NO_COLOR", "ALGUNA_API_KEY", "GH_TOKEN", "PR", "EXITCODE", "PLAN"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_matches_the_schema(path: Path) -> None:
    jsonschema.validate(load_workflow(path), WORKFLOW_SCHEMA)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_expressions_contexts_and_step_references(path: Path) -> None:
    data = load_workflow(path)
    for job in data["jobs"].values():
        seen: set[str] = set()
        ids = [s["id"] for s in job["steps"] if "id" in s]
        assert len(ids) == len(set(ids)), "step ids are unique"
        for step in job["steps"]:
            values = [*step.get("env", {}).values(), *step.get("with", {}).values()]
            expressions = [e for v in values for e in EXPRESSION.findall(str(v))]
            if "if" in step:
                condition = str(step["if"])
                expressions += EXPRESSION.findall(condition) or [condition]
            for expression in expressions:
                for reference in re.findall(r"[a-z_]+(?:\.[\w-]+)+|[a-z]+\(\)", expression):
                    if reference.endswith("()"):
                        assert reference in FUNCTIONS, reference
                        continue
                    assert reference.split(".")[0] in CONTEXTS, f"unknown context: {expression!r}"
                    if reference.startswith("steps."):
                        assert reference.split(".")[1] in seen, f"{reference}: no earlier step"
            if "run" in step:
                assert "${{" not in step["run"], "pass values through env:, not into scripts"
            if "id" in step:
                seen.add(step["id"])
        env_names = {
            *data.get("env", {}),
            *job.get("env", {}),
            *(n for s in job["steps"] for n in s.get("env", {})),
        }
        assert env_names <= ALLOWED_ENV, env_names - ALLOWED_ENV


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_script_parses(path: Path, tmp_path: Path) -> None:
    data = load_workflow(path)
    for job in data["jobs"].values():
        for index, step in enumerate(s for s in job["steps"] if "run" in s):
            script = tmp_path / f"step{index}.sh"
            script.write_text(step["run"])
            done = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
            assert done.returncode == 0, f"{step.get('name')}: {done.stderr}"
            if shutil.which("shellcheck"):
                checked = subprocess.run(
                    ["shellcheck", "--shell=bash", str(script)], capture_output=True, text=True
                )
                assert checked.returncode == 0, checked.stdout


def billing_calls(script: str) -> list[list[str]]:
    """Every `billing ...` command in a shell script, as words (quotes stripped; a word
    ends at a shell operator or a redirection)."""
    joined = script.replace("\\\n", " ")
    calls: list[list[str]] = []
    command_position = r"(?:^|[;&|(]|\bthen|\bdo|\belse)[ \t]*"
    pattern = command_position + r"billing(?=[ \t]|$)((?:[ \t]+[^\s;&|)>]+)*)"
    for match in re.finditer(pattern, joined, re.MULTILINE):
        calls.append([word.strip("\"'") for word in match.group(1).split()])
    return calls


def _check_call(words: list[str]) -> None:
    command = main
    context = click.Context(main)
    while words and isinstance(command, click.Group) and not words[0].startswith("-"):
        sub = command.get_command(context, words[0])
        assert sub is not None, f"no billing command {words[0]!r}"
        command, words = sub, words[1:]
    options = {opt for p in command.params for opt in getattr(p, "opts", [])}
    for word in words:
        if word.startswith("-"):
            assert word.split("=")[0] in options, f"{command.name}: no option {word}"


def test_workflows_and_hooks_call_only_real_billing_commands() -> None:
    calls = [
        call
        for path in WORKFLOWS
        for job in load_workflow(path)["jobs"].values()
        for step in job["steps"]
        if "run" in step
        for call in billing_calls(step["run"])
    ]
    calls += [
        call
        for step in yaml.safe_load(ACTION.read_text())["runs"]["steps"]
        if "run" in step
        for call in billing_calls(step["run"])
    ]
    hooks = yaml.safe_load((EXAMPLES / "pre-commit-config.yaml").read_text())
    calls += [shlex.split(h["entry"])[1:] for r in hooks["repos"] for h in r["hooks"]]
    assert {c[0] for c in calls} == {"validate", "fmt", "plan", "apply", "drift", "--version"}
    for call in calls:
        _check_call(call)


def test_the_ci_guide_documents_every_workflow_and_variable() -> None:
    guide = DOCS.read_text()
    for path in WORKFLOWS:
        assert path.name in guide
    for name in ALLOWED_ENV - {"PR", "EXITCODE", "PLAN"}:
        assert name in guide, name


def test_pre_commit_config_shape() -> None:
    config = yaml.safe_load((EXAMPLES / "pre-commit-config.yaml").read_text())
    hook_schema = {
        "type": "object",
        "required": ["id", "name", "entry", "language", "files"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "description": {"type": "string"},
            "entry": {"type": "string", "pattern": "^billing "},
            "language": {"enum": ["system"]},
            "files": {"type": "string"},
            "pass_filenames": {"type": "boolean"},
        },
    }
    schema = {
        "type": "object",
        "required": ["repos"],
        "properties": {
            "repos": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["repo", "hooks"],
                    "properties": {
                        "repo": {"const": "local"},
                        "hooks": {"type": "array", "items": hook_schema},
                    },
                },
            }
        },
    }
    jsonschema.validate(config, schema)
    for hook in config["repos"][0]["hooks"]:
        re.compile(hook["files"])


@pytest.mark.skipif(shutil.which("actionlint") is None, reason="actionlint is not installed")
def test_actionlint() -> None:
    done = subprocess.run(["actionlint", *map(str, WORKFLOWS)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_pre_commit_hooks_pass_on_the_example_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each hook's entry, run as pre-commit runs it (in the repository root; the staged
    files matching `files` appended unless `pass_filenames: false`)."""
    copy_example(tmp_path)
    config = yaml.safe_load((EXAMPLES / "pre-commit-config.yaml").read_text())
    staged = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.toml"))
    before = {name: (tmp_path / name).read_text() for name in staged}
    monkeypatch.chdir(tmp_path)
    for hook in config["repos"][0]["hooks"]:
        args = shlex.split(hook["entry"])[1:]
        if hook.get("pass_filenames", True):
            args += [name for name in staged if re.search(hook["files"], name)]
        result = CliRunner().invoke(main, args, env={"BILLING_ENV": None})
        assert result.exit_code == 0, f"{hook['id']}: {result.output}"
    assert {name: (tmp_path / name).read_text() for name in staged} == before


ACTION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name", "description", "inputs", "outputs", "runs"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string"},
        "description": {"type": "string"},
        "author": {"type": "string"},
        "branding": {"type": "object"},
        "inputs": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "required": ["description"],
                "additionalProperties": False,
                "properties": {
                    "description": {"type": "string"},
                    "required": {"type": "boolean"},
                    "default": {"type": "string"},
                },
            },
        },
        "outputs": {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "required": ["description", "value"],
                "additionalProperties": False,
                "properties": {"description": {"type": "string"}, "value": {"type": "string"}},
            },
        },
        "runs": {
            "type": "object",
            "required": ["using", "steps"],
            "additionalProperties": False,
            "properties": {
                "using": {"const": "composite"},
                "steps": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["name"],
                        "additionalProperties": False,
                        "properties": {
                            "name": {"type": "string"},
                            "id": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_-]*$"},
                            "if": {"type": "string"},
                            "uses": {"type": "string", "pattern": r"^actions/[\w.-]+@v\d+$"},
                            "with": _STRINGS,
                            "run": {"type": "string", "minLength": 1},
                            "shell": {"const": "bash"},
                            "working-directory": {"type": "string"},
                            "env": _STRINGS,
                        },
                        "oneOf": [
                            {"required": ["uses"]},
                            {"required": ["run", "shell"]},
                        ],
                    },
                },
            },
        },
    },
}


def test_the_action_matches_the_schema_and_its_scripts_parse(tmp_path: Path) -> None:
    """action.yml (the composite action the workflows use): its shape, its scripts, and
    its expressions (known contexts, earlier steps, never inside a script)."""
    action = yaml.safe_load(ACTION.read_text())
    jsonschema.validate(action, ACTION_SCHEMA)
    seen: set[str] = set()
    for index, step in enumerate(action["runs"]["steps"]):
        values = [*step.get("env", {}).values(), *step.get("with", {}).values()]
        expressions = [e for v in values for e in EXPRESSION.findall(str(v))]
        if "if" in step:
            expressions.append(str(step["if"]))
        for expression in expressions:
            for reference in re.findall(r"[a-z_]+(?:\.[\w-]+)+", expression):
                context = reference.split(".")[0]
                assert context in ("inputs", "steps", "github", "env"), expression
                if context == "inputs":
                    assert reference.split(".")[1] in action["inputs"], reference
                if context == "steps":
                    assert reference.split(".")[1] in seen, f"{reference}: no earlier step"
        if "run" in step:
            assert "${{" not in step["run"], "pass values through env:, not into scripts"
            script = tmp_path / f"step{index}.sh"
            script.write_text(step["run"])
            done = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
            assert done.returncode == 0, f"{step['name']}: {done.stderr}"
        if "id" in step:
            seen.add(step["id"])
    for output in action["outputs"].values():
        for reference in re.findall(r"steps\.([\w-]+)", output["value"]):
            assert reference in seen, output


def test_the_workflows_give_the_action_only_its_inputs() -> None:
    inputs = set(yaml.safe_load(ACTION.read_text())["inputs"])
    used = [
        step
        for path in WORKFLOWS
        for job in load_workflow(path)["jobs"].values()
        for step in job["steps"]
        if str(step.get("uses", "")).startswith("alguna/alguna-billing@")
    ]
    assert len(used) == 3, "each workflow runs the action"
    for step in used:
        assert set(step.get("with", {})) <= inputs, step
        assert step["with"]["command"] in ("plan", "apply", "drift")


def test_the_ci_guide_documents_the_action_inputs_and_outputs() -> None:
    guide = DOCS.read_text()
    action = yaml.safe_load(ACTION.read_text())
    for name in [*action["inputs"], *action["outputs"]]:
        assert f"`{name}`" in guide, name

"""A stand-in for the GitHub CLI (`gh`), for running the example workflows locally.

Only the GitHub side is faked: the state of one repository (pull request comments and
labels, issues, workflow runs and their artifacts) lives in a JSON file named by
`FAKE_GH_STATE`, and every call is recorded in it. It understands exactly the `gh`
invocations the workflows in examples/github/ make, and fails loudly (exit 3) on any
other, so a workflow cannot drift from what this test checks. `--jq` is applied with the
real `jq` (as gh's built-in jq would). Standard library only: it runs as a subprocess.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

STATE = Path(os.environ["FAKE_GH_STATE"])


def load() -> dict[str, Any]:
    return json.loads(STATE.read_text())


def save(state: dict[str, Any]) -> None:
    STATE.write_text(json.dumps(state, indent=2))


def emit(value: Any, jq: str | None) -> None:
    text = json.dumps(value)
    if jq is None:
        print(text)
        return
    done = subprocess.run(["jq", "-r", jq], input=text, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr)
        sys.exit(done.returncode)
    sys.stdout.write(done.stdout)


def option(args: list[str], name: str) -> str | None:
    if name in args:
        index = args.index(name)
        value = args[index + 1]
        del args[index : index + 2]
        return value
    return None


def flag(args: list[str], name: str) -> bool:
    if name in args:
        args.remove(name)
        return True
    return False


def unknown(argv: list[str]) -> None:
    print(f"fake gh: unsupported call: gh {' '.join(argv)}", file=sys.stderr)
    sys.exit(3)


def api(state: dict[str, Any], args: list[str]) -> None:
    method = option(args, "--method") or "GET"
    jq = option(args, "--jq")
    flag(args, "--paginate")
    field = option(args, "-F")
    (path,) = args
    repo = state["repo"]
    body = None
    if field is not None:
        name, _, value = field.partition("=")
        assert name == "body" and value.startswith("@"), field
        body = Path(value[1:]).read_text()
    if m := re.fullmatch(rf"repos/{repo}/issues/(\d+)/comments", path):
        comments = state["comments"].setdefault(m[1], [])
        if method == "GET":
            return emit(comments, jq)
        if method == "POST":
            state["next_id"] += 1
            comments.append({"id": state["next_id"], "body": body})
            return emit(comments[-1], jq)
    if (m := re.fullmatch(rf"repos/{repo}/issues/comments/(\d+)", path)) and method == "PATCH":
        for comments in state["comments"].values():
            for comment in comments:
                if comment["id"] == int(m[1]):
                    comment["body"] = body
                    return emit(comment, jq)
        sys.exit(4)
    if (m := re.fullmatch(rf"repos/{repo}/commits/(\w+)/pulls", path)) and method == "GET":
        return emit([{"number": n} for n in state["pulls_by_commit"].get(m[1], [])], jq)
    return unknown(["api", path])


def pr(state: dict[str, Any], args: list[str]) -> None:
    action, number, *rest = args
    labels = state["pr_labels"].setdefault(number, [])
    if action == "edit":
        add, remove = option(rest, "--add-label"), option(rest, "--remove-label")
        if remove is not None:
            if remove not in labels:
                print(f"label {remove!r} not on the pull request", file=sys.stderr)
                sys.exit(1)
            labels.remove(remove)
        if add is not None:
            if add not in state["repo_labels"]:
                sys.exit(5)
            labels.append(add)
        return None
    if action == "view" and option(rest, "--json") == "headRefOid":
        return emit({"headRefOid": state["pr_heads"][number]}, option(rest, "--jq"))
    return unknown(["pr", *args])


def label(state: dict[str, Any], args: list[str]) -> None:
    action, name, *rest = args
    option(rest, "--color")
    option(rest, "--description")
    if action == "create" and flag(rest, "--force") and not rest:
        if name not in state["repo_labels"]:
            state["repo_labels"].append(name)
        return None
    return unknown(["label", *args])


def run(state: dict[str, Any], args: list[str]) -> None:
    action, *rest = args
    if action == "list":
        workflow, commit = option(rest, "--workflow"), option(rest, "--commit")
        status, limit = option(rest, "--status"), int(option(rest, "--limit") or 20)
        fields, jq = option(rest, "--json"), option(rest, "--jq")
        runs = [
            {"databaseId": r["id"]}
            for r in reversed(state["runs"])
            if r["workflow"] == workflow and r["head_sha"] == commit and r["conclusion"] == status
        ]
        assert fields == "databaseId", fields
        return emit(runs[:limit], jq)
    if action == "download":
        run_id = rest.pop(0)
        name, folder = option(rest, "--name"), option(rest, "--dir")
        (found,) = [r for r in state["runs"] if str(r["id"]) == run_id]
        source = found["artifacts"].get(name)
        if source is None:
            print(f"no artifact named {name!r}", file=sys.stderr)
            sys.exit(1)
        shutil.copytree(source, folder or ".", dirs_exist_ok=True)
        return None
    return unknown(["run", *args])


def issue(state: dict[str, Any], args: list[str]) -> None:
    action, *rest = args
    issues = state["issues"]
    if action == "list":
        wanted_state, wanted_label = option(rest, "--state"), option(rest, "--label")
        fields, jq = option(rest, "--json"), option(rest, "--jq")
        assert fields == "number,body", fields
        found = [
            {"number": i["number"], "body": i["body"]}
            for i in issues
            if i["state"] == wanted_state and wanted_label in i["labels"]
        ]
        return emit(found, jq)
    if action == "create":
        title, name = option(rest, "--title"), option(rest, "--label")
        body = Path(str(option(rest, "--body-file"))).read_text()
        if name not in state["repo_labels"]:
            sys.exit(5)
        number = len(issues) + 1
        issues.append(
            {
                "number": number,
                "title": title,
                "body": body,
                "state": "open",
                "labels": [name],
                "comments": [],
            }
        )
        return None
    number = int(rest.pop(0))
    (found,) = [i for i in issues if i["number"] == number]
    if action == "edit":
        found["body"] = Path(str(option(rest, "--body-file"))).read_text()
        return None
    if action == "close":
        found["state"] = "closed"
        found["comments"].append(option(rest, "--comment"))
        return None
    return unknown(["issue", *args])


def main(argv: list[str]) -> None:
    state = load()
    state["calls"].append(argv)
    if not os.environ.get("GH_TOKEN"):
        print("gh: GH_TOKEN is not set", file=sys.stderr)
        save(state)
        sys.exit(4)
    command, *args = argv
    handlers = {"api": api, "pr": pr, "label": label, "run": run, "issue": issue}
    handler = handlers.get(command)
    try:
        if handler is None:
            unknown(argv)
        else:
            handler(state, list(args))
    finally:
        save(state)


if __name__ == "__main__":
    main(sys.argv[1:])

"""User errors through the CLI: exit 1, a clear one-line message, never a traceback.

Covers the sandbox commands' port and data-file errors, unsupported template tags in
catalog files, the order of billing.toml diagnostics, and an API key pasted into
`api_key_env` (never printed back, in any output).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import alguna_emulator as emulator
from reconciler.cli import main
from tests.builders import write_project

ROOT = Path(__file__).resolve().parent.parent
FAKE_KEY = "sk_live_FAKEb1ll1ngT3stK3y0123456789"


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"BILLING_ENV": None})


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reconciler", *args],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k != "BILLING_ENV"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _user_error(result: Result) -> str:
    """Exit 1, no traceback, no internal error; the message line."""
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert "internal error" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    return errors[0]


# --- sandbox serve: the port ------------------------------------------------------------


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port: int = sock.getsockname()[1]
        yield port


def test_serve_on_a_busy_port_exits_1_with_one_line(busy_port: int) -> None:
    done = _run("sandbox", "serve", "--port", str(busy_port))
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stderr.strip().splitlines() == [
        f"Error: cannot listen on 127.0.0.1:{busy_port}: address already in use;"
        " is another server running there? pick another --port"
    ]


def test_serve_maps_uvicorns_startup_exit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The port may be taken between the check and uvicorn's bind: uvicorn exits 3."""

    def failing(**_: Any) -> None:
        sys.exit(3)

    monkeypatch.setattr(emulator, "serve", failing)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    message = _user_error(_invoke("sandbox", "serve", "--port", str(port)))
    assert message == f"Error: the emulator could not start on 127.0.0.1:{port} (see above)"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--port", "70000"), "--port must be from 0 to 65535"),
        (("--host", "no-such-host.invalid"), "cannot listen on no-such-host.invalid:"),
    ],
)
def test_serve_on_an_unusable_address(args: tuple[str, ...], expected: str) -> None:
    assert expected in _user_error(_invoke("sandbox", "serve", *args))


# --- sandbox serve / reset: the data file -----------------------------------------------


def test_reset_of_a_text_file(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello\n", encoding="utf-8")
    message = _user_error(_invoke("sandbox", "reset", "--db", str(text)))
    assert message == f"Error: {text} is not an emulator database"
    assert text.read_text(encoding="utf-8") == "hello\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_reset_of_a_corrupt_database(tmp_path: Path) -> None:
    corrupt = tmp_path / "x.db"
    corrupt.write_bytes(b"SQLite format 3\x00" + b"garbage" * 200)
    message = _user_error(_invoke("sandbox", "reset", "--db", str(corrupt)))
    assert message == f"Error: {corrupt} is not an emulator database"


def test_reset_never_creates_a_file(tmp_path: Path) -> None:
    missing = tmp_path / "sub" / "x.db"
    message = _user_error(_invoke("sandbox", "reset", "--db", str(missing)))
    assert message == f"Error: {missing}: no such file"
    assert not missing.exists()
    assert not missing.parent.exists()


def test_reset_of_a_folder(tmp_path: Path) -> None:
    message = _user_error(_invoke("sandbox", "reset", "--db", str(tmp_path)))
    assert message == f"Error: {tmp_path} is a folder, not an emulator database"


def test_reset_of_an_empty_emulator_database(tmp_path: Path) -> None:
    """An existing, even empty, file is reset (an empty file is an empty SQLite database)."""
    empty = tmp_path / "x.db"
    empty.touch()
    result = _invoke("sandbox", "reset", "--db", str(empty))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Reset {empty}.\n"


def test_reset_in_a_subprocess_exits_1_without_traceback(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not sqlite\n", encoding="utf-8")
    done = _run("sandbox", "reset", "--db", str(text))
    assert done.returncode == 1
    assert done.stderr == f"Error: {text} is not an emulator database\n"


def test_serve_of_a_text_file(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello\n", encoding="utf-8")
    message = _user_error(_invoke("sandbox", "serve", "--port", "0", "--db", str(text)))
    assert message == f"Error: {text} is not an emulator database"
    assert text.read_text(encoding="utf-8") == "hello\n"


# --- catalog templates: include / import / extends ---------------------------------------


@pytest.mark.parametrize(
    "tag",
    [
        '{% include "shared.toml" %}',
        '{% include "shared.toml" ignore missing %}',
        '{% import "macros.toml" as m %}',
        '{% from "macros.toml" import price %}',
        '{% extends "base.toml" %}',
    ],
)
def test_loading_another_template_is_unsupported(tmp_path: Path, tag: str) -> None:
    catalog = (
        "[products.seats]\n"
        'name = "Seats"\n'
        'fee_type = "fixed"\n'
        f"{tag}\n"
        'payment_terms = "advance"\n'
        'billing_frequency = "recurring"\n'
    )
    project = write_project(tmp_path, {"products.toml": catalog})
    result = _invoke("--project", str(project), "validate", "--format", "json")
    assert result.exit_code == 1, result.output
    payload = json.loads(result.stdout)
    [diagnostic] = payload["diagnostics"]
    assert diagnostic["code"] == "template.unsupported"
    assert (diagnostic["file"], diagnostic["line"]) == ("catalog/products.toml", 4)
    assert "includes, imports or extends" in diagnostic["message"]
    assert "billing.toml" in diagnostic["message"]
    assert "loader" not in diagnostic["message"]

    text = _invoke("--project", str(project), "validate")
    assert text.exit_code == 1
    assert "catalog/products.toml:4: error template.unsupported" in text.stderr
    assert "Traceback" not in text.output


# --- billing.toml: order of diagnostics --------------------------------------------------


def test_settings_diagnostics_are_sorted_by_line(tmp_path: Path) -> None:
    settings = (
        'default_environment = "nope"\n'  # 1: not declared (checked last)
        "\n"
        "[environments.local]\n"
        'api = "embedded"\n'
        "rate_limits = { standard = 0 }\n"  # 5
        "\n"
        "[variables]\n"
        '"bad-name" = 1\n'  # 8 (the model checks variables before environments)
        "\n"
        "[environments.remote]\n"
        'base_url = "ftp://example.com"\n'  # 11
        'api_key_env = "ALGUNA_API_KEY"\n'
    )
    project = write_project(tmp_path, {"products.toml": ""}, settings=settings)
    result = _invoke("--project", str(project), "validate", "--format", "json")
    assert result.exit_code == 1, result.output
    lines = [d["line"] for d in json.loads(result.stdout)["diagnostics"]]
    assert lines == [1, 5, 8, 11]

    text = _invoke("--project", str(project), "validate")
    located = [line.split(":")[1] for line in text.stderr.splitlines() if ": error " in line]
    assert located == ["1", "5", "8", "11"]


# --- billing.toml: a key pasted into api_key_env -----------------------------------------


def _with_api_key_env(value: str, *, embedded: bool = False) -> str:
    target = 'api = "embedded"\n' if embedded else 'base_url = "https://api.alguna.io"\n'
    return (
        'default_environment = "local"\n'
        "\n"
        "[environments.local]\n"
        'api = "embedded"\n'
        "\n"
        "[environments.production]\n"
        f"{target}"
        f'api_key_env = "{value}"\n'  # line 8
    )


def _outputs(project: Path) -> list[str]:
    """Everything the commands that read billing.toml print, in every format."""
    runs = [
        _invoke("--project", str(project), "validate"),
        _invoke("--project", str(project), "validate", "--format", "json"),
        _invoke("--project", str(project), "validate", "--env", "production"),
        _invoke("--project", str(project), "sandbox", "reset"),
        _invoke("--project", str(project), "sandbox", "reset", "--env", "production"),
    ]
    for result in runs:
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
    return [r.stdout + r.stderr for r in runs]


@pytest.mark.parametrize("embedded", [False, True])
def test_a_pasted_key_is_rejected_and_never_printed(tmp_path: Path, embedded: bool) -> None:
    project = write_project(
        tmp_path, {"products.toml": ""}, settings=_with_api_key_env(FAKE_KEY, embedded=embedded)
    )
    outputs = _outputs(project)
    for output in outputs:
        assert FAKE_KEY not in output
        assert FAKE_KEY[8:] not in output  # not even the part after sk_live_
    payload = json.loads(_invoke("--project", str(project), "validate", "--format", "json").stdout)
    [diagnostic] = payload["diagnostics"]
    assert (diagnostic["code"], diagnostic["line"]) == ("field.format", 8)
    assert diagnostic["field"] == "environments.production.api_key_env"
    assert "looks like a key was pasted here" in diagnostic["message"]
    assert "rotate that key" in diagnostic["message"]
    assert "ALGUNA_API_KEY" in diagnostic["message"]


def test_a_pasted_key_is_not_printed_with_debug(tmp_path: Path) -> None:
    project = write_project(tmp_path, {"products.toml": ""}, settings=_with_api_key_env(FAKE_KEY))
    done = _run("--debug", "--project", str(project), "validate")
    assert done.returncode == 1
    assert FAKE_KEY not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("value", "pasted"),
    [
        ("sk_test_abc", True),
        ("live0key1with2digits", True),
        ("x" * 70, True),
        ("ALGUNA KEY", False),
        ("alguna_api_key", False),
        ("1KEY", False),
        ("", False),
    ],
)
def test_api_key_env_must_be_an_upper_case_name(tmp_path: Path, value: str, pasted: bool) -> None:
    project = write_project(tmp_path, {"products.toml": ""}, settings=_with_api_key_env(value))
    result = _invoke("--project", str(project), "validate", "--format", "json")
    assert result.exit_code == 1, result.output
    [diagnostic] = json.loads(result.stdout)["diagnostics"]
    assert (diagnostic["code"], diagnostic["line"]) == ("field.format", 8)
    assert ("looks like a key was pasted" in diagnostic["message"]) is pasted
    if value:
        assert value not in diagnostic["message"]


@pytest.mark.parametrize("value", ["ALGUNA_API_KEY", "_KEY", "K", "MY_KEY_2"])
def test_upper_case_names_are_accepted(tmp_path: Path, value: str) -> None:
    project = write_project(tmp_path, {"products.toml": ""}, settings=_with_api_key_env(value))
    result = _invoke("--project", str(project), "validate")
    assert result.exit_code == 0, result.output

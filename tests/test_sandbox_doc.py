"""docs/sandbox.md runs: the quick start's four flows, as written, against the embedded
environment served by `billing sandbox serve`.

A temporary project gets this repository's `billing.toml` and catalog. The doc's shell
blocks run in order: each `billing ...` line through the CLI, except `billing sandbox serve
... &`, which starts the real command as a background process (on a free port instead of
8787). Its Python blocks run in order, in one namespace, with the SDK talking to that
server; an example that raises or whose assert fails fails the test.
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.cli import main
from tests.builders import copy_example
from tests.running import billing_script

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "sandbox.md"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
DOC_PORT = "8787"


def _free_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return str(sock.getsockname()[1])


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_the_walk_through_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    copy_example(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BILLING_ENV", raising=False)
    port = _free_port()
    servers: list[subprocess.Popen[bytes]] = []
    namespace: dict[str, object] = {"__name__": "sandbox_doc"}
    blocks = BLOCK.findall(DOC.read_text())
    assert [lang for lang, _ in blocks].count("python") >= 9
    try:
        for number, (lang, code) in enumerate(blocks, start=1):
            if lang == "shell":
                for line in code.splitlines():
                    words = shlex.split(line, comments=True)
                    if not words:
                        continue
                    assert words[0] == "billing", line
                    if words[1:3] == ["sandbox", "serve"]:
                        assert words[-1] == "&", "the server runs in the background"
                        args = [p if p != DOC_PORT else port for p in words[1:-1]]
                        servers.append(
                            subprocess.Popen(
                                [billing_script(), *args],
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE,
                            )
                        )
                        continue
                    result = CliRunner().invoke(main, words[1:])
                    assert result.exit_code == 0, f"{line}\n{result.output}"
            elif lang == "python":
                code = code.replace(f"127.0.0.1:{DOC_PORT}", f"127.0.0.1:{port}")
                exec(compile(code, f"{DOC.name}, block {number}", "exec"), namespace)
    finally:
        for server in servers:
            server.terminate()
            _, errors = server.communicate(timeout=20)
            assert b"Traceback" not in errors, errors.decode()

    shown = capsys.readouterr().out
    assert "enable features for" in shown
    assert "25 API requests so far this period" in shown
    assert "1.00 USD, paid" in shown
    assert "is overdue: ask Kramerica for another card" in shown
    assert "credits depleted for" in shown


def test_the_invoice_comparison_runs_as_written(tmp_path: Path) -> None:
    """The `sh` block of "The same invoice from the catalog", run by bash in a copy of the
    example project: the invoice the served emulator issues for January and the catalog's
    preview of the same usage file have the same total."""
    text = DOC.read_text()
    section = text[text.index("### The same invoice from the catalog") :]
    (script,) = [code for lang, code in BLOCK.findall(section)[:1] if lang == "sh"]
    copy_example(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "BILLING_ENV"}
    env["PATH"] = f"{Path(billing_script()).parent}{os.pathsep}{env.get('PATH', '')}"
    # The served emulator is the script's background job: stopped however the script ends.
    stop = "trap 'kill $(jobs -p) 2>/dev/null; wait' EXIT"
    done = subprocess.run(
        ["bash", "-c", f"{stop}\nset -e\n{script}"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    issued = re.findall(r'"total":"([0-9.]+)"', done.stdout)
    previewed = re.findall(r"^\s*total\s+([0-9.]+) USD$", done.stdout, re.MULTILINE)
    assert issued == ["54850.32"], done.stdout[-3000:]
    assert previewed == issued

"""No artefact holds an API key or a webhook secret.

The secrets looked for: every API key and webhook secret written in the test sources
(`sk_test_…`, `sk_live_…`, `whsec_…` literals: the keys the suite uses), plus the keys
this test uses itself; in what this test produces, also anything shaped like a live key
or a webhook secret.

The artefacts scanned:
1. what this test makes: a project with an embedded environment and a remote-looking one
   (a real `billing sandbox serve` on loopback, its key in the process environment), on
   which `validate`, `plan` (text, JSON, Markdown, `--out`), `apply`, `apply PLANFILE`,
   `drift` and failing commands (a 401, a refused connection) run with `-v --debug`: their
   stdout and stderr, every log record (DEBUG and up, the HTTP libraries' included), and
   every file left in the project (the plan files);
2. what the tests that ran before this one in the session left: every file under
   pytest's base temporary directory (plan files, `billing` process outputs, logs).
Left out: emulator databases (the API's storage, not the client's output) and the inputs
tests write for the tool (`billing.toml`, catalog TOML: some paste a key on purpose).
Plan file permissions (0600) are tested in tests/apply/test_plan_files.py.
"""

from __future__ import annotations

import ast
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from reconciler.cli import main
from tests.builders import EXAMPLE_CATALOG, write_project
from tests.crash.harness import Emulator, serving

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
KEY_VARIABLE = "BILLING_SECRETS_SCAN_KEY"
REMOTE_KEY = "sk_live_SecretsScanRemoteKey0123456789"
EMBEDDED_KEY = "sk_test_embedded_local"
# A literal counts as a secret when it is longer than a bare prefix.
LITERAL = re.compile(r"""["'](?P<secret>(?:sk_(?:test|live)_|whsec_)[A-Za-z0-9_+/=]{6,})["']""")
SHAPED = re.compile(r"sk_live_[A-Za-z0-9]{8,}|whsec_[A-Za-z0-9+/=]{16,}")
SKIPPED_SUFFIXES = (".db", ".db-wal", ".db-shm", ".pyc")
EMULATOR_LOG = "emulator.log"  # `billing sandbox serve` output: see the last test

BILLING_TOML = """\
default_environment = "local"

[variables]
trial_days = 14
growth_base_fee = "49.00"
support_email = "billing-sandbox@example.com"

[environments.local]
api = "embedded"

[environments.remote]
base_url = "{base_url}"
api_key_env = "{key_variable}"

[environments.unreachable]
base_url = "http://127.0.0.1:9"
api_key_env = "{key_variable}"
"""


def known_secrets() -> set[str]:
    """Every key and webhook secret literal in the test sources, and this test's own."""
    found = {REMOTE_KEY, EMBEDDED_KEY}
    for source in TESTS.rglob("*.py"):
        found.update(m["secret"] for m in LITERAL.finditer(source.read_text(encoding="utf-8")))
    return found


def leaks(text: str, secrets: set[str], shaped: bool) -> list[str]:
    hits = sorted(s for s in secrets if s in text)
    if shaped:
        hits += sorted(set(SHAPED.findall(text)) - set(hits))
    return hits


def files_under(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        skipped = path.name.endswith(SKIPPED_SUFFIXES) or path.name == EMULATOR_LOG
        if path.is_file() and not skipped:
            yield path


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    with serving(tmp_path_factory.mktemp("secrets-emulator")) as running:
        yield running


@pytest.fixture
def project(tmp_path: Path, emulator: Emulator) -> Path:
    settings = BILLING_TOML.format(base_url=emulator.base_url, key_variable=KEY_VARIABLE)
    return write_project(tmp_path / "project", EXAMPLE_CATALOG, settings=settings)


def test_cli_outputs_logs_and_plan_files_hold_no_secret(
    project: Path, emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    outputs: list[str] = []
    logs: list[str] = []

    def billing(*args: str) -> Result:
        """The command's output and the log records made while it ran (the test's own
        control-API calls in between are not the tool's: they are left out)."""
        env = {"BILLING_ENV": None, "NO_COLOR": "1", KEY_VARIABLE: REMOTE_KEY}
        caplog.clear()
        result = CliRunner().invoke(
            main, ["--project", str(project), "-v", "--debug", *args], env=env
        )
        outputs.append(f"$ billing {' '.join(args)}\n{result.stdout}{result.stderr}")
        logs.append(caplog.text)
        return result

    for env in ("local", "remote"):
        assert billing("validate", "--env", env).exit_code == 0
        assert billing("plan", "--env", env, "--format", "json", "--no-save").exit_code == 0
        assert billing("plan", "--env", env, "--format", "markdown", "--no-save").exit_code == 0
        planfile = project / "reviewed" / f"{env}.json"
        assert billing("plan", "--env", env, "--out", str(planfile)).exit_code == 0
        assert billing("apply", str(planfile), "--auto-approve").exit_code == 0
        assert billing("apply", str(planfile), "--auto-approve").exit_code == 1  # applied
        assert billing("plan", "--env", env).exit_code == 0  # nothing to do
    listed = emulator.control.get("/_emulator/objects/product", params={"api_key": REMOTE_KEY})
    seats = next(p for p in listed.json()["data"] if p["sku"] == "SEAT-STD")
    edit = {"name": "Seats (edited)"}
    emulator.control.patch(f"/_emulator/objects/product/{seats['id']}", json=edit)
    for fmt in ("text", "json", "markdown"):
        assert billing("drift", "--env", "remote", "--format", fmt).exit_code == 2
    assert billing("plan", "--env", "remote").exit_code == 0  # saves a plan with a change
    fault = {"kind": "error", "method": "GET", "path": "/products", "status": 401}
    emulator.control.post("/_emulator/faults", json={**fault, "transient": False})
    try:
        assert billing("plan", "--env", "remote").exit_code == 1
    finally:
        emulator.control.delete("/_emulator/faults")
    assert billing("plan", "--env", "unreachable").exit_code == 1

    saved = list((project / "plans").rglob("*.json"))
    assert saved, "no plan file was saved: the scan would miss them"
    secrets = known_secrets()
    found = {
        f"output of {text.splitlines()[0]}": leaks(text, secrets, shaped=True) for text in outputs
    }
    found["log records"] = leaks("\n".join(logs), secrets, shaped=True)
    assert any("GET /products" in text for text in logs), "no request was logged"
    for path in files_under(project):
        text = path.read_text(encoding="utf-8", errors="replace")
        found[str(path.relative_to(project))] = leaks(text, secrets, shaped=True)
    assert {where: hits for where, hits in found.items() if hits} == {}


def is_input(path: Path) -> bool:
    """A file a test wrote for the tool to read: settings or catalog TOML (some tests
    paste a key into billing.toml on purpose, to check it is refused unprinted)."""
    return path.suffix == ".toml" and (path.name == "billing.toml" or "catalog" in path.parts)


def test_artefacts_of_earlier_tests_hold_no_known_secret(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Whatever the tests that ran before this one left under the base temporary
    directory (plan files, `billing` process outputs and logs), inputs aside."""
    secrets = known_secrets()
    found: dict[str, list[str]] = {}
    scanned = 0
    for path in files_under(tmp_path_factory.getbasetemp()):
        if is_input(path):
            continue
        scanned += 1
        hits = leaks(path.read_text(encoding="utf-8", errors="replace"), secrets, shaped=False)
        if hits:
            found[str(path)] = hits
    assert found == {}, f"{len(found)} of {scanned} files hold a known secret"


def test_emulator_access_log_holds_no_key(tmp_path: Path) -> None:
    """`billing sandbox serve`'s log (read once it has stopped, so nothing is left in a
    buffer) after the harness's usual control-API call: the crash harness lists objects
    this way, with its fake key."""
    emulator = Emulator.start(tmp_path / "emulator")
    try:
        emulator.control.get("/_emulator/objects/product", params={"api_key": REMOTE_KEY})
    finally:
        emulator.stop()
    text = emulator.log.read_text(encoding="utf-8", errors="replace")
    assert "GET /_emulator/objects/product" in text, "the request was not logged at all"
    assert leaks(text, known_secrets(), shaped=True) == []


def test_webhook_signatures_are_compared_in_constant_time() -> None:
    """Signature checks use `hmac.compare_digest`, never `==`/`!=` on a digest (whose
    timing would reveal how much of a forged signature is right)."""
    sources = sorted((ROOT / "reconciler" / "webhooks").glob("*.py"))
    if not sources:
        pytest.skip("no webhook verification module")
    suspicious = re.compile(r"digest|candidate|expected|signature_bytes|_mac$", re.IGNORECASE)
    compared: list[str] = []
    constant_time = 0
    for source in sources:
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "hmac.compare_digest":
                constant_time += 1
            if isinstance(node, ast.Compare) and any(
                isinstance(op, ast.Eq | ast.NotEq) for op in node.ops
            ):
                names = [
                    n.id if isinstance(n, ast.Name) else n.attr
                    for operand in (node.left, *node.comparators)
                    for n in ast.walk(operand)
                    if isinstance(n, ast.Name | ast.Attribute)
                ]
                if any(suspicious.search(name) for name in names):
                    compared.append(f"{source.name}:{node.lineno}: {ast.unparse(node)}")
    assert constant_time > 0, "no hmac.compare_digest in reconciler/webhooks"
    assert compared == []

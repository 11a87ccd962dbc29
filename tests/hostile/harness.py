"""A project whose only environment is a `HostileServer`, and `billing` run against it
as a subprocess (the installed CLI, so every layer is the real one)."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from tests.crash.catalog_gen import generate_catalog
from tests.running import billing_script

ENVIRONMENT = "hostile"
KEY_VARIABLE = "BILLING_HOSTILE_TEST_API_KEY"
KEY = "sk_test_HostileServerKey0123456789"

BILLING_TOML = """\
default_environment = "{environment}"

[environments.{environment}]
base_url = "{base_url}"
api_key_env = "{key_variable}"

[environments.{environment}.rate_limits]
standard = 5000
bulk = 5000

[environments.{environment}.timeouts]
request = {request}
command = {command}
"""


@dataclass(frozen=True)
class Finished:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    ended: float  # time.monotonic() once the process had exited

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


@dataclass(frozen=True)
class Project:
    root: Path

    @classmethod
    def write(
        cls,
        root: Path,
        base_url: str,
        *,
        resources: int = 20,
        seed: int = 1717,
        request: float = 60,
        command: float = 1800,
    ) -> Project:
        (root / "catalog").mkdir(parents=True, exist_ok=True)
        (root / "billing.toml").write_text(
            BILLING_TOML.format(
                environment=ENVIRONMENT,
                base_url=base_url,
                key_variable=KEY_VARIABLE,
                request=request,
                command=command,
            ),
            encoding="utf-8",
        )
        for name, text in generate_catalog(resources, seed).items():
            (root / "catalog" / name).write_text(text, encoding="utf-8")
        return cls(root)

    def run(self, *args: str, key: str = KEY, timeout: float = 120) -> Finished:
        env = {k: v for k, v in os.environ.items() if k != "BILLING_ENV"}
        env[KEY_VARIABLE] = key
        env["NO_COLOR"] = "1"
        started = time.monotonic()
        done = subprocess.run(
            [billing_script(), "--project", str(self.root), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        ended = time.monotonic()
        return Finished(done.returncode, done.stdout, done.stderr, ended - started, ended)

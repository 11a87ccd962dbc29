"""Property-based conformance of the emulated API to its own OpenAPI document (schemathesis).

Every Alguna operation gets a bounded number of generated requests; none may produce a 5xx,
and every response must match the documented status codes, content type and schema. The
control API is left out: it resets state and injects faults on purpose.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from alguna_emulator import create_app
from tests.emulator.clients import HEADERS

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app()).exclude(
    path_regex=r"^/_emulator"
)
# The coverage phase enumerates boundary values of every nested price field: thorough, but
# minutes long. Bounded random fuzzing keeps this inside the unit-test time budget.
schema.config.phases.update(phases=["examples", "fuzzing"])


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_openapi_document(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate(headers=HEADERS, checks=CHECKS)


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_thoroughly(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate(headers=HEADERS, checks=CHECKS)

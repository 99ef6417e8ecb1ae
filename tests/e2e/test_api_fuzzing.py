"""schemathesis against the running services' OpenAPI: no 5xx, and every response matches its documented schema."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.e2e

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance, negative_data_rejection]
# Bounded so CI stays fast; raise locally with MELDESTELLE_FUZZ_EXAMPLES for a deeper run.
FUZZ = settings(max_examples=int(os.environ.get("MELDESTELLE_FUZZ_EXAMPLES", "40")), deadline=None, suppress_health_check=list(HealthCheck))


def fuzz(openapi_url: str, headers: dict[str, str] | None = None) -> list[str]:
    """Run every operation of a live schema with generated cases; returns the operations it covered."""
    schema = schemathesis.openapi.from_url(openapi_url)
    covered = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @FUZZ
        def run(case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        run()
        covered.append(operation.label)
    return covered


def test_intake_api(stack):
    covered = fuzz(f"{stack.url('intake')}/openapi.json")
    assert "POST /api/v1/reports" in covered


def test_triage_api(stack, staff_headers):
    covered = fuzz(f"{stack.url('triage')}/openapi.json", staff_headers)
    assert "GET /api/v1/cases/{case_id}" in covered

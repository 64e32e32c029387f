"""The emulator against Trustly's OpenAPI, checked by a tool we did not write: schemathesis.

Positive and negative cases for every documented operation, with the checks
``not_a_server_error`` (no 5xx, ever) and ``response_schema_conformance`` (every 200 valid
against the documented schema). The spec documents only 200 responses, so status-code
conformance does not apply. ``make test`` runs a modest number of examples per operation;
``make fuzz`` runs ``TRUSTLY_NB_FUZZ_EXAMPLES=200``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from trustly_nb import emulator

SPEC = Path(__file__).with_name("customers-openapi.yml")
EXAMPLES = int(os.environ.get("TRUSTLY_NB_FUZZ_EXAMPLES", "25"))
CHECKS = [not_a_server_error, response_schema_conformance]

schema = schemathesis.openapi.from_path(SPEC)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=EXAMPLES,
    deterministic=True,
    database="none",
)


@pytest.fixture(scope="module")
def emu() -> Iterator[emulator.Emulator]:
    """One emulator for the module: hypothesis runs many examples against it."""
    with emulator.serve() as server:
        yield server


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_emulator_conforms_to_the_openapi(case, emu):
    """No 5xx and every 200 valid against the documented schema, positive and negative."""
    case.call_and_validate(
        base_url=emu.base_url, auth=(emu.access_id, emu.access_key), checks=CHECKS, timeout=10
    )

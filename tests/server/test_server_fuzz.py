"""The API fuzzed against its own OpenAPI schema: no 500, every answer as documented.

schemathesis generates requests from /openapi.json, valid and invalid ones,
for every operation, with a live token; each answer must be no server error,
have a documented status and content type, and match its schema. Bounded: a
few examples per operation and mode, a few hundred in all.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import Served

EXAMPLES_PER_OPERATION = 8
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def test_the_api_answers_every_generated_request_as_documented(served: Served) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", served.client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    api = [operation for operation in operations if operation.path.startswith("/api/v1")]
    assert len(api) >= 20
    headers = served.headers("berg-admin")
    sent = 0
    for operation in api:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                derandomize=True,
                database=None,
            )
            def fuzz(case: Any) -> None:
                nonlocal sent
                sent += 1
                case.call_and_validate(headers=headers, checks=CHECKS)

            fuzz()
    assert sent >= 200

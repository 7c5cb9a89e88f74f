"""The API fuzzed against its own OpenAPI schema: no 500, every answer as documented.

schemathesis generates requests from /openapi.json, valid and invalid ones,
for every operation, with a live token; each answer must be no server error,
have a documented status and content type, and match its schema. Bounded: a
few examples per operation and mode, a few hundred in all; one mode fills the
path with real ids, so that real records are reached, not only 404s.
"""

from __future__ import annotations

import re
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
from server_helpers import REFERENCE_LOAN, Served

EXAMPLES_PER_OPERATION = 8
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _known_ids(served: Served) -> dict[str, str]:
    """Real ids of the admin's party, so that generated requests also reach real records."""
    quote = served.post(
        "berg-admin", f"/api/v1/loans/{REFERENCE_LOAN}/quotes", {"as_of": "2002-03-31"}
    ).json()
    proposal = served.post("berg-admin", "/api/v1/settlements", {"quote_id": quote["quote_id"]})
    return {
        "loan_id": REFERENCE_LOAN,
        "note_id": "valence-note-1",
        "instrument_id": REFERENCE_LOAN,
        "party_id": "berg",
        "quote_id": quote["quote_id"],
        "settlement_id": proposal.json()["id"],
        "account": "Assets:Cash",
        "obligation_id": "none-yet",
    }


def test_the_api_answers_every_generated_request_as_documented(served: Served) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", served.client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    api = [operation for operation in operations if operation.path.startswith("/api/v1")]
    assert len(api) >= 20
    headers = served.headers("berg-admin")
    known = _known_ids(served)
    sent = 0
    for operation in api:
        names = re.findall(r"\{([^}]+)\}", operation.path)
        real = {name: known[name] for name in names}
        strategies = [
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        ]
        if real:
            strategies.append(
                operation.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters=real)
            )
        for strategy in strategies:

            @given(case=strategy)
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

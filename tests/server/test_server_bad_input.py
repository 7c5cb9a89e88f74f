"""Bad requests: 4xx problem details naming the code and the field, never a 500, nothing saved."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from server_helpers import REFERENCE_LOAN, Served

from acquittance.server.limits import API_BODY_BYTES_MAX
from acquittance.service import saved_quotes

QUOTES = f"/api/v1/loans/{REFERENCE_LOAN}/quotes"


def _problem(answer: Any, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = answer.json()
    assert {"type", "title", "status", "detail", "code", "message", "field"} <= set(body)
    assert (body["status"], body["code"]) == (status, code), body
    if field is not None:
        assert body["field"] == field, body
    return body


def _raw(served: Served, content: bytes, **headers: str) -> Any:
    return served.client.post(
        QUOTES,
        content=content,
        headers=served.headers("berg-user", **{"Content-Type": "application/json", **headers}),
    )


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        (b'{"as_of": "2002-03-31"', 400, "MALFORMED_JSON", None),
        (b"not json at all", 400, "MALFORMED_JSON", None),
        (b'{"as_of": 20020331}', 422, "INVALID_FIELD", "as_of"),
        (b'{"as_of": "31/03/2002"}', 422, "INVALID_FIELD", "as_of"),
        (b'{"as_of": "2002-02-30"}', 422, "INVALID_DATE", "as_of"),
        (b'{"as_of": "0001-01-01"}', 422, "DATE_OUT_OF_RANGE", "as_of"),
        (b'{"as_of": "2002-03-31", "extra": 1}', 422, "UNKNOWN_FIELD", "extra"),
        (b"{}", 422, "MISSING_FIELD", "as_of"),
        (b"[]", 422, "INVALID_FIELD", None),
        (b'{"as_of": "2002-03-31", "partial": "yes"}', 422, "INVALID_FIELD", "partial"),
        (
            b'{"as_of": "2002-03-31", "values": {"valence-note-1": 1.5}}',
            422,
            "INVALID_FIELD",
            "values.valence-note-1",
        ),
        (
            b'{"as_of": "2002-03-31", "values": {"valence-note-1": "99999999999999999.00"}}',
            422,
            "INVALID_FIELD",
            "values.valence-note-1",
        ),
        (
            b'{"as_of": "2002-03-31", "values": {"valence-note-1": "-5.00"}}',
            422,
            "NEGATIVE_AMOUNT",
            "values.valence-note-1",
        ),
        (b'{"as_of": "2002-03-31", "good_through": "2002-13-01"}', 422, "INVALID_DATE", None),
    ],
)
def test_a_bad_quote_request_is_a_problem_and_saves_nothing(
    served: Served, body: bytes, status: int, code: str, field: str | None
) -> None:
    _problem(_raw(served, body), status, code, field)
    assert saved_quotes(served.store) == []


def test_a_body_past_the_limit_is_refused_before_it_is_read(served: Served) -> None:
    big = b'{"as_of": "2002-03-31", "notes": ["' + b"n" * API_BODY_BYTES_MAX + b'"]}'
    _problem(_raw(served, big), 413, "BODY_TOO_LARGE")
    assert saved_quotes(served.store) == []


def test_a_chunked_body_that_grows_past_the_limit_is_refused(served: Served) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"as_of": "2002-03-31", "notes": ["'
        for _ in range(API_BODY_BYTES_MAX // 1024 + 2):
            yield b"n" * 1024
        yield b'"]}'

    answer = served.client.post(
        QUOTES,
        content=chunks(),
        headers=served.headers("berg-user", **{"Content-Type": "application/json"}),
    )
    _problem(answer, 413, "BODY_TOO_LARGE")


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/api/v1/positions?as_of=yesterday", 422, "INVALID_FIELD"),
        ("/api/v1/positions", 422, "MISSING_FIELD"),
        ("/api/v1/positions?as_of=9999-99-99", 422, "INVALID_DATE"),
        ("/api/v1/obligations?status=maybe", 422, "INVALID_FIELD"),
        ("/api/v1/loans/' OR 1=1 --", 404, "UNKNOWN_LOAN"),
        ("/api/v1/loans/%00", 404, "UNKNOWN_LOAN"),
        ("/api/v1/nothing-here", 404, "NOT_FOUND"),
    ],
)
def test_bad_queries_and_paths_are_problems(
    served: Served, path: str, status: int, code: str
) -> None:
    _problem(served.get("berg-user", path), status, code)


def test_a_wrong_method_is_a_problem(served: Served) -> None:
    answer = served.client.delete("/api/v1/loans", headers=served.headers("berg-user"))
    _problem(answer, 405, "METHOD_NOT_ALLOWED")


def test_a_blank_idempotency_key_is_refused(served: Served) -> None:
    answer = served.post("berg-user", QUOTES, {"as_of": "2002-03-31"}, key=" ")
    _problem(answer, 422, "INVALID_KEY")
    assert saved_quotes(served.store) == []


def test_a_quote_of_a_date_before_the_loan_is_a_coded_refusal(served: Served) -> None:
    answer = served.post("berg-user", QUOTES, {"as_of": "1990-01-01"})
    assert 400 <= answer.status_code < 500, answer.text
    assert answer.json()["code"].isupper()

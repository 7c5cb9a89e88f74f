"""The reference agreement's text lives in the project's fixtures, exactly as filed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
REFERENCE = FIXTURES / "valence-berg-2002-letter-agreement.txt"
#: Where the text was first kept, beside the checkout; compared only when it is there.
SHARED_COPY = Path(__file__).parents[2] / ".." / "shared" / "agreements" / REFERENCE.name
#: SHA-256 of the text as filed: offsets in the reader's tests index exactly these bytes.
SHA256 = "32275f92c20c736e31f03e3f5dd4ae3491c74d58d3b3b0f2913916c8db7e4339"


def test_reference_text_is_in_the_fixtures_byte_for_byte() -> None:
    assert hashlib.sha256(REFERENCE.read_bytes()).hexdigest() == SHA256


def test_reference_fixture_says_where_it_comes_from() -> None:
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    assert REFERENCE.name in readme
    assert "SEC" in readme


def test_reference_fixture_matches_the_shared_copy_when_there_is_one() -> None:
    if not SHARED_COPY.exists():
        pytest.skip("no shared copy beside the checkout to compare with")
    assert SHARED_COPY.read_bytes() == REFERENCE.read_bytes()

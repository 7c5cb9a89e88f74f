"""Fixtures for the ledger tests: the reference case's parties, loan, notes and quote."""

from __future__ import annotations

import pytest
from books_factories import BERG, NOTE_FIGURES, VALENCE, make_loan, make_note, make_quote

from acquittance.core.instruments import Loan, Note, Party
from acquittance.core.settlement_types import Quote


@pytest.fixture
def berg() -> Party:
    return BERG


@pytest.fixture
def valence() -> Party:
    return VALENCE


@pytest.fixture
def loan() -> Loan:
    return make_loan()


@pytest.fixture
def notes() -> tuple[Note, ...]:
    return tuple(make_note(note_id) for note_id, _, _ in NOTE_FIGURES)


@pytest.fixture
def reference_quote() -> Quote:
    return make_quote()

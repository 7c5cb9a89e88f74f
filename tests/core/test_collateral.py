"""Pledges and financing statements: who may pledge what, and sane filing dates."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from core_factories import reference_interest, reference_loan, reference_notes

from acquittance.core.collateral import (
    FinancingStatement,
    check_financing_statement,
    check_pledge,
    check_security_interest,
    pledged_note_ids,
)
from acquittance.core.errors import InputError, StateError

ALL_NOTES = {"valence-note-1", "valence-note-2", "valence-note-3"}


def test_pledged_note_ids_are_the_active_pledges_for_the_loan():
    interest = reference_interest()
    assert pledged_note_ids("berg-valence-loan", [interest]) == ALL_NOTES
    assert pledged_note_ids("berg-valence-loan", [interest], secured_party_id="berg") == ALL_NOTES


@pytest.mark.parametrize(
    "change",
    [
        {"released_on": date(2002, 1, 1)},
        {"loan_id": "another-loan"},
        {"secured_party_id": "someone-else"},
    ],
)
def test_pledged_note_ids_leave_out_released_other_loans_and_other_lenders(change):
    interest = dataclasses.replace(reference_interest(), **change)
    assert pledged_note_ids("berg-valence-loan", [interest], secured_party_id="berg") == set()


def test_a_fresh_note_of_the_borrower_may_be_pledged():
    note = reference_notes()["valence-note-1"]
    check_pledge(note, reference_loan(), [])  # no error


@pytest.mark.parametrize(
    ("note_change", "interests", "code"),
    [
        ({"holder_id": "berg"}, [], "NOTE_NOT_HELD_BY_DEBTOR"),
        ({}, [reference_interest()], "NOTE_ALREADY_PLEDGED"),
        (
            {
                "terms": dataclasses.replace(
                    reference_notes()["valence-note-1"].terms, currency="EUR"
                )
            },
            [],
            "CURRENCY_MISMATCH",
        ),
    ],
)
def test_bad_pledges_are_refused(note_change, interests, code):
    note = dataclasses.replace(reference_notes()["valence-note-1"], **note_change)
    with pytest.raises((InputError, StateError)) as caught:
        check_pledge(note, reference_loan(), interests)
    assert caught.value.code == code


def test_a_released_pledge_does_not_block_a_new_one():
    released = dataclasses.replace(reference_interest(), released_on=date(2002, 1, 1))
    check_pledge(reference_notes()["valence-note-1"], reference_loan(), [released])


STATEMENT = FinancingStatement("fs", "California Secretary of State", "0123", date(2001, 3, 1))


@pytest.mark.parametrize(
    ("change", "as_of", "code"),
    [
        ({"terminated_on": date(2001, 2, 1)}, None, "TERMINATION_BEFORE_FILING"),
        ({"filing_office": " "}, None, "MISSING_FILING_DETAIL"),
        ({"file_number": ""}, None, "MISSING_FILING_DETAIL"),
        ({}, date(2001, 1, 1), "FILING_IN_FUTURE"),
    ],
)
def test_bad_financing_statements_are_refused(change, as_of, code):
    with pytest.raises(InputError) as caught:
        check_financing_statement(dataclasses.replace(STATEMENT, **change), as_of=as_of)
    assert caught.value.code == code


def test_a_sane_financing_statement_passes():
    check_financing_statement(STATEMENT, as_of=date(2002, 3, 31))
    check_financing_statement(dataclasses.replace(STATEMENT, terminated_on=date(2001, 3, 1)))


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"note_ids": ()}, "NO_COLLATERAL"),
        ({"note_ids": ("a", "a")}, "DUPLICATE_NOTE"),
        ({"debtor_id": "berg"}, "SELF_SECURED"),
        ({"released_on": date(2001, 1, 1)}, "RELEASE_BEFORE_GRANT"),
        (
            {"financing_statements": (dataclasses.replace(STATEMENT, file_number=""),)},
            "MISSING_FILING_DETAIL",
        ),
    ],
)
def test_bad_security_interests_are_refused(change, code):
    with pytest.raises(InputError) as caught:
        check_security_interest(dataclasses.replace(reference_interest(), **change))
    assert caught.value.code == code


def test_the_reference_interest_is_sane():
    # Filed after the grant here; a filing before the grant would be fine too (UCC 9-502(d)).
    check_security_interest(reference_interest(), as_of=date(2002, 3, 31))

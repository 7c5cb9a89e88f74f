"""Deal files: the reference deal parses exactly; every bad input names its line and field."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from acquittance.core.errors import AcquittanceError, InputError
from acquittance.core.instruments import OpeningBalance
from acquittance.deals.parse import parse_deal, read_deal_file

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "examples" / "valence-berg-2002.toml"


def reference_text() -> str:
    return REFERENCE.read_text(encoding="utf-8")


def test_reference_deal_holds_the_agreement_figures() -> None:
    deal = read_deal_file(REFERENCE)
    assert [p.id for p in deal.parties] == ["berg", "valence"]
    berg = deal.party("berg")
    assert (berg.name, berg.short_name, berg.entity_type, berg.jurisdiction) == (
        "Berg & Berg Enterprises, LLC",
        "Berg",
        "limited liability company",
        "California",
    )
    (loan,) = deal.loans
    assert loan.id == "berg-valence-loan"
    opening = loan.events[0]
    assert isinstance(opening, OpeningBalance)
    assert (opening.principal, opening.interest) == (Decimal("17500000.00"), Decimal("1140370.41"))
    notes = [n.events[0] for n in deal.notes]
    assert all(isinstance(e, OpeningBalance) for e in notes)
    assert sum(e.principal for e in notes) == Decimal("17533226.80")  # type: ignore[union-attr]
    assert sum(e.interest for e in notes) == Decimal("951754.93")  # type: ignore[union-attr]
    (pledge,) = deal.security_interests
    assert set(pledge.note_ids) == {n.id for n in deal.notes}
    assert deal.governing_law == "California"


def test_amounts_never_pass_through_float() -> None:
    deal = read_deal_file(REFERENCE)
    assert isinstance(deal.loans[0].terms.annual_rate, Decimal)
    assert str(deal.notes[2].events[0].principal) == "3533226.80"  # type: ignore[union-attr]


def error_of(text: str) -> AcquittanceError:
    with pytest.raises(AcquittanceError) as caught:
        parse_deal(text, source="deal.toml")
    return caught.value


def line_of(needle: str, text: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_negative_principal_names_line_and_field() -> None:
    text = reference_text().replace("principal = 17500000.00", "principal = -17500000.00")
    error = error_of(text)
    assert error.code == "NEGATIVE_AMOUNT"
    assert f"line {line_of('-17500000.00', text)}" in error.message
    assert "loans[0].events[0].principal" in error.message


def test_truncated_file_is_a_syntax_error_with_its_line() -> None:
    text = reference_text()
    truncated = text[: len(text) // 2] + "\nunfinished = "
    error = error_of(truncated)
    assert error.code == "DEAL_FILE_SYNTAX"
    assert re.search(r"line \d+", error.message)


def test_unknown_field_is_refused() -> None:
    text = reference_text().replace('day_count = "ACT/360"', 'day_count = "ACT/360"\ndaycount = 1')
    error = error_of(text)
    assert error.code == "UNKNOWN_FIELD"
    assert "loans[0].daycount" in error.message


def test_unknown_day_count_is_refused() -> None:
    error = error_of(reference_text().replace('"ACT/360"', '"ACT/999"'))
    assert error.code == "UNKNOWN_DAY_COUNT"
    assert "loans[0].day_count" in error.message


def test_rate_written_as_percentage_without_sign_is_refused() -> None:
    error = error_of(reference_text().replace('annual_rate = "6.5%"', "annual_rate = 6.5"))
    assert error.code == "RATE_LOOKS_LIKE_PERCENT"


def test_events_out_of_order_are_refused() -> None:
    text = reference_text().replace(
        "interest = 1140370.41\n",
        'interest = 1140370.41\n\n[[loans.events]]\nkind = "payment"\ndate = 2002-04-30\n'
        'amount = 1000.00\n\n[[loans.events]]\nkind = "advance"\ndate = 2002-04-01\n'
        "amount = 5.00\n",
    )
    assert error_of(text).code == "EVENTS_OUT_OF_ORDER"


def test_event_before_opening_is_refused() -> None:
    text = reference_text().replace(
        "interest = 1140370.41\n",
        'interest = 1140370.41\n\n[[loans.events]]\nkind = "advance"\ndate = 2001-01-01\n'
        "amount = 5.00\n",
    )
    assert error_of(text).code in {"EVENT_BEFORE_OPENING", "EVENTS_OUT_OF_ORDER"}


def test_currency_mismatch_between_loan_and_note_is_refused() -> None:
    text = reference_text().replace(
        'id = "valence-note-1"', 'id = "valence-note-1"\ncurrency = "EUR"'
    )
    assert error_of(text).code == "CURRENCY_MISMATCH"


def test_pledging_a_note_the_borrower_does_not_hold_is_refused() -> None:
    text = reference_text().replace(
        'maker = "Exhibit A obligor 2 (illustrative)"\nholder = "valence"',
        'maker = "Exhibit A obligor 2 (illustrative)"\nholder = "berg"',
    )
    error = error_of(text)
    assert error.code == "NOTE_NOT_HELD_BY_DEBTOR"
    assert "security_interests[0].notes" in error.message


def test_pledging_a_note_twice_is_refused() -> None:
    text = reference_text() + (
        '\n[[security_interests]]\nid = "second-pledge"\nloan = "berg-valence-loan"\n'
        'secured_party = "berg"\ndebtor = "valence"\nnotes = ["valence-note-1"]\n'
    )
    assert error_of(text).code == "NOTE_ALREADY_PLEDGED"


def test_reference_to_unknown_party_is_refused() -> None:
    error = error_of(reference_text().replace('lender = "berg"', 'lender = "bergg"'))
    assert error.code == "UNKNOWN_PARTY"
    assert "berg" in error.message


def test_duplicate_ids_are_refused() -> None:
    error = error_of(reference_text().replace('id = "valence-note-2"', 'id = "valence-note-1"'))
    assert error.code == "DUPLICATE_ID"


def test_float_free_sub_cent_amount_is_refused() -> None:
    error = error_of(reference_text().replace("interest = 1140370.41", "interest = 1140370.415"))
    assert error.code == "SUB_CENT_AMOUNT"


def test_missing_file_and_non_utf8(tmp_path: Path) -> None:
    with pytest.raises(InputError) as missing:
        read_deal_file(tmp_path / "absent.toml")
    assert missing.value.code == "FILE_NOT_FOUND"
    latin = tmp_path / "latin.toml"
    latin.write_bytes('[deal]\ntitle = "caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(InputError) as bad:
        read_deal_file(latin)
    assert bad.value.code == "DEAL_FILE_SYNTAX"

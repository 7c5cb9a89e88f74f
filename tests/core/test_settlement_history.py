"""Quotes and closings against an instrument's history: the earliest date a quote allows,
interest to the good-through date from the exact per diem, later note events, histories."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from core_factories import AS_OF, reference_interest, reference_loan, reference_notes

from acquittance.core import accrual
from acquittance.core.collateral import SecurityInterest
from acquittance.core.errors import AcquittanceError, InputError, StateError
from acquittance.core.instruments import Loan, Note, OpeningBalance, Payment, Terms
from acquittance.core.settlement import (
    check_no_later_events,
    close,
    close_walked,
    explain,
    quote,
)

D = Decimal
JAN1 = date(2024, 1, 1)


def _deal(*, note_opened: date = JAN1, rate: str = "0.05") -> tuple[Loan, dict[str, Note], list]:
    loan = Loan(
        "loan",
        "lender",
        "borrower",
        Terms(D(rate), "ACT/360", "USD"),
        (OpeningBalance(JAN1, D("1000.00")),),
    )
    note = Note(
        "note",
        "Maker",
        "borrower",
        Terms(D("0.06"), "30/360-US", "USD"),
        (OpeningBalance(note_opened, D("800.00")),),
    )
    interest = SecurityInterest("pledge", "loan", "lender", "borrower", ("note",))
    return loan, {"note": note}, [interest]


def test_interest_to_the_good_through_date_is_the_exact_per_diem_times_the_days_rounded_once() -> (
    None
):
    loan, notes, interests = _deal()
    made = quote(loan, notes, interests, JAN1, good_through=JAN1 + timedelta(days=10))
    # 1,000.00 x 5% / 360 = 0.13888..: shown as 0.14, but ten days are 1.3888.. -> 1.39, not 1.40.
    assert made.per_diem == D("0.14")
    assert made.per_diem_exact == Fraction(1000 * 5, 100 * 360)
    explained = explain(made)["per_diem"]
    assert explained["interest_to_good_through"] == "1.39"
    assert explained["exact"] == "5/36"


def test_the_reference_interest_to_good_through_is_ten_exact_days() -> None:
    made = quote(reference_loan(), reference_notes(), [reference_interest()], AS_OF)
    # 17,500,000 x 6.5% / 360 x 10 = 31,597.2222.. (ten rounded per diems would be 31,597.20).
    assert explain(made)["per_diem"]["interest_to_good_through"] == "31597.22"


def test_a_quote_before_a_notes_history_names_the_earliest_date_of_the_whole_quote() -> None:
    loan, notes, interests = _deal(note_opened=date(2024, 3, 1))
    with pytest.raises(InputError) as caught:
        quote(loan, notes, interests, date(2024, 2, 1))
    assert caught.value.code == "BEFORE_HISTORY"
    assert "history of note note, which starts on 2024-03-01" in caught.value.message
    assert "is 2024-03-01" in caught.value.message
    # Before the loan too: the earliest date allowed is still the note's, the later one.
    with pytest.raises(InputError) as earlier:
        quote(loan, notes, interests, date(2023, 12, 1))
    assert "loan loan, which starts on 2024-01-01" in earlier.value.message
    assert "note note, which starts on 2024-03-01" in earlier.value.message
    assert earlier.value.message.endswith("is 2024-03-01")
    assert quote(loan, notes, interests, date(2024, 3, 1)).as_of == date(2024, 3, 1)


def test_histories_stand_in_for_the_events_with_the_same_figures_and_fingerprint() -> None:
    loan, notes, interests = _deal()
    loan = dataclasses.replace(loan, events=(*loan.events, Payment(date(2024, 2, 1), D("4.00"))))
    on = date(2024, 3, 15)
    walked = quote(loan, notes, interests, on)
    headers = {"note": dataclasses.replace(notes["note"], events=())}
    from_histories = quote(
        dataclasses.replace(loan, events=()),
        headers,
        interests,
        on,
        loan_history=accrual.history(loan, on),
        note_histories={"note": accrual.history(notes["note"], on)},
    )
    assert from_histories == walked
    assert from_histories.fingerprint == walked.fingerprint
    assert from_histories.per_diem_exact == walked.per_diem_exact


def test_a_closing_from_a_history_gives_the_walk_through_its_events() -> None:
    loan, notes, interests = _deal()
    on = date(2024, 3, 15)
    held = accrual.history(loan, on)
    made = quote(loan, notes, interests, on, loan_history=held)
    arguments = {
        "settlement_id": "s",
        "current_fingerprint": made.fingerprint,
        "loan": loan,
        "interests": interests,
    }
    closing, walk = close_walked(made, loan_history=held, **arguments)
    assert closing == close(made, loan_history=held, **arguments)
    # The same walk as the loan's events with the closing's appended, event for event.
    events = (*loan.events, *closing.loan_events)
    whole = accrual.history(dataclasses.replace(loan, events=events), on).latest
    assert walk is not None and len(walk) == len(closing.loan_events) == 2
    assert walk[-1] == whole
    assert walk[-1].discharged_on == on
    # Walked from the events (no history), the check gives no walk.
    assert close_walked(made, **arguments) == (closing, None)


def test_a_discharged_loan_is_refused_from_its_history_alone() -> None:
    loan, notes, interests = _deal()
    done = dataclasses.replace(
        loan,
        events=(*loan.events, *accrual_closing(loan, date(2024, 2, 1))),
    )
    with pytest.raises(StateError) as caught:
        quote(
            dataclasses.replace(done, events=()),
            notes,
            interests,
            date(2024, 3, 1),
            loan_history=accrual.history(done, date(2024, 3, 1)),
        )
    assert caught.value.code == "LOAN_DISCHARGED"


def accrual_closing(loan: Loan, on: date) -> tuple:
    from acquittance.core.instruments import Discharge, Satisfaction

    owed = accrual.position(loan, on).total
    return (Satisfaction(on, owed, "s"), Discharge(on, "s"))


def test_a_note_event_after_the_closing_date_is_refused_naming_the_event() -> None:
    loan, notes, interests = _deal()
    made = quote(loan, notes, interests, date(2024, 6, 30))
    later = {
        "note": dataclasses.replace(
            notes["note"], events=(*notes["note"].events, Payment(date(2024, 7, 5), D("50.00")))
        )
    }
    with pytest.raises(AcquittanceError) as caught:
        check_no_later_events(made, later)
    assert caught.value.code == "BACKDATED_CLOSING"
    assert caught.value.message.startswith("note note has a Payment on 2024-07-05")
    check_no_later_events(made, notes)  # nothing later: nothing refused

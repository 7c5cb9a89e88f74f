"""Known answers, the core's errors, chunks and the overflow bound of the whole-book engine."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from acquittance.core.accrual import position
from acquittance.core.errors import AcquittanceError, InputError, StateError
from acquittance.core.instruments import (
    Compounding,
    Discharge,
    Event,
    Loan,
    Note,
    OpeningBalance,
    Payment,
    RateChange,
    Terms,
)
from acquittance.portfolio import book_columns, book_positions, instrument_position, kernel

D = Decimal
AS_OF = date(2002, 3, 31)
JAN1 = date(2024, 1, 1)


def reference_loan() -> Loan:
    return Loan(
        "berg-valence-loan",
        "berg",
        "valence",
        Terms(D("0.065"), "ACT/360", "USD"),
        (OpeningBalance(AS_OF, D("17500000.00"), D("1140370.41")),),
    )


def reference_note(number: int, principal: str, interest: str) -> Note:
    terms = Terms(D("0.075"), "30/360-US", "USD")
    events = (OpeningBalance(AS_OF, D(principal), D(interest)),)
    return Note(f"valence-note-{number}", "obligor", "valence", terms, events)


def loan_with(
    events: tuple[Event, ...],
    *,
    rate: str = "0.06",
    day_count: str = "ACT/360",
    compounding: Compounding = Compounding.SIMPLE,
    identifier: str = "loan",
) -> Loan:
    terms = Terms(D(rate), day_count, "USD", compounding)
    return Loan(identifier, "lender", "borrower", terms, events)


def synthetic_book(count: int) -> list[Loan]:
    conventions = ("ACT/360", "ACT/365F", "ACT/ACT-ISDA", "30/360-BOND", "30/360-US", "30E/360")
    book = []
    for index in range(count):
        opened = date(2020, 1, 31) + timedelta(days=index % 700)
        principal = D(10_000 + 37 * index) + D("0.55")
        events = (
            OpeningBalance(opened, principal, D("12.34")),
            Payment(opened + timedelta(days=90), D("500.00")),
            RateChange(opened + timedelta(days=180), D("0.0725")),
        )
        compounding = tuple(Compounding)[index % 3]
        book.append(
            loan_with(
                events,
                rate="0.05125",
                day_count=conventions[index % 6],
                compounding=compounding,
                identifier=f"loan-{index}",
            )
        )
    return book


# --- known answers -----------------------------------------------------------------------


def test_reference_loan_on_its_opening_date_is_the_agreement_figures() -> None:
    [held] = book_positions([reference_loan()], AS_OF)
    assert (held.principal, held.interest, held.total) == (
        D("17500000.00"),
        D("1140370.41"),
        D("18640370.41"),
    )
    assert held.interest_exact == Fraction(114037041, 100)
    assert (held.instrument_id, held.currency, held.periods) == ("berg-valence-loan", "USD", ())


def test_reference_loan_a_month_later_accrues_act_360() -> None:
    held = instrument_position(reference_loan(), date(2002, 4, 30))
    assert held.interest == D("1235162.08")
    assert held.interest_exact == Fraction(114037041, 100) + Fraction(284375, 3)


@pytest.mark.parametrize(
    ("number", "principal", "interest", "expected"),
    [
        (1, "8000000.00", "434250.00", "484250.00"),
        (2, "6000000.00", "325687.50", "363187.50"),
        (3, "3533226.80", "191817.43", "213900.10"),
    ],
)
def test_reference_notes_a_month_later_accrue_30_360_us(
    number: int, principal: str, interest: str, expected: str
) -> None:
    note = reference_note(number, principal, interest)
    [held] = book_positions([note], date(2002, 4, 30))
    assert held.interest == D(expected)
    assert held == position(note, date(2002, 4, 30))


def test_payment_of_the_rounded_interest_closes_the_sub_cent_remainder() -> None:
    # 1000 x 5% / 360 = 0.13888..: the cents due are 0.14 and paying them settles the interest.
    loan = loan_with((OpeningBalance(JAN1, D("1000.00")), Payment(date(2024, 1, 2), D("0.14"))))
    loan = Loan(loan.id, "l", "b", Terms(D("0.05"), "ACT/360", "USD"), loan.events)
    held = instrument_position(loan, date(2024, 1, 2))
    assert (held.principal, held.interest, held.interest_exact) == (
        D("1000.00"),
        D("0.00"),
        Fraction(0),
    )


def test_partial_interest_payment_keeps_the_exact_rest() -> None:
    events = (OpeningBalance(JAN1, D("1000.00")), Payment(date(2024, 1, 2), D("0.10")))
    loan = loan_with(events, rate="0.05")
    held = instrument_position(loan, date(2024, 1, 2))
    assert held.interest_exact == Fraction(1000 * 5, 100 * 360) - Fraction(1, 10)
    assert held.interest == D("0.04")


def test_monthly_compounding_from_a_month_end_matches_the_core() -> None:
    events = (OpeningBalance(date(2024, 1, 31), D("100000.00")),)
    loan = loan_with(events, rate="0.12", day_count="30/360-US", compounding=Compounding.MONTHLY)
    for as_of in (date(2024, 2, 29), date(2024, 3, 30), date(2024, 3, 31), date(2025, 2, 28)):
        assert instrument_position(loan, as_of) == position(loan, as_of)


def test_principal_comes_back_in_cents_with_the_cores_value() -> None:
    events = (OpeningBalance(JAN1, D("1000")), Payment(date(2024, 2, 1), D("100.000")))
    loan = loan_with(events, compounding=Compounding.ANNUAL)
    for as_of in (JAN1, date(2024, 2, 1), date(2025, 3, 1)):
        held = instrument_position(loan, as_of)
        assert held.principal == position(loan, as_of).principal
        assert held.principal.as_tuple().exponent == -2


def test_a_discharged_loan_owes_nothing() -> None:
    events = (OpeningBalance(JAN1, D("1000.00"), D("5.00")), Discharge(date(2024, 3, 1), "s"))
    held = instrument_position(loan_with(events), date(2024, 6, 30))
    assert (held.principal, held.interest, held.interest_exact) == (
        D("0.00"),
        D("0.00"),
        Fraction(0),
    )


def test_string_rates_are_read_by_the_core_and_counted() -> None:
    terms = Terms("7.125%", "ACT/ACT-ISDA", "USD")  # type: ignore[arg-type]
    loan = Loan("l", "a", "b", terms, (OpeningBalance(JAN1, D("1000.00")),))
    columns = book_columns([loan], date(2025, 3, 1))
    assert columns.core_path == (0,)
    assert columns.positions()[0] == position(loan, date(2025, 3, 1))


def test_amounts_that_are_not_decimals_take_the_core_path_with_its_figures() -> None:
    opening = OpeningBalance(JAN1, "10.00", D("0.00"))  # type: ignore[arg-type]
    loan = Loan("l", "a", "b", Terms(D("0.06"), "ACT/360", "USD"), (opening,))
    columns = book_columns([reference_loan(), loan], date(2024, 6, 30))
    assert columns.core_path == (1,)
    core = position(loan, date(2024, 6, 30))
    # The core passes the string through as principal; the engine's columns hold its value.
    assert (columns.principal[1], columns.interest[1]) == (D(core.principal), core.interest)


# --- the core's errors ---------------------------------------------------------------------


def test_before_history_is_the_cores_error() -> None:
    with pytest.raises(InputError) as caught:
        book_positions([reference_loan()], date(1990, 1, 1))
    assert caught.value.code == "BEFORE_HISTORY"
    assert "2002-03-31" in caught.value.message
    assert "berg-valence-loan" in caught.value.message


def test_overpayment_is_the_cores_error_with_its_words() -> None:
    loan = loan_with((OpeningBalance(JAN1, D("100.00")), Payment(date(2024, 2, 1), D("500.00"))))
    with pytest.raises(InputError) as caught:
        book_positions([loan], date(2024, 6, 30))
    with pytest.raises(InputError) as core:
        position(loan, date(2024, 6, 30))
    assert caught.value.code == "OVERPAYMENT"
    assert caught.value.message == core.value.message


def test_an_event_after_a_discharge_is_refused_even_after_the_as_of_date() -> None:
    events = (
        OpeningBalance(JAN1, D("100.00")),
        Discharge(date(2024, 2, 1), "s"),
        Payment(date(2024, 3, 1), D("1.00")),
    )
    with pytest.raises(StateError) as caught:
        book_positions([loan_with(events)], JAN1)
    assert caught.value.code == "LOAN_DISCHARGED"


@pytest.mark.parametrize(
    ("terms", "code"),
    [
        (Terms(D("0.06"), "ACT/999", "USD"), "UNKNOWN_DAY_COUNT"),
        (Terms(D("6"), "ACT/360", "USD"), "RATE_LOOKS_LIKE_PERCENT"),
        (Terms(D("0.06"), "ACT/360", "usd"), "INVALID_CURRENCY"),
        (Terms(D("0.06"), "ACT/360", "USD", rounding="nearest"), "UNKNOWN_ROUNDING"),
    ],
)
def test_bad_terms_are_the_cores_errors(terms: Terms, code: str) -> None:
    loan = Loan("bad", "l", "b", terms, (OpeningBalance(JAN1, D("1.00")),))
    with pytest.raises(AcquittanceError) as caught:
        book_positions([reference_loan(), loan], date(2024, 6, 30))
    assert caught.value.code == code


def test_the_first_refused_instrument_in_book_order_raises() -> None:
    late = loan_with((OpeningBalance(date(2025, 1, 1), D("1.00")),), identifier="late")
    bad = loan_with((Payment(JAN1, D("1.00")),), identifier="bad")
    with pytest.raises(AcquittanceError) as caught:
        book_positions([reference_loan(), late, bad], date(2024, 6, 30))
    assert caught.value.code == "BEFORE_HISTORY"


def test_an_as_of_that_is_not_a_date_is_the_cores_error() -> None:
    with pytest.raises(InputError) as caught:
        book_positions([reference_loan()], "2024-06-30")  # type: ignore[arg-type]
    assert caught.value.code == "INVALID_DATE"


# --- chunks of the kernel --------------------------------------------------------------


def test_a_book_over_many_kernel_chunks_is_the_core(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kernel, "CHUNK_ROWS", 70)
    book = synthetic_book(600)
    as_of = date(2022, 6, 30)
    columns = book_columns(book, as_of)
    assert columns.core_path == ()
    expected = [position(loan, as_of) for loan in book]
    got = columns.positions()
    assert [(p.principal, p.interest, p.interest_exact) for p in got] == [
        (p.principal, p.interest, p.interest_exact) for p in expected
    ]
    assert columns.ids == tuple(loan.id for loan in book)
    assert columns.total_interest() == sum((p.interest for p in expected), D("0.00"))


def test_a_chunked_book_raises_the_first_error_in_book_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(kernel, "CHUNK_ROWS", 50)
    book: list[Loan] = synthetic_book(300)
    book[250] = loan_with((Payment(JAN1, D("1.00")),), identifier="no-opening")
    book[120] = loan_with(
        (OpeningBalance(JAN1, D("1.00")), Payment(date(2024, 2, 1), D("9.00"))),
        identifier="overpaid",
    )
    with pytest.raises(InputError) as caught:
        book_positions(book, date(2024, 6, 30))
    assert caught.value.code == "OVERPAYMENT"
    assert "overpaid" in caught.value.message


def test_past_the_overflow_bound_the_core_computes_and_is_counted() -> None:
    huge = loan_with((OpeningBalance(JAN1, D("90000000000000.00")),), rate="0.2")
    columns = book_columns([reference_loan(), huge], date(2034, 1, 1))
    assert columns.core_path == (1,)
    assert columns.positions()[1] == position(huge, date(2034, 1, 1))

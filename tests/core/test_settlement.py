"""Quotes and closings: the reference case by hand, other shapes of settlement, every refusal."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from core_factories import AS_OF, reference_interest, reference_loan, reference_notes
from hypothesis import given, settings
from hypothesis import strategies as st

from acquittance.core.collateral import SecurityInterest
from acquittance.core.errors import AcquittanceError
from acquittance.core.instruments import (
    Discharge,
    Loan,
    Note,
    OpeningBalance,
    Payment,
    Satisfaction,
    Terms,
)
from acquittance.core.settlement import close, explain, fingerprint_inputs, quote
from acquittance.core.settlement_types import ObligationKind, Quote, SatisfactionKind

D = Decimal
MONTH_LATER = date(2002, 4, 30)


def reference_quote(**kwargs) -> Quote:
    as_of = kwargs.pop("as_of", AS_OF)
    return quote(reference_loan(), reference_notes(), [reference_interest()], as_of, **kwargs)


def close_reference(made: Quote, settlement_id: str = "s1"):
    return close(
        made,
        settlement_id=settlement_id,
        current_fingerprint=made.fingerprint,
        loan=reference_loan(),
        interests=[reference_interest()],
    )


def refused(code: str, call, *args, **kwargs) -> AcquittanceError:
    with pytest.raises(AcquittanceError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


# --- the reference case ----------------------------------------------------------------


def test_reference_quote_is_the_agreement():
    made = reference_quote()
    assert (made.owed_principal, made.owed_interest, made.owed_total) == (
        D("17500000.00"),
        D("1140370.41"),
        D("18640370.41"),
    )
    assert (made.collateral_principal, made.collateral_interest, made.collateral_value) == (
        D("17533226.80"),
        D("951754.93"),
        D("18484981.73"),
    )
    assert (made.cash.amount, made.cash.payer_id, made.cash.payee_id) == (
        D("155388.68"),
        "valence",
        "berg",
    )
    assert made.remaining_debt == D("0.00")
    assert made.satisfaction is SatisfactionKind.FULL
    assert [line.note_id for line in made.collateral] == [
        "valence-note-1",
        "valence-note-2",
        "valence-note-3",
    ]
    assert made.per_diem == D("3159.72")
    assert made.good_through == date(2002, 4, 10)


def test_reference_closing_effects():
    made = reference_quote()
    closing = close_reference(made)
    assert [
        (t.note_id, t.from_party_id, t.to_party_id, t.date) for t in closing.note_transfers
    ] == [(f"valence-note-{n}", "valence", "berg", AS_OF) for n in (1, 2, 3)]
    assert closing.loan_events == (
        Satisfaction(AS_OF, D("18640370.41"), "s1"),
        Discharge(AS_OF, "s1"),
    )
    assert closing.released_interest_ids == ("berg-valence-pledge",)
    termination, wire = closing.obligations
    assert termination.kind is ObligationKind.TERMINATION_STATEMENT
    assert (termination.id, termination.party_id, termination.due) == (
        "s1:termination:berg-valence-ucc1",
        "berg",
        date(2002, 4, 20),
    )
    assert termination.financing_statement_id == "berg-valence-ucc1"
    assert wire.kind is ObligationKind.WIRE
    assert (wire.id, wire.party_id, wire.due, wire.amount) == (
        "s1:wire",
        "valence",
        AS_OF,
        D("155388.68"),
    )


def test_a_month_later_each_instrument_accrues_under_its_own_convention():
    # Loan, ACT/360 at 6.5%: 17,500,000 x 0.065 x 30/360 = 94,791.67 -> 1,235,162.08.
    # Notes, 30/360-US at 7.5% (Mar 31 counts as the 30th): 50,000.00 + 37,500.00 + 22,082.6675.
    made = reference_quote(as_of=MONTH_LATER)
    assert made.owed_interest == D("1235162.08")
    assert [line.interest for line in made.collateral] == [
        D("484250.00"),
        D("363187.50"),
        D("213900.10"),
    ]
    assert made.collateral_value == D("18594564.40")
    assert made.cash.amount == D("140597.68")  # 18,735,162.08 - 18,594,564.40


def test_surplus_goes_from_lender_to_borrower():
    # Note 1 taken at 8,700,000.00 instead of its 8,434,250.00: a gain of 265,750.00.
    made = reference_quote(values={"valence-note-1": D("8700000.00")})
    assert made.collateral[0].gain_or_loss == D("265750.00")
    assert made.collateral_value == D("18750731.73")
    assert (made.cash.amount, made.cash.payer_id, made.cash.payee_id) == (
        D("110361.32"),
        "berg",
        "valence",
    )
    wire = close_reference(made).obligations[-1]
    assert (wire.party_id, wire.amount) == ("berg", D("110361.32"))


def test_explicit_value_below_carrying_amount_is_a_loss_and_more_cash():
    made = reference_quote(values={"valence-note-2": D("6000000.00")})
    assert made.collateral[1].gain_or_loss == D("-325687.50")
    assert made.cash.amount == D("481076.18")  # 155,388.68 + 325,687.50


def test_collateral_worth_exactly_the_debt_moves_no_cash():
    made = reference_quote(values={"valence-note-1": D("8589638.68")})  # 8,434,250.00 + 155,388.68
    assert (made.cash.amount, made.cash.payer_id, made.cash.payee_id) == (D("0.00"), None, None)
    closing = close_reference(made)
    assert [o.kind for o in closing.obligations] == [ObligationKind.TERMINATION_STATEMENT]


def test_subset_of_notes():
    made = reference_quote(note_ids=["valence-note-1", "valence-note-2"])
    assert made.collateral_value == D("14759937.50")
    assert made.cash.amount == D("3880432.91")


def test_partial_satisfaction_leaves_the_rest_owed_and_the_pledge_in_place():
    made = reference_quote(note_ids=["valence-note-1"], partial=True)
    assert made.satisfaction is SatisfactionKind.PARTIAL
    assert (made.cash.amount, made.cash.payer_id) == (D("0.00"), None)
    assert made.remaining_debt == D("10206120.41")  # 18,640,370.41 - 8,434,250.00
    closing = close_reference(made)
    assert closing.loan_events == (Satisfaction(AS_OF, D("8434250.00"), "s1"),)
    assert closing.released_interest_ids == ()
    assert closing.obligations == ()
    assert [t.note_id for t in closing.note_transfers] == ["valence-note-1"]


# --- refusals --------------------------------------------------------------------------


def discharged_loan() -> Loan:
    loan = reference_loan()
    events = (*loan.events, Satisfaction(AS_OF, D("18640370.41"), "s0"), Discharge(AS_OF, "s0"))
    return dataclasses.replace(loan, events=events)


def test_quote_refusals():
    notes, interests = reference_notes(), [reference_interest()]
    refused("LOAN_DISCHARGED", quote, discharged_loan(), notes, interests, AS_OF)
    refused("UNKNOWN_NOTE", reference_quote, note_ids=["no-such-note"])
    refused("NO_COLLATERAL", quote, reference_loan(), notes, [], AS_OF)
    refused("NO_COLLATERAL", reference_quote, note_ids=[])
    refused("BEFORE_HISTORY", reference_quote, as_of=date(1990, 1, 1))
    refused("NEGATIVE_AMOUNT", reference_quote, values={"valence-note-1": D("-1.00")})
    refused("AMOUNT_NOT_IN_CENTS", reference_quote, values={"valence-note-1": D("1.001")})
    refused(
        "VALUE_FOR_UNASSIGNED_NOTE",
        reference_quote,
        note_ids=["valence-note-1"],
        values={"valence-note-2": D("1.00")},
    )
    refused(
        "PARTIAL_NOT_NEEDED",
        reference_quote,
        partial=True,
        values={"valence-note-1": D("8589638.68")},  # the collateral now covers the debt
    )
    refused("DUPLICATE_NOTE", reference_quote, note_ids=["valence-note-1", "valence-note-1"])
    refused("GOOD_THROUGH_BEFORE_AS_OF", reference_quote, good_through=date(2002, 3, 30))


def test_a_loan_that_owes_nothing_has_nothing_to_settle():
    loan = reference_loan()
    paid = dataclasses.replace(loan, events=(*loan.events, Payment(AS_OF, D("18640370.41"))))
    refused("NOTHING_OWED", quote, paid, reference_notes(), [reference_interest()], AS_OF)


def test_a_note_pledged_elsewhere_or_released_is_not_pledged():
    stranger = Note(
        "stranger-note",
        "someone",
        "valence",
        reference_notes()["valence-note-1"].terms,
        (OpeningBalance(AS_OF, D("1.00")),),
    )
    notes = {**reference_notes(), stranger.id: stranger}
    other = SecurityInterest("other", "other-loan", "berg", "valence", ("stranger-note",))
    refused(
        "NOTE_NOT_PLEDGED",
        quote,
        reference_loan(),
        notes,
        [reference_interest(), other],
        AS_OF,
        note_ids=["stranger-note"],
    )
    released = dataclasses.replace(reference_interest(), released_on=date(2002, 1, 1))
    refused("NO_COLLATERAL", quote, reference_loan(), reference_notes(), [released], AS_OF)
    refused(
        "NOTE_NOT_PLEDGED",
        quote,
        reference_loan(),
        reference_notes(),
        [released],
        AS_OF,
        note_ids=["valence-note-1"],
    )


def test_currency_and_holder_mismatches_are_refused():
    notes = reference_notes()
    euro = dataclasses.replace(
        notes["valence-note-1"],
        terms=dataclasses.replace(notes["valence-note-1"].terms, currency="EUR"),
    )
    refused(
        "CURRENCY_MISMATCH",
        quote,
        reference_loan(),
        {**notes, euro.id: euro},
        [reference_interest()],
        AS_OF,
    )
    held_by_berg = dataclasses.replace(notes["valence-note-2"], holder_id="berg")
    refused(
        "NOTE_NOT_HELD_BY_DEBTOR",
        quote,
        reference_loan(),
        {**notes, held_by_berg.id: held_by_berg},
        [reference_interest()],
        AS_OF,
    )


def test_close_refusals():
    made = reference_quote()
    common = {"settlement_id": "s1", "interests": [reference_interest()]}
    refused(
        "STALE_QUOTE", close, made, current_fingerprint="0" * 64, loan=reference_loan(), **common
    )
    refused(
        "LOAN_DISCHARGED",
        close,
        made,
        current_fingerprint=made.fingerprint,
        loan=discharged_loan(),
        **common,
    )
    paid_later = dataclasses.replace(
        reference_loan(), events=(*reference_loan().events, Payment(date(2002, 4, 5), D("1.00")))
    )
    stale_past = quote(paid_later, reference_notes(), [reference_interest()], AS_OF)
    refused(
        "BACKDATED_CLOSING",
        close,
        stale_past,
        current_fingerprint=stale_past.fingerprint,
        loan=paid_later,
        **common,
    )


# --- fingerprint and explanation -------------------------------------------------------


def test_fingerprint_is_recomputable_and_ignores_decimal_spelling():
    made = reference_quote()
    assert made.fingerprint == fingerprint_inputs(
        reference_loan(), reference_notes(), [reference_interest()], AS_OF
    )
    loan = reference_loan()
    respelled = dataclasses.replace(
        loan, terms=dataclasses.replace(loan.terms, annual_rate=D("0.0650"))
    )
    assert (
        quote(respelled, reference_notes(), [reference_interest()], AS_OF).fingerprint
        == made.fingerprint
    )


def test_fingerprint_changes_with_any_input():
    base = reference_quote().fingerprint
    notes = reference_notes()
    paid = dataclasses.replace(
        notes["valence-note-3"], events=(*notes["valence-note-3"].events, Payment(AS_OF, D("1.00")))
    )
    released_statement = dataclasses.replace(
        reference_interest(),
        financing_statements=(
            dataclasses.replace(reference_interest().financing_statements[0], terminated_on=AS_OF),
        ),
    )
    variants = [
        quote(reference_loan(), {**notes, paid.id: paid}, [reference_interest()], AS_OF),
        quote(reference_loan(), notes, [released_statement], AS_OF),
        reference_quote(as_of=MONTH_LATER),
        reference_quote(values={"valence-note-1": D("8434250.01")}),
        reference_quote(note_ids=["valence-note-1", "valence-note-2", "valence-note-3"]),
        reference_quote(note_ids=["valence-note-1"], partial=True),
    ]
    fingerprints = {made.fingerprint for made in variants}
    assert base not in fingerprints
    assert len(fingerprints) == len(variants)


def test_explanation_of_the_reference_quote():
    explained = explain(reference_quote())
    json.dumps(explained)  # JSON-ready as it stands
    assert explained["loan"]["rounding"] == {
        "mode": "half-up",
        "exact": "1140370.41000000000000000000",
        "cents": "1140370.41",
    }
    assert explained["cash"]["difference"] == "155388.68"
    assert explained["cash"]["cash"] == {"amount": "155388.68", "payer": "valence", "payee": "berg"}
    assert explained["per_diem"]["amount"] == "3159.72"
    assert explained["per_diem"]["good_through"] == "2002-04-10"


def test_explanation_a_month_later_shows_the_working():
    explained = explain(reference_quote(as_of=MONTH_LATER))
    [period] = explained["loan"]["periods"]
    assert period == {
        "start": "2002-03-31",
        "end": "2002-04-30",
        "days": 30,
        "day_count": "ACT/360",
        "year_fraction": "1/12",
        "annual_rate": "0.065",
        "principal": "17500000.00",
        "interest_exact": "284375/3",
        "interest_decimal": "94791.66666666666666666667",
        "default_interest": False,
    }
    assert explained["loan"]["interest_brought_forward_exact"] == "114037041/100"
    assert explained["loan"]["rounding"]["cents"] == "1235162.08"
    assert explained["notes"][2]["rounding"]["exact"] == "213900.09750000000000000000"


# --- the identity ----------------------------------------------------------------------

TERMS = Terms(D("0.065"), "ACT/360", "USD")
cents = st.integers(0, 10**10).map(lambda n: D(n) / 100)


@st.composite
def settlements(draw):
    opened = date(2020, 1, 1)
    loan = Loan(
        "loan",
        "lender",
        "borrower",
        dataclasses.replace(
            TERMS, day_count=draw(st.sampled_from(["ACT/360", "30/360-US", "ACT/ACT-ISDA"]))
        ),
        (OpeningBalance(opened, draw(cents) + D("0.01"), draw(cents)),),
    )
    count = draw(st.integers(1, 4))
    notes = {
        f"n{i}": Note(
            f"n{i}",
            "maker",
            "borrower",
            dataclasses.replace(TERMS, annual_rate=D(draw(st.integers(0, 1500))) / 10000),
            (OpeningBalance(opened, draw(cents), draw(cents)),),
        )
        for i in range(count)
    }
    interest = SecurityInterest("si", "loan", "lender", "borrower", tuple(notes))
    values = draw(st.dictionaries(st.sampled_from(sorted(notes)), cents, max_size=count))
    as_of = opened + timedelta(days=draw(st.integers(0, 800)))
    return loan, notes, interest, values, as_of, draw(st.booleans())


@settings(max_examples=150, deadline=None)
@given(settlements())
def test_owed_equals_value_plus_cash_plus_remaining(case):
    loan, notes, interest, values, as_of, partial = case
    try:
        made = quote(loan, notes, [interest], as_of, values=values, partial=partial)
    except AcquittanceError as error:
        assert error.code == "PARTIAL_NOT_NEEDED"
        return
    to_lender = made.cash.amount if made.cash.payee_id == "lender" else D(0)
    to_borrower = made.cash.amount if made.cash.payee_id == "borrower" else D(0)
    assert made.owed_total == made.collateral_value + to_lender - to_borrower + made.remaining_debt
    assert made.cash.amount >= 0
    assert made.remaining_debt >= 0
    assert (made.remaining_debt > 0) == partial
    closing = close(
        made,
        settlement_id="s",
        current_fingerprint=made.fingerprint,
        loan=loan,
        interests=[interest],
    )
    assert closing.loan_events[0].amount == made.owed_total - made.remaining_debt


def test_the_reference_fingerprint_is_the_one_stores_keep() -> None:
    # Known answers: a settlement's fingerprint is stored, so its text never changes.
    from acquittance.core.collateral import FinancingStatement

    interest = reference_interest()
    made = quote(reference_loan(), reference_notes(), [interest], AS_OF)
    assert made.fingerprint == "56ce7fc07a204a6c8c8df705649fcb56720ee70eab8f7280699d242bf459903d"
    filed = FinancingStatement("fs-1", "Delaware Secretary of State", "2001-123", date(2001, 3, 1))
    with_statement = dataclasses.replace(interest, financing_statements=(filed,))
    first = next(iter(reference_notes()))
    valued = quote(
        reference_loan(),
        reference_notes(),
        [with_statement],
        AS_OF,
        values={first: Decimal("1000000.50")},
    )
    assert valued.fingerprint == "a4208e3d4570a06541f7c8cf162c8765b7ce83c6bd28de3ef253bbfc24825f32"


def test_the_canonical_form_takes_each_type_by_what_it_is() -> None:
    from fractions import Fraction

    from acquittance.core.instruments import Compounding
    from acquittance.core.settlement import _canonical as canonical

    @dataclasses.dataclass(frozen=True)
    class Holder:
        amount: Decimal
        events: tuple[object, ...] = ()

    class Count(int):
        pass

    assert canonical(Decimal("17500000.00")) == canonical(Decimal("17500000")) == "17500000"
    assert canonical(Fraction(2, 4)) == "1/2"
    assert canonical(date(2002, 3, 31)) == "2002-03-31"
    assert canonical(Compounding.SIMPLE) == "simple"
    assert canonical({1: (Decimal("0.0650"), None, True)}) == {"1": ["0.065", None, True]}
    assert canonical(Count(3)) == 3
    assert canonical(Holder(Decimal("1.50"), (1,)), leave_out=("events",)) == {
        "type": "Holder",
        "amount": "1.5",
    }
    assert canonical(Holder(Decimal("1.50"), (1,)))["events"] == [1]
    for odd in (1.5, object(), Holder):
        with pytest.raises(TypeError, match="cannot fingerprint"):
            canonical(odd)

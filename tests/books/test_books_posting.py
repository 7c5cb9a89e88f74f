"""Posting rules: the reference settlement's known answers, the general cases, and invariants."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from books_factories import AS_OF, BERG, VALENCE, make_loan, make_note, make_quote, seal_all
from hypothesis import given
from hypothesis import strategies as st

from acquittance.books import (
    EntryDraft,
    EntryKind,
    check_balanced,
    loan_accrual,
    loan_advance,
    loan_opening,
    loan_payment,
    note_accrual,
    note_opening,
    note_payment,
    reversal,
    settlement,
    settlement_amounts,
)
from acquittance.books.entries import leg_sums
from acquittance.core.errors import InputError
from acquittance.core.instruments import Advance, Loan, OpeningBalance, Party, Payment
from acquittance.core.settlement_types import CashLeg, CollateralLine, Quote, SatisfactionKind

D = Decimal

cents = st.integers(min_value=0, max_value=10**13).map(lambda n: D(n) / 100)
positive_cents = st.integers(min_value=1, max_value=10**13).map(lambda n: D(n) / 100)


def signed(draft: EntryDraft) -> dict[str, Decimal]:
    """Account -> signed amount (each account appears at most once in these rules)."""
    accounts = [leg.account for leg in draft.legs]
    assert len(accounts) == len(set(accounts))
    return {leg.account: leg.amount for leg in draft.legs}


def debits(draft: EntryDraft) -> Decimal:
    return sum((leg.amount for leg in draft.legs if leg.amount > 0), D("0"))


def credits(draft: EntryDraft) -> Decimal:
    return -sum((leg.amount for leg in draft.legs if leg.amount < 0), D("0"))


def assert_balanced(draft: EntryDraft) -> None:
    check_balanced(draft)
    assert all(total == 0 for total in leg_sums(draft.legs).values())
    assert all(leg.amount != 0 for leg in draft.legs)


# --- the reference case ---------------------------------------------------------------------


def test_reference_settlement_posts_valence_books_exactly(
    reference_quote: Quote, berg: Party, valence: Party
) -> None:
    _, borrower_draft = settlement(reference_quote, berg, valence)
    assert borrower_draft.party_id == "valence"
    assert borrower_draft.kind is EntryKind.SETTLEMENT
    assert borrower_draft.date == date(2002, 3, 31)
    assert [(leg.account, leg.amount, leg.currency) for leg in borrower_draft.legs] == [
        ("Liabilities:LoanPayable:Berg", D("17500000.00"), "USD"),
        ("Liabilities:InterestPayable:Berg", D("1140370.41"), "USD"),
        ("Assets:NotesReceivable", D("-17533226.80"), "USD"),
        ("Assets:InterestReceivable:Notes", D("-951754.93"), "USD"),
        ("Assets:Cash", D("-155388.68"), "USD"),
    ]
    assert debits(borrower_draft) == credits(borrower_draft) == D("18640370.41")


def test_reference_settlement_posts_berg_books_exactly(
    reference_quote: Quote, berg: Party, valence: Party
) -> None:
    lender_draft, _ = settlement(reference_quote, berg, valence)
    assert lender_draft.party_id == "berg"
    assert [(leg.account, leg.amount, leg.currency) for leg in lender_draft.legs] == [
        ("Assets:NotesReceivable", D("17533226.80"), "USD"),
        ("Assets:InterestReceivable:Notes", D("951754.93"), "USD"),
        ("Assets:Cash", D("155388.68"), "USD"),
        ("Assets:LoanReceivable:Valence", D("-17500000.00"), "USD"),
        ("Assets:InterestReceivable:Valence", D("-1140370.41"), "USD"),
    ]
    assert debits(lender_draft) == credits(lender_draft) == D("18640370.41")


def test_reference_settlement_references_the_settlement_when_given(
    reference_quote: Quote,
) -> None:
    lender_draft, borrower_draft = settlement(
        reference_quote, BERG, VALENCE, settlement_id="settlement-1"
    )
    assert lender_draft.reference == borrower_draft.reference == "settlement-1"
    untagged, _ = settlement(reference_quote, BERG, VALENCE)
    assert untagged.reference == "berg-valence-loan"


def test_reference_settlement_amounts_apply_interest_first(reference_quote: Quote) -> None:
    amounts = settlement_amounts(reference_quote)
    assert amounts.interest_applied == D("1140370.41")
    assert amounts.principal_applied == D("17500000.00")
    assert amounts.adjustment == 0
    assert amounts.cash_to_lender == D("155388.68")
    assert amounts.cash_to_borrower == 0


# --- general settlement cases ---------------------------------------------------------------


def test_surplus_goes_to_the_borrower() -> None:
    # Debt 1,000.00; notes worth 1,200.00; the lender pays 200.00 back.
    line = CollateralLine("n1", "m", None, D("1100.00"), D("100.00"), D("1200.00"))
    quote = make_quote(
        owed_principal=D("900.00"),
        owed_interest=D("100.00"),
        lines=(line,),
        cash=CashLeg(D("200.00"), "berg", "valence"),
    )
    lender_draft, borrower_draft = settlement(quote, BERG, VALENCE)
    assert signed(lender_draft) == {
        "Assets:NotesReceivable": D("1100.00"),
        "Assets:InterestReceivable:Notes": D("100.00"),
        "Assets:Cash": D("-200.00"),
        "Assets:LoanReceivable:Valence": D("-900.00"),
        "Assets:InterestReceivable:Valence": D("-100.00"),
    }
    assert signed(borrower_draft) == {
        "Liabilities:LoanPayable:Berg": D("900.00"),
        "Liabilities:InterestPayable:Berg": D("100.00"),
        "Assets:NotesReceivable": D("-1100.00"),
        "Assets:InterestReceivable:Notes": D("-100.00"),
        "Assets:Cash": D("200.00"),
    }


def test_partial_satisfaction_relieves_interest_first_and_leaves_the_rest() -> None:
    # Owed 1,000.00 principal and 300.00 interest; notes worth 500.00, no cash.
    line = CollateralLine("n1", "m", None, D("450.00"), D("50.00"), D("500.00"))
    quote = make_quote(
        owed_principal=D("1000.00"),
        owed_interest=D("300.00"),
        lines=(line,),
        cash=CashLeg(D("0.00"), None, None),
        remaining_debt=D("800.00"),
        satisfaction=SatisfactionKind.PARTIAL,
    )
    lender_draft, borrower_draft = settlement(quote, BERG, VALENCE)
    assert signed(lender_draft) == {
        "Assets:NotesReceivable": D("450.00"),
        "Assets:InterestReceivable:Notes": D("50.00"),
        "Assets:LoanReceivable:Valence": D("-200.00"),
        "Assets:InterestReceivable:Valence": D("-300.00"),
    }
    assert signed(borrower_draft) == {
        "Liabilities:LoanPayable:Berg": D("200.00"),
        "Liabilities:InterestPayable:Berg": D("300.00"),
        "Assets:NotesReceivable": D("-450.00"),
        "Assets:InterestReceivable:Notes": D("-50.00"),
    }
    assert "partial satisfaction" in lender_draft.description


def test_partial_satisfaction_smaller_than_interest_touches_no_principal() -> None:
    line = CollateralLine("n1", "m", None, D("100.00"), D("0.00"), D("100.00"))
    quote = make_quote(
        owed_principal=D("1000.00"),
        owed_interest=D("300.00"),
        lines=(line,),
        cash=CashLeg(D("0.00"), None, None),
        remaining_debt=D("1200.00"),
        satisfaction=SatisfactionKind.PARTIAL,
    )
    lender_draft, borrower_draft = settlement(quote, BERG, VALENCE)
    assert "Assets:LoanReceivable:Valence" not in signed(lender_draft)
    assert signed(lender_draft)["Assets:InterestReceivable:Valence"] == D("-100.00")
    assert signed(borrower_draft) == {
        "Liabilities:InterestPayable:Berg": D("100.00"),
        "Assets:NotesReceivable": D("-100.00"),
    }


def test_collateral_taken_below_carrying_amount_is_a_loss_and_a_contra_asset() -> None:
    # Notes carried at 1,000.00 are taken at 900.00; the borrower pays 100.00 cash.
    line = CollateralLine("n1", "m", None, D("950.00"), D("50.00"), D("900.00"))
    quote = make_quote(
        owed_principal=D("1000.00"),
        owed_interest=D("0.00"),
        lines=(line,),
        cash=CashLeg(D("100.00"), "valence", "berg"),
    )
    lender_draft, borrower_draft = settlement(quote, BERG, VALENCE)
    assert signed(lender_draft) == {
        "Assets:NotesReceivable": D("950.00"),
        "Assets:InterestReceivable:Notes": D("50.00"),
        "Assets:NotesReceivable:ValuationAdjustment": D("-100.00"),
        "Assets:Cash": D("100.00"),
        "Assets:LoanReceivable:Valence": D("-1000.00"),
    }
    assert signed(borrower_draft) == {
        "Liabilities:LoanPayable:Berg": D("1000.00"),
        "Assets:NotesReceivable": D("-950.00"),
        "Assets:InterestReceivable:Notes": D("-50.00"),
        "Assets:Cash": D("-100.00"),
        "Expenses:LossOnSettlement": D("100.00"),
    }


@pytest.mark.parametrize(
    ("value", "gain_account", "gain_amount"),
    [
        (D("1000.00"), "Income:GainOnSettlement", D("-50.00")),
        (D("850.00"), "Expenses:LossOnSettlement", D("100.00")),
    ],
)
def test_value_other_than_carrying_amount_books_gain_or_loss(
    value: Decimal, gain_account: str, gain_amount: Decimal
) -> None:
    # Notes carried at 950.00 (900.00 + 50.00 interest); the debt is exactly their value.
    line = CollateralLine("n1", "m", None, D("900.00"), D("50.00"), value)
    quote = make_quote(
        owed_principal=value,
        owed_interest=D("0.00"),
        lines=(line,),
        cash=CashLeg(D("0.00"), None, None),
    )
    lender_draft, borrower_draft = settlement(quote, BERG, VALENCE)
    assert signed(borrower_draft)[gain_account] == gain_amount
    adjustment = signed(lender_draft)["Assets:NotesReceivable:ValuationAdjustment"]
    assert adjustment == value - D("950.00")
    # The lender's net carrying amount of the notes is the value it took them at.
    lender = signed(lender_draft)
    assert (
        lender["Assets:NotesReceivable"] + lender["Assets:InterestReceivable:Notes"] + adjustment
        == value
    )


def test_quote_that_does_not_reconcile_is_refused_naming_the_difference() -> None:
    quote = make_quote(cash=CashLeg(D("155388.00"), "valence", "berg"))
    with pytest.raises(InputError) as raised:
        settlement(quote, BERG, VALENCE)
    assert raised.value.code == "QUOTE_DOES_NOT_RECONCILE"
    assert "0.68" in raised.value.message


def test_cash_between_strangers_is_refused() -> None:
    quote = make_quote(cash=CashLeg(D("155388.68"), "valence", "someone-else"))
    with pytest.raises(InputError) as raised:
        settlement(quote, BERG, VALENCE)
    assert raised.value.code == "INVALID_CASH_LEG"


def test_settlement_refuses_the_wrong_parties(reference_quote: Quote) -> None:
    with pytest.raises(InputError) as raised:
        settlement(reference_quote, VALENCE, BERG)
    assert raised.value.code == "PARTY_MISMATCH"


@pytest.mark.parametrize(
    ("remaining", "kind"),
    [(D("10.00"), SatisfactionKind.FULL), (D("0.00"), SatisfactionKind.PARTIAL)],
)
def test_satisfaction_kind_must_match_the_remaining_debt(
    remaining: Decimal, kind: SatisfactionKind
) -> None:
    quote = make_quote(remaining_debt=remaining, satisfaction=kind)
    with pytest.raises(InputError) as raised:
        settlement(quote, BERG, VALENCE)
    assert raised.value.code == "SATISFACTION_MISMATCH"


def test_remaining_debt_above_what_is_owed_is_refused() -> None:
    quote = make_quote(remaining_debt=D("20000000.00"), satisfaction=SatisfactionKind.PARTIAL)
    with pytest.raises(InputError) as raised:
        settlement(quote, BERG, VALENCE)
    assert raised.value.code == "REMAINING_DEBT_EXCEEDS_OWED"


def test_sub_cent_quote_figures_are_refused() -> None:
    quote = make_quote(owed_interest=D("1140370.405"))
    with pytest.raises(InputError) as raised:
        settlement(quote, BERG, VALENCE)
    assert raised.value.code == "AMOUNT_NOT_IN_CENTS"


@st.composite
def settlement_quotes(draw: st.DrawFn) -> Quote:
    """A consistent quote: random notes and values, then cash or remaining debt to balance."""
    count = draw(st.integers(min_value=1, max_value=4))
    lines = tuple(
        CollateralLine(f"n{index}", "m", None, draw(cents), draw(cents), draw(cents))
        for index in range(count)
    )
    value = sum((line.value for line in lines), D("0.00"))
    owed_principal, owed_interest = draw(cents), draw(cents)
    owed = owed_principal + owed_interest
    cash = CashLeg(D("0.00"), None, None)
    remaining = D("0.00")
    if owed > value and draw(st.booleans()):
        remaining = owed - value
    elif owed > value:
        cash = CashLeg(owed - value, "valence", "berg")
    elif value > owed:
        cash = CashLeg(value - owed, "berg", "valence")
    kind = SatisfactionKind.PARTIAL if remaining else SatisfactionKind.FULL
    return make_quote(
        owed_principal=owed_principal,
        owed_interest=owed_interest,
        lines=lines,
        cash=cash,
        remaining_debt=remaining,
        satisfaction=kind,
    )


@given(settlement_quotes())
def test_every_consistent_settlement_balances_in_both_books(quote: Quote) -> None:
    try:
        drafts = settlement(quote, BERG, VALENCE)
    except InputError as error:
        # Only an all-zero quote posts nothing; it is refused rather than posted empty.
        assert error.code == "NOTHING_TO_SETTLE"
        assert quote.owed_total == quote.collateral_carrying_amount == quote.collateral_value == 0
        return
    lender_draft, borrower_draft = drafts
    for draft in drafts:
        assert_balanced(draft)
    amounts = settlement_amounts(quote)
    assert amounts.applied == quote.owed_total - quote.remaining_debt
    assert amounts.interest_applied == min(quote.owed_interest, amounts.applied)
    # What the lender relieves is exactly what the borrower relieves.
    lender, borrower = signed(lender_draft), signed(borrower_draft)
    assert lender.get("Assets:LoanReceivable:Valence", 0) == -borrower.get(
        "Liabilities:LoanPayable:Berg", 0
    )
    assert lender.get("Assets:InterestReceivable:Valence", 0) == -borrower.get(
        "Liabilities:InterestPayable:Berg", 0
    )
    # Cash and notes move between the books, never appear or vanish.
    assert lender.get("Assets:Cash", 0) == -borrower.get("Assets:Cash", 0)
    assert lender.get("Assets:NotesReceivable", 0) == -borrower.get("Assets:NotesReceivable", 0)
    gain = -borrower.get("Income:GainOnSettlement", 0) - borrower.get(
        "Expenses:LossOnSettlement", 0
    )
    assert gain == lender.get("Assets:NotesReceivable:ValuationAdjustment", 0)


# --- loans and notes ------------------------------------------------------------------------


def test_loan_opening_mirrors_receivables_and_payables(loan: Loan) -> None:
    lender_draft, borrower_draft = loan_opening(
        loan,
        OpeningBalance(AS_OF, D("17500000.00"), D("1140370.41")),
        lender=BERG,
        borrower=VALENCE,
    )
    assert signed(lender_draft) == {
        "Assets:LoanReceivable:Valence": D("17500000.00"),
        "Assets:InterestReceivable:Valence": D("1140370.41"),
        "Equity:OpeningBalances": D("-18640370.41"),
    }
    assert signed(borrower_draft) == {
        "Equity:OpeningBalances": D("18640370.41"),
        "Liabilities:LoanPayable:Berg": D("-17500000.00"),
        "Liabilities:InterestPayable:Berg": D("-1140370.41"),
    }
    assert lender_draft.kind is EntryKind.OPENING
    assert lender_draft.reference == "berg-valence-loan"
    assert "Loan Agreement dated 2001-02-24" in lender_draft.description


def test_opening_without_interest_omits_the_interest_leg(loan: Loan) -> None:
    lender_draft, _ = loan_opening(
        loan, OpeningBalance(AS_OF, D("100.00")), lender=BERG, borrower=VALENCE
    )
    assert [leg.account for leg in lender_draft.legs] == [
        "Assets:LoanReceivable:Valence",
        "Equity:OpeningBalances",
    ]


def test_note_opening_books_the_holder(valence: Party) -> None:
    (draft,) = note_opening(
        make_note("valence-note-1"),
        OpeningBalance(AS_OF, D("8000000.00"), D("434250.00")),
        holder=valence,
    )
    assert signed(draft) == {
        "Assets:NotesReceivable": D("8000000.00"),
        "Assets:InterestReceivable:Notes": D("434250.00"),
        "Equity:OpeningBalances": D("-8434250.00"),
    }


def test_advance_moves_cash_against_the_loan(loan: Loan) -> None:
    lender_draft, borrower_draft = loan_advance(
        loan, Advance(AS_OF, D("250.00")), lender=BERG, borrower=VALENCE
    )
    assert signed(lender_draft) == {
        "Assets:LoanReceivable:Valence": D("250.00"),
        "Assets:Cash": D("-250.00"),
    }
    assert signed(borrower_draft) == {
        "Assets:Cash": D("250.00"),
        "Liabilities:LoanPayable:Berg": D("-250.00"),
    }


def test_payment_is_split_into_interest_and_principal(loan: Loan) -> None:
    lender_draft, borrower_draft = loan_payment(
        loan,
        Payment(AS_OF, D("1000.00")),
        interest=D("300.00"),
        principal=D("700.00"),
        lender=BERG,
        borrower=VALENCE,
    )
    assert signed(lender_draft) == {
        "Assets:Cash": D("1000.00"),
        "Assets:InterestReceivable:Valence": D("-300.00"),
        "Assets:LoanReceivable:Valence": D("-700.00"),
    }
    assert signed(borrower_draft) == {
        "Liabilities:InterestPayable:Berg": D("300.00"),
        "Liabilities:LoanPayable:Berg": D("700.00"),
        "Assets:Cash": D("-1000.00"),
    }


def test_payment_whose_parts_do_not_add_up_is_refused(loan: Loan) -> None:
    with pytest.raises(InputError) as raised:
        loan_payment(
            loan,
            Payment(AS_OF, D("1000.00")),
            interest=D("300.00"),
            principal=D("600.00"),
            lender=BERG,
            borrower=VALENCE,
        )
    assert raised.value.code == "PAYMENT_SPLIT_MISMATCH"


def test_loan_accrual_books_income_and_expense(loan: Loan) -> None:
    lender_draft, borrower_draft = loan_accrual(
        loan, as_of=date(2002, 4, 30), interest=D("94791.67"), lender=BERG, borrower=VALENCE
    )
    assert signed(lender_draft) == {
        "Assets:InterestReceivable:Valence": D("94791.67"),
        "Income:Interest": D("-94791.67"),
    }
    assert signed(borrower_draft) == {
        "Expenses:Interest": D("94791.67"),
        "Liabilities:InterestPayable:Berg": D("-94791.67"),
    }
    assert lender_draft.date == date(2002, 4, 30)


def test_note_accrual_and_payment_book_the_holder(valence: Party) -> None:
    note = make_note("valence-note-1")
    (accrual,) = note_accrual(note, as_of=date(2002, 4, 30), interest=D("50000.00"), holder=valence)
    assert signed(accrual) == {
        "Assets:InterestReceivable:Notes": D("50000.00"),
        "Income:Interest": D("-50000.00"),
    }
    (payment,) = note_payment(
        note,
        Payment(date(2002, 5, 1), D("60000.00")),
        interest=D("50000.00"),
        principal=D("10000.00"),
        holder=valence,
    )
    assert signed(payment) == {
        "Assets:Cash": D("60000.00"),
        "Assets:InterestReceivable:Notes": D("-50000.00"),
        "Assets:NotesReceivable": D("-10000.00"),
    }


def test_zero_amounts_affect_nobody(loan: Loan) -> None:
    assert loan_accrual(loan, as_of=AS_OF, interest=D("0.00"), lender=BERG, borrower=VALENCE) == ()
    assert loan_advance(loan, Advance(AS_OF, D("0")), lender=BERG, borrower=VALENCE) == ()


@pytest.mark.parametrize(
    ("amount", "code"),
    [(D("-1.00"), "NEGATIVE_AMOUNT"), (D("1.001"), "AMOUNT_NOT_IN_CENTS")],
)
def test_bad_amounts_are_refused(loan: Loan, amount: Decimal, code: str) -> None:
    with pytest.raises(InputError) as raised:
        loan_advance(loan, Advance(AS_OF, amount), lender=BERG, borrower=VALENCE)
    assert raised.value.code == code


def test_float_amounts_are_refused(loan: Loan) -> None:
    event = Advance(AS_OF, 1.5)  # type: ignore[arg-type]
    with pytest.raises(InputError) as raised:
        loan_advance(loan, event, lender=BERG, borrower=VALENCE)
    assert raised.value.code == "FLOAT_AMOUNT"


def test_rules_refuse_parties_the_loan_does_not_name(loan: Loan, valence: Party) -> None:
    with pytest.raises(InputError) as raised:
        loan_advance(loan, Advance(AS_OF, D("1.00")), lender=valence, borrower=valence)
    assert raised.value.code == "PARTY_MISMATCH"
    with pytest.raises(InputError) as raised:
        note_accrual(make_note("n", holder_id="berg"), as_of=AS_OF, interest=D("1"), holder=valence)
    assert raised.value.code == "PARTY_MISMATCH"


@given(principal=cents, interest=cents)
def test_opening_drafts_balance_for_any_amounts(principal: Decimal, interest: Decimal) -> None:
    event = OpeningBalance(AS_OF, principal, interest)
    drafts = loan_opening(make_loan(), event, lender=BERG, borrower=VALENCE)
    drafts += note_opening(make_note("n"), event, holder=VALENCE)
    assert len(drafts) == (3 if principal + interest else 0)
    for draft in drafts:
        assert_balanced(draft)


@given(amount=cents, interest=cents)
def test_flow_drafts_balance_for_any_amounts(amount: Decimal, interest: Decimal) -> None:
    loan = make_loan()
    interest = min(interest, amount)
    drafts = (
        loan_advance(loan, Advance(AS_OF, amount), lender=BERG, borrower=VALENCE)
        + loan_payment(
            loan,
            Payment(AS_OF, amount),
            interest=interest,
            principal=amount - interest,
            lender=BERG,
            borrower=VALENCE,
        )
        + loan_accrual(loan, as_of=AS_OF, interest=interest, lender=BERG, borrower=VALENCE)
        + note_accrual(make_note("n"), as_of=AS_OF, interest=interest, holder=VALENCE)
        + note_payment(
            make_note("n"),
            Payment(AS_OF, amount),
            interest=interest,
            principal=amount - interest,
            holder=VALENCE,
        )
    )
    for draft in drafts:
        assert_balanced(draft)


@given(amount=positive_cents)
def test_reversal_undoes_an_entry(amount: Decimal) -> None:
    (entry, _) = seal_all(
        loan_advance(make_loan(), Advance(AS_OF, amount), lender=BERG, borrower=VALENCE)
    )
    undo = reversal(entry, on=date(2002, 4, 1), reason="posted twice")
    assert_balanced(undo)
    assert undo.kind is EntryKind.REVERSAL
    assert undo.reference == entry.id
    totals: dict[str, Decimal] = {}
    for leg in entry.legs + undo.legs:
        totals[leg.account] = totals.get(leg.account, D("0")) + leg.amount
    assert set(totals.values()) == {0}


def test_reversal_cannot_predate_its_entry() -> None:
    (entry, _) = seal_all(
        loan_advance(make_loan(), Advance(AS_OF, D("5.00")), lender=BERG, borrower=VALENCE)
    )
    with pytest.raises(InputError) as raised:
        reversal(entry, on=date(2002, 3, 30), reason="typo")
    assert raised.value.code == "REVERSAL_BEFORE_ENTRY"

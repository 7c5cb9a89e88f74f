"""build_context: the reference figures, and the quotes it refuses to draft."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from drafting_factories import (
    BERG,
    LOAN,
    NOTES,
    VALENCE,
    context_of,
    reference_quote,
    surplus_quote,
)

from acquittance.agreements.drafting import CashDirection, build_context
from acquittance.core.errors import AcquittanceError
from acquittance.core.settlement_types import CashLeg, SatisfactionKind


def test_reference_context_carries_every_figure_of_the_quote() -> None:
    context = context_of(reference_quote())
    assert context.effective_date == date(2002, 3, 31)
    assert (context.lender.name, context.borrower.name) == (BERG.name, VALENCE.name)
    assert context.loan_agreement_date == date(2001, 2, 24)
    assert context.owed_principal == Decimal("17500000.00")
    assert context.owed_interest == Decimal("1140370.41")
    assert context.collateral_principal == Decimal("17533226.80")
    assert context.collateral_interest == Decimal("951754.93")
    assert context.collateral_value == Decimal("18484981.73")
    assert context.cash_amount == Decimal("155388.68")
    assert context.cash_direction is CashDirection.TO_LENDER
    assert (context.cash_payer, context.cash_payee) == (VALENCE, BERG)
    assert context.remaining_debt == Decimal("0.00")
    assert not context.value_differs


def test_reference_context_lists_each_note_with_totals() -> None:
    context = context_of(reference_quote())
    assert [row.maker for row in context.notes] == [note.maker for note in NOTES.values()]
    assert sum(row.principal for row in context.notes) == context.collateral_principal
    assert sum(row.interest for row in context.notes) == context.collateral_interest
    assert context.notes[0].issue_date == date(1998, 6, 30)
    assert context.notes_description == "mortgage notes receivable"


def test_surplus_context_sends_the_cash_to_the_borrower() -> None:
    context = context_of(surplus_quote())
    assert context.cash_direction is CashDirection.TO_BORROWER
    assert (context.cash_payer, context.cash_payee) == (BERG, VALENCE)
    assert context.value_differs


def _code(quote: object, **options: object) -> str:
    with pytest.raises(AcquittanceError) as raised:
        context_of(quote, **options)  # type: ignore[arg-type]
    return raised.value.code


def test_a_quote_that_does_not_balance_is_refused() -> None:
    quote = replace(reference_quote(), owed_interest=Decimal("1140370.40"))
    assert _code(quote) == "QUOTE_UNBALANCED"


def test_a_full_satisfaction_that_leaves_debt_is_refused() -> None:
    quote = replace(
        reference_quote(),
        cash=CashLeg(Decimal("155388.67"), "valence", "berg"),
        remaining_debt=Decimal("0.01"),
    )
    assert _code(quote) == "SATISFACTION_MISMATCH"


def test_a_partial_satisfaction_that_leaves_no_debt_is_refused() -> None:
    quote = replace(reference_quote(), satisfaction=SatisfactionKind.PARTIAL)
    assert _code(quote) == "SATISFACTION_MISMATCH"


def test_cash_between_strangers_is_refused() -> None:
    quote = replace(reference_quote(), cash=CashLeg(Decimal("155388.68"), "valence", "someone"))
    assert _code(quote) == "CASH_PARTIES_MISMATCH"


def test_a_negative_figure_is_refused() -> None:
    quote = replace(
        reference_quote(),
        owed_interest=Decimal("-1.00"),
        cash=CashLeg(Decimal("-1140372.41") + Decimal("155388.68"), "valence", "berg"),
    )
    assert _code(quote) == "NEGATIVE_AMOUNT"


def test_a_missing_party_is_refused() -> None:
    with pytest.raises(AcquittanceError) as raised:
        build_context(
            reference_quote(),
            parties={"berg": BERG},
            loan=LOAN,
            notes=NOTES,
            governing_law="California",
        )
    assert raised.value.code == "PARTY_NOT_FOUND"
    assert "valence" in raised.value.message


def test_a_quote_for_another_loan_is_refused() -> None:
    quote = replace(reference_quote(), loan_id="other-loan")
    assert _code(quote) == "LOAN_MISMATCH"


def test_an_empty_governing_law_is_refused() -> None:
    assert _code(reference_quote(), governing_law="  ") == "MISSING_TEXT"

"""Trial balance and account history, derived from the journal."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from books_factories import AS_OF, BERG, VALENCE, make_loan, make_note, make_quote, seal_all
from hypothesis import given
from hypothesis import strategies as st

from acquittance.books import (
    EntryDraft,
    EntryKind,
    JournalEntry,
    Leg,
    account_history,
    chart_of_accounts,
    loan_accrual,
    loan_advance,
    loan_opening,
    loan_payment,
    note_opening,
    settlement,
    trial_balance,
)
from acquittance.books.entries import leg_sums
from acquittance.core.errors import InputError
from acquittance.core.instruments import Advance, OpeningBalance, Payment

D = Decimal


def reference_books() -> list[JournalEntry]:
    """Openings of the loan and the three notes, then the settlement, in both books."""
    loan = make_loan()
    drafts = loan_opening(
        loan,
        OpeningBalance(AS_OF, D("17500000.00"), D("1140370.41")),
        lender=BERG,
        borrower=VALENCE,
    )
    for note_id, principal, interest in (
        ("valence-note-1", D("8000000.00"), D("434250.00")),
        ("valence-note-2", D("6000000.00"), D("325687.50")),
        ("valence-note-3", D("3533226.80"), D("191817.43")),
    ):
        drafts += note_opening(
            make_note(note_id), OpeningBalance(AS_OF, principal, interest), holder=VALENCE
        )
    drafts += settlement(make_quote(), BERG, VALENCE)
    return seal_all(drafts)


def book(journal: list[JournalEntry], party_id: str) -> list[JournalEntry]:
    return [entry for entry in journal if entry.party_id == party_id]


def test_valence_trial_balance_after_the_reference_settlement() -> None:
    valence_book = book(reference_books(), "valence")
    balance = trial_balance(valence_book, chart=chart_of_accounts(VALENCE, [BERG]))
    rows = {row.account: row for row in balance.rows}
    # The loan and the notes are gone; opening equity less the cash paid is what is left.
    assert rows["Liabilities:LoanPayable:Berg"].balance == 0
    assert rows["Liabilities:InterestPayable:Berg"].balance == 0
    assert rows["Assets:NotesReceivable"].balance == 0
    assert rows["Assets:InterestReceivable:Notes"].balance == 0
    assert rows["Assets:Cash"].credit == D("155388.68")
    assert rows["Equity:OpeningBalances"].debit == D("155388.68")
    assert rows["Liabilities:LoanPayable:Berg"].display_name == "Loan payable — Berg"
    assert balance.total_debit == balance.total_credit == D("155388.68")
    assert balance.currency == "USD"
    assert balance.party_id == "valence"


def test_berg_trial_balance_after_the_reference_settlement() -> None:
    balance = trial_balance(book(reference_books(), "berg"), include_zero=False)
    assert [(row.account, row.debit, row.credit) for row in balance.rows] == [
        ("Assets:Cash", D("155388.68"), D("0.00")),
        ("Assets:InterestReceivable:Notes", D("951754.93"), D("0.00")),
        ("Assets:NotesReceivable", D("17533226.80"), D("0.00")),
        ("Equity:OpeningBalances", D("0.00"), D("18640370.41")),
    ]
    assert balance.total_debit == balance.total_credit == D("18640370.41")


def test_trial_balance_as_of_an_earlier_date_leaves_later_entries_out() -> None:
    journal = book(reference_books(), "berg")
    later = [replace(entry, date=entry.date.replace(year=2003)) for entry in journal[1:]]
    # Re-dating breaks the chain, but reports read balances, not hashes.
    balance = trial_balance([journal[0], *later], as_of=AS_OF)
    assert {row.account for row in balance.rows} == {
        "Assets:LoanReceivable:Valence",
        "Assets:InterestReceivable:Valence",
        "Equity:OpeningBalances",
    }


def test_empty_journal_has_an_empty_trial_balance() -> None:
    balance = trial_balance([])
    assert balance.rows == ()
    assert balance.total_debit == balance.total_credit == 0
    assert balance.currency is None


def test_reports_cover_one_party_and_one_currency() -> None:
    journal = reference_books()
    with pytest.raises(InputError) as raised:
        trial_balance(journal)
    assert raised.value.code == "MIXED_PARTIES"
    euros = EntryDraft(
        "berg",
        AS_OF,
        EntryKind.ADVANCE,
        "euro advance",
        (Leg("Assets:Cash", D("1.00"), "EUR"), Leg("Equity:OpeningBalances", D("-1.00"), "EUR")),
    )
    mixed = seal_all([*(entry.draft for entry in book(journal, "berg")), euros])
    with pytest.raises(InputError) as raised:
        trial_balance(mixed)
    assert raised.value.code == "MIXED_CURRENCIES"
    assert trial_balance(mixed, currency="EUR").total_debit == D("1.00")


def test_account_history_runs_the_balance() -> None:
    loan = make_loan()
    drafts = (
        loan_advance(loan, Advance(AS_OF, D("1000.00")), lender=BERG, borrower=VALENCE)
        + loan_accrual(loan, as_of=AS_OF, interest=D("12.34"), lender=BERG, borrower=VALENCE)
        + loan_payment(
            loan,
            Payment(AS_OF, D("112.34")),
            interest=D("12.34"),
            principal=D("100.00"),
            lender=BERG,
            borrower=VALENCE,
        )
    )
    history = account_history(book(seal_all(drafts), "valence"), "Liabilities:LoanPayable:Berg")
    assert [(row.kind, row.amount, row.balance) for row in history] == [
        (EntryKind.ADVANCE, D("-1000.00"), D("-1000.00")),
        (EntryKind.PAYMENT, D("100.00"), D("-900.00")),
    ]
    assert [row.sequence for row in history] == [1, 3]
    assert account_history(book(seal_all(drafts), "valence"), "Assets:Unused") == ()


legs_strategy = st.lists(
    st.tuples(
        st.sampled_from(["Assets:Cash", "Income:Interest", "Expenses:Interest", "Liabilities:X"]),
        st.integers(min_value=-(10**9), max_value=10**9).filter(bool).map(lambda n: D(n) / 100),
    ),
    min_size=1,
    max_size=6,
)


@given(st.lists(legs_strategy, min_size=0, max_size=8))
def test_trial_balance_totals_are_always_equal(entries: list[list[tuple[str, Decimal]]]) -> None:
    drafts = []
    for lines in entries:
        legs = [Leg(account, amount, "USD") for account, amount in lines]
        total = leg_sums(legs).get("USD", D("0"))
        if total:
            legs.append(Leg("Equity:OpeningBalances", -total, "USD"))
        if len(legs) >= 2:
            drafts.append(EntryDraft("berg", AS_OF, EntryKind.OPENING, "random", tuple(legs)))
    balance = trial_balance(seal_all(drafts))
    assert balance.total_debit == balance.total_credit
    assert sum((row.balance for row in balance.rows), D("0")) == 0
    for row in balance.rows:
        assert row.debit - row.credit == row.balance
        assert min(row.debit, row.credit) == 0

"""The default chart of accounts: Beancount-valid names and names for people."""

from __future__ import annotations

import pytest
from beancount.core import account as beancount_account
from books_factories import BERG, VALENCE, make_party
from hypothesis import given
from hypothesis import strategies as st

from acquittance.books import chart_of_accounts, check_account_name, counterparty_segment
from acquittance.books.accounts import (
    interest_payable,
    interest_receivable,
    loan_payable,
    loan_receivable,
)
from acquittance.core.errors import InputError


@pytest.mark.parametrize(
    ("short_name", "segment"),
    [
        ("Berg", "Berg"),
        ("Berg & Berg", "Berg-Berg"),
        ("3M", "3M"),
        ("élan", "Elan"),
        ("Société Générale", "Societe-Generale"),
        ("O'Brien Capital", "OBrien-Capital"),
        ("  valence  technology ", "Valence-Technology"),
        ("AT&T", "AT-T"),
        ("Notes", "Notes-Party"),
    ],
)
def test_counterparty_segment_is_beancount_safe(short_name: str, segment: str) -> None:
    party = make_party("p-1", short_name)
    assert counterparty_segment(party) == segment
    assert beancount_account.is_valid(loan_receivable(party))


def test_counterparty_without_latin_letters_falls_back_to_its_id() -> None:
    assert counterparty_segment(make_party("kabushiki-1", "日本")) == "Kabushiki-1"


def test_counterparty_with_no_usable_name_is_refused() -> None:
    with pytest.raises(InputError) as raised:
        counterparty_segment(make_party("株", "日本"))
    assert raised.value.code == "INVALID_COUNTERPARTY_NAME"


@given(st.text(min_size=1, max_size=80))
def test_any_short_name_gives_a_valid_account_or_a_clear_error(short_name: str) -> None:
    party = make_party("x", short_name)
    for account in (
        loan_receivable(party),
        interest_receivable(party),
        loan_payable(party),
        interest_payable(party),
    ):
        assert beancount_account.is_valid(account)
        assert check_account_name(account) == account


def test_reference_chart_has_the_accounts_and_names_of_the_reference_books() -> None:
    chart = chart_of_accounts(VALENCE, [BERG])
    names = dict((account.name, account.display_name) for account in chart.accounts)
    assert names["Liabilities:LoanPayable:Berg"] == "Loan payable — Berg"
    assert names["Liabilities:InterestPayable:Berg"] == "Interest payable — Berg"
    assert names["Assets:NotesReceivable"] == "Mortgage notes receivable"
    assert names["Assets:InterestReceivable:Notes"] == "Interest receivable — notes"
    assert names["Assets:Cash"] == "Cash"
    assert names["Equity:OpeningBalances"] == "Opening balances"
    assert names["Assets:NotesReceivable:ValuationAdjustment"].startswith("Notes receivable")
    berg_chart = chart_of_accounts(BERG, [VALENCE, BERG, VALENCE])
    assert berg_chart.display_name("Assets:LoanReceivable:Valence") == "Loan receivable — Valence"
    assert berg_chart.display_name("Assets:InterestReceivable:Valence") == (
        "Interest receivable — Valence"
    )
    assert len(berg_chart.names()) == len(set(berg_chart.names()))
    assert not any(name.endswith(":Berg") for name in berg_chart.names())


def test_every_chart_account_is_valid_for_beancount_and_in_report_order() -> None:
    chart = chart_of_accounts(BERG, [VALENCE, make_party("m", "3M")])
    for account in chart.accounts:
        assert beancount_account.is_valid(account.name), account.name
    roots = [account.type.value for account in chart.accounts]
    order = ["Assets", "Liabilities", "Equity", "Income", "Expenses"]
    assert roots == sorted(roots, key=order.index)


def test_display_name_of_a_counterparty_keeps_its_short_name() -> None:
    chart = chart_of_accounts(VALENCE, [make_party("bb", "Berg & Berg")])
    assert chart.display_name("Liabilities:LoanPayable:Berg-Berg") == "Loan payable — Berg & Berg"
    # Without a chart the name is derived from the account alone.
    assert chart.display_name("Assets:Escrow:HeldFunds") == "Held funds"


def test_two_counterparties_with_one_segment_are_refused() -> None:
    with pytest.raises(InputError) as raised:
        chart_of_accounts(BERG, [make_party("a", "Berg & Berg"), make_party("b", "Berg-Berg")])
    assert raised.value.code == "ACCOUNT_NAME_COLLISION"


@pytest.mark.parametrize(
    "name",
    ["Cash", "Assets", "assets:Cash", "Assets:cash", "Assets:Ca$h", "Assets::Cash", "Other:X"],
)
def test_invalid_account_names_are_refused(name: str) -> None:
    with pytest.raises(InputError) as raised:
        check_account_name(name)
    assert raised.value.code == "INVALID_ACCOUNT"

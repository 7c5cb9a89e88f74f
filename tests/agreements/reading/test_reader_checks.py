"""The checks a reviewer makes: directions of payments, collateral figures, totals, dates."""

from __future__ import annotations

from typing import Any

from acquittance.agreements.reading import read_text, to_dict

PREAMBLE = (
    "LOAN SATISFACTION AGREEMENT\n\nThis Loan Satisfaction Agreement is made as of March 1, "
    "2020 by and between Alder Lending LLC, a Delaware limited liability company "
    '("Lender"), and Birch Borrowing Inc., a Delaware corporation ("Borrower").\n\n'
)
DEBT = (
    "1. Borrower owes Lender under the Loan an outstanding principal balance of $500,000.00 "
    "and accrued interest of $20,000.00.\n\n"
    '2. Borrower pledged to Lender promissory notes (the "Pledged Notes"). The Pledged Notes '
    "have an outstanding principal balance of $360,000.00 and accrued interest of "
    "$10,000.00. Borrower hereby assigns the Pledged Notes to Lender in full satisfaction "
    "of the Loan.\n\n"
)


def _read(body: str) -> dict[str, Any]:
    document: dict[str, Any] = to_dict(read_text(PREAMBLE + body))
    return document


def _roles(document: dict[str, Any]) -> dict[str, str]:
    return {a["value"]: a["role"] for a in document["amounts"]}


def test_the_collateral_notes_own_principal_and_interest_are_collateral() -> None:
    roles = _roles(_read(DEBT))
    assert roles["500000.00"] == "debt_principal"
    assert roles["20000.00"] == "debt_interest"
    assert roles["360000.00"] == "collateral_principal"
    assert roles["10000.00"] == "collateral_interest"


def test_a_creditor_that_shall_receive_from_the_debtor_is_paid_and_balances() -> None:
    document = _read(
        DEBT + "3. On the Closing Date Lender shall receive $150,000.00 from Borrower."
    )
    assert _roles(document)["150000.00"] == "cash_to_creditor"
    assert document["reconciliation"]["status"] == "balanced"


def test_a_debtor_that_shall_receive_from_the_creditor_is_never_read_as_balanced() -> None:
    document = _read(
        DEBT + "3. On the Closing Date Borrower shall receive $150,000.00 from Lender."
    )
    assert _roles(document)["150000.00"] == "cash_to_debtor"
    assert document["reconciliation"]["status"] == "unbalanced"
    assert document["reconciliation"]["difference"] == "300000.00"


def test_a_payment_no_rule_can_place_is_unknown_and_counts_for_neither_side() -> None:
    document = _read(DEBT + "3. A payment of $150,000.00 shall be made on the Closing Date.")
    assert _roles(document)["150000.00"] == "unknown"
    assert document["reconciliation"]["status"] == "unbalanced"


def test_a_stated_total_that_its_parts_do_not_add_up_to_is_a_discrepancy() -> None:
    body = (
        "1. The amount necessary to pay off the Loan is $1,410,000.00 (the Payoff Amount) "
        "consisting of: $1,400,000.00 in principal, $4,758.45 in accrued interest, and "
        "$1,288.89 in fees.\n"
    )
    [found] = [d for d in _read(body)["discrepancies"] if d["kind"] == "total_mismatch"]
    assert "1,406,047.34" in found["message"]


def test_a_stated_total_that_adds_up_raises_nothing() -> None:
    body = (
        "1. Borrower owes Lender $1,150,000.00 principal and $57,500.00 interest, for a total "
        "of $1,207,500.00.\n"
    )
    assert [d for d in _read(body)["discrepancies"] if d["kind"] == "total_mismatch"] == []


def test_two_effective_dates_for_this_agreement_are_a_discrepancy() -> None:
    body = (
        '1. Definitions. "Effective Date" means April 1, 2020.\n\n'
        "2. Term. This Agreement shall be effective as of May 1, 2020.\n"
    )
    document = _read(body)
    assert document["effective_date"] == "2020-04-01"
    assert [d["kind"] for d in document["discrepancies"]] == ["effective_date_conflict"]


def test_the_date_of_another_instrument_is_not_this_agreements_date() -> None:
    text = (
        "RELEASE\n\nWHEREAS, the Loan Agreement dated as of May 2, 2017 between Alder Lending "
        'LLC ("Lender") and Birch Borrowing Inc. ("Borrower") has been paid in full.\n\n'
        "IN WITNESS WHEREOF, Lender has executed this Release on the 9th day of June, 2021.\n"
    )
    assert to_dict(read_text(text))["effective_date"] == "2021-06-09"

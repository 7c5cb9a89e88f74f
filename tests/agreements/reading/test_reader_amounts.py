"""Which money figures a text holds: none invented, none lost, none rounded."""

from __future__ import annotations

from typing import Any

from acquittance.agreements.reading import read_text, to_dict

PREAMBLE = (
    "SETTLEMENT AGREEMENT\n\nThis Settlement Agreement is made as of March 1, 2020 by and "
    'between Alder Lending LLC, a Delaware limited liability company ("Lender"), and Birch '
    'Borrowing Inc., a Delaware corporation ("Borrower").\n\n'
)


def _amounts(body: str) -> list[dict[str, Any]]:
    amounts: list[dict[str, Any]] = to_dict(read_text(PREAMBLE + body))["amounts"]
    return amounts


def test_an_amount_written_only_in_words_is_read_with_its_role() -> None:
    [amount] = _amounts("1. Borrower shall pay to Lender Five Thousand Dollars on signing.")
    assert (amount["value"], amount["text"]) == ("5000.00", "Five Thousand Dollars")
    assert amount["role"] == "cash_to_creditor"


def test_words_that_accompany_a_figure_are_not_a_second_amount() -> None:
    amounts = _amounts(
        "1. Borrower shall pay Two Hundred Thousand Dollars ($200,000.00) to Lender."
    )
    assert [(a["value"], a["words"]) for a in amounts] == [("200000.00", "200000.00")]


def test_numbers_without_a_currency_are_no_amounts() -> None:
    body = "1. Borrower holds 1,000,000 shares for 12 months under Section 5.2 and Rule 144."
    assert _amounts(body) == []


def test_citations_read_by_ocr_as_dollars_are_no_amounts() -> None:
    body = (
        "1. Borrower waives California Civil Code $1542 and the benefit of 11 U.S.C. $1159, "
        "and Section $ 2.1 of Exhibit $10.74 does not apply."
    )
    assert _amounts(body) == []


def test_an_amount_keeps_every_decimal_it_is_written_with() -> None:
    [par, price] = _amounts(
        "1. The shares have a par value of $0.001 per share and convert at $0.022222222 per share."
    )
    assert (par["value"], price["value"]) == ("0.001", "0.022222222")
    assert par["role"] == price["role"] == "price"


def test_digits_spaced_apart_by_ocr_are_not_invented_into_an_amount() -> None:
    assert _amounts("1. Borrower shall pay $ 1 2 3 4 to Lender and USD 5 6 7.") == []


def test_a_filing_exhibit_number_raises_no_schedule_discrepancy() -> None:
    text = (
        "EXHIBIT 10.74\n\n" + PREAMBLE + "1. Borrower shall pay Lender $5,000.00 as set out in "
        "Exhibit A.\n\nALDER LENDING LLC\nBy: /s/ Ann Alder\nName: Ann Alder\n\nEXHIBIT 10.74\n"
    )
    document = to_dict(read_text(text))
    assert document["discrepancies"] == []
    assert [a["value"] for a in document["amounts"]] == ["5000.00"]


def test_a_payee_whose_name_holds_a_number_word_is_not_read_into_the_amount() -> None:
    # "Driftwood" holds "two", "Stone" holds "one": neither is part of "Seven and 60/100".
    text = (
        "LETTER AGREEMENT\n\nThis Letter Agreement is made March 1, 2020 by and between "
        'Driftwood Group Corp. ("Driftwood") and Stone Holdings, Inc. ("Stone").\n\n'
        "Whereas, the Notes have been pledged as collateral to Driftwood to secure the Loan.\n\n"
        "1. Stone agrees to pay to Driftwood Seven and 60/100 Dollars ($7.60) by wire."
    )
    [amount] = to_dict(read_text(text))["amounts"]
    assert (amount["value"], amount["words"], amount["role"]) == (
        "7.60",
        "7.60",
        "cash_to_creditor",
    )

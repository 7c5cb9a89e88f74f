"""Amounts in words, both ways: the legal forms from DESIGN.md's Notes from the field."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acquittance.agreements.numwords import AMOUNT_MAX, amount_to_words, words_to_amount
from acquittance.core.errors import InputError


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("17500000.00", "Seventeen Million Five Hundred Thousand and 00/100 Dollars"),
        (
            "155388.68",
            "One Hundred Fifty-Five Thousand Three Hundred Eighty-Eight and 68/100 Dollars",
        ),
        (
            "1140370.41",
            "One Million One Hundred Forty Thousand Three Hundred Seventy and 41/100 Dollars",
        ),
        ("0.05", "Zero and 05/100 Dollars"),
        ("5000", "Five Thousand and 00/100 Dollars"),
        ("1000000000.10", "One Billion and 10/100 Dollars"),
        ("19", "Nineteen and 00/100 Dollars"),
    ],
)
def test_amount_to_words_writes_the_legal_form(amount: str, words: str) -> None:
    assert amount_to_words(Decimal(amount)) == words


def test_amount_to_words_can_leave_out_the_currency_word() -> None:
    assert amount_to_words(Decimal("105"), currency_word="") == "One Hundred Five and 00/100"


@pytest.mark.parametrize("bad", ["-1", "0.001", "1000000000000000", "NaN"])
def test_amount_to_words_refuses_what_cannot_be_written(bad: str) -> None:
    with pytest.raises(InputError):
        amount_to_words(Decimal(bad))


@pytest.mark.parametrize(
    ("words", "amount"),
    [
        ("Seventeen Million Five Hundred Thousand and 00/100 Dollars", "17500000"),
        ("Seventeen Million Five Hundred Thousand and No/100 Dollars", "17500000"),
        ("One Million One Hundred Forty Thousand Three Hundred Seventy and 41/100", "1140370.41"),
        ("Five Thousand Dollars", "5000"),
        ("five thousand dollars", "5000"),
        ("one hundred and five", "105"),
        (
            "One Hundred Fifty-Five Thousand Three Hundred Eighty-Eight and 68/100 Dollars",
            "155388.68",
        ),
        ("twelve point five", "12.5"),
        ("forty-one cents", "0.41"),
        ("Ten Thousand Dollars and Forty-One Cents", "10000.41"),
        ("Ten Thousand and no cents", "10000"),
        ("twenty-five hundred", "2500"),
        ("a hundred", "100"),
        ("One Million U.S. Dollars", "1000000"),
        ("zero", "0"),
        ("Two Hundred Fifty Thousand and 00/100 Dollars", "250000"),
    ],
)
def test_words_to_amount_reads_legal_forms(words: str, amount: str) -> None:
    assert words_to_amount(words) == Decimal(amount)


@pytest.mark.parametrize(
    "words",
    [
        "",
        "the Loan Agreement",
        "five five",
        "thousand million",
        "one million two million",
        "Seventeen Million Five Hundred Thousand ($17,500,000.00) Dollars and",
        "twenty twenty",
        "hundred and one hundred",
        "point",
        "five point twelve",
        "ninety nine cents and",
        "x" * 1000,
    ],
)
def test_words_to_amount_refuses_what_is_not_a_number_phrase(words: str) -> None:
    assert words_to_amount(words) is None


cents_amounts = st.integers(min_value=0, max_value=int(AMOUNT_MAX * 100)).map(
    lambda cents: Decimal(cents) / 100
)


@given(cents_amounts)
def test_words_round_trip_to_the_cent(amount: Decimal) -> None:
    assert words_to_amount(amount_to_words(amount)) == amount


@given(st.text(max_size=200))
def test_words_to_amount_never_crashes(text: str) -> None:
    result = words_to_amount(text)
    assert result is None or (isinstance(result, Decimal) and result >= 0)

"""The balance rule: checked before sealing, and again when entries are read back."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from books_factories import AS_OF, seal_all
from hypothesis import given
from hypothesis import strategies as st

from acquittance.books import EntryDraft, EntryKind, Leg, check_balanced, check_journal
from acquittance.books.entries import LEGS_MAX
from acquittance.core.errors import InputError, StateError

D = Decimal


def draft(*legs: Leg, description: str = "test entry") -> EntryDraft:
    return EntryDraft("valence", AS_OF, EntryKind.PAYMENT, description, legs, "loan-1")


def code_of(entry: EntryDraft) -> str:
    with pytest.raises(InputError) as raised:
        check_balanced(entry)
    return raised.value.code


def test_balanced_entry_passes() -> None:
    check_balanced(
        draft(Leg("Assets:Cash", D("10.00"), "USD"), Leg("Income:Interest", D("-10.00"), "USD"))
    )


def test_entry_balanced_per_currency_passes() -> None:
    check_balanced(
        draft(
            Leg("Assets:Cash", D("10.00"), "USD"),
            Leg("Income:Interest", D("-10.00"), "USD"),
            Leg("Assets:Cash", D("5.00"), "EUR"),
            Leg("Income:Interest", D("-5.00"), "EUR"),
        )
    )


def test_unbalanced_entry_names_the_difference() -> None:
    entry = draft(Leg("Assets:Cash", D("10.00"), "USD"), Leg("Income:Interest", D("-9.99"), "USD"))
    with pytest.raises(InputError) as raised:
        check_balanced(entry)
    assert raised.value.code == "UNBALANCED_ENTRY"
    assert "debits exceed credits by 0.01" in raised.value.message
    assert "USD" in raised.value.message


def test_currencies_do_not_offset_each_other() -> None:
    entry = draft(Leg("Assets:Cash", D("10.00"), "USD"), Leg("Income:Interest", D("-10.00"), "EUR"))
    assert code_of(entry) == "UNBALANCED_ENTRY"


@pytest.mark.parametrize(
    ("legs", "code"),
    [
        ((), "EMPTY_ENTRY"),
        ((Leg("Assets:Cash", D("1.00"), "USD"),), "EMPTY_ENTRY"),
        ((Leg("Assets:Cash", D("0.00"), "USD"), Leg("Income:Interest", D("0"), "USD")), "ZERO_LEG"),
        (
            (Leg("Assets:Cash", D("1.005"), "USD"), Leg("Income:Interest", D("-1.005"), "USD")),
            "AMOUNT_NOT_IN_CENTS",
        ),
        (
            (Leg("Assets:cash", D("1.00"), "USD"), Leg("Income:Interest", D("-1"), "USD")),
            "INVALID_ACCOUNT",
        ),
        (
            (Leg("Cash", D("1.00"), "USD"), Leg("Income:Interest", D("-1"), "USD")),
            "INVALID_ACCOUNT",
        ),
        (
            (Leg("Assets:Cash", D("1.00"), "usd"), Leg("Income:Interest", D("-1"), "usd")),
            "INVALID_CURRENCY",
        ),
        (
            (Leg("Assets:Cash", D("1e16"), "USD"), Leg("Income:Interest", D("-1e16"), "USD")),
            "AMOUNT_TOO_LARGE",
        ),
    ],
)
def test_malformed_entries_are_refused_with_their_own_code(
    legs: tuple[Leg, ...], code: str
) -> None:
    assert code_of(draft(*legs)) == code


def test_too_many_legs_are_refused() -> None:
    legs = [Leg("Assets:Cash", D("1.00"), "USD") for _ in range(LEGS_MAX)]
    legs.append(Leg("Income:Interest", D(-LEGS_MAX), "USD"))
    assert code_of(draft(*legs)) == "TOO_MANY_LEGS"


@pytest.mark.parametrize("description", ["", "   ", "two\nlines", "x" * 501])
def test_descriptions_must_be_one_short_line(description: str) -> None:
    legs = (Leg("Assets:Cash", D("1.00"), "USD"), Leg("Income:Interest", D("-1.00"), "USD"))
    assert code_of(draft(*legs, description=description)) == "INVALID_DESCRIPTION"


def test_legs_refuse_floats() -> None:
    with pytest.raises(InputError) as raised:
        Leg("Assets:Cash", 0.1, "USD")  # type: ignore[arg-type]
    assert raised.value.code == "FLOAT_AMOUNT"


def test_kind_is_taken_from_its_string_and_unknown_kinds_are_refused() -> None:
    legs = (Leg("Assets:Cash", D("1.00"), "USD"), Leg("Income:Interest", D("-1.00"), "USD"))
    entry = EntryDraft("p", AS_OF, "settlement", "s", legs)  # type: ignore[arg-type]
    assert entry.kind is EntryKind.SETTLEMENT
    with pytest.raises(InputError) as raised:
        EntryDraft("p", AS_OF, "refund", "s", legs)  # type: ignore[arg-type]
    assert raised.value.code == "UNKNOWN_ENTRY_KIND"


def test_journal_read_back_refuses_an_entry_edited_out_of_balance() -> None:
    legs = (Leg("Assets:Cash", D("1.00"), "USD"), Leg("Income:Interest", D("-1.00"), "USD"))
    first, second = seal_all([draft(*legs), draft(*legs)])
    check_journal([first, second])
    edited = replace(second, legs=(legs[0], Leg("Income:Interest", D("-0.99"), "USD")))
    with pytest.raises(StateError) as raised:
        check_journal([first, edited])
    assert raised.value.code == "CORRUPT_JOURNAL"
    assert second.id in raised.value.message


amounts = st.integers(min_value=-(10**12), max_value=10**12).filter(bool).map(lambda n: D(n) / 100)


@given(st.lists(amounts, min_size=2, max_size=10))
def test_any_legs_closed_by_their_negated_sum_balance(values: list[Decimal]) -> None:
    legs = [Leg("Assets:Cash", value, "USD") for value in values]
    total = sum(values, D("0.00"))
    if total == 0:
        check_balanced(draft(*legs))
        return
    assert code_of(draft(*legs)) == "UNBALANCED_ENTRY"
    check_balanced(draft(*legs, Leg("Equity:OpeningBalances", -total, "USD")))


def test_sealed_entry_keeps_the_draft() -> None:
    legs = (Leg("Assets:Cash", D("1.00"), "USD"), Leg("Income:Interest", D("-1.00"), "USD"))
    original = draft(*legs)
    (entry,) = seal_all([original])
    assert entry.draft == original
    assert entry.sequence == 1
    assert entry.date == date(2002, 3, 31)

"""Beancount export: text that Beancount 3 accepts, with the trial balance's balances."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import data
from books_factories import AS_OF, BERG, VALENCE, make_loan, make_note, make_quote, seal_all
from hypothesis import example, given, settings
from hypothesis import strategies as st

from acquittance.books import (
    EntryDraft,
    EntryKind,
    JournalEntry,
    Leg,
    chart_of_accounts,
    loan_opening,
    note_opening,
    settlement,
    to_beancount,
    trial_balance,
)
from acquittance.core.errors import InputError
from acquittance.core.instruments import OpeningBalance, Party

D = Decimal


def reference_books() -> list[JournalEntry]:
    drafts = loan_opening(
        make_loan(),
        OpeningBalance(AS_OF, D("17500000.00"), D("1140370.41")),
        lender=BERG,
        borrower=VALENCE,
    ) + note_opening(
        make_note("valence-note-all"),
        OpeningBalance(AS_OF, D("17533226.80"), D("951754.93")),
        holder=VALENCE,
    )
    return seal_all(drafts + settlement(make_quote(), BERG, VALENCE))


def load(text: str) -> list[data.Directive]:
    entries, errors, _ = loader.load_string(text)
    assert errors == [], errors
    return list(entries)


def beancount_balances(entries: list[data.Directive]) -> dict[str, Decimal]:
    balances: dict[str, Decimal] = {}
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for posting in entry.postings:
                assert posting.units is not None and posting.units.number is not None
                balances[posting.account] = (
                    balances.get(posting.account, D("0")) + posting.units.number
                )
    return balances


@pytest.mark.parametrize(("party", "counterparty"), [(VALENCE, BERG), (BERG, VALENCE)])
def test_reference_book_loads_without_errors_and_matches_the_trial_balance(
    party: Party, counterparty: Party
) -> None:
    book = [entry for entry in reference_books() if entry.party_id == party.id]
    chart = chart_of_accounts(party, [counterparty])
    text = to_beancount(party, book, currency="USD", chart=chart)
    loaded = load(text)
    expected = {row.account: row.balance for row in trial_balance(book).rows}
    assert beancount_balances(loaded) == expected
    transactions = [entry for entry in loaded if isinstance(entry, data.Transaction)]
    assert len(transactions) == len(book)
    for transaction, entry in zip(
        sorted(transactions, key=lambda t: t.meta["sequence"]), book, strict=True
    ):
        assert transaction.flag == "*"
        assert transaction.narration == entry.description
        assert transaction.meta["entry_id"] == entry.id
        assert transaction.meta["kind"] == entry.kind.value
        assert transaction.meta["hash"] == entry.hash
    opens = {entry.account: entry for entry in loaded if isinstance(entry, data.Open)}
    assert set(opens) == set(expected)
    assert opens["Assets:Cash"].meta["name"] == "Cash"
    assert opens["Assets:Cash"].currencies == ["USD"]


def test_header_names_the_book_and_its_currency() -> None:
    book = [entry for entry in reference_books() if entry.party_id == "valence"]
    text = to_beancount(VALENCE, book, currency="USD")
    _, _, options = loader.load_string(text)
    assert options["title"] == "Valence Technology, Inc. — book"
    assert options["operating_currency"] == ["USD"]
    assert '2002-03-31 * "Settlement of loan berg-valence-loan' in text


def test_bean_check_accepts_the_exported_file(tmp_path: Path) -> None:
    book = [entry for entry in reference_books() if entry.party_id == "berg"]
    path = tmp_path / "berg.beancount"
    path.write_text(to_beancount(BERG, book, currency="USD"), encoding="utf-8")
    bean_check = Path(sys.executable).with_name("bean-check")
    result = subprocess.run(
        [str(bean_check), str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_accounts_open_on_their_first_use() -> None:
    early = EntryDraft(
        "berg",
        AS_OF.replace(year=2001),
        EntryKind.OPENING,
        "an earlier cash balance",
        (Leg("Assets:Cash", D("5.00"), "USD"), Leg("Equity:OpeningBalances", D("-5.00"), "USD")),
    )
    book = seal_all([*(e.draft for e in reference_books() if e.party_id == "berg"), early])
    loaded = load(to_beancount(BERG, book, currency="USD"))
    opens = {entry.account: entry.date for entry in loaded if isinstance(entry, data.Open)}
    assert opens["Assets:Cash"] == AS_OF.replace(year=2001)
    assert opens["Assets:NotesReceivable"] == AS_OF


def test_empty_book_exports_a_header_only() -> None:
    assert load(to_beancount(BERG, [], currency="USD")) == []


def test_export_refuses_another_party_entries() -> None:
    with pytest.raises(InputError) as raised:
        to_beancount(BERG, reference_books(), currency="USD")
    assert raised.value.code == "PARTY_MISMATCH"


descriptions = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs")), min_size=1, max_size=60
).filter(str.strip)


@settings(max_examples=40, deadline=None)
@given(description=descriptions, reference=st.one_of(st.none(), descriptions))
@example(description='say "hi" \\ back\\', reference='a"b')
def test_any_description_survives_the_round_trip(description: str, reference: str | None) -> None:
    draft = EntryDraft(
        "berg",
        AS_OF,
        EntryKind.ADVANCE,
        description,
        (Leg("Assets:Cash", D("1.00"), "USD"), Leg("Equity:OpeningBalances", D("-1.00"), "USD")),
        reference,
    )
    loaded = load(to_beancount(BERG, seal_all([draft]), currency="USD"))
    (transaction,) = [entry for entry in loaded if isinstance(entry, data.Transaction)]
    assert transaction.narration == description
    assert transaction.meta.get("reference") == reference

"""The hash chain: sealing, and catching every edit, deletion and reordering."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from books_factories import AS_OF, BERG, VALENCE, make_loan, make_quote, seal_all
from hypothesis import given
from hypothesis import strategies as st

from acquittance.books import (
    GENESIS_HASH,
    EntryDraft,
    EntryKind,
    JournalEntry,
    Leg,
    entry_hash,
    loan_accrual,
    loan_advance,
    loan_opening,
    seal,
    settlement,
    verify_chain,
)
from acquittance.books.chain import _document_text as document_text
from acquittance.books.chain import anchor_digest, canonical_text, chain_heads
from acquittance.core.errors import InputError
from acquittance.core.instruments import Advance, OpeningBalance

D = Decimal


def reference_journal() -> list[JournalEntry]:
    """Both books of the reference case: openings, an accrual, an advance, the settlement."""
    loan = make_loan()
    drafts = (
        loan_opening(
            loan,
            OpeningBalance(AS_OF, D("17500000.00"), D("1000000.00")),
            lender=BERG,
            borrower=VALENCE,
        )
        + loan_accrual(loan, as_of=AS_OF, interest=D("140370.41"), lender=BERG, borrower=VALENCE)
        + loan_advance(loan, Advance(AS_OF, D("0.01")), lender=BERG, borrower=VALENCE)
    )
    return seal_all(drafts)


def test_genesis_hash_is_64_zeros() -> None:
    assert GENESIS_HASH == "0" * 64


def test_sealed_journal_verifies() -> None:
    journal = reference_journal()
    assert verify_chain(journal) == verify_chain(reversed(journal))
    check = verify_chain(journal)
    assert check.ok
    assert check.checked == 6
    assert check.first_bad is None
    assert [entry.sequence for entry in journal if entry.party_id == "berg"] == [1, 2, 3]


def test_empty_journal_verifies() -> None:
    assert verify_chain([]).ok


def test_hash_is_sha256_of_sorted_json_with_two_place_amounts() -> None:
    legs = (Leg("Assets:Cash", D("5"), "USD"), Leg("Income:Interest", D("-5.00"), "USD"))
    draft = EntryDraft("berg", date(2002, 3, 31), EntryKind.ACCRUAL, "Interest", legs, None)
    text = canonical_text(GENESIS_HASH, draft, entry_id="e1", sequence=1)
    document = json.loads(text)
    assert list(document) == sorted(document)
    assert document["legs"][0] == {"account": "Assets:Cash", "amount": "5.00", "currency": "USD"}
    assert document["date"] == "2002-03-31"
    assert document["reference"] is None
    expected = hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert entry_hash(GENESIS_HASH, draft, entry_id="e1", sequence=1) == expected
    # The same amount written differently hashes the same: the hash is of the value.
    same = replace(draft, legs=(Leg("Assets:Cash", D("5.00"), "USD"), legs[1]))
    assert entry_hash(GENESIS_HASH, same, entry_id="e1", sequence=1) == expected


_TEXT = st.text(st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ['"', "\\", "\n", "\x00", "\u2028", "é", "\U0001f600", "/", "<>&"]
)


@given(
    description=_TEXT,
    reference=st.none() | _TEXT,
    party_id=_TEXT,
    entry_id=_TEXT,
    previous_hash=_TEXT,
    sequence=st.integers(-(10**20), 10**20),
    accounts=st.lists(st.tuples(_TEXT, _TEXT), min_size=0, max_size=3),
    cents=st.integers(-(10**17), 10**17),
    kind=st.sampled_from(list(EntryKind)),
    on=st.dates(),
)
def test_the_text_hashed_is_its_definition_character_for_character(
    description: str,
    reference: str | None,
    party_id: str,
    entry_id: str,
    previous_hash: str,
    sequence: int,
    accounts: list[tuple[str, str]],
    cents: int,
    kind: EntryKind,
    on: date,
) -> None:
    legs = tuple(Leg(name, D(cents).scaleb(-3), currency) for name, currency in accounts)
    draft = EntryDraft(party_id, on, kind, description, legs, reference)
    fields = {"entry_id": entry_id, "sequence": sequence}
    assert canonical_text(previous_hash, draft, **fields) == document_text(
        previous_hash, draft, **fields
    )


def test_an_odd_field_type_takes_the_definition() -> None:
    legs = (Leg("Assets:Cash", D("5"), "USD"), Leg("Income:Interest", D("-5.00"), "USD"))
    draft = EntryDraft("berg", date(2002, 3, 31), EntryKind.ACCRUAL, "Interest", legs, None)
    odd = canonical_text(GENESIS_HASH, draft, entry_id="e1", sequence=True)
    assert odd == document_text(GENESIS_HASH, draft, entry_id="e1", sequence=True)
    assert '"sequence":true' in odd


def tampered(journal: list[JournalEntry], index: int, **changes: object) -> list[JournalEntry]:
    copy = list(journal)
    copy[index] = replace(copy[index], **changes)  # type: ignore[arg-type]
    return copy


def test_edited_amount_is_caught_at_that_entry() -> None:
    journal = reference_journal()
    target = journal[2]  # berg's accrual
    legs = (
        Leg(target.legs[0].account, D("140370.42"), "USD"),
        Leg(target.legs[1].account, D("-140370.42"), "USD"),
    )
    check = verify_chain(tampered(journal, 2, legs=legs))
    assert not check.ok
    assert check.first_bad == target.id
    assert check.reason == "its fields no longer match its hash"


def test_edited_description_is_caught_at_that_entry() -> None:
    journal = reference_journal()
    check = verify_chain(tampered(journal, 3, description="nothing to see here"))
    assert (check.ok, check.first_bad) == (False, journal[3].id)


def test_deleted_entry_is_caught_at_the_next_one() -> None:
    journal = reference_journal()
    berg_entries = [entry for entry in journal if entry.party_id == "berg"]
    remaining = [entry for entry in journal if entry.id != berg_entries[1].id]
    check = verify_chain(remaining)
    assert (check.ok, check.first_bad) == (False, berg_entries[2].id)
    assert check.checked == 5


def test_reordered_entries_are_caught_at_the_first_moved() -> None:
    journal = reference_journal()
    _, second, third = [entry for entry in journal if entry.party_id == "valence"]
    # Swap the places of the second and third entries in the chain.
    swapped = [
        replace(second, sequence=3),
        replace(third, sequence=2),
    ]
    others = [entry for entry in journal if entry.id not in {second.id, third.id}]
    check = verify_chain(others + swapped)
    assert (check.ok, check.first_bad) == (False, third.id)


def test_relinked_entry_whose_hash_was_recomputed_breaks_the_next_link() -> None:
    journal = reference_journal()
    target = journal[2]
    forged = replace(target, description="forged")
    forged = replace(
        forged,
        hash=entry_hash(
            forged.previous_hash, forged.draft, entry_id=forged.id, sequence=forged.sequence
        ),
    )
    check = verify_chain(tampered(journal, 2, description="forged", hash=forged.hash))
    assert check.first_bad == journal[4].id  # berg's next entry
    assert check.reason == "its link does not match the hash of the entry before it"


def test_removed_newest_entry_is_caught_against_a_recorded_head() -> None:
    journal = reference_journal()
    heads = chain_heads(journal)
    assert verify_chain(journal, heads=heads).ok
    check = verify_chain(journal[:5], heads=heads)
    # The entry that is gone is named, whether its chain keeps older entries or not.
    assert (check.ok, check.first_bad) == (False, journal[5].id)


def test_an_anchor_digest_changes_with_any_head_and_not_with_order() -> None:
    journal = reference_journal()
    heads = list(chain_heads(journal).values())
    assert anchor_digest(heads) == anchor_digest(reversed(heads))
    assert anchor_digest(heads) != anchor_digest(chain_heads(journal[:5]).values())


def test_first_bad_is_the_first_party_in_order_given() -> None:
    journal = reference_journal()
    both = tampered(tampered(journal, 1, description="x"), 2, description="y")
    assert verify_chain(both).first_bad == journal[2].id  # berg appears first


def test_seal_refuses_bad_links_and_unbalanced_drafts() -> None:
    (draft,) = loan_accrual(
        make_loan(), as_of=AS_OF, interest=D("1.00"), lender=BERG, borrower=VALENCE
    )[:1]
    for kwargs, code in [
        ({"sequence": 2, "previous_hash": GENESIS_HASH}, "BROKEN_CHAIN"),
        ({"sequence": 1, "previous_hash": "a" * 64}, "BROKEN_CHAIN"),
        ({"sequence": 0, "previous_hash": GENESIS_HASH}, "INVALID_SEQUENCE"),
        ({"sequence": 2, "previous_hash": "xyz"}, "INVALID_HASH"),
    ]:
        with pytest.raises(InputError) as raised:
            seal(draft, entry_id="e", **kwargs)  # type: ignore[arg-type]
        assert raised.value.code == code
    lopsided = replace(draft, legs=(*draft.legs[:1], Leg("Income:Interest", D("-2.00"), "USD")))
    with pytest.raises(InputError) as raised:
        seal(lopsided, entry_id="e", sequence=1, previous_hash=GENESIS_HASH)
    assert raised.value.code == "UNBALANCED_ENTRY"
    # A draft its rule checked already is sealed without checking it again.
    sealed = seal(draft, entry_id="e", sequence=1, previous_hash=GENESIS_HASH, checked=True)
    assert sealed == seal(draft, entry_id="e", sequence=1, previous_hash=GENESIS_HASH)


FIELDS = ("description", "reference", "date", "kind", "amount", "id", "party_id")


def mutate(entry: JournalEntry, field: str) -> JournalEntry:
    if field == "amount":
        legs = tuple(replace(leg, amount=leg.amount * 2) for leg in entry.legs)
        return replace(entry, legs=legs)
    values = {
        "description": entry.description + ".",
        "reference": (entry.reference or "") + "-x",
        "date": date(2003, 1, 1),
        "kind": EntryKind.REVERSAL,
        "id": entry.id + "-x",
        "party_id": entry.party_id,  # moved between books below
    }
    return replace(entry, **{field: values[field]})  # type: ignore[arg-type]


@given(index=st.integers(min_value=0, max_value=5), field=st.sampled_from(FIELDS[:-1]))
def test_any_single_field_edit_is_caught_at_that_entry(index: int, field: str) -> None:
    journal = reference_journal()
    edited = list(journal)
    edited[index] = mutate(journal[index], field)
    check = verify_chain(edited)
    assert not check.ok
    assert check.first_bad == edited[index].id


def test_settlement_entries_chain_after_earlier_entries() -> None:
    loan = make_loan()
    drafts = loan_opening(
        loan,
        OpeningBalance(AS_OF, D("17500000.00"), D("1140370.41")),
        lender=BERG,
        borrower=VALENCE,
    ) + settlement(make_quote(), BERG, VALENCE)
    journal = seal_all(drafts)
    assert [entry.sequence for entry in journal] == [1, 1, 2, 2]
    assert journal[2].previous_hash == journal[0].hash
    assert verify_chain(journal).ok

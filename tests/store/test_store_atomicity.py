"""All or nothing: a unit of work that raises leaves the store exactly as it was."""

from __future__ import annotations

import dataclasses
import itertools
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from store_factories import Deal, load_deal, reference_deal

from acquittance.books.chain import GENESIS_HASH, seal
from acquittance.books.entries import EntryDraft, EntryKind, Leg
from acquittance.core.errors import AcquittanceError, StateError
from acquittance.core.instruments import Discharge, Party, Satisfaction
from acquittance.core.settlement_types import NoteTransfer
from acquittance.store import migrate, open_store, transaction
from acquittance.store.location import sqlite_path
from acquittance.store.models import Base
from acquittance.store.repository import Repository

CLOSING = date(2002, 3, 31)
PARTIES = ("berg", "valence", "third")


def _dump(engine: Engine) -> list[str]:
    path = sqlite_path(str(engine.url))
    assert path is not None
    with sqlite3.connect(path) as connection:
        return list(connection.iterdump())


def _settle_half_way(repository: Repository, deal: Deal) -> None:
    """Most of a closing, then a refusal: the kind of failure a settlement must survive."""
    repository.set_note_holder(NoteTransfer(deal.notes[0].id, "valence", "berg", CLOSING))
    repository.append_loan_events(
        deal.loan.id,
        [Satisfaction(CLOSING, Decimal("18640370.41"), "s-1"), Discharge(CLOSING, "s-1")],
    )
    repository.release_security_interests([deal.interest.id], CLOSING)
    legs = (
        Leg("Assets:Cash", Decimal("1.00"), "USD"),
        Leg("Assets:LoanReceivable:Valence", Decimal("-1.00"), "USD"),
    )
    draft = EntryDraft("berg", CLOSING, EntryKind.SETTLEMENT, "Settlement", legs, "s-1")
    entry = seal(draft, entry_id="berg/s-1/1", sequence=1, previous_hash=GENESIS_HASH)
    repository.append_journal([entry], {})
    repository.get_party("nobody")  # refused: UNKNOWN_PARTY


def test_a_refused_unit_of_work_leaves_the_sqlite_file_identical(
    sqlite_url: str, deal: Deal
) -> None:
    migrate(sqlite_url)
    engine = open_store(sqlite_url)
    try:
        with transaction(engine) as session:
            load_deal(Repository(session), deal)
        before = _dump(engine)
        with pytest.raises(AcquittanceError), transaction(engine) as session:
            _settle_half_way(Repository(session), deal)
        assert _dump(engine) == before
    finally:
        engine.dispose()


def test_a_refused_unit_of_work_leaves_no_rows_on_either_backend(
    loaded: Engine, deal: Deal
) -> None:
    def counts() -> dict[str, int]:
        with transaction(loaded, write=False) as session:
            return {
                table.name: session.scalar(select(func.count()).select_from(table)) or 0
                for table in Base.metadata.sorted_tables
            }

    before = counts()
    with pytest.raises(AcquittanceError), transaction(loaded) as session:
        _settle_half_way(Repository(session), deal)
    assert counts() == before
    with transaction(loaded, write=False) as session:
        assert Repository(session).get_note(deal.notes[0].id).holder_id == "valence"


def test_reading_changes_nothing(sqlite_url: str, deal: Deal) -> None:
    migrate(sqlite_url)
    engine = open_store(sqlite_url)
    with transaction(engine) as session:
        load_deal(Repository(session), deal)
    engine.dispose()
    before = _dump_path(sqlite_url)
    reopened = open_store(sqlite_url)
    with transaction(reopened, write=False) as session:
        Repository(session).list_loans()
        Repository(session).entry_records()
    reopened.dispose()
    assert _dump_path(sqlite_url) == before


def _dump_path(url: str) -> list[str]:
    path = sqlite_path(url)
    assert path is not None
    with sqlite3.connect(path) as connection:
        return list(connection.iterdump())


# A note has exactly one holder after any sequence of transfers -------------------------


@pytest.fixture(scope="module")
def transfer_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One store for every hypothesis example (each example uses a note of its own)."""
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('transfers')) / 'a.db'}"
    migrate(url)
    engine = open_store(url)
    deal = reference_deal()
    with transaction(engine) as session:
        repository = Repository(session)
        load_deal(repository, deal)
        repository.add_party(Party("third", "Third Party LLC", "llc", "Nevada", "Third"))
    yield engine
    engine.dispose()


_note_numbers = itertools.count(1)

transfers = st.lists(
    st.tuples(st.sampled_from(PARTIES), st.sampled_from(PARTIES)), min_size=0, max_size=12
)


@settings(max_examples=40, deadline=None)
@given(moves=transfers)
def test_a_note_has_exactly_one_holder_after_any_transfers(
    transfer_store: Engine, moves: list[tuple[str, str]]
) -> None:
    note = reference_deal().notes[0]
    note_id = f"hypothesis-note-{next(_note_numbers)}"
    with transaction(transfer_store) as session:
        Repository(session).add_note(dataclasses.replace(note, id=note_id))
    holder = note.holder_id
    for number, (sender, receiver) in enumerate(moves):
        transfer = NoteTransfer(note_id, sender, receiver, CLOSING + timedelta(days=number))
        try:
            with transaction(transfer_store) as session:
                Repository(session).set_note_holder(transfer)
        except StateError:
            assert sender != holder or receiver == holder  # refused only when it had to be
            continue
        assert sender == holder and receiver != holder
        holder = receiver
    with transaction(transfer_store, write=False) as session:
        repository = Repository(session)
        assert repository.get_note(note_id).holder_id == holder
        history = repository.note_transfers(note_id)
        held_by = [note.holder_id] + [t.to_party_id for t in history]
        assert all(t.from_party_id == held_by[i] for i, t in enumerate(history))
        assert held_by[-1] == holder
        holders = [
            n.id for p in PARTIES for n in repository.list_notes(holder_id=p) if n.id == note_id
        ]
        assert holders == [note_id]

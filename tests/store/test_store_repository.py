"""Values round-trip through the repository exactly, on both backends; bad writes are refused."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select, text
from store_factories import Deal

from acquittance.books.chain import GENESIS_HASH, seal
from acquittance.books.entries import EntryDraft, EntryKind, Leg
from acquittance.core import settlement
from acquittance.core.errors import AcquittanceError, InputError, NotFoundError, StateError
from acquittance.core.instruments import (
    Advance,
    Discharge,
    LevelPayment,
    Loan,
    Note,
    OpeningBalance,
    Party,
    Payment,
    RateChange,
    Satisfaction,
    Terms,
)
from acquittance.core.settlement_types import NoteTransfer, Obligation, ObligationKind, Quote
from acquittance.store import transaction
from acquittance.store.models import JournalLegRow, PledgedNoteRow
from acquittance.store.records import ObligationStatus
from acquittance.store.repository import Repository

CLOSING = date(2002, 3, 31)


def _read(engine: Engine):  # type: ignore[no-untyped-def]
    return transaction(engine, write=False)


def test_parties_loans_notes_and_interests_round_trip(loaded: Engine, deal: Deal) -> None:
    with _read(loaded) as session:
        repository = Repository(session)
        assert repository.list_parties() == sorted(deal.parties, key=lambda p: p.id)
        assert repository.get_loan(deal.loan.id) == deal.loan
        assert repository.list_notes() == list(deal.notes)
        assert repository.get_security_interest(deal.interest.id) == deal.interest
        assert repository.list_security_interests(active_only=True) == [deal.interest]


def test_every_event_kind_and_note_field_round_trips(engine: Engine, deal: Deal) -> None:
    terms = Terms(Decimal("0.0725"), "ACT/365F", "USD", rounding="half-even")
    events = (
        OpeningBalance(date(2001, 1, 1), Decimal("100.00"), Decimal("0.10")),
        Advance(date(2001, 2, 1), Decimal("50.05")),
        Payment(date(2001, 3, 1), Decimal("0.01")),
        RateChange(date(2001, 4, 1), Decimal("0.080")),
        Satisfaction(date(2001, 5, 1), Decimal("150.15"), settlement_id="s-1"),
        Discharge(date(2001, 5, 1), settlement_id="s-1"),
    )
    note = Note(
        id="full-note",
        maker="A. Maker",
        holder_id="valence",
        terms=terms,
        events=events,
        kind="mortgage",
        issue_date=date(2000, 1, 15),
        maturity_date=date(2030, 1, 15),
        original_principal=Decimal("250000.00"),
        level_payment=LevelPayment(Decimal("1896.20"), date(2000, 2, 15), 360),
        description="First mortgage on 1 Main St.",
    )
    loan = dataclasses.replace(deal.loan, id="full-loan", terms=terms, events=events)
    with transaction(engine) as session:
        repository = Repository(session)
        for party in deal.parties:
            repository.add_party(party)
        repository.add_loan(loan)
        repository.add_note(note)
    with _read(engine) as session:
        assert Repository(session).get_note(note.id) == note
        assert Repository(session).get_loan(loan.id) == loan


def test_a_tenth_stays_a_tenth(engine: Engine, deal: Deal) -> None:
    party = deal.parties[0]
    loan = dataclasses.replace(
        deal.loan,
        lender_id=party.id,
        borrower_id=party.id,
        events=(Payment(CLOSING, Decimal("0.10")),),
    )
    with transaction(engine) as session:
        Repository(session).add_party(party)
        Repository(session).add_loan(loan)
    with _read(engine) as session:
        (payment,) = Repository(session).get_loan(loan.id).events
    assert isinstance(payment, Payment)
    assert str(payment.amount) == "0.10"
    assert payment.amount == Decimal("0.10")


def test_a_float_amount_is_refused_and_nothing_is_written(engine: Engine, deal: Deal) -> None:
    loan = dataclasses.replace(deal.loan, events=(Payment(CLOSING, 0.1),))  # type: ignore[arg-type]
    with pytest.raises(InputError) as caught, transaction(engine) as session:
        for party in deal.parties:
            Repository(session).add_party(party)
        Repository(session).add_loan(loan)
    assert caught.value.code == "FLOAT_AMOUNT"
    with _read(engine) as session:
        assert Repository(session).list_parties() == []


@pytest.mark.parametrize(
    ("call", "code", "named"),
    [
        (lambda r: r.get_party("nobody"), "UNKNOWN_PARTY", "berg, valence"),
        (lambda r: r.get_loan("nope"), "UNKNOWN_LOAN", "berg-valence-loan"),
        (lambda r: r.get_note("nope"), "UNKNOWN_NOTE", "valence-note-1"),
        (lambda r: r.get_settlement("nope"), "UNKNOWN_SETTLEMENT", "no settlement"),
        (lambda r: r.complete_obligation("nope", CLOSING), "UNKNOWN_OBLIGATION", "no obligation"),
        (lambda r: r.entries("nobody"), "UNKNOWN_PARTY", "berg, valence"),
    ],
)
def test_unknown_ids_are_refused_naming_what_exists(
    loaded: Engine, call: Callable[[Repository], object], code: str, named: str
) -> None:
    with pytest.raises(NotFoundError) as caught, transaction(loaded) as session:
        call(Repository(session))
    assert caught.value.code == code
    assert named in caught.value.message


@pytest.mark.parametrize("kind", ["party", "loan", "note", "interest"])
def test_adding_an_existing_id_is_duplicate_id(loaded: Engine, deal: Deal, kind: str) -> None:
    with pytest.raises(StateError) as caught, transaction(loaded) as session:
        repository = Repository(session)
        if kind == "party":
            repository.add_party(deal.parties[0])
        elif kind == "loan":
            repository.add_loan(deal.loan)
        elif kind == "note":
            repository.add_note(deal.notes[0])
        else:
            repository.add_security_interest(dataclasses.replace(deal.interest, note_ids=()))
    assert caught.value.code == "DUPLICATE_ID"


def test_a_loan_naming_an_unknown_party_is_refused(engine: Engine, deal: Deal) -> None:
    with pytest.raises(NotFoundError) as caught, transaction(engine) as session:
        Repository(session).add_party(deal.parties[0])
        Repository(session).add_loan(deal.loan)
    assert caught.value.code == "UNKNOWN_PARTY"
    assert "valence" in caught.value.message


def _quote(deal: Deal) -> Quote:
    notes = {note.id: note for note in deal.notes}
    return settlement.quote(deal.loan, notes, [deal.interest], CLOSING)


def _add_settlement(
    repository: Repository, deal: Deal, settlement_id: str, key: str | None
) -> None:
    repository.add_closing(
        settlement_id=settlement_id, key=key, quote=_quote(deal), entries_count=2
    )


def test_settlements_are_found_by_key_with_the_quote_they_closed(
    loaded: Engine, deal: Deal
) -> None:
    with transaction(loaded) as session:
        _add_settlement(Repository(session), deal, "s-1", "k-1")
        _add_settlement(Repository(session), deal, "s-2", None)
    with _read(loaded) as session:
        found = Repository(session).find_settlement_by_key("berg-valence-loan", "k-1")
        assert found is not None
        assert (found.id, found.idempotency_key, found.entries_count) == ("s-1", "k-1", 2)
        # Every figure comes back from its own column, exactly.
        expected = _quote(deal)
        assert found.quote.cash == expected.cash
        assert found.quote.collateral == expected.collateral
        assert (found.quote.owed_principal, found.quote.owed_interest) == (
            Decimal("17500000.00"),
            Decimal("1140370.41"),
        )
        assert found.quote.fingerprint == expected.fingerprint
        assert Repository(session).find_settlement_by_key("berg-valence-loan", "other") is None
        assert [s.id for s in Repository(session).list_settlements()] == ["s-1", "s-2"]


def test_the_database_itself_refuses_a_second_settlement_with_a_key(
    loaded: Engine, deal: Deal
) -> None:
    with transaction(loaded) as session:
        _add_settlement(Repository(session), deal, "s-1", "k-1")
    with pytest.raises(AcquittanceError) as caught, transaction(loaded) as session:
        _add_settlement(Repository(session), deal, "s-2", "k-1")
    assert caught.value.code == "STORE_CONFLICT"


def test_saved_quotes_round_trip_with_what_they_were_asked_for(loaded: Engine, deal: Deal) -> None:
    quote = _quote(deal)
    values = {"valence-note-1": Decimal("8000000.00")}
    with transaction(loaded) as session:
        Repository(session).add_saved_quote(
            quote_id="q-1",
            quote=quote,
            notes_named=True,
            values=values,
            partial=False,
            good_through=date(2002, 4, 5),
        )
    with _read(loaded) as session:
        saved = Repository(session).get_quote("q-1")
        assert saved.quote.collateral == quote.collateral
        assert saved.note_ids == tuple(line.note_id for line in quote.collateral)
        assert saved.values == values
        assert (saved.partial, saved.good_through) == (False, date(2002, 4, 5))
        assert Repository(session).list_quotes(loan_id="berg-valence-loan") == [saved]


def test_obligations_open_then_done(loaded: Engine, deal: Deal) -> None:
    wire = Obligation(
        "o-wire",
        ObligationKind.WIRE,
        "s-1",
        "valence",
        "Wire the cash",
        CLOSING,
        Decimal("155388.68"),
    )
    ucc3 = Obligation(
        "o-ucc3",
        ObligationKind.TERMINATION_STATEMENT,
        "s-1",
        "berg",
        "File a UCC-3",
        date(2002, 4, 20),
        financing_statement_id="berg-valence-ucc1",
    )
    with transaction(loaded) as session:
        _add_settlement(Repository(session), deal, "s-1", "k-1")
        Repository(session).add_obligations([ucc3, wire])
    with transaction(loaded) as session:
        done = Repository(session).complete_obligation("o-wire", CLOSING)
    assert done.status is ObligationStatus.DONE and done.completed_on == CLOSING
    with _read(loaded) as session:
        repository = Repository(session)
        assert [r.obligation for r in repository.list_obligations()] == [wire, ucc3]
        assert [r.obligation for r in repository.list_obligations(status="open")] == [ucc3]
        assert [r.obligation.id for r in repository.list_obligations(status="done")] == ["o-wire"]
    with pytest.raises(StateError) as caught, transaction(loaded) as session:
        Repository(session).complete_obligation("o-wire", CLOSING)
    assert caught.value.code == "OBLIGATION_ALREADY_DONE"


def test_a_note_is_pledged_to_one_active_interest_at_a_time(loaded: Engine, deal: Deal) -> None:
    second = dataclasses.replace(
        deal.interest, id="second-pledge", note_ids=("valence-note-1",), financing_statements=()
    )
    with pytest.raises(StateError) as caught, transaction(loaded) as session:
        Repository(session).add_security_interest(second)
    assert caught.value.code == "NOTE_ALREADY_PLEDGED"
    with transaction(loaded) as session:
        Repository(session).release_security_interests([deal.interest.id], CLOSING)
        Repository(session).add_security_interest(second)
    with _read(loaded) as session:
        repository = Repository(session)
        assert repository.get_security_interest(deal.interest.id).released_on == CLOSING
        assert repository.active_pledge("valence-note-1") == "second-pledge"


def test_the_database_itself_refuses_a_second_active_pledge(loaded: Engine) -> None:
    with transaction(loaded) as session:
        second = dataclasses.replace(
            Repository(session).get_security_interest("berg-valence-pledge"),
            id="second-pledge",
            note_ids=(),
            financing_statements=(),
        )
        Repository(session).add_security_interest(second)
    with pytest.raises(AcquittanceError) as caught, transaction(loaded) as session:
        session.add(
            PledgedNoteRow(
                security_interest_id="second-pledge", note_id="valence-note-1", position=1
            )
        )
    assert caught.value.code == "STORE_CONFLICT"


def test_transfers_move_the_note_and_keep_history(loaded: Engine) -> None:
    transfer = NoteTransfer("valence-note-1", "valence", "berg", CLOSING)
    with transaction(loaded) as session:
        Repository(session).set_note_holder(transfer, settlement_id="s-1")
    with pytest.raises(StateError) as caught, transaction(loaded) as session:
        Repository(session).set_note_holder(transfer)
    assert caught.value.code == "NOTE_HOLDER_MISMATCH"
    with _read(loaded) as session:
        repository = Repository(session)
        assert repository.get_note("valence-note-1").holder_id == "berg"
        assert repository.note_transfers("valence-note-1") == [transfer]
        assert [n.id for n in repository.list_notes(holder_id="berg")] == ["valence-note-1"]


def test_appended_loan_events_follow_the_existing_ones(loaded: Engine, deal: Deal) -> None:
    closing = (Satisfaction(CLOSING, Decimal("18640370.41"), "s-1"), Discharge(CLOSING, "s-1"))
    with transaction(loaded) as session:
        Repository(session).append_loan_events(deal.loan.id, closing)
    with _read(loaded) as session:
        assert Repository(session).get_loan(deal.loan.id).events == deal.loan.events + closing


def _entries(party: str, count: int, *, chain: str = "s-1", legs=None):  # type: ignore[no-untyped-def]
    pairs = legs or (("Assets:Cash", "155388.68"), ("Assets:LoanReceivable:Valence", "-155388.68"))
    draft = EntryDraft(
        party,
        CLOSING,
        EntryKind.SETTLEMENT,
        "Settlement",
        tuple(Leg(account, Decimal(amount), "USD") for account, amount in pairs),
        chain,
    )
    sealed, previous = [], GENESIS_HASH
    for sequence in range(1, count + 1):
        entry = seal(
            draft, entry_id=f"{party}/{chain}/{sequence}", sequence=sequence, previous_hash=previous
        )
        sealed.append(entry)
        previous = entry.hash
    return sealed


def _append(engine: Engine, entries) -> None:  # type: ignore[no-untyped-def]
    with transaction(engine) as session:
        repository = Repository(session)
        heads = repository.chain_heads((e.party_id, e.chain) for e in entries)
        repository.append_journal(entries, heads)


def test_amounts_are_stored_as_their_exact_decimal_text(loaded: Engine) -> None:
    legs = (("Assets:Cash", "17533226.80"), ("Equity:OpeningBalances", "-17533226.80"))
    _append(loaded, _entries("berg", 1, legs=legs))
    with _read(loaded) as session:
        stored = session.scalars(select(JournalLegRow.amount).order_by(JournalLegRow.position))
        raw = session.execute(text("SELECT amount FROM journal_legs ORDER BY position")).scalars()
        interest = session.execute(
            text("SELECT interest FROM note_events WHERE note_id = 'valence-note-3'")
        ).scalar()
        assert list(stored) == [Decimal("17533226.80"), Decimal("-17533226.80")]
        assert list(raw) == ["17533226.80", "-17533226.80"]
        assert interest == "191817.43"
        record = Repository(session).entry_records("berg")[0]
        assert [str(leg.amount) for leg in record.legs] == ["17533226.80", "-17533226.80"]


def test_journal_entries_append_in_chain_order_and_load_exactly(loaded: Engine) -> None:
    entries = [*_entries("berg", 2), *_entries("valence", 1)]
    _append(loaded, entries)
    with _read(loaded) as session:
        repository = Repository(session)
        assert repository.entries() == entries
        assert repository.entries("berg") == entries[:2]
        keys = [("berg", "s-1"), ("valence", "s-1"), ("berg", "other")]
        heads = repository.chain_heads(keys, lock=False)
        assert {key: head.sequence for key, head in heads.items()} == {
            ("berg", "s-1"): 2,
            ("valence", "s-1"): 1,
        }
        assert heads[("berg", "s-1")].hash == entries[1].hash


def test_chains_of_one_party_grow_independently(loaded: Engine) -> None:
    loan_chain = _entries("berg", 2, chain="berg-valence-loan")
    settlement_chain = _entries("berg", 1, chain="s-1")
    _append(loaded, [loan_chain[0], *settlement_chain])
    _append(loaded, [loan_chain[1]])
    with _read(loaded) as session:
        assert {e.id for e in Repository(session).entries("berg")} == {
            e.id for e in (*loan_chain, *settlement_chain)
        }


def test_an_entry_that_does_not_extend_the_chain_is_refused(loaded: Engine) -> None:
    first, second, third = _entries("berg", 3)
    _append(loaded, [first])
    with pytest.raises(StateError) as caught:
        _append(loaded, [third])
    assert caught.value.code == "JOURNAL_OUT_OF_SEQUENCE"
    forged = dataclasses.replace(second, previous_hash="0" * 63 + "1")
    with pytest.raises(StateError) as caught:
        _append(loaded, [forged])
    assert caught.value.code == "JOURNAL_CHAIN_BROKEN"


def test_a_party_id_that_is_too_long_is_refused(engine: Engine, deal: Deal) -> None:
    party: Party = dataclasses.replace(deal.parties[0], id="x" * 101)
    with pytest.raises(InputError) as caught, transaction(engine) as session:
        Repository(session).add_party(party)
    assert caught.value.code == "INVALID_ID"


def test_loans_list_in_id_order(loaded: Engine, deal: Deal) -> None:
    other: Loan = dataclasses.replace(deal.loan, id="a-loan", events=())
    with transaction(loaded) as session:
        Repository(session).add_loan(other)
    with _read(loaded) as session:
        assert [loan.id for loan in Repository(session).list_loans()] == ["a-loan", deal.loan.id]

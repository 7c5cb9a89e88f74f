"""Position snapshots through the service: appending one event at a time books what loading
the whole history books, quotes read snapshots and agree with the core on the events, a stale
or missing snapshot is walked around and rebuilt, and a closing keeps the snapshots right."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from service_helpers import (
    DealSpec,
    NoteSpec,
    deal_text,
    dump,
    load_spec,
    new_store,
    settle_document,
    sqlite_file,
)

from acquittance import service
from acquittance.core import accrual, settlement
from acquittance.core.errors import AcquittanceError
from acquittance.core.instruments import Advance, Event, Payment, RateChange
from acquittance.deals.parse import parse_deal, read_deal_file
from acquittance.store import schema
from acquittance.store.engine import open_engine, write_engine
from acquittance.store.repository import Repository

D = Decimal
OPENED = date(2020, 1, 1)
HARBOR = Path(__file__).resolve().parents[2] / "examples" / "harbor-mortgage-surplus.toml"
DAY_COUNTS = ("ACT/360", "ACT/365F", "ACT/ACT-ISDA", "30/360-BOND", "30/360-US", "30E/360")


def _event_toml(event: Event) -> str:
    if isinstance(event, RateChange):
        return f'kind = "rate_change"\ndate = {event.date}\nannual_rate = "{event.annual_rate}"\n'
    kind = "advance" if isinstance(event, Advance) else "payment"
    assert isinstance(event, Advance | Payment)
    return f'kind = "{kind}"\ndate = {event.date}\namount = {event.amount}\n'


def deal_with_events(spec: DealSpec, events: list[Event], compounding: str = "simple") -> str:
    """`spec`'s deal file with `events` on its loan after the opening."""
    text = deal_text(spec)
    loan_terms = f'day_count = "{spec.day_count}"\n'
    text = text.replace(loan_terms, loan_terms + f'compounding = "{compounding}"\n', 1)
    extra = "".join(f"\n[[loans.events]]\n{_event_toml(event)}" for event in events)
    marker = "\n[[notes]]" if spec.notes else "\n[[security_interests]]"
    at = text.index(marker)
    return text[:at] + extra + text[at:]


def journals(store: service.Store) -> dict[tuple[str, str | None], list[Any]]:
    """Each party's entries for each instrument, in order, as posted (ids and hashes aside).

    The instruments' entries interleave in a party's chain in the order they were
    posted, so the chains differ between a load and a sequence of records; each
    instrument's own entries may not.
    """
    found: dict[tuple[str, str | None], list[Any]] = {}
    for party in ("lender", "borrower"):
        for entry in service.journal(store, party)[1]:
            legs = [(leg.account, leg.amount, leg.currency) for leg in entry.legs]
            found.setdefault((party, entry.reference), []).append(
                (entry.date, entry.kind, entry.description, legs)
            )
    return found


def settled_entries(document: dict[str, Any]) -> list[Any]:
    return [
        (e["party"], e["date"], e["kind"], [(leg["account"], leg["amount"]) for leg in e["legs"]])
        for e in document["entries"]
    ]


@st.composite
def histories(draw: st.DrawFn) -> tuple[DealSpec, list[Event], str]:
    spec = DealSpec(
        rate=f"{draw(st.integers(0, 2000)) / 100}%",
        day_count=draw(st.sampled_from(DAY_COUNTS)),
        notes=(
            NoteSpec(
                "note-1",
                D("600000.00"),
                D("500.00"),
                day_count=draw(st.sampled_from(DAY_COUNTS)),
            ),
        ),
    )
    events: list[Event] = []
    for offset in sorted(draw(st.lists(st.integers(0, 900), min_size=1, max_size=6))):
        on = OPENED + timedelta(days=offset)
        kind = draw(st.sampled_from(["advance", "payment", "rate"]))
        if kind == "advance":
            events.append(Advance(on, D(draw(st.integers(1, 10**8))) / 100))
        elif kind == "payment":
            events.append(Payment(on, D(draw(st.integers(1, 10**7))) / 100))
        else:
            events.append(RateChange(on, D(draw(st.integers(0, 2000))) / 10000))
    return spec, events, draw(st.sampled_from(["simple", "monthly", "annual"]))


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=histories(), later=st.integers(0, 400))
def test_recording_events_one_by_one_books_and_quotes_what_loading_them_does(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[DealSpec, list[Event], str], later: int
) -> None:
    spec, events, compounding = case
    folder = tmp_path_factory.mktemp("history")
    whole = new_store(f"sqlite:///{folder / 'whole.db'}")
    stepped = new_store(f"sqlite:///{folder / 'stepped.db'}")
    try:
        deal = parse_deal(deal_with_events(spec, events, compounding), source="test deal")
        service.load_deal(whole, deal)
        service.load_deal(stepped, parse_deal(deal_with_events(spec, [], compounding)))
        for event in events:
            service.record_event(stepped, spec.loan_id, event)
        # The same entries, to the hash: one step per event is the walk through them all.
        assert journals(stepped) == journals(whole)
        as_of = events[-1].date + timedelta(days=later)
        request = service.QuoteRequest(loan_id=spec.loan_id, as_of=as_of)
        from_snapshots = service.quote(stepped, request)
        assert from_snapshots == service.quote(whole, request)
        # And the core, walking the events themselves, gives the same cents and fingerprint.
        (loan,) = deal.loans
        core = settlement.quote(loan, {n.id: n for n in deal.notes}, deal.security_interests, as_of)
        assert from_snapshots == core
        assert from_snapshots.fingerprint == core.fingerprint
        assert from_snapshots.loan_position.interest_exact == core.loan_position.interest_exact
        _, held = service.instrument_position(stepped, spec.loan_id, as_of)
        assert held == accrual.position(loan, as_of)
        assert held.interest_exact == accrual.position(loan, as_of).interest_exact
    finally:
        whole.close()
        stepped.close()


def test_a_quote_before_the_last_event_reads_the_snapshot_of_its_date(sqlite_url: str) -> None:
    store = new_store(sqlite_url)
    events: list[Event] = [
        Payment(date(2020, 3, 1), D("5000.00")),
        RateChange(date(2020, 6, 1), D("0.09")),
        Advance(date(2020, 9, 1), D("20000.00")),
    ]
    deal = parse_deal(deal_with_events(DealSpec(), events))
    service.load_deal(store, deal)
    (loan,) = deal.loans
    notes = {n.id: n for n in deal.notes}
    for as_of in (date(2020, 1, 1), date(2020, 3, 1), date(2020, 7, 15), date(2021, 1, 1)):
        from_snapshots = service.quote(store, service.QuoteRequest(loan_id="loan-a", as_of=as_of))
        core = settlement.quote(loan, notes, deal.security_interests, as_of)
        assert from_snapshots == core, as_of
        assert from_snapshots.fingerprint == core.fingerprint


# --- the bug: note events after the settlement date -------------------------------------------


def test_a_note_event_after_the_settlement_date_refuses_the_closing_and_changes_nothing(
    sqlite_url: str,
) -> None:
    store = new_store(sqlite_url)
    service.load_deal(store, read_deal_file(HARBOR))
    service.record_event(store, "quill-mortgage-1", Payment(date(2024, 7, 5), D("50000.00")))
    before = dump(sqlite_url)
    request = service.QuoteRequest(loan_id="harbor-quill-loan", as_of=date(2024, 6, 30))
    with pytest.raises(AcquittanceError) as refused:
        service.settle(store, request, key="k")
    assert refused.value.code == "BACKDATED_CLOSING"
    message = refused.value.message
    assert "note quill-mortgage-1" in message and "Payment" in message and "2024-07-05" in message
    assert dump(sqlite_url) == before
    # Settling on or after the payment closes, and books no interest past it on the note.
    document = settle_document(store, replace(request, as_of=date(2024, 7, 5)), key="k")
    note_accruals = [
        e
        for e in document["entries"]
        if e["kind"] == "accrual" and e["reference"] == "quill-mortgage-1"
    ]
    assert note_accruals == []
    assert service.verify(store).ok


def test_a_quote_on_a_date_before_a_later_note_event_is_still_what_was_owed_then(
    sqlite_url: str,
) -> None:
    store = new_store(sqlite_url)
    service.load_deal(store, read_deal_file(HARBOR))
    request = service.QuoteRequest(loan_id="harbor-quill-loan", as_of=date(2024, 6, 30))
    before = service.quote(store, request)
    service.record_event(store, "quill-mortgage-1", Payment(date(2024, 7, 5), D("50000.00")))
    after = service.quote(store, request)
    assert after.collateral == before.collateral
    assert after.fingerprint != before.fingerprint


# --- stale or missing snapshots -----------------------------------------------------------------


def _drop_snapshots(url: str) -> None:
    connection = sqlite3.connect(sqlite_file(url))
    try:
        connection.execute("DELETE FROM position_snapshots")
        connection.commit()
    finally:
        connection.close()


def _snapshot_counts(url: str) -> dict[tuple[str, str], int]:
    connection = sqlite3.connect(sqlite_file(url))
    try:
        rows = connection.execute(
            "SELECT instrument_kind, instrument_id, count(*) FROM position_snapshots "
            "GROUP BY instrument_kind, instrument_id"
        ).fetchall()
    finally:
        connection.close()
    return {(kind, instrument): count for kind, instrument, count in rows}


def test_without_snapshots_reads_walk_the_events_and_the_next_write_rebuilds_them(
    tmp_path: Path,
) -> None:
    events: list[Event] = [
        Payment(date(2020, 2, 1), D("7000.00")),
        RateChange(date(2020, 3, 1), D("0.07")),
    ]
    text = deal_with_events(DealSpec(), events)
    kept_url, dropped_url = (
        f"sqlite:///{tmp_path / 'kept.db'}",
        f"sqlite:///{tmp_path / 'dropped.db'}",
    )
    kept, dropped = new_store(kept_url), new_store(dropped_url)
    try:
        for store in (kept, dropped):
            service.load_deal(store, parse_deal(text))
        counts = _snapshot_counts(kept_url)
        assert counts == {("loan", "loan-a"): 3, ("note", "note-1"): 1}
        _drop_snapshots(dropped_url)
        request = service.QuoteRequest(loan_id="loan-a", as_of=date(2020, 6, 30))
        assert service.quote(dropped, request) == service.quote(kept, request)
        assert (
            service.quote(dropped, request).fingerprint == service.quote(kept, request).fingerprint
        )
        assert _snapshot_counts(dropped_url) == {}  # a read writes nothing
        payment = Payment(date(2020, 5, 1), D("1000.00"))
        assert service.record_event(dropped, "loan-a", payment) == service.record_event(
            kept, "loan-a", payment
        )
        assert _snapshot_counts(dropped_url)[("loan", "loan-a")] == 4
        assert settled_entries(settle_document(dropped, request, key="k")) == (
            settled_entries(settle_document(kept, request, key="k"))
        )
        assert _snapshot_counts(dropped_url) == _snapshot_counts(kept_url)
        assert service.verify(dropped).ok
    finally:
        kept.close()
        dropped.close()


def test_a_store_migrated_from_before_snapshots_quotes_records_and_settles(sqlite_url: str) -> None:
    store = new_store(sqlite_url)
    load_spec(store, DealSpec())
    service.record_event(store, "loan-a", Payment(date(2020, 2, 1), D("2000.00")))
    request = service.QuoteRequest(loan_id="loan-a", as_of=date(2020, 3, 31))
    expected = service.quote(store, request)
    store.close()
    engine = open_engine(sqlite_url)
    try:
        config = schema.alembic_config()
        with write_engine(engine).begin() as connection:
            config.attributes["connection"] = connection
            from alembic import command

            command.downgrade(config, "0002")  # the revision before snapshots
    finally:
        engine.dispose()
    # Back to the newest revision: an empty snapshot table.
    service.initialize(service.Store(sqlite_url))
    store = service.Store(sqlite_url)
    assert _snapshot_counts(sqlite_url) == {}
    assert service.quote(store, request) == expected
    service.record_event(store, "loan-a", Payment(date(2020, 3, 1), D("100.00")))
    document = settle_document(store, replace(request, as_of=date(2020, 3, 31)), key="k")
    assert document["loan_status"] == "discharged"
    assert service.verify(store).ok
    store.close()


# --- a closing keeps the snapshots right --------------------------------------------------------


def test_after_a_closing_the_snapshots_stand_after_its_events_and_with_the_new_holder(
    sqlite_url: str,
) -> None:
    store = new_store(sqlite_url)
    load_spec(store, DealSpec())
    as_of = date(2020, 4, 30)
    service.settle(store, service.QuoteRequest(loan_id="loan-a", as_of=as_of), key="k")
    with store.read() as session:
        repo = Repository(session)
        loan, loan_events = repo.loan_header("loan-a")
        note, _ = repo.note_header("note-1")
        loan_snapshot, note_snapshot = repo.latest_snapshot(loan), repo.latest_snapshot(note)
    assert loan_snapshot is not None and note_snapshot is not None
    assert loan_snapshot.state.events_count == loan_events == 3  # opening, satisfaction, discharge
    assert loan_snapshot.state.discharged_on == as_of
    assert (note_snapshot.booked_by, note_snapshot.state.as_of) == ("lender", as_of)
    # Its new holder books the note from the closing on: interest since then, then the payment.
    later = date(2020, 5, 30)
    held = stored_note(store, "note-1")
    entries = service.record_event(store, "note-1", Payment(later, D("3000.00")))
    assert {e.party_id for e in entries} == {"lender"}
    # 600,000.00 at 5% 30/360 for the 30 days since the closing: 2,500.00.
    accrued = accrual.position(held, later).interest - accrual.position(held, as_of).interest
    assert accrued == D("2500.00")
    (accrual_entry,) = [e for e in entries if e.kind == "accrual"]
    assert max(leg.amount for leg in accrual_entry.legs) == accrued
    assert service.verify(store).ok


def stored_note(store: service.Store, note_id: str) -> Any:
    with store.read() as session:
        return Repository(session).get_note(note_id)


def test_an_event_dated_before_a_notes_assignment_is_refused(sqlite_url: str) -> None:
    store = new_store(sqlite_url)
    load_spec(store, DealSpec())
    service.settle(store, service.QuoteRequest(loan_id="loan-a", as_of=date(2020, 4, 30)), key="k")
    before = dump(sqlite_url)
    with pytest.raises(AcquittanceError) as refused:
        service.record_event(store, "note-1", Payment(date(2020, 3, 1), D("10.00")))
    # A late event is accepted, except where a closed settlement would change.
    assert refused.value.code == "SETTLED_HISTORY"
    assert "2020-04-30" in refused.value.message
    assert dump(sqlite_url) == before


def test_recording_on_a_discharged_loan_is_refused_from_its_snapshot(sqlite_url: str) -> None:
    store = new_store(sqlite_url)
    load_spec(store, DealSpec())
    service.settle(store, service.QuoteRequest(loan_id="loan-a", as_of=date(2020, 4, 30)), key="k")
    before = dump(sqlite_url)
    with pytest.raises(AcquittanceError) as refused:
        service.record_event(store, "loan-a", Payment(date(2020, 5, 1), D("10.00")))
    assert refused.value.code == "LOAN_DISCHARGED"
    assert dump(sqlite_url) == before

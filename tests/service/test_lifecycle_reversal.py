"""Reversing events, and the invariants of corrections: any order, or a reversal, changes nothing
the events do not say."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lifecycle_helpers import (
    HARBOR_LOAN,
    HARBOR_NOTES,
    D,
    all_balances,
    content,
    harbor_store,
    position_on,
    refused,
    verified,
)
from service_helpers import DealSpec, load_spec, new_store

from acquittance import service
from acquittance.core.instruments import Payment

JUNE_30 = date(2024, 6, 30)


def test_reversing_a_payment_gives_the_figures_of_never_having_made_it(store_url: str) -> None:
    store = harbor_store(store_url)
    assert position_on(store, HARBOR_LOAN, JUNE_30) == (D("1185000.00"), D("28440.00"))
    done = service.reverse(
        store, HARBOR_LOAN, "2", on=JUNE_30, reason="wire returned unpaid", key="rev"
    )
    assert (done.reversal_ref, done.reversed_ref) == (f"{HARBOR_LOAN}#4", f"{HARBOR_LOAN}#2")
    assert done.reversed_event == Payment(date(2024, 3, 31), D("60000.00"))
    # 18,000 + 1.2M x 9% x 91/360 = 45,300 to 2024-04-01, + 1.2M x 9.5% x 90/360 = 28,500.
    assert position_on(store, HARBOR_LOAN, JUNE_30) == (D("1200000.00"), D("73800.00"))
    # Figures before the reversed event are as they were.
    assert position_on(store, HARBOR_LOAN, date(2024, 3, 30))[0] == D("1200000.00")
    # Corrections are dated on the reversal, so the books as of earlier dates stand.
    assert {e.date for e in done.entries} == {JUNE_30}
    reversals = [e for e in done.entries if e.kind.value == "reversal"]
    assert reversals and all("wire returned unpaid" in e.description for e in reversals)
    books = all_balances(store)
    assert "Assets:Cash" not in books["harbor"]  # the 60,000 is back out of the lender's cash
    assert books["harbor"]["Assets:LoanReceivable:Quill"] == D("1200000.00")
    after = content(store)
    again = service.reverse(
        store, HARBOR_LOAN, "2", on=JUNE_30, reason="wire returned unpaid", key="rev"
    )
    assert content(store) == after and again.replayed and again.entries == done.entries
    log = service.event_log(store, HARBOR_LOAN)
    assert [(line.ref, line.status, line.reversed_by) for line in log.lines] == [
        (f"{HARBOR_LOAN}#1", "effective", None),
        (f"{HARBOR_LOAN}#2", "reversed", f"{HARBOR_LOAN}#4"),
        (f"{HARBOR_LOAN}#3", "effective", None),
        (f"{HARBOR_LOAN}#4", "reversal", None),
    ]
    verified(store)


def test_a_reversed_payment_books_as_if_it_was_never_recorded(
    store_url: str, tmp_path: Path
) -> None:
    store = harbor_store(store_url)
    mistaken = service.record(store, HARBOR_LOAN, Payment(date(2024, 5, 1), D("25000.00")))
    service.record(store, HARBOR_LOAN, Payment(date(2024, 6, 1), D("5000.00")))
    service.reverse(store, HARBOR_LOAN, mistaken.event_ref, on=JUNE_30, reason="keyed twice")
    clean = harbor_store(f"sqlite:///{tmp_path / 'clean' / 's.db'}")
    service.record(clean, HARBOR_LOAN, Payment(date(2024, 6, 1), D("5000.00")))
    for on in (date(2024, 6, 1), JUNE_30, date(2024, 12, 31)):
        assert position_on(store, HARBOR_LOAN, on) == position_on(clean, HARBOR_LOAN, on)
    assert all_balances(store) == all_balances(clean)
    verified(store)


def test_a_note_payment_can_be_reversed(sqlite_url: str) -> None:
    store = harbor_store(sqlite_url)
    note = HARBOR_NOTES[0]
    before = position_on(store, note, JUNE_30)
    paid = service.record(store, note, Payment(date(2024, 2, 1), D("4000.00")))
    assert position_on(store, note, JUNE_30) != before
    service.reverse(store, note, paid.event_ref, on=date(2024, 2, 5), reason="not received")
    assert position_on(store, note, JUNE_30) == before
    verified(store)


def test_reversal_refusals(store_url: str) -> None:
    store = harbor_store(store_url)
    on = JUNE_30
    refused(store, "UNKNOWN_EVENT", service.reverse, store, HARBOR_LOAN, "9", on=on, reason="x")
    refused(store, "INVALID_EVENT_REF", service.reverse, store, HARBOR_LOAN, "x", on=on, reason="x")
    refused(
        store,
        "EVENT_REF_MISMATCH",
        service.reverse,
        store,
        HARBOR_LOAN,
        "other#2",
        on=on,
        reason="x",
    )
    refused(
        store,
        "FIRST_EVENT_NOT_REVERSIBLE",
        service.reverse,
        store,
        HARBOR_LOAN,
        "1",
        on=on,
        reason="x",
    )
    refused(store, "MISSING_REASON", service.reverse, store, HARBOR_LOAN, "2", on=on, reason=" ")
    refused(
        store, "REASON_TOO_LONG", service.reverse, store, HARBOR_LOAN, "2", on=on, reason="x" * 201
    )
    refused(
        store,
        "REVERSAL_BEFORE_LAST_EVENT",
        service.reverse,
        store,
        HARBOR_LOAN,
        "2",
        on=date(2024, 3, 31),
        reason="x",
    )
    service.reverse(store, HARBOR_LOAN, "2", on=on, reason="returned")
    refused(
        store, "EVENT_ALREADY_REVERSED", service.reverse, store, HARBOR_LOAN, "2", on=on, reason="x"
    )
    refused(
        store,
        "REVERSAL_NOT_REVERSIBLE",
        service.reverse,
        store,
        HARBOR_LOAN,
        "4",
        on=on,
        reason="x",
    )


def test_an_event_a_closed_settlement_depends_on_is_not_reversed(store_url: str) -> None:
    store = new_store(store_url)
    load_spec(store, DealSpec())
    service.record(store, "loan-a", Payment(date(2020, 3, 1), D("1000.00")))
    service.settle(store, service.QuoteRequest("loan-a", date(2020, 6, 30), partial=True), key="s")
    later = service.record(store, "loan-a", Payment(date(2020, 8, 1), D("1000.00")))
    error = refused(
        store,
        "SETTLED_HISTORY",
        service.reverse,
        store,
        "loan-a",
        "2",
        on=date(2020, 9, 1),
        reason="x",
    )
    assert "settlement" in error.message
    # The settlement's own events are refused too, and events after it are not.
    refused(
        store,
        "SETTLED_HISTORY",
        service.reverse,
        store,
        "loan-a",
        "3",
        on=date(2020, 9, 1),
        reason="x",
    )
    service.reverse(store, "loan-a", later.event_ref, on=date(2020, 9, 1), reason="returned")
    verified(store)


def test_a_discharged_loan_s_events_are_not_reversed(sqlite_url: str) -> None:
    store = harbor_store(sqlite_url)
    service.payoff(store, HARBOR_LOAN, on=JUNE_30)
    refused(
        store, "LOAN_DISCHARGED", service.reverse, store, HARBOR_LOAN, "2", on=JUNE_30, reason="x"
    )


# --- invariants ---------------------------------------------------------------------------

OPENED = date(2020, 1, 1)
payments = st.lists(
    st.tuples(st.integers(min_value=1, max_value=120), st.integers(min_value=1, max_value=5000)),
    min_size=1,
    max_size=4,
)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(payments=payments, order=st.randoms(use_true_random=False), reversed_index=st.integers(0, 3))
def test_recording_in_any_order_or_reversing_gives_the_positions_of_the_events(
    tmp_path: Path, payments: list[tuple[int, int]], order: object, reversed_index: int
) -> None:
    """In any recording order (backdated or not), and with one payment recorded then reversed,
    positions and both books equal those of the same standing events recorded in date order."""
    events = [Payment(OPENED + timedelta(days=day), D(cents) / 100) for day, cents in payments]
    shuffled = list(events)
    order.shuffle(shuffled)  # type: ignore[attr-defined]
    mixed = _store(tmp_path)
    refs = [service.record(mixed, "loan-a", event).event_ref for event in shuffled]
    target = reversed_index % len(shuffled)
    newest = max(e.date for e in events)
    service.reverse(mixed, "loan-a", refs[target], on=newest, reason="property")
    standing = [e for i, e in enumerate(shuffled) if i != target]
    in_order = _store(tmp_path)
    for event in sorted(standing, key=lambda e: e.date):
        service.record(in_order, "loan-a", event)
    for on in (OPENED + timedelta(days=60), newest, date(2020, 12, 31)):
        assert position_on(mixed, "loan-a", on) == position_on(in_order, "loan-a", on)
    assert _balances(mixed) == _balances(in_order)
    verified(mixed)


def _store(tmp_path: Path) -> service.Store:
    store = new_store(f"sqlite:///{tmp_path / uuid.uuid4().hex / 's.db'}")
    load_spec(store, DealSpec())
    return store


def _balances(store: service.Store) -> dict[str, dict[str, D]]:
    from service_helpers import balances

    return {
        party: {a: v for a, v in balances(store, party).items() if v}
        for party in ("lender", "borrower")
    }


def test_corrections_of_a_note_before_and_after_its_assignment_verify(store_url: str) -> None:
    """A late payment before the settlement assigned the note (in the assignor's books), and a
    late payment and a reversal after it (in the assignee's), all rebuild from the events."""
    store = harbor_store(store_url)
    note = HARBOR_NOTES[0]
    service.record(store, note, Payment(date(2024, 3, 1), D("5000.00")))
    assert service.record(store, note, Payment(date(2024, 2, 1), D("5000.00"))).backdated
    service.settle(store, service.QuoteRequest(HARBOR_LOAN, JUNE_30), key="settle")
    refused(store, "SETTLED_HISTORY", service.record, store, note, Payment(JUNE_30, D("1.00")))
    service.record(store, note, Payment(date(2024, 8, 1), D("5000.00")))
    mistaken = service.record(store, note, Payment(date(2024, 9, 1), D("5000.00")))
    late = service.record(store, note, Payment(date(2024, 7, 15), D("100.00")))
    assert late.backdated and {e.party_id for e in late.entries} == {"harbor"}
    service.reverse(store, note, mistaken.event_ref, on=date(2024, 9, 1), reason="bounced")
    verified(store)

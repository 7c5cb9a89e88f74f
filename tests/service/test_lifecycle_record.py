"""`record` under an idempotency key, and events recorded late (backdated), on both stores."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from lifecycle_helpers import (
    HARBOR_LOAN,
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
from acquittance.core.instruments import Payment, RateChange

JUNE_30 = date(2024, 6, 30)


def test_the_same_key_again_answers_the_first_result_and_writes_nothing(store_url: str) -> None:
    store = harbor_store(store_url)
    first = service.record(store, HARBOR_LOAN, Payment(date(2024, 5, 1), D("30000.00")), key="p1")
    after_first = content(store)
    again = service.record(store, HARBOR_LOAN, Payment(date(2024, 5, 1), D("30000.00")), key="p1")
    assert content(store) == after_first
    assert again.replayed and not first.replayed
    assert (again.action_id, again.event_ref, again.entries) == (
        first.action_id,
        first.event_ref,
        first.entries,
    )
    assert first.event_ref == f"{HARBOR_LOAN}#4"
    # Interest accrued to the payment, then the payment, in both books.
    assert [(e.party_id, e.kind.value) for e in first.entries] == [
        ("harbor", "accrual"),
        ("quill", "accrual"),
        ("harbor", "payment"),
        ("quill", "payment"),
    ]
    verified(store)


def test_the_same_key_for_another_request_is_refused(store_url: str) -> None:
    store = harbor_store(store_url)
    service.record(store, HARBOR_LOAN, Payment(date(2024, 5, 1), D("30000.00")), key="p1")
    error = refused(
        store,
        "IDEMPOTENCY_KEY_REUSED",
        service.record,
        store,
        HARBOR_LOAN,
        Payment(date(2024, 5, 1), D("30000.01")),
        key="p1",
    )
    assert "p1" in error.message and "new key" in error.message


def test_a_key_of_one_use_case_is_refused_for_another(sqlite_url: str) -> None:
    store = harbor_store(sqlite_url)
    service.record(store, HARBOR_LOAN, Payment(date(2024, 5, 1), D("30000.00")), key="k")
    refused(
        store, "IDEMPOTENCY_KEY_REUSED", service.payoff, store, HARBOR_LOAN, on=JUNE_30, key="k"
    )


def test_records_without_a_key_each_post(sqlite_url: str) -> None:
    store = harbor_store(sqlite_url)
    payment = Payment(date(2024, 5, 1), D("1000.00"))
    first = service.record(store, HARBOR_LOAN, payment)
    second = service.record(store, HARBOR_LOAN, payment)
    assert first.action_id != second.action_id
    # Both go to the 9,677.50 of interest accrued by then, and none to principal.
    assert position_on(store, HARBOR_LOAN, date(2024, 5, 1)) == (D("1185000.00"), D("7677.50"))
    verified(store)


def test_a_backdated_payment_gives_the_positions_and_balances_of_date_order(
    store_url: str, tmp_path: Path
) -> None:
    late = harbor_store(store_url)
    service.record(late, HARBOR_LOAN, Payment(date(2024, 5, 1), D("30000.00")))
    recorded = service.record(late, HARBOR_LOAN, Payment(date(2024, 4, 15), D("10000.00")))
    assert recorded.backdated
    # Corrections are dated on the newest event's date, never before what they correct.
    assert {e.date for e in recorded.entries} == {date(2024, 5, 1)}
    assert {e.kind.value for e in recorded.entries} >= {"reversal", "accrual", "payment"}
    in_order = harbor_store(f"sqlite:///{tmp_path / 'in-order' / 'a.db'}")
    service.record(in_order, HARBOR_LOAN, Payment(date(2024, 4, 15), D("10000.00")))
    service.record(in_order, HARBOR_LOAN, Payment(date(2024, 5, 1), D("30000.00")))
    for on in (date(2024, 4, 20), date(2024, 5, 1), JUNE_30):
        assert position_on(late, HARBOR_LOAN, on) == position_on(in_order, HARBOR_LOAN, on)
    assert all_balances(late) == all_balances(in_order)
    verified(late)


def test_a_backdated_rate_change_recomputes_what_follows(sqlite_url: str) -> None:
    store = harbor_store(sqlite_url)
    before = position_on(store, HARBOR_LOAN, JUNE_30)
    assert before == (D("1185000.00"), D("28440.00"))  # the example's known payoff figures
    recorded = service.record(store, HARBOR_LOAN, RateChange(date(2024, 3, 1), D("0.10")))
    assert recorded.backdated  # the newest event was the rate change of 2024-04-01
    # 18,000 + 1.2M x 9% x 60/360 + 1.2M x 10% x 30/360 = 46,000 owed on 2024-03-31: the
    # 60,000 payment leaves 1,186,000; then 1 day at 10% (329.444...) and 90 days at 9.5%
    # (28,167.50).
    assert position_on(store, HARBOR_LOAN, JUNE_30) == (D("1186000.00"), D("28496.94"))
    verified(store)


def test_a_backdated_event_on_or_before_a_closed_settlement_is_refused(store_url: str) -> None:
    store = new_store(store_url)
    load_spec(store, DealSpec())
    service.settle(store, service.QuoteRequest("loan-a", date(2020, 6, 30), partial=True), key="s")
    service.record(store, "loan-a", Payment(date(2020, 8, 1), D("1000.00")))
    error = refused(
        store,
        "SETTLED_HISTORY",
        service.record,
        store,
        "loan-a",
        Payment(date(2020, 6, 30), D("10.00")),
    )
    assert "2020-06-30" in error.message
    late = service.record(store, "loan-a", Payment(date(2020, 7, 15), D("10.00")))
    assert late.backdated
    verified(store)


def test_a_backdated_payment_too_large_for_its_date_is_refused(sqlite_url: str) -> None:
    store = harbor_store(sqlite_url)
    service.record(store, HARBOR_LOAN, Payment(date(2024, 5, 1), D("1000.00")))
    refused(
        store,
        "OVERPAYMENT",
        service.record,
        store,
        HARBOR_LOAN,
        Payment(date(2024, 4, 15), D("5000000.00")),
    )


def test_an_event_before_the_opening_is_refused(sqlite_url: str) -> None:
    store = harbor_store(sqlite_url)
    refused(
        store,
        "EVENT_BEFORE_OPENING",
        service.record,
        store,
        HARBOR_LOAN,
        Payment(date(2023, 12, 1), D("10.00")),
    )


def test_a_payment_that_brings_a_loan_to_zero_pays_it_off(store_url: str) -> None:
    store = harbor_store(store_url)
    done = service.record(store, HARBOR_LOAN, Payment(JUNE_30, D("1213440.00")), key="all")
    assert done.payoff is not None
    assert done.payoff.released_interest_ids == ("harbor-quill-pledge",)
    [termination] = done.payoff.obligations
    assert termination.obligation.kind.value == "termination_statement"
    assert termination.obligation.due == date(2024, 7, 20)
    _, loan = service.show(store, HARBOR_LOAN)
    assert loan.discharged_on == JUNE_30
    again = service.record(store, HARBOR_LOAN, Payment(JUNE_30, D("1213440.00")), key="all")
    assert again.payoff is not None and again.payoff.obligations == done.payoff.obligations
    refused(
        store,
        "LOAN_DISCHARGED",
        service.record,
        store,
        HARBOR_LOAN,
        Payment(date(2024, 7, 1), D("1.00")),
    )
    verified(store)

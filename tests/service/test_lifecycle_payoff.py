"""Paying a loan off in cash and releasing named notes from its pledge, on both stores."""

from __future__ import annotations

from datetime import date
from pathlib import Path

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
from acquittance.service.documents import Output, ucc3_filing

JUNE_30 = date(2024, 6, 30)
PAYOFF = D("1213440.00")  # 1,185,000.00 principal + 28,440.00 interest on 2024-06-30


def test_a_payoff_discharges_releases_the_pledge_and_queues_the_termination(
    store_url: str,
) -> None:
    store = harbor_store(store_url)
    done = service.payoff(store, HARBOR_LOAN, on=JUNE_30, key="payoff")
    assert done.amount == PAYOFF
    assert done.released_interest_ids == ("harbor-quill-pledge",)
    [termination] = done.obligations
    assert termination.obligation.kind.value == "termination_statement"
    assert termination.obligation.financing_statement_id == "harbor-quill-ucc1"
    assert termination.obligation.due == date(2024, 7, 20)  # 20 days, as at a settlement
    assert termination.obligation.party_id == "harbor"
    _, loan = service.show(store, HARBOR_LOAN)
    assert loan.discharged_on == JUNE_30
    _, pledge = service.show(store, "harbor-quill-pledge")
    assert pledge.released_on == JUNE_30
    # The notes stay with their holder, now free of any pledge.
    for note_id in HARBOR_NOTES:
        _, note = service.show(store, note_id)
        assert note.holder_id == "quill"
    # Both books: the loan is gone, the cash moved from borrower to lender.
    books = all_balances(store)
    assert books["harbor"]["Assets:Cash"] == PAYOFF + D("60000.00")  # and the March payment
    assert not [a for a in books["harbor"] if a.startswith("Assets:LoanReceivable")]
    assert not [a for a in books["quill"] if a.startswith("Liabilities:")]
    assert position_on(store, HARBOR_LOAN, date(2024, 7, 31)) == (D("0.00"), D("0.00"))
    after = content(store)
    again = service.payoff(store, HARBOR_LOAN, on=JUNE_30, key="payoff")
    assert content(store) == after
    assert again.replayed and again.entries == done.entries
    assert again.obligations == done.obligations
    verified(store)


def test_a_payoff_of_the_exact_figure_is_accepted(sqlite_url: str) -> None:
    store = harbor_store(sqlite_url)
    done = service.payoff(store, HARBOR_LOAN, on=JUNE_30, amount=PAYOFF)
    assert done.amount == PAYOFF
    verified(store)


def test_overpaying_is_refused_with_the_payoff_figure(store_url: str) -> None:
    store = harbor_store(store_url)
    error = refused(
        store, "OVERPAYMENT", service.payoff, store, HARBOR_LOAN, on=JUNE_30, amount=PAYOFF + 1
    )
    assert "1213440.00" in error.message


def test_paying_less_than_the_payoff_is_refused_with_the_figure(sqlite_url: str) -> None:
    store = harbor_store(sqlite_url)
    error = refused(
        store, "PAYOFF_SHORT", service.payoff, store, HARBOR_LOAN, on=JUNE_30, amount=D("10.00")
    )
    assert "1213440.00" in error.message and "record" in error.message


def test_payoff_refusals(sqlite_url: str) -> None:
    store = harbor_store(sqlite_url)
    refused(
        store, "PAYOFF_BEFORE_LAST_EVENT", service.payoff, store, HARBOR_LOAN, on=date(2024, 3, 1)
    )
    refused(store, "UNKNOWN_LOAN", service.payoff, store, HARBOR_NOTES[0], on=JUNE_30)
    refused(store, "UNKNOWN_INSTRUMENT", service.payoff, store, "no-such-loan", on=JUNE_30)
    refused(store, "INVALID_AMOUNT", service.payoff, store, HARBOR_LOAN, on=JUNE_30, amount=D("-1"))
    refused(store, "INVALID_KEY", service.payoff, store, HARBOR_LOAN, on=JUNE_30, key=" ")
    service.payoff(store, HARBOR_LOAN, on=JUNE_30)
    refused(store, "LOAN_DISCHARGED", service.payoff, store, HARBOR_LOAN, on=date(2024, 7, 1))


# --- partial release --------------------------------------------------------------------


def test_a_partial_release_takes_the_note_out_and_queues_the_amendment(store_url: str) -> None:
    store = harbor_store(store_url)
    released = service.release(store, HARBOR_LOAN, [HARBOR_NOTES[0]], on=date(2024, 5, 15), key="r")
    assert [(n.note_id, n.security_interest_id) for n in released.notes] == [
        (HARBOR_NOTES[0], "harbor-quill-pledge")
    ]
    assert released.remaining_note_ids == (HARBOR_NOTES[1],)
    [amendment] = released.obligations
    assert amendment.obligation.kind.value == "amendment_statement"
    assert amendment.obligation.financing_statement_id == "harbor-quill-ucc1"
    assert amendment.obligation.due == date(2024, 6, 4)
    _, pledge = service.show(store, "harbor-quill-pledge")
    assert pledge.released_on is None and pledge.note_ids == (HARBOR_NOTES[1],)
    # The quote now counts only the note still pledged.
    the_quote = service.quote(store, service.QuoteRequest(HARBOR_LOAN, JUNE_30))
    assert [line.note_id for line in the_quote.collateral] == [HARBOR_NOTES[1]]
    after = content(store)
    again = service.release(store, HARBOR_LOAN, [HARBOR_NOTES[0]], on=date(2024, 5, 15), key="r")
    assert content(store) == after and again.replayed and again.notes == released.notes
    assert again.obligations == released.obligations
    # A later payoff terminates the financing statement the amendment changed.
    paid = service.payoff(store, HARBOR_LOAN, on=JUNE_30)
    assert [o.obligation.kind.value for o in paid.obligations] == ["termination_statement"]
    verified(store)


def test_release_refusals(store_url: str) -> None:
    store = harbor_store(store_url)
    on = date(2024, 5, 15)
    error = refused(store, "NOTE_NOT_PLEDGED", service.release, store, HARBOR_LOAN, ["x"], on=on)
    assert "quill-mortgage-1" in error.message  # says which notes are pledged
    refused(
        store, "RELEASE_OF_ALL_COLLATERAL", service.release, store, HARBOR_LOAN, HARBOR_NOTES, on=on
    )
    refused(
        store, "DUPLICATE_NOTE", service.release, store, HARBOR_LOAN, [HARBOR_NOTES[0]] * 2, on=on
    )
    refused(store, "MISSING_OPTION", service.release, store, HARBOR_LOAN, [], on=on)
    refused(store, "UNKNOWN_LOAN", service.release, store, HARBOR_NOTES[0], ["x"], on=on)
    service.release(store, HARBOR_LOAN, [HARBOR_NOTES[0]], on=on)
    refused(
        store, "NOTE_NOT_PLEDGED", service.release, store, HARBOR_LOAN, [HARBOR_NOTES[0]], on=on
    )


def test_a_note_pledged_to_another_loan_is_not_released_from_this_one(sqlite_url: str) -> None:
    store = new_store(sqlite_url)
    load_spec(store, DealSpec())
    error = refused(
        store, "NOTE_NOT_PLEDGED", service.release, store, "loan-a", ["note-2"], on=date(2020, 2, 1)
    )
    assert "note-1" in error.message


def test_a_payoff_after_payments_pays_what_is_left(sqlite_url: str) -> None:
    store = harbor_store(sqlite_url)
    service.record(store, HARBOR_LOAN, Payment(date(2024, 5, 1), D("30000.00")))
    principal, interest = position_on(store, HARBOR_LOAN, JUNE_30)
    done = service.payoff(store, HARBOR_LOAN, on=JUNE_30)
    assert done.amount == principal + interest
    verified(store)


def test_the_ucc3_amendment_of_a_release_names_the_note_and_its_deadline(
    sqlite_url: str, tmp_path: Path
) -> None:
    store = harbor_store(sqlite_url)
    released = service.release(store, HARBOR_LOAN, [HARBOR_NOTES[0]], on=date(2024, 5, 15))
    path = tmp_path / "ucc3.md"
    filing = ucc3_filing(
        store, "harbor-quill-pledge", Output(path), termination=False, note_ids=(HARBOR_NOTES[0],)
    )
    assert [note.note_id for note in filing.context.released] == [HARBOR_NOTES[0]]
    [amendment] = released.obligations
    assert filing.context.obligation_id == amendment.obligation.id
    assert filing.context.due == date(2024, 6, 4)

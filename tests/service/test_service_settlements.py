"""Settlements through the service on real stores: surplus, partial, explicit values,
accrual to a later date, idempotency, saved quotes and refusals that change nothing."""

from __future__ import annotations

import sqlite3
from datetime import date
from decimal import Decimal

import pytest
from service_helpers import (
    NOTE_INTEREST,
    REFERENCE_DATE,
    REFERENCE_DEAL,
    REFERENCE_LOAN,
    DealSpec,
    NoteSpec,
    assert_balanced,
    balances,
    dump,
    load_spec,
    loan_accounts,
    new_store,
    settle_document,
    sqlite_file,
    trial_balance,
)

from acquittance import service
from acquittance.core.errors import AcquittanceError
from acquittance.core.instruments import Payment
from acquittance.deals.parse import read_deal_file
from acquittance.store.repository import Repository

D = Decimal
OPENED = date(2020, 1, 1)


def _request(as_of: date = OPENED, **options: object) -> service.QuoteRequest:
    return service.QuoteRequest(loan_id="loan-a", as_of=as_of, **options)  # type: ignore[arg-type]


def _refused(url: str, code: str, call: object, *args: object, **kwargs: object) -> None:
    """`call` raises the coded error and the store's content is as it was."""
    before = dump(url)
    with pytest.raises(AcquittanceError) as raised:
        call(*args, **kwargs)  # type: ignore[operator]
    assert raised.value.code == code, raised.value
    assert dump(url) == before


def _both_books_balance(store: service.Store) -> None:
    for party_id in ("lender", "borrower"):
        _, entries = service.journal(store, party_id)
        assert_balanced(entries)
        document = trial_balance(store, party_id)
        assert document["total_debit"] == document["total_credit"]
    assert service.verify(store).ok


# --- surplus, partial and explicit values -----------------------------------------------------


def test_collateral_worth_more_than_the_debt_sends_the_surplus_to_the_borrower(
    sqlite_url: str,
) -> None:
    store = new_store(sqlite_url)
    spec = DealSpec(
        principal=D("500000.00"),
        interest=D("0.00"),
        notes=(NoteSpec("note-1", D("600000.00"), D("2500.00")),),
    )
    load_spec(store, spec)
    document = settle_document(store, _request(), key="surplus")
    assert document["owed"]["total"] == "500000.00"
    assert document["collateral"]["value"] == "602500.00"
    assert document["cash"] == {
        "amount": "102500.00",
        "payer": "lender",
        "payee": "borrower",
        "direction": "lender_to_borrower",
    }
    assert document["remaining_debt"] == "0.00"
    assert document["loan_status"] == "discharged"
    wires = [o for o in document["obligations"] if o["kind"] == "wire"]
    assert [(w["party"], w["amount"]) for w in wires] == [("lender", "102500.00")]
    assert balances(store, "lender")["Assets:Cash"] == D("-102500.00")
    assert balances(store, "borrower")["Assets:Cash"] == D("102500.00")
    _both_books_balance(store)


def test_partial_satisfaction_leaves_the_rest_owed_and_the_pledge_in_force(
    sqlite_url: str,
) -> None:
    store = new_store(sqlite_url)
    load_spec(store, DealSpec())
    document = settle_document(store, _request(partial=True), key="partial")
    assert document["satisfaction"] == "partial"
    assert document["cash"]["amount"] == "0.00"
    assert document["cash"]["payer"] is None and document["cash"]["payee"] is None
    assert document["remaining_debt"] == "400500.00"  # 1,001,000.00 owed - 600,500.00
    assert document["loan_status"] == "outstanding"
    assert document["released_security_interests"] == []
    assert not [o for o in document["obligations"] if o["kind"] == "termination_statement"]
    kind, record = service.show(store, "loan-a")
    assert kind == "loan" and record.discharged_on is None
    _, pledge = service.show(store, "pledge-loan-a")
    assert pledge.released_on is None
    assert service.obligations(store) == []
    # What stays owed is on both books.
    lender = balances(store, "lender")
    owed_to_lender = sum(
        (amount for account, amount in lender.items() if loan_accounts(account)), D(0)
    )
    assert owed_to_lender == D("400500.00")
    _, held = service.instrument_position(store, "loan-a", OPENED)
    assert held.total == D("400500.00")
    _both_books_balance(store)


def test_after_a_partial_settlement_the_remaining_debt_can_be_quoted(sqlite_url: str) -> None:
    store = new_store(sqlite_url)
    spec = DealSpec(
        notes=(
            NoteSpec("note-1", D("300000.00")),
            NoteSpec("note-2", D("200000.00")),
        )
    )
    load_spec(store, spec)
    service.settle(store, _request(note_ids=("note-1",), partial=True), key="p1")
    the_quote = service.quote(store, _request())
    assert [line.note_id for line in the_quote.collateral] == ["note-2"]


def test_partial_when_the_collateral_covers_the_debt_is_refused(sqlite_url: str) -> None:
    store = new_store(sqlite_url)
    load_spec(store, DealSpec())
    values = {"note-1": D("2000000.00")}
    _refused(
        sqlite_url,
        "PARTIAL_NOT_NEEDED",
        service.settle,
        store,
        _request(partial=True, values=values),
        key="p",
    )


def test_collateral_taken_below_carrying_amount_is_a_loss_to_the_borrower(
    sqlite_url: str,
) -> None:
    store = new_store(sqlite_url)
    load_spec(store, DealSpec())
    document = settle_document(store, _request(values={"note-1": D("500000.00")}), key="value")
    (line,) = document["collateral"]["notes"]
    assert line["carrying_amount"] == "600500.00"
    assert line["value"] == "500000.00"
    assert line["gain_or_loss"] == "-100500.00"
    assert document["cash"]["amount"] == "501000.00"
    assert document["cash"]["payer"] == "borrower"
    borrower = balances(store, "borrower")
    assert borrower["Expenses:LossOnSettlement"] == D("100500.00")
    # The lender carries the notes at what it took them for.
    lender = balances(store, "lender")
    lender_notes = sum(
        (amount for account, amount in lender.items() if account.startswith("Assets:NotesRec")),
        D(0),
    )
    assert lender_notes + lender[NOTE_INTEREST] == D("500000.00")
    _both_books_balance(store)


def test_settling_after_the_opening_posts_accruals_first_and_clears_the_loan(
    sqlite_url: str,
) -> None:
    store = new_store(sqlite_url)
    load_spec(store, DealSpec())
    as_of = date(2020, 4, 30)
    the_quote = service.quote(store, _request(as_of))
    # 1,000,000.00 at 6% ACT/360 for 120 days, on top of the 1,000.00 brought forward.
    assert the_quote.owed_interest == D("21000.00")
    # 600,000.00 at 5% 30/360-US for 119 days (Jan 1 to Apr 30), on top of 500.00.
    assert the_quote.collateral_interest == D("10416.67")
    document = settle_document(store, _request(as_of), key="later")
    kinds = [(entry["party"], str(entry["kind"])) for entry in document["entries"]]
    settlement_at = kinds.index(("lender", "settlement"))
    assert {kind for _, kind in kinds[:settlement_at]} == {"accrual"}
    assert ("lender", "accrual") in kinds[:settlement_at]
    assert ("borrower", "accrual") in kinds[:settlement_at]
    assert [kind for _, kind in kinds[settlement_at:]] == ["settlement", "settlement"]
    for party_id in ("lender", "borrower"):
        _, entries = service.journal(store, party_id)
        accruals = [e for e in entries if e.kind == "accrual"]
        assert accruals and all(e.date == as_of for e in accruals)
        assert entries[-1].kind == "settlement"
        for account, amount in balances(store, party_id).items():
            if loan_accounts(account):
                assert amount == 0, (party_id, account, amount)
    _both_books_balance(store)


# --- idempotency ------------------------------------------------------------------------------


def test_the_same_key_returns_the_first_result_and_changes_nothing(sqlite_url: str) -> None:
    store = new_store(sqlite_url)
    load_spec(store, DealSpec())
    first = settle_document(store, _request(), key="once")
    before = dump(sqlite_url)
    again = settle_document(store, _request(), key="once")
    assert again == first
    assert dump(sqlite_url) == before
    _refused(
        sqlite_url,
        "IDEMPOTENCY_KEY_REUSED",
        service.settle,
        store,
        _request(date(2020, 2, 1)),
        key="once",
    )
    _refused(sqlite_url, "LOAN_DISCHARGED", service.settle, store, _request(), key="twice")


def test_a_key_is_an_attempt_on_one_loan_and_means_nothing_for_another(sqlite_url: str) -> None:
    store = new_store(sqlite_url)
    load_spec(store, DealSpec())
    service.settle(store, _request(), key="shared")
    other = service.QuoteRequest(loan_id="no-such-loan", as_of=OPENED)
    _refused(sqlite_url, "UNKNOWN_LOAN", service.settle, store, other, key="shared")


# --- saved quotes -----------------------------------------------------------------------------


def _save(store: service.Store, request: service.QuoteRequest) -> str:
    return service.save_quote(store, request).id


def test_a_saved_quote_closes_as_quoted(sqlite_url: str) -> None:
    store = new_store(sqlite_url)
    load_spec(store, DealSpec())
    quote_id = _save(store, _request(date(2020, 3, 31)))
    request, fingerprint = service.request_from_saved(store, quote_id)
    assert request == _request(date(2020, 3, 31))
    document = settle_document(store, request, key="saved", quoted_fingerprint=fingerprint)
    assert document["as_of"] == "2020-03-31"
    assert document["fingerprint"] == fingerprint
    _both_books_balance(store)


def test_a_quote_whose_inputs_changed_is_refused_as_stale(sqlite_url: str) -> None:
    store = new_store(sqlite_url)
    load_spec(store, DealSpec())
    quote_id = _save(store, _request(date(2020, 3, 31)))
    # A payment on the loan is recorded after the quote was made.
    with store.write() as session:
        Repository(session).append_loan_events("loan-a", [Payment(date(2020, 2, 1), D("1000.00"))])
    request, fingerprint = service.request_from_saved(store, quote_id)
    _refused(
        sqlite_url,
        "STALE_QUOTE",
        service.settle,
        store,
        request,
        key="stale",
        quoted_fingerprint=fingerprint,
    )


def test_a_deliberately_wrong_fingerprint_is_refused(sqlite_url: str) -> None:
    store = new_store(sqlite_url)
    load_spec(store, DealSpec())
    _refused(
        sqlite_url,
        "STALE_QUOTE",
        service.settle,
        store,
        _request(),
        key="k",
        quoted_fingerprint="0" * 64,
    )


def test_a_saved_quote_of_a_loan_settled_since_is_refused(sqlite_url: str) -> None:
    store = new_store(sqlite_url)
    load_spec(store, DealSpec())
    quote_id = _save(store, _request())
    service.settle(store, _request(), key="first")
    request, fingerprint = service.request_from_saved(store, quote_id)
    _refused(
        sqlite_url,
        "LOAN_DISCHARGED",
        service.settle,
        store,
        request,
        key="second",
        quoted_fingerprint=fingerprint,
    )


# --- refusals ---------------------------------------------------------------------------------


def test_a_note_not_pledged_to_the_loan_cannot_be_assigned(sqlite_url: str) -> None:
    store = new_store(sqlite_url)
    spec = DealSpec(
        notes=(NoteSpec("note-1", D("600000.00")), NoteSpec("note-2", D("1000.00"))),
        pledged=("note-1",),
    )
    load_spec(store, spec)
    request = _request(note_ids=("note-2",))
    _refused(sqlite_url, "NOTE_NOT_PLEDGED", service.quote, store, request)
    _refused(sqlite_url, "NOTE_NOT_PLEDGED", service.settle, store, request, key="k")
    unknown = _request(note_ids=("note-9",))
    _refused(sqlite_url, "UNKNOWN_NOTE", service.settle, store, unknown, key="k")


def test_pledging_a_note_already_pledged_in_the_store_is_refused(sqlite_url: str) -> None:
    """A deal built in code (not from one file) that pledges a stored, pledged note."""
    import dataclasses

    from service_helpers import deal_text

    from acquittance.core.collateral import SecurityInterest
    from acquittance.deals.parse import parse_deal

    store = new_store(sqlite_url)
    spec = DealSpec()
    load_spec(store, spec)
    first = parse_deal(
        deal_text(DealSpec(loan_id="loan-b", notes=(NoteSpec("note-9", D("1.00")),)))
    )
    second_pledge = SecurityInterest(
        id="pledge-again",
        loan_id="loan-b",
        secured_party_id="lender",
        debtor_id="borrower",
        note_ids=("note-1",),
    )
    deal = dataclasses.replace(first, parties=(), notes=(), security_interests=(second_pledge,))
    _refused(sqlite_url, "NOTE_ALREADY_PLEDGED", service.load_deal, store, deal)


def test_quote_before_history_and_unknown_records(sqlite_url: str) -> None:
    store = new_store(sqlite_url)
    load_spec(store, DealSpec())
    _refused(sqlite_url, "BEFORE_HISTORY", service.quote, store, _request(date(2019, 12, 31)))
    _refused(
        sqlite_url, "BEFORE_HISTORY", service.settle, store, _request(date(2019, 12, 31)), key="k"
    )
    unknown = service.QuoteRequest(loan_id="nope", as_of=OPENED)
    _refused(sqlite_url, "UNKNOWN_LOAN", service.settle, store, unknown, key="k")
    _refused(sqlite_url, "UNKNOWN_PARTY", service.journal, store, "nope")
    _refused(sqlite_url, "UNKNOWN_INSTRUMENT", service.instrument_position, store, "nope", OPENED)
    _refused(sqlite_url, "UNKNOWN_RECORD", service.show, store, "nope")


# --- the reference case on both stores --------------------------------------------------------


def _reference_on(url: str) -> tuple[service.Store, dict[str, object]]:
    store = new_store(url)
    service.load_deal(store, read_deal_file(REFERENCE_DEAL))
    request = service.QuoteRequest(loan_id=REFERENCE_LOAN, as_of=REFERENCE_DATE)
    return store, settle_document(store, request, key="reference")


@pytest.mark.postgres
def test_the_reference_case_on_postgres(postgres_url: str) -> None:
    store, document = _reference_on(postgres_url)
    try:
        assert document["cash"]["amount"] == "155388.68"
        assert document["remaining_debt"] == "0.00"
        for party_id, expected in (
            (
                "valence",
                ["-17533226.80", "-951754.93", "-155388.68", "1140370.41", "17500000.00"],
            ),
            (
                "berg",
                ["-17500000.00", "-1140370.41", "155388.68", "951754.93", "17533226.80"],
            ),
        ):
            _, entries = service.journal(store, party_id)
            assert_balanced(entries)
            (settled,) = [e for e in entries if e.kind == "settlement"]
            assert sorted(leg.amount for leg in settled.legs) == sorted(D(x) for x in expected)
        check = service.verify(store)
        assert check.ok and check.first_bad is None and check.entries == 7
        request = service.QuoteRequest(loan_id=REFERENCE_LOAN, as_of=REFERENCE_DATE)
        counts = {p: len(service.journal(store, p)[1]) for p in ("berg", "valence")}
        assert settle_document(store, request, key="reference") == document
        assert {p: len(service.journal(store, p)[1]) for p in ("berg", "valence")} == counts
        with pytest.raises(AcquittanceError) as raised:
            service.settle(store, request, key="another")
        assert raised.value.code == "LOAN_DISCHARGED"
        assert {p: len(service.journal(store, p)[1]) for p in ("berg", "valence")} == counts
        holders = {n.id: n.holder_id for n in service.register(store)["notes"]}
        assert set(holders.values()) == {"berg"}
    finally:
        store.close()


def test_verify_notices_a_settlement_entry_removed_from_the_end(sqlite_url: str) -> None:
    store = new_store(sqlite_url)
    load_spec(store, DealSpec(notes=(NoteSpec("note-1", D("300000.00")),)))
    service.settle(store, _request(), key="k")
    assert service.verify(store).ok
    with sqlite3.connect(sqlite_file(sqlite_url)) as con:
        last = con.execute(
            "select id from journal_entries where party_id = 'lender' "
            "order by sequence desc limit 1"
        ).fetchone()[0]
        con.execute("delete from journal_legs where entry_id = ?", (last,))
        con.execute("delete from journal_entries where id = ?", (last,))
    check = service.verify(store)
    assert not check.ok
    assert check.first_bad == last

"""The accrual run: both books posted once per period, settlements after it, bad input.

Known answer (the default test deal, opened 2020-01-01): the loan is
1,000,000.00 at 6% ACT/360 with 1,000.00 interest carried in; the borrower's
note is 600,000.00 at 5% 30/360-US with 500.00. Through 2020-01-31 the loan
accrues 1,000,000.00 x 0.06 x 30/360 = 5,000.00 and the note 600,000.00 x
0.05 x 30/360 = 2,500.00. So the lender's interest receivable is 6,000.00
(1,000.00 + 5,000.00) against 5,000.00 of interest income; the borrower owes
6,000.00 of interest payable against 5,000.00 of interest expense, and holds
3,000.00 of note interest receivable against 2,500.00 of interest income.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from service_helpers import (
    NOTE_INTEREST,
    DealSpec,
    assert_balanced,
    balances,
    dump,
    load_spec,
    loan_accounts,
    new_store,
)

from acquittance import service
from acquittance.core.errors import AcquittanceError
from acquittance.service.accrue import accrue


def _by_prefix(found: dict[str, Decimal], prefix: str) -> Decimal:
    return sum(
        (amount for account, amount in found.items() if account.startswith(prefix)), Decimal(0)
    )


def test_a_run_posts_accrued_interest_to_both_books(store_url: str) -> None:
    store = new_store(store_url)
    load_spec(store, DealSpec())
    run = accrue(store, through=date(2020, 1, 31))
    assert {line.instrument_id: line.interest for line in run.lines} == {
        "loan-a": Decimal("5000.00"),
        "note-1": Decimal("2500.00"),
    }
    lender, borrower = balances(store, "lender"), balances(store, "borrower")
    assert _by_prefix(lender, "Assets:InterestReceivable:") == Decimal("6000.00")
    assert lender["Income:Interest"] == Decimal("-5000.00")
    assert _by_prefix(borrower, "Liabilities:InterestPayable:") == Decimal("-6000.00")
    assert borrower["Expenses:Interest"] == Decimal("5000.00")
    assert borrower[NOTE_INTEREST] == Decimal("3000.00")
    assert borrower["Income:Interest"] == Decimal("-2500.00")
    _, entries = service.journal(store, "lender")
    assert_balanced(entries)
    assert service.verify(store).ok


def test_a_rerun_through_the_same_date_posts_nothing(store_url: str) -> None:
    store = new_store(store_url)
    load_spec(store, DealSpec())
    first = accrue(store, through=date(2020, 1, 31))
    again = accrue(store, through=date(2020, 1, 31))
    assert first.entries_count == 3  # lender and borrower on the loan, borrower on the note
    assert (again.entries_count, again.lines) == (0, ())
    assert service.verify(store).ok


def test_the_same_key_answers_as_the_first_run(store_url: str) -> None:
    store = new_store(store_url)
    load_spec(store, DealSpec())
    first = accrue(store, through=date(2020, 1, 31), key="month-end-2020-01")
    again = accrue(store, through=date(2020, 1, 31), key="month-end-2020-01")
    assert again.replayed and (again.id, again.lines) == (first.id, first.lines)
    with pytest.raises(AcquittanceError) as refused:
        accrue(store, through=date(2020, 2, 29), key="month-end-2020-01")
    assert refused.value.code == "IDEMPOTENCY_KEY_REUSED"


def test_a_run_before_the_last_one_is_refused_and_changes_nothing(sqlite_url: str) -> None:
    store = new_store(sqlite_url)
    load_spec(store, DealSpec())
    accrue(store, through=date(2020, 2, 29))
    before = dump(sqlite_url)
    with pytest.raises(AcquittanceError) as refused:
        accrue(store, through=date(2020, 1, 31))
    assert refused.value.code == "ACCRUAL_BEFORE_LAST_RUN"
    assert "2020-02-29" in refused.value.message
    assert dump(sqlite_url) == before


@pytest.mark.parametrize("key", ["", "   ", "bad\x00key"])
def test_a_bad_key_is_refused_and_changes_nothing(sqlite_url: str, key: str) -> None:
    store = new_store(sqlite_url)
    load_spec(store, DealSpec())
    before = dump(sqlite_url)
    with pytest.raises(AcquittanceError) as refused:
        accrue(store, through=date(2020, 1, 31), key=key)
    assert refused.value.code == "INVALID_KEY"
    assert dump(sqlite_url) == before


def test_a_settlement_after_a_run_clears_what_the_run_booked(store_url: str) -> None:
    store = new_store(store_url)
    load_spec(store, DealSpec())
    accrue(store, through=date(2020, 1, 31))
    closed = service.settle(
        store, service.QuoteRequest(loan_id="loan-a", as_of=date(2020, 2, 15)), key="k"
    )
    # 15 more days on the loan (ACT/360) and 14 on the note (30/360-US): only these post.
    accruals = [e for e in closed.entries if e.kind.value == "accrual"]
    posted = {(e.party_id, e.chain): e.legs[0].amount for e in accruals}
    assert posted[("lender", "loan-a")] == Decimal("2500.00")
    assert posted[("borrower", "note-1")] == Decimal("1166.67")
    for party in ("lender", "borrower"):
        found = balances(store, party)
        assert all(amount == 0 for account, amount in found.items() if loan_accounts(account))
        assert found.get(NOTE_INTEREST, Decimal(0)) >= 0
    assert service.verify(store).ok


def test_a_discharged_loan_accrues_nothing(store_url: str) -> None:
    store = new_store(store_url)
    load_spec(store, DealSpec())
    service.settle(store, service.QuoteRequest(loan_id="loan-a", as_of=date(2020, 1, 31)), key="k")
    run = accrue(store, through=date(2020, 3, 31))
    # The note went to the lender at the settlement and goes on accruing in its books.
    assert [line.instrument_id for line in run.lines] == ["note-1"]
    assert service.verify(store).ok


def test_verify_finds_an_accrual_mark_no_run_made(sqlite_url: str) -> None:
    import sqlite3

    from service_helpers import sqlite_file

    store = new_store(sqlite_url)
    load_spec(store, DealSpec())
    accrue(store, through=date(2020, 1, 31))
    connection = sqlite3.connect(sqlite_file(sqlite_url))
    with connection:
        connection.execute("DELETE FROM accrual_run_lines")
    connection.close()
    found = service.verify(store)
    assert not found.ok and "no stored accrual run" in (found.reason or "")


@pytest.mark.postgres
def test_runs_and_a_closing_at_once_post_each_interest_once(postgres_url: str) -> None:
    """Two runs through one date and a settlement, from three connections, on PostgreSQL."""
    from concurrent.futures import ThreadPoolExecutor

    store = new_store(postgres_url)
    load_spec(store, DealSpec())
    request = service.QuoteRequest(loan_id="loan-a", as_of=date(2020, 1, 31))
    with ThreadPoolExecutor(max_workers=3) as pool:
        runs = [pool.submit(accrue, store, through=date(2020, 1, 31)) for _ in range(2)]
        closing = pool.submit(service.settle, store, request, key="k")
        posted = sorted(run.result().entries_count for run in runs)
        closing.result()
    # Whichever came first posted the interest to 2020-01-31; nothing posted it twice.
    lender = balances(store, "lender")
    assert lender["Income:Interest"] == Decimal("-5000.00")
    assert posted[0] == 0
    assert service.verify(store).ok

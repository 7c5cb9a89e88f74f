"""The month-end accrual run against the way interest reached the books before it.

A book of N loans, each with one pledged note, on a fresh SQLite store. The
run posts both books of every loan and the holder's book of every note in
one transaction; the peer, measured in the same run, is what a servicer had
before `accrue`: recording one payment per loan (each posts the interest
accrued to its date first), one transaction per loan. A rerun through the
same date posts nothing and shows the cost of looking. Figures are rates of
instruments (loans and notes) per second.
"""

from __future__ import annotations

import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

OPENED = date(2024, 1, 1)
LOANS_COUNT = 200

Row = tuple[str, str, str]


def deal_text(loans_count: int) -> str:
    """A lender, a borrower, `loans_count` loans each secured by one note."""
    parts = [
        '[deal]\ntitle = "Accrual benchmark"\ncurrency = "USD"\ngoverning_law = "New York"\n',
        '[[parties]]\nid = "lender"\nname = "Lender LLC"\n'
        'entity_type = "limited liability company"\njurisdiction = "Delaware"\n',
        '[[parties]]\nid = "borrower"\nname = "Borrower Inc."\nentity_type = "corporation"\n'
        'jurisdiction = "New York"\n',
    ]
    for i in range(loans_count):
        parts.append(
            f'[[loans]]\nid = "loan-{i}"\nlender = "lender"\nborrower = "borrower"\n'
            'annual_rate = "9%"\nday_count = "ACT/360"\n'
            f'[[loans.events]]\nkind = "opening"\ndate = {OPENED.isoformat()}\n'
            f"principal = {100000 + i}.00\n"
        )
        parts.append(
            f'[[notes]]\nid = "note-{i}"\nmaker = "Maker {i}"\nholder = "borrower"\n'
            'annual_rate = "6.25%"\nday_count = "30/360-US"\n'
            f'[[notes.events]]\nkind = "opening"\ndate = {OPENED.isoformat()}\n'
            f"principal = {50000 + i}.00\n"
        )
        parts.append(
            f'[[security_interests]]\nid = "pledge-{i}"\nloan = "loan-{i}"\n'
            f'secured_party = "lender"\ndebtor = "borrower"\nnotes = ["note-{i}"]\n'
        )
    return "\n".join(parts)


def _store(folder: Path, name: str, loans_count: int) -> object:
    from acquittance import service
    from acquittance.deals.parse import parse_deal

    store = service.Store(f"sqlite:///{folder / name}")
    service.initialize(store)
    service.load_deal(store, parse_deal(deal_text(loans_count), source="benchmark"))
    return store


def _load_the_kernel() -> None:
    """Import the portfolio engine and load its compiled walk: once per process, not per run."""
    from acquittance.core.instruments import Loan, OpeningBalance, Terms
    from acquittance.portfolio.columns import book_of
    from acquittance.portfolio.engine import positions

    opening = OpeningBalance(OPENED, Decimal("1.00"), Decimal("0.00"))
    loan = Loan("warm", "lender", "borrower", Terms(Decimal("0.01"), "ACT/360", "USD"), (opening,))
    assert not positions(book_of([loan]), OPENED).core_rows.size


def rates(loans_count: int = LOANS_COUNT) -> dict[str, float]:
    """Instruments per second: the run, its rerun, and one payment per loan (the peer)."""
    from acquittance import service
    from acquittance.core.instruments import Payment
    from acquittance.service.accrue import accrue

    month_end = OPENED + timedelta(days=30)
    instruments = 2 * loans_count
    _load_the_kernel()
    with tempfile.TemporaryDirectory() as folder:
        run_store = _store(Path(folder), "run.db", loans_count)
        started = time.perf_counter()
        run = accrue(run_store, through=month_end)  # type: ignore[arg-type]
        run_seconds = time.perf_counter() - started
        assert len(run.lines) == instruments, run.lines
        started = time.perf_counter()
        again = accrue(run_store, through=month_end)  # type: ignore[arg-type]
        rerun_seconds = time.perf_counter() - started
        assert again.entries_count == 0
        peer_store = _store(Path(folder), "peer.db", loans_count)
        started = time.perf_counter()
        for i in range(loans_count):
            payment = Payment(month_end, Decimal("100.00"))
            service.record_event(peer_store, f"loan-{i}", payment)  # type: ignore[arg-type]
        peer_seconds = time.perf_counter() - started
    return {
        "run": instruments / run_seconds,
        "rerun": instruments / rerun_seconds,
        "peer": loans_count / peer_seconds,
    }


def rows() -> list[Row]:
    found = rates()
    return [
        (
            f"accrual run through a month-end, {LOANS_COUNT} loans and {LOANS_COUNT} notes",
            f"{found['run']:,.0f} instruments/s",
            f"{found['run'] / found['peer']:,.1f}x the peer; both books posted in one transaction;"
            " positions from the portfolio engine",
        ),
        (
            "accrual rerun through the same date (nothing to post)",
            f"{found['rerun']:,.0f} instruments/s",
            "reads each instrument's newest snapshot and the book in chunks (positions from"
            " the portfolio engine), posts nothing",
        ),
        (
            f"peer: one payment recorded per loan, {LOANS_COUNT} transactions",
            f"{found['peer']:,.0f} loans/s",
            "how accrued interest reached the books before accrual runs (loans only)",
        ),
    ]

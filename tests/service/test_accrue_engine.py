"""The accrual run and the portfolio overview take positions from the portfolio engine; on a
mixed book (every day count, a rate the kernel has no column for, late charges, a default
rate) they are what the core walk gives, line for line and account for account.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from service_helpers import DealSpec, NoteSpec, balances, deal_text, new_store

from acquittance import service
from acquittance.core.accrual import position
from acquittance.core.instruments import DefaultRate, Loan
from acquittance.deals.parse import parse_deal
from acquittance.service import accrue as accrue_module
from acquittance.service.accrue import accrue
from acquittance.service.portfolio import portfolio_overview
from acquittance.store.book_export import instrument_chunks
from acquittance.store.repository import Repository

RULE = """level_payment = { first_due = 2020-02-01, count = 24, amount = 10000.00 }
late_charge = { grace_days = 10, percent = "5%", amount = 100.00 }
"""
DAY_COUNTS = ("ACT/360", "ACT/365F", "ACT/ACT-ISDA", "30/360-BOND", "30/360-US", "30E/360")


def _mixed_store(url: str) -> service.Store:
    """A loan with a late-charge rule and a default rate, and a note per day count, one of
    them at a rate of seven places (no integer column: the core's)."""
    notes = tuple(
        NoteSpec(
            f"note-{number}",
            Decimal(100_000 + 7_919 * number).scaleb(-2) * 100,
            Decimal(number * 13).scaleb(-2),
            rate="5.1234567%" if number == 2 else f"{4 + number}.25%",
            day_count=day_count,
        )
        for number, day_count in enumerate(DAY_COUNTS)
    )
    store = new_store(url)
    text = deal_text(DealSpec(notes=notes, pledged=("note-0", "note-2", "note-4"))).replace(
        'day_count = "ACT/360"\n', 'day_count = "ACT/360"\n' + RULE, 1
    )
    service.load_deal(store, parse_deal(text, source="test deal"))
    service.record_event(store, "loan-a", DefaultRate(date(2020, 5, 2), Decimal("0.11")))
    return store


def _core_path_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The run as it was before the engine: every position walked by the core."""
    monkeypatch.setattr(accrue_module, "_positions_on", lambda repo, through: ({}, 0))


def _lines(run: accrue_module.AccrualRun) -> list[tuple[object, ...]]:
    return [
        (
            line.instrument_kind,
            line.instrument_id,
            line.interest,
            line.capitalised,
            line.late_charges,
        )
        for line in run.lines
    ]


def test_runs_through_the_engine_post_what_the_core_walk_posts(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine_store = _mixed_store(sqlite_url)
    core_store = _mixed_store(f"sqlite:///{tmp_path / 'core' / 'acquittance.db'}")
    engine_runs = [accrue(engine_store, through=d) for d in (date(2020, 3, 31), date(2020, 7, 31))]
    with monkeypatch.context() as patched:
        _core_path_only(patched)
        core_runs = [accrue(core_store, through=d) for d in (date(2020, 3, 31), date(2020, 7, 31))]
    for engine_run, core_run in zip(engine_runs, core_runs, strict=True):
        assert _lines(engine_run) == _lines(core_run)
        assert engine_run.entries_count == core_run.entries_count
        assert 0 < engine_run.core_count < engine_run.instruments_count
    for party in ("lender", "borrower"):
        assert balances(engine_store, party) == balances(core_store, party)
    assert service.verify(engine_store).ok


def test_the_engines_positions_are_the_cores_on_a_mixed_book(sqlite_url: str) -> None:
    store = _mixed_store(sqlite_url)
    accrue(store, through=date(2020, 4, 30))  # late charges and marks in the histories
    through = date(2020, 9, 30)
    with store.read() as session:
        reached, core_count = accrue_module._positions_on(Repository(session), through)
        instruments = [i for chunk in instrument_chunks(session) for i in chunk]
    assert 0 < core_count < len(instruments)
    for instrument in instruments:
        held = position(instrument, through)
        kind = "loan" if isinstance(instrument, Loan) else "note"
        assert reached[(kind, instrument.id)] == (held.principal, held.interest)


def test_the_overview_is_the_cores_positions_on_a_mixed_book(sqlite_url: str) -> None:
    store = _mixed_store(sqlite_url)
    accrue(store, through=date(2020, 4, 30))
    as_of = date(2020, 10, 15)
    overview = portfolio_overview(store, as_of)
    with store.read() as session:
        instruments = {i.id: i for chunk in instrument_chunks(session) for i in chunk}
    assert 0 < overview.core_rows < overview.instruments == len(instruments)
    (row,) = overview.rows
    loan = position(instruments["loan-a"], as_of)
    assert (row.principal, row.interest) == (loan.principal, loan.interest)
    notes = [position(instruments[note_id], as_of) for note_id in row.notes]
    assert row.notes == ("note-0", "note-2", "note-4")
    assert row.collateral_principal == sum((n.principal for n in notes), Decimal("0.00"))
    assert row.collateral_interest == sum((n.interest for n in notes), Decimal("0.00"))

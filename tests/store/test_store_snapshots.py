"""Position snapshots in the store: exact round trips, and the snapshot a date reads."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from sqlalchemy import Engine

from acquittance.core.accrual import advance, begin, step
from acquittance.core.instruments import (
    Charge,
    Compounding,
    DefaultRate,
    LateCharge,
    Loan,
    Note,
    OpeningBalance,
    Payment,
    RateChange,
    Terms,
)
from acquittance.store import transaction
from acquittance.store.closing_path import snapshots_write
from acquittance.store.driver import Driver, Sql
from acquittance.store.repository import Repository
from acquittance.store.snapshots import SNAPSHOT_COLUMNS, SnapshotDraft, snapshot_from_values

D = Decimal
JAN1 = date(2024, 1, 1)


def _loan(loan_id: str = "loan-x", day_count: str = "ACT/ACT-ISDA") -> Loan:
    events = (
        OpeningBalance(JAN1, D("1234567.89"), D("0.01")),
        Payment(date(2024, 2, 1), D("0.07")),  # less than the interest: the exact rest stays
        RateChange(date(2024, 3, 1), D("0.0712345")),
        RateChange(date(2024, 6, 15), D("0.08")),
    )
    return Loan(
        loan_id, "l", "b", Terms(D("0.0925"), day_count, "USD", Compounding.MONTHLY), events
    )


def _walk(loan: Loan | Note) -> list[SnapshotDraft]:
    state = begin(loan)
    drafts = [SnapshotDraft(state, D("1.00"), D("2.00"), None)]
    for event in loan.events[1:]:
        state = step(state, event)
        drafts.append(SnapshotDraft(state, D("3.00"), D("4.00"), None))
    return drafts


def test_a_snapshot_reads_back_exactly_what_was_stored(engine: Engine) -> None:
    loan = _loan()
    drafts = _walk(loan)
    # An exact interest with a large denominator survives storage as it is.
    assert drafts[-1].state.interest_closed.denominator > 10**6
    with transaction(engine) as session:
        Repository(session).add_snapshots(loan, drafts)
    with transaction(engine, write=False) as session:
        repo = Repository(session)
        latest = repo.latest_snapshot(loan)
        found = repo.snapshots_on([loan], date(2024, 4, 1))[("loan", loan.id)]
    assert latest is not None and latest.state == drafts[-1].state
    assert isinstance(latest.state.interest_closed, Fraction)
    assert latest.state.interest_closed == drafts[-1].state.interest_closed
    assert (latest.sequence, latest.booked_principal, latest.booked_interest) == (
        4,
        D("3.00"),
        D("4.00"),
    )
    at, newest = found
    assert newest == latest
    assert at is not None and at.state == drafts[2].state  # after the rate change of March 1


def test_the_snapshot_on_a_date_is_the_newest_dated_on_or_before_it(engine: Engine) -> None:
    loans = [_loan(f"loan-{i}", day_count) for i, day_count in enumerate(("ACT/360", "30E/360"))]
    with transaction(engine) as session:
        repo = Repository(session)
        for loan in loans:
            repo.add_snapshots(loan, _walk(loan))
        # A later snapshot on the same date (a note changing holder): the newer one wins.
        last = _walk(loans[0])[-1]
        repo.add_snapshots(
            loans[0],
            [SnapshotDraft(advance(last.state, date(2024, 6, 15)), D("9.00"), D("0.00"), "b")],
        )
    missing = Loan("loan-none", "l", "b", Terms(D("0.05"), "ACT/360", "USD"))
    with transaction(engine, write=False) as session:
        repo = Repository(session)
        before = repo.snapshots_on([*loans, missing], JAN1 - timedelta(days=1))
        in_mid_june = repo.snapshots_on(loans, date(2024, 6, 15))
    assert before[("loan", "loan-0")][0] is None and before[("loan", "loan-0")][1] is not None
    assert before[("loan", "loan-none")] == (None, None)
    at, newest = in_mid_june[("loan", "loan-0")]
    assert at == newest and at is not None and (at.sequence, at.booked_by) == (5, "b")
    assert in_mid_june[("loan", "loan-1")][0] == in_mid_june[("loan", "loan-1")][1]


def test_a_snapshot_of_another_instrument_is_not_read_as_this_one(engine: Engine) -> None:
    loan = _loan()
    note = Note("loan-x", "Maker", "b", loan.terms, loan.events)  # the same id, another kind
    with transaction(engine) as session:
        Repository(session).add_snapshots(loan, _walk(loan))
    with transaction(engine, write=False) as session:
        assert Repository(session).latest_snapshot(note) is None


def test_a_bad_state_is_refused_before_it_is_stored(engine: Engine) -> None:
    loan = _loan()
    draft = _walk(loan)[0]
    broken = SnapshotDraft(
        type(draft.state)(**{**draft.state.__dict__, "principal": D("-1.00")}),  # type: ignore[arg-type]
        D("0.00"),
        D("0.00"),
        None,
    )
    with pytest.raises(AssertionError), transaction(engine) as session:
        Repository(session).add_snapshots(loan, [broken])


def _charged_loan(loan_id: str) -> Loan:
    events = (
        OpeningBalance(JAN1, D("1000000.00"), D("0")),
        LateCharge(date(2024, 2, 16), D("250.00"), due=date(2024, 2, 1)),
        DefaultRate(date(2024, 3, 2), D("0.14")),
        Charge(date(2024, 3, 20), D("75.25")),
        Payment(date(2024, 4, 1), D("100.00")),  # pays charges first: 225.25 stay owed
    )
    return Loan(loan_id, "l", "b", Terms(D("0.08"), "ACT/360", "USD", Compounding.MONTHLY), events)


def test_a_snapshot_with_charges_and_a_default_rate_round_trips_through_either_path(
    engine: Engine,
) -> None:
    """The prebuilt statements (closings) and the ORM (everything else) store the same state."""
    by_driver, by_orm = _charged_loan("loan-driver"), _charged_loan("loan-orm")
    drafts = {loan.id: _walk(loan) for loan in (by_driver, by_orm)}
    assert drafts["loan-driver"][-1].state.charges == D("225.25")
    assert drafts["loan-driver"][-1].state.default_since == date(2024, 3, 2)
    with transaction(engine) as session:
        driver = Driver(session)
        driver.write_all([snapshots_write(driver.day, [(by_driver, drafts[by_driver.id], 0)])])
        Repository(session).add_snapshots(by_orm, drafts[by_orm.id])
    select = Sql(
        f"SELECT {', '.join(SNAPSHOT_COLUMNS)} FROM position_snapshots "
        "WHERE instrument_kind = 'loan' AND instrument_id = ? ORDER BY sequence"
    )
    with transaction(engine, write=False) as session:
        repo, driver = Repository(session), Driver(session)
        for loan in (by_driver, by_orm):
            stored = [d.state for d in drafts[loan.id]]
            read = [snapshot_from_values(v, loan) for v in driver.rows(select, (loan.id,))]
            assert [snapshot.state for snapshot in read] == stored
            latest = repo.latest_snapshot(loan)
            assert latest is not None and latest.state == stored[-1]
            at, _ = repo.snapshots_on([loan], date(2024, 3, 25))[("loan", loan.id)]
            assert at is not None and (at.state.charges, at.state.default_since) == (
                D("325.25"),
                date(2024, 3, 2),
            )

"""Properties of accrual runs on real SQLite stores, over random deals and dates.

- A run in one step through D leaves every account where runs at each
  month-end up to D leave it (the marks never split an accrual period).
- Any sequence of runs (and a settlement among them) keeps every entry
  balanced and `verify` passing; a rerun through the last date posts nothing.
"""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from service_helpers import DealSpec, NoteSpec, assert_balanced, balances, load_spec

from acquittance import service
from acquittance.core.schedule import add_months
from acquittance.service.accrue import accrue

DAY_COUNTS = ("ACT/360", "ACT/365F", "ACT/ACT-ISDA", "30/360-BOND", "30/360-US", "30E/360")
PROPERTY_SETTINGS = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class Stores:
    def __init__(self, template: Path, folder: Path) -> None:
        self.template, self.folder, self.count = template, folder, 0

    def new(self) -> service.Store:
        self.count += 1
        path = self.folder / f"example-{self.count}.db"
        shutil.copyfile(self.template, path)
        return service.Store(f"sqlite:///{path}")


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Stores:
    template = tmp_path_factory.mktemp("template") / "template.db"
    service.initialize(service.Store(f"sqlite:///{template}"))
    return Stores(template, tmp_path_factory.mktemp("examples"))


def cents(low: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low, high).map(lambda c: Decimal(c).scaleb(-2))


@st.composite
def deals(draw: st.DrawFn) -> DealSpec:
    note = NoteSpec(
        id="note-1",
        principal=draw(cents(1, 500_000_000)),
        interest=draw(cents(0, 1_000_000)),
        rate=f"{Decimal(draw(st.integers(0, 1500))).scaleb(-2)}%",
        day_count=draw(st.sampled_from(DAY_COUNTS)),
    )
    return DealSpec(
        principal=draw(cents(100, 900_000_000)),
        interest=draw(cents(0, 1_000_000)),
        rate=f"{Decimal(draw(st.integers(0, 2000))).scaleb(-2)}%",
        day_count=draw(st.sampled_from(DAY_COUNTS)),
        opened=draw(st.dates(date(1998, 1, 1), date(2030, 12, 31))),
        notes=(note,),
    )


def _month_ends(opened: date, through: date) -> list[date]:
    ends, month = [], add_months(date(opened.year, opened.month, 1), 1)
    while month - timedelta(days=1) < through:
        if month - timedelta(days=1) >= opened:
            ends.append(month - timedelta(days=1))
        month = add_months(month, 1)
    return [*ends, through]


@PROPERTY_SETTINGS
@given(spec=deals(), days=st.integers(0, 400))
def test_one_run_through_a_date_equals_runs_at_each_month_end(
    stores: Stores, spec: DealSpec, days: int
) -> None:
    through = spec.opened + timedelta(days=days)
    one, many = stores.new(), stores.new()
    load_spec(one, spec)
    load_spec(many, spec)
    accrue(one, through=through)
    for month_end in _month_ends(spec.opened, through):
        accrue(many, through=month_end)
    for party in ("lender", "borrower"):
        assert balances(one, party) == balances(many, party)
    for store in (one, many):
        assert service.verify(store).ok


@PROPERTY_SETTINGS
@given(
    spec=deals(),
    steps=st.lists(st.integers(0, 120), min_size=1, max_size=4),
    settle_after=st.integers(0, 4),
)
def test_books_balance_and_verify_after_runs_and_a_settlement(
    stores: Stores, spec: DealSpec, steps: list[int], settle_after: int
) -> None:
    store = stores.new()
    load_spec(store, spec)
    on = spec.opened
    for index, step in enumerate(steps):
        on += timedelta(days=step)
        if index == settle_after:
            request = service.QuoteRequest(loan_id="loan-a", as_of=on)
            service.settle(store, request, key="k")
        accrue(store, through=on)
        assert accrue(store, through=on).entries_count == 0
    for party in ("lender", "borrower"):
        _, entries = service.journal(store, party)
        assert_balanced(entries)
    assert service.verify(store).ok


@st.composite
def histories(draw: st.DrawFn) -> list[tuple[str, int, Decimal]]:
    """Steps after the opening: (what, days later, amount), in date order."""
    return draw(
        st.lists(
            st.tuples(
                st.sampled_from(("accrue", "charge", "payment")),
                st.integers(0, 90),
                cents(1, 5_000_000),
            ),
            min_size=1,
            max_size=6,
        )
    )


@PROPERTY_SETTINGS
@given(spec=deals(), steps=histories())
def test_after_runs_charges_and_payments_the_books_carry_the_position(
    stores: Stores, spec: DealSpec, steps: list[tuple[str, int, Decimal]]
) -> None:
    from acquittance.core.errors import AcquittanceError
    from acquittance.core.instruments import Charge, Payment

    store = stores.new()
    load_spec(store, spec)
    on = spec.opened
    for what, days, amount in steps:
        on += timedelta(days=days)
        if what == "accrue":
            accrue(store, through=on)
            continue
        event = Charge(on, amount) if what == "charge" else Payment(on, amount)
        try:
            service.record_event(store, "loan-a", event)
        except AcquittanceError as error:
            assert error.code == "OVERPAYMENT"  # a payment of more than is owed is refused
    accrue(store, through=on)
    _, position = service.instrument_position(store, "loan-a", on)
    lender = balances(store, "lender")

    def carried(prefix: str) -> Decimal:
        return sum((v for k, v in lender.items() if k.startswith(prefix)), Decimal(0))

    assert carried("Assets:LoanReceivable:") == position.principal
    assert carried("Assets:InterestReceivable:B") == position.interest
    assert carried("Assets:FeesReceivable:") == position.charges
    for party in ("lender", "borrower"):
        _, entries = service.journal(store, party)
        assert_balanced(entries)
    assert service.verify(store).ok

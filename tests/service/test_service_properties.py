"""Properties of settlements on real SQLite stores, over random deals.

Every example runs on its own store file, copied from one migrated template,
so the examples are few (each touches a real database) and have no deadline.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from service_helpers import (
    DealSpec,
    NoteSpec,
    assert_balanced,
    balances,
    deal_text,
    dump,
    load_spec,
    loan_accounts,
    settle_document,
    trial_balance,
)

from acquittance import service
from acquittance.books.history import Booked, Books, accrual_to, book_history
from acquittance.core.accrual import position
from acquittance.core.errors import AcquittanceError
from acquittance.deals.parse import parse_deal

DAY_COUNTS = ("ACT/360", "ACT/365F", "ACT/ACT-ISDA", "30/360-BOND", "30/360-US", "30E/360")
PROPERTY_SETTINGS = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite store to copy for each example."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    service.initialize(service.Store(f"sqlite:///{path}"))
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    return path


class Stores:
    """Fresh stores copied from the template, one per example."""

    def __init__(self, template: Path, folder: Path) -> None:
        self.template = template
        self.folder = folder
        self.count = 0

    def new(self) -> tuple[str, service.Store]:
        self.count += 1
        path = self.folder / f"example-{self.count}.db"
        shutil.copyfile(self.template, path)
        url = f"sqlite:///{path}"
        return url, service.Store(url)


@pytest.fixture(scope="module")
def stores(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Stores:
    return Stores(template, tmp_path_factory.mktemp("examples"))


def cents(low: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low, high).map(lambda c: Decimal(c).scaleb(-2))


rates = st.integers(0, 2000).map(lambda bp: f"{Decimal(bp).scaleb(-2)}%")


@st.composite
def deals(draw: st.DrawFn) -> DealSpec:
    count = draw(st.integers(1, 3))
    notes = tuple(
        NoteSpec(
            id=f"note-{i + 1}",
            principal=draw(cents(1, 2_000_000_000)),
            interest=draw(cents(0, 50_000_000)),
            rate=draw(rates),
            day_count=draw(st.sampled_from(DAY_COUNTS)),
        )
        for i in range(count)
    )
    return DealSpec(
        principal=draw(cents(100, 5_000_000_000)),
        interest=draw(cents(0, 100_000_000)),
        rate=draw(rates),
        day_count=draw(st.sampled_from(DAY_COUNTS)),
        opened=draw(st.dates(date(1995, 1, 1), date(2030, 12, 31))),
        notes=notes,
        financing_statement=draw(st.booleans()),
    )


@PROPERTY_SETTINGS
@given(spec=deals(), days=st.integers(0, 1500))
def test_a_full_settlement_balances_every_book_and_moves_every_note_once(
    stores: Stores, spec: DealSpec, days: int
) -> None:
    url, store = stores.new()
    try:
        load_spec(store, spec)
        as_of = spec.opened + timedelta(days=days)
        request = service.QuoteRequest(loan_id="loan-a", as_of=as_of)
        document = settle_document(store, request, key="k")
        # The settlement's identity: owed = value + cash to lender - cash to borrower.
        cash = Decimal(document["cash"]["amount"])
        signed = {"lender": cash, "borrower": -cash}.get(document["cash"]["payee"], Decimal(0))
        owed = Decimal(document["owed"]["total"])
        assert owed == Decimal(document["collateral"]["value"]) + signed
        assert document["remaining_debt"] == "0.00"
        for party_id in ("lender", "borrower"):
            _, entries = service.journal(store, party_id)
            assert_balanced(entries)
            assert [e.kind for e in entries].count("settlement") == 1
            totals = trial_balance(store, party_id)
            assert totals["total_debit"] == totals["total_credit"]
            for account, amount in balances(store, party_id).items():
                if loan_accounts(account):
                    assert amount == 0, (party_id, account)
        notes = service.register(store)["notes"]
        assert sorted(n.id for n in notes) == sorted(n.id for n in spec.notes)
        assert {n.holder_id for n in notes} == {"lender"}
        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        try:
            holders = connection.execute(
                "SELECT id, COUNT(holder_id) FROM notes GROUP BY id"
            ).fetchall()
            transfers = connection.execute(
                "SELECT note_id, COUNT(*) FROM note_transfers GROUP BY note_id"
            ).fetchall()
        finally:
            connection.close()
        assert all(count == 1 for _, count in holders)
        assert sorted(transfers) == sorted((n.id, 1) for n in spec.notes)
        check = service.verify(store)
        assert check.ok and check.first_bad is None
    finally:
        store.close()


WRITTEN_TABLES = (
    ("INSERT", "journal_entries"),
    ("INSERT", "journal_legs"),
    ("INSERT", "loan_events"),
    ("INSERT", "note_transfers"),
    ("UPDATE", "notes"),
    ("UPDATE", "security_interests"),
    ("INSERT", "settlements"),
    ("INSERT", "obligations"),
)


@PROPERTY_SETTINGS
@given(spec=deals(), days=st.integers(0, 400), failing=st.sampled_from(WRITTEN_TABLES))
def test_a_settlement_that_fails_part_way_leaves_the_store_as_it_was(
    stores: Stores, spec: DealSpec, days: int, failing: tuple[str, str]
) -> None:
    """A trigger on the example's own file makes one write of the settlement fail."""
    url, store = stores.new()
    path = url.removeprefix("sqlite:///")
    operation, table = failing
    try:
        load_spec(store, spec)
        connection = sqlite3.connect(path)
        connection.execute(
            f"CREATE TRIGGER boom BEFORE {operation} ON {table} "
            "BEGIN SELECT RAISE(ABORT, 'boom'); END"
        )
        connection.commit()
        connection.close()
        before = dump(Path(path))
        request = service.QuoteRequest(loan_id="loan-a", as_of=spec.opened + timedelta(days))
        fired = True
        try:
            service.settle(store, request, key="k")
            fired = False  # nothing was written to that table (no obligations, say)
        except AcquittanceError as error:
            assert error.code == "STORE_CONFLICT", error
        if fired:
            assert dump(Path(path)) == before
        connection = sqlite3.connect(path)
        connection.execute("DROP TRIGGER boom")
        connection.commit()
        connection.close()
        if fired:
            document = settle_document(store, request, key="k")
            assert document["loan_status"] == "discharged"
        assert service.verify(store).ok
        for party_id in ("lender", "borrower"):
            _, entries = service.journal(store, party_id)
            assert [e.kind for e in entries].count("settlement") == 1
    finally:
        store.close()


def test_the_trigger_fires_for_every_table_on_the_reference_shape(
    stores: Stores,
) -> None:
    """With a wire and a termination to file, every table the closing writes is written."""
    for operation, table in WRITTEN_TABLES:
        url, store = stores.new()
        path = url.removeprefix("sqlite:///")
        try:
            load_spec(store, DealSpec())
            connection = sqlite3.connect(path)
            connection.execute(
                f"CREATE TRIGGER boom BEFORE {operation} ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'boom'); END"
            )
            connection.commit()
            connection.close()
            before = dump(Path(path))
            request = service.QuoteRequest(loan_id="loan-a", as_of=date(2020, 1, 1))
            with pytest.raises(AcquittanceError) as raised:
                service.settle(store, request, key="k")
            assert raised.value.code == "STORE_CONFLICT", table
            assert dump(Path(path)) == before, table
        finally:
            store.close()


@settings(max_examples=60, deadline=None)
@given(
    spec=deals(),
    first=st.integers(0, 800),
    second=st.integers(0, 800),
)
def test_accruals_agree_however_the_period_is_split(
    spec: DealSpec, first: int, second: int
) -> None:
    """Posting interest to a middle date and then to the end posts what one posting would,
    and the books end where the position is."""
    deal = parse_deal(deal_text(spec))
    (loan,) = deal.loans
    lender, borrower = deal.party("lender"), deal.party("borrower")
    middle = spec.opened + timedelta(days=first)
    end = middle + timedelta(days=second)
    instruments = [(loan, Books(lender=lender, borrower=borrower))]
    instruments += [(note, Books(holder=borrower)) for note in deal.notes]
    for instrument, books in instruments:
        booked = book_history(instrument, books)[1]
        split_drafts, at_middle = accrual_to(instrument, books, booked, middle)
        more_drafts, at_end = accrual_to(instrument, books, at_middle, end)
        whole_drafts, whole = accrual_to(instrument, books, booked, end)
        held = position(instrument, end)
        assert at_end == whole == Booked(held.principal, held.interest)

        def posted(drafts: tuple[object, ...], party_id: str) -> dict[str, Decimal]:
            sums: dict[str, Decimal] = {}
            for draft in drafts:
                if draft.party_id != party_id:  # type: ignore[attr-defined]
                    continue
                for leg in draft.legs:  # type: ignore[attr-defined]
                    sums[leg.account] = sums.get(leg.account, Decimal(0)) + leg.amount
            return {k: v for k, v in sums.items() if v}

        for party_id in {"lender", "borrower"}:
            assert posted(split_drafts + more_drafts, party_id) == posted(whole_drafts, party_id)

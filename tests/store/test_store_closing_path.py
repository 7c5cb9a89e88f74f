"""The closing's hot path: prebuilt statements on the driver, two reads, batched writes.

What it must hold: the same closing, to the cent and the leg, whether the
snapshots serve (two reads) or not (the general path walks the events); at
most 15 statements per closing on SQLite; the driver's conversions refuse
what the column types refuse.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from acquittance import service
from acquittance.core.errors import InputError
from acquittance.core.instruments import Charge
from acquittance.deals.parse import parse_deal
from acquittance.service.settle import Attempt, settle_many
from acquittance.store import driver
from acquittance.store.driver import Sql, money

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "examples" / "valence-berg-2002.toml"
HARBOR = ROOT / "examples" / "harbor-mortgage-surplus.toml"
REFERENCE_REQUEST = service.QuoteRequest("berg-valence-loan", date(2002, 3, 31))
HARBOR_REQUEST = service.QuoteRequest("harbor-quill-loan", date(2024, 6, 30))


def _loaded(url: str, deal: Path) -> service.Store:
    service.initialize(service.Store(url))
    store = service.Store(url)
    service.load_deal(store, parse_deal(deal.read_text(encoding="utf-8"), source=deal.name))
    return store


@contextmanager
def _counted(store: service.Store) -> Iterator[Counter[str]]:
    seen: Counter[str] = Counter()

    def orm(*args: Any) -> None:
        seen[args[2].split(None, 1)[0].upper()] += 1

    def sent(statement: str, _rows: int) -> None:
        seen[statement.split(None, 1)[0].upper()] += 1

    event.listen(store.engine, "before_cursor_execute", orm)
    try:
        with driver.observing(sent):
            yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", orm)


def _shape(closed: service.ClosedSettlement) -> list[tuple[Any, ...]]:
    """What a closing posted, without the ids that differ between two stores."""
    return [
        (entry.party_id, entry.kind, entry.date, [(leg.account, leg.amount) for leg in entry.legs])
        for entry in closed.entries
    ]


def _figures(closed: service.ClosedSettlement) -> tuple[Any, ...]:
    quote = closed.quote
    return (
        quote.owed_principal,
        quote.owed_interest,
        quote.collateral,
        quote.cash,
        quote.remaining_debt,
        quote.fingerprint,
        closed.released_interest_ids,
        dict(closed.note_holders),
        [(o.obligation.kind, o.obligation.due, o.obligation.amount) for o in closed.obligations],
    )


@pytest.mark.parametrize(
    ("deal", "request_"), [(REFERENCE, REFERENCE_REQUEST), (HARBOR, HARBOR_REQUEST)]
)
def test_a_closing_is_the_same_whether_snapshots_serve_or_the_events_are_walked(
    tmp_path: Path, deal: Path, request_: service.QuoteRequest
) -> None:
    fast = _loaded(f"sqlite:///{tmp_path / 'fast.db'}", deal)
    slow_path = tmp_path / "slow.db"
    slow = _loaded(f"sqlite:///{slow_path}", deal)
    # A store from before snapshots: the closing must walk the events and rebuild them.
    with sqlite3.connect(slow_path) as connection:
        connection.execute("DELETE FROM position_snapshots")
    try:
        quick = service.settle(fast, request_, key="k-1")
        walked = service.settle(slow, request_, key="k-1")
        assert _figures(quick) == _figures(walked)
        assert _shape(quick) == _shape(walked)
        assert service.verify(fast).ok and service.verify(slow).ok
        again = service.settle(fast, request_, key="k-1")
        assert again.id == quick.id and _shape(again) == _shape(quick)
    finally:
        fast.close()
        slow.close()


def test_a_closing_stores_the_charges_its_quote_owes(store_url: str) -> None:
    """The settlement row the prebuilt insert writes keeps the charges, so verify reconciles it."""
    store = _loaded(store_url, HARBOR)
    try:
        service.record(store, HARBOR_REQUEST.loan_id, Charge(date(2024, 6, 1), Decimal("250.00")))
        closed = service.settle(store, HARBOR_REQUEST, key="k-1")
        assert closed.quote.owed_charges == Decimal("250.00")
        with store.engine.connect() as connection:
            stored = connection.execute(
                text("SELECT owed_charges FROM settlements WHERE id = :id"), {"id": closed.id}
            ).scalar_one()
        assert Decimal(stored) == Decimal("250.00")
        assert service.verify(store).ok
        again = service.settle(store, HARBOR_REQUEST, key="k-1")
        assert again.id == closed.id and again.quote.owed_charges == Decimal("250.00")
    finally:
        store.close()


def test_a_closing_on_sqlite_issues_at_most_15_statements(tmp_path: Path) -> None:
    store = _loaded(f"sqlite:///{tmp_path / 'store.db'}", REFERENCE)
    try:
        with _counted(store) as seen:
            service.settle(store, REFERENCE_REQUEST, key="k-1")
        assert seen["BEGIN"] == 1
        assert sum(seen.values()) <= 15, seen
        assert seen["SELECT"] == 2, seen
    finally:
        store.close()


def test_a_refused_closing_in_a_group_undoes_only_itself(store_url: str) -> None:
    store = _loaded(store_url, REFERENCE)
    try:
        attempts = [
            Attempt(REFERENCE_REQUEST, "k-1"),
            # The same loan again under another key: discharged by the first.
            Attempt(REFERENCE_REQUEST, "k-2"),
            # And under the first key again: the first closing, replayed.
            Attempt(REFERENCE_REQUEST, "k-1"),
        ]
        first, second, third = settle_many(store, attempts)
        assert isinstance(first, service.ClosedSettlement)
        assert getattr(second, "code", None) == "LOAN_DISCHARGED"
        assert isinstance(third, service.ClosedSettlement)
        assert third.settlement.id == first.settlement.id
        assert service.verify(store).ok
    finally:
        store.close()


def test_the_driver_refuses_what_the_amount_columns_refuse() -> None:
    assert money(Decimal("17533226.80")) == "17533226.80"
    assert money(None) is None
    for bad, code in (
        (1.5, "FLOAT_AMOUNT"),
        (Decimal("NaN"), "INVALID_AMOUNT"),
        (3, "INVALID_AMOUNT"),
    ):
        with pytest.raises(InputError) as refused:
            money(bad)  # type: ignore[arg-type]
        assert refused.value.code == code
    with pytest.raises(InputError) as refused:
        money(Decimal("1" * 70))
    assert refused.value.code == "AMOUNT_TOO_LONG"


def test_an_insert_of_one_row_also_inserts_many_and_other_statements_do_not() -> None:
    insert = Sql(
        "INSERT INTO t (a, b) VALUES (?, (SELECT max(x) FROM u WHERE y = ?)) ON CONFLICT DO NOTHING"
    )
    assert insert.inserts_rows
    assert insert.rows_qmark(2) == (
        "INSERT INTO t (a, b) VALUES (?, (SELECT max(x) FROM u WHERE y = ?)), "
        "(?, (SELECT max(x) FROM u WHERE y = ?)) ON CONFLICT DO NOTHING"
    )
    assert not Sql("UPDATE t SET a = ? WHERE b = ?").inserts_rows
    assert not Sql("INSERT INTO t (a) VALUES (?)", rows_at_once=False).inserts_rows
    assert Sql("SELECT 1 WHERE a LIKE '%x' AND b = ?").pyformat == (
        "SELECT 1 WHERE a LIKE '%%x' AND b = %s"
    )


def test_writes_on_a_server_compose_into_one_statement_numbered_and_counted_per_write() -> None:
    insert = Sql("INSERT INTO t (a, b) VALUES (?, ?)")
    update = Sql("UPDATE u SET a = ? WHERE b = ?")
    [(text, parameters, owners)] = driver._composed_statements(
        [(insert, [(1, 2), (3, 4), (5, 6)]), (update, []), (update, [(7, 8), (9, 10)])]
    )
    assert text == (
        "WITH w0 AS (INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4), ($5, $6) RETURNING 1), "
        "w1 AS (UPDATE u SET a = $7 WHERE b = $8 RETURNING 1), "
        "w2 AS (UPDATE u SET a = $9 WHERE b = $10 RETURNING 1) "
        "SELECT (SELECT count(*) FROM w0), (SELECT count(*) FROM w1), (SELECT count(*) FROM w2)"
    )
    assert parameters == list(range(1, 11))
    assert owners == [0, 2, 2]  # the empty write sends nothing and counts 0


def test_writes_beyond_the_parameters_of_one_statement_go_in_several() -> None:
    insert = Sql("INSERT INTO t (a, b) VALUES (?, ?)")
    rows = [(n, n) for n in range(driver.PARAMETERS_PER_STATEMENT_MAX)]  # twice the parameters
    statements = driver._composed_statements([(insert, rows)])
    assert len(statements) == 2
    assert [len(parameters) for _, parameters, _ in statements] == [
        driver.PARAMETERS_PER_STATEMENT_MAX
    ] * 2
    assert all(owners == [0] for _, _, owners in statements)


def test_the_closing_read_finds_each_instruments_newest_snapshot_among_many(
    store_url: str,
) -> None:
    """Each instrument's newest snapshot, wherever it sits among the book's: on
    PostgreSQL the read probes the snapshots' key (a LATERAL join) for each one."""
    from acquittance.core.instruments import Payment
    from acquittance.store.repository import Repository

    store = _loaded(store_url, HARBOR)
    try:
        for day in (1, 2, 3):
            service.record(store, "quill-mortgage-1", Payment(date(2024, 3, day), Decimal("10.00")))
            service.record(
                store, "harbor-quill-loan", Payment(date(2024, 3, day), Decimal("20.00"))
            )
        with store.read() as session:
            newest = dict(
                session.execute(
                    text(
                        "SELECT instrument_id, max(sequence) FROM position_snapshots"
                        " GROUP BY instrument_id"
                    )
                ).all()
            )
            read = Repository(session).read_closing("harbor-quill-loan", None, lock=False)
        found = {read.loan.instrument.id: read.loan.newest}
        found.update({note_id: note.newest for note_id, note in read.notes.items()})
        assert set(found) == {"harbor-quill-loan", "quill-mortgage-1", "quill-mortgage-2"}
        for instrument_id, snapshot in found.items():
            assert snapshot is not None and snapshot.sequence == newest[instrument_id]
        assert newest["quill-mortgage-1"] > newest["quill-mortgage-2"]
    finally:
        store.close()

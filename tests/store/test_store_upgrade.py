"""A store made before closings were typed rows upgrades without loss, and then verifies.

The fixture `store-made-by-0001.db` was made by the release that kept each
closing and saved quote as its JSON document: both examples loaded, a quote
saved, a payment recorded and both loans settled (`closing-1`, `closing-2`).
`store-made-by-0001.closing-1.json` is what `settle --json` printed then.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import MetaData, create_engine, insert, select, text

from acquittance import service
from acquittance.present.documents import settlement_document
from acquittance.store.schema import alembic_config, head_revision

FIXTURES = Path(__file__).parent / "fixtures"
OLD_STORE = FIXTURES / "store-made-by-0001.db"
FIRST_ANSWER = FIXTURES / "store-made-by-0001.closing-1.json"
REFERENCE = service.QuoteRequest(loan_id="berg-valence-loan", as_of=date(2002, 3, 31))


def _upgraded_copy(tmp_path: Path) -> service.Store:
    copy = tmp_path / "old.db"
    shutil.copyfile(OLD_STORE, copy)
    store = service.Store(f"sqlite:///{copy}")
    service.initialize(store)
    return store


def _rows(store: service.Store, table: str) -> int:
    with store.read() as session:
        return int(session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_the_old_store_is_refused_until_it_is_migrated(tmp_path: Path) -> None:
    copy = tmp_path / "old.db"
    shutil.copyfile(OLD_STORE, copy)
    with pytest.raises(Exception) as caught:
        service.verify(service.Store(f"sqlite:///{copy}"))
    assert getattr(caught.value, "code", None) == "STORE_NEEDS_MIGRATION"


def test_an_upgraded_store_verifies_and_keeps_every_record(tmp_path: Path) -> None:
    store = _upgraded_copy(tmp_path)
    check = service.verify(store)
    assert check.ok, check.reason
    assert check.entries == _rows(store, "journal_entries") == 25
    assert [_rows(store, t) for t in ("settlements", "settlement_notes", "quotes")] == [2, 5, 1]
    assert _rows(store, "journal_heads") == 4  # one whole-book chain per party, as before
    settlements = {s.loan_id: s for s in service.register(store)["settlements"]}
    assert settlements["berg-valence-loan"].id == "stl-82b2951131b74377"
    assert settlements["berg-valence-loan"].quote.cash.amount == Decimal("155388.68")
    assert settlements["harbor-quill-loan"].quote.cash.payee_id == "quill"  # the surplus


def test_the_same_key_answers_as_it_did_before_the_upgrade(tmp_path: Path) -> None:
    store = _upgraded_copy(tmp_path)
    first: dict[str, Any] = json.loads(FIRST_ANSWER.read_text())
    again = settlement_document(service.settle(store, REFERENCE, key="closing-1"))
    first.pop("explanation")  # a closing is no longer stored with its explanation
    # Quotes now name unpaid charges on their own line; a store from before charges has none.
    assert "charges" not in first["owed"]
    first["owed"] = {"charges": "0.00", **first["owed"]}
    for document in (first, again):
        document["obligations"].sort(key=lambda o: o["id"])
        document["entries"].sort(key=lambda e: e["id"])
    assert again == first
    assert service.verify(store).ok


def test_an_upgraded_store_takes_new_closings_and_anchors(tmp_path: Path) -> None:
    store = _upgraded_copy(tmp_path)
    saved = service.saved_quotes(store)
    assert [q.loan_id for q in saved] == ["harbor-quill-loan"]
    assert saved[0].quote.owed_total > 0
    digest = service.anchor(store)
    assert service.verify(store, against=digest).ok


@pytest.mark.postgres
def test_the_old_schema_upgrades_on_postgres(postgres_url: str) -> None:
    """The same rows, copied into a PostgreSQL store at revision 0001, upgrade and verify."""
    config = alembic_config()
    engine = create_engine(postgres_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    _copy_rows(f"sqlite:///{OLD_STORE}", engine)
    engine.dispose()
    store = service.Store(postgres_url)
    service.initialize(store)
    try:
        with store.read() as session:
            revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert revision == head_revision()
        check = service.verify(store)
        assert check.ok, check.reason
        assert check.entries == 25
    finally:
        store.close()


def _copy_rows(source_url: str, target: Any) -> None:
    source = create_engine(source_url)
    old = MetaData()
    old.reflect(source)
    with source.connect() as reading, target.begin() as writing:
        for table in old.sorted_tables:
            if table.name == "alembic_version":
                continue
            rows = [dict(row._mapping) for row in reading.execute(select(table))]
            if rows:
                writing.execute(insert(table), rows)
    source.dispose()

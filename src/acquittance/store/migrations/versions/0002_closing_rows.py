"""Closings and saved quotes as typed rows; journals as chains per record, with their heads.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

Idempotency keys become unique per loan (a key is one attempt to settle one
loan). Before this revision a closing and a saved quote were each kept as the JSON
document shown to the user. Here each becomes a header with the quote's
figures as columns, one row per note assigned, and links from the journal
entries and security interests it touched; the documents are read once, here,
and dropped. Journal entries gain the chain they belong to: those already in
the store keep their one chain per party (chain ""), and `journal_heads`
records the head of every chain so that an append reads one row per chain.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DECIMAL_TEXT = sa.String(length=64)
_ID = sa.String(length=100)
_ENTRY_ID = sa.String(length=220)
_HASH = sa.String(length=128)


def _figure_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("lender_id", _ID, nullable=True),
        sa.Column("borrower_id", _ID, nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("owed_principal", _DECIMAL_TEXT, nullable=True),
        sa.Column("owed_interest", _DECIMAL_TEXT, nullable=True),
        sa.Column("per_diem", _DECIMAL_TEXT, nullable=True),
        sa.Column("good_through", sa.Date(), nullable=True),
        sa.Column("cash_amount", _DECIMAL_TEXT, nullable=True),
        sa.Column("cash_payer_id", _ID, nullable=True),
        sa.Column("cash_payee_id", _ID, nullable=True),
        sa.Column("remaining_debt", _DECIMAL_TEXT, nullable=True),
    ]


_REQUIRED_FIGURES = (
    "lender_id",
    "borrower_id",
    "currency",
    "owed_principal",
    "owed_interest",
    "per_diem",
    "good_through",
    "cash_amount",
    "remaining_debt",
)
_PARTY_FOREIGN_KEYS = ("lender_id", "borrower_id", "cash_payer_id", "cash_payee_id")


def _line_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("note_id", _ID, nullable=False),
        sa.Column("principal", _DECIMAL_TEXT, nullable=False),
        sa.Column("interest", _DECIMAL_TEXT, nullable=False),
        sa.Column("value", _DECIMAL_TEXT, nullable=False),
    ]


def upgrade() -> None:
    _create_tables()
    _journal_chains()
    with op.batch_alter_table("security_interests") as batch:
        batch.add_column(sa.Column("released_by", _ID, nullable=True))
    with op.batch_alter_table("settlements") as batch:
        for column in _figure_columns():
            batch.add_column(column)
        batch.add_column(sa.Column("entries_count", sa.Integer(), nullable=True))
    with op.batch_alter_table("quotes") as batch:
        for column in _figure_columns():
            batch.add_column(column)
        batch.add_column(sa.Column("satisfaction", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("notes_named", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("partial", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("good_through_requested", sa.Date(), nullable=True))
    connection = op.get_bind()
    _move_settlement_documents(connection)
    _move_quote_documents(connection)
    _finish_settlements()
    _finish_quotes()
    _record_heads(connection)


def _create_tables() -> None:
    op.create_table(
        "settlement_notes",
        sa.Column("settlement_id", _ID, nullable=False),
        *_line_columns(),
        sa.ForeignKeyConstraint(
            ["settlement_id"],
            ["settlements.id"],
            name=op.f("fk_settlement_notes_settlement_id_settlements"),
        ),
        sa.ForeignKeyConstraint(
            ["note_id"], ["notes.id"], name=op.f("fk_settlement_notes_note_id_notes")
        ),
        sa.PrimaryKeyConstraint("settlement_id", "position", name=op.f("pk_settlement_notes")),
    )
    op.create_table(
        "quote_notes",
        sa.Column("quote_id", _ID, nullable=False),
        *_line_columns(),
        sa.Column("value_requested", _DECIMAL_TEXT, nullable=True),
        sa.ForeignKeyConstraint(
            ["quote_id"], ["quotes.id"], name=op.f("fk_quote_notes_quote_id_quotes")
        ),
        sa.ForeignKeyConstraint(
            ["note_id"], ["notes.id"], name=op.f("fk_quote_notes_note_id_notes")
        ),
        sa.PrimaryKeyConstraint("quote_id", "position", name=op.f("pk_quote_notes")),
    )
    op.create_table(
        "journal_heads",
        sa.Column("party_id", _ID, nullable=False),
        sa.Column("chain", _ID, nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("hash", _HASH, nullable=False),
        sa.Column("entry_id", _ENTRY_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_journal_heads_party_id_parties")
        ),
        sa.PrimaryKeyConstraint("party_id", "chain", name=op.f("pk_journal_heads")),
    )
    op.create_table(
        "anchor_heads",
        sa.Column("digest", _HASH, nullable=False),
        sa.Column("party_id", _ID, nullable=False),
        sa.Column("chain", _ID, nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("hash", _HASH, nullable=False),
        sa.Column("entry_id", _ENTRY_ID, nullable=False),
        sa.PrimaryKeyConstraint("digest", "party_id", "chain", name=op.f("pk_anchor_heads")),
    )


def _journal_chains() -> None:
    # Legs first: their foreign key names the entry id being widened.
    with op.batch_alter_table("journal_legs") as batch:
        batch.alter_column("entry_id", type_=_ENTRY_ID, existing_type=_ID, existing_nullable=False)
    with op.batch_alter_table("journal_entries") as batch:
        batch.alter_column("id", type_=_ENTRY_ID, existing_type=_ID, existing_nullable=False)
        batch.add_column(sa.Column("chain", _ID, nullable=False, server_default=""))
        batch.add_column(sa.Column("settlement_id", _ID, nullable=True))
        batch.drop_constraint("uq_journal_entries_party_id_sequence", type_="unique")
        batch.create_unique_constraint(
            "uq_journal_entries_party_id_chain_sequence", ["party_id", "chain", "sequence"]
        )
        batch.create_index("ix_journal_entries_settlement_id", ["settlement_id"])


def _money(text: Any) -> str:
    return str(Decimal(str(text)))


def _figures(document: dict[str, Any]) -> dict[str, Any]:
    owed, cash = document["owed"], document["cash"]
    return {
        "lender_id": document["lender"],
        "borrower_id": document["borrower"],
        "currency": document["currency"],
        "satisfaction": document["satisfaction"],
        "owed_principal": _money(owed["principal"]),
        "owed_interest": _money(owed["interest"]),
        "per_diem": _money(owed["per_diem"]),
        "good_through": date.fromisoformat(owed["good_through"]),
        "cash_amount": _money(cash["amount"]),
        "cash_payer_id": cash.get("payer"),
        "cash_payee_id": cash.get("payee"),
        "remaining_debt": _money(document["remaining_debt"]),
    }


def _lines(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "position": position,
            "note_id": line["note"],
            "principal": _money(line["principal"]),
            "interest": _money(line["interest"]),
            "value": _money(line["value"]),
        }
        for position, line in enumerate(document["collateral"]["notes"], start=1)
    ]


def _move_settlement_documents(connection: sa.Connection) -> None:
    settlements = sa.table(
        "settlements",
        sa.column("id"),
        sa.column("document"),
        sa.column("entries_count"),
        *(sa.column(name) for name in (*_REQUIRED_FIGURES, "cash_payer_id", "cash_payee_id")),
        sa.column("satisfaction"),
    )
    lines = sa.table("settlement_notes", sa.column("settlement_id"), *_line_table_columns())
    entries = sa.table("journal_entries", sa.column("id"), sa.column("settlement_id"))
    interests = sa.table("security_interests", sa.column("id"), sa.column("released_by"))
    rows = connection.execute(sa.select(settlements.c.id, settlements.c.document)).all()
    for settlement_id, text in rows:
        document = json.loads(text)
        posted = [entry["id"] for entry in document.get("entries", [])]
        values = {**_figures(document), "entries_count": len(posted)}
        connection.execute(
            settlements.update().where(settlements.c.id == settlement_id).values(**values)
        )
        for line in _lines(document):
            connection.execute(lines.insert().values(settlement_id=settlement_id, **line))
        if posted:
            connection.execute(
                entries.update().where(entries.c.id.in_(posted)).values(settlement_id=settlement_id)
            )
        released = list(document.get("released_security_interests", []))
        if released:
            connection.execute(
                interests.update()
                .where(interests.c.id.in_(released))
                .values(released_by=settlement_id)
            )


def _line_table_columns() -> list[sa.ColumnClause[Any]]:
    return [sa.column(name) for name in ("position", "note_id", "principal", "interest", "value")]


def _move_quote_documents(connection: sa.Connection) -> None:
    quotes = sa.table(
        "quotes",
        sa.column("id"),
        sa.column("document"),
        *(sa.column(name) for name in (*_REQUIRED_FIGURES, "cash_payer_id", "cash_payee_id")),
        sa.column("satisfaction"),
        sa.column("notes_named"),
        sa.column("partial"),
        sa.column("good_through_requested"),
    )
    lines = sa.table(
        "quote_notes", sa.column("quote_id"), *_line_table_columns(), sa.column("value_requested")
    )
    for quote_id, text in connection.execute(sa.select(quotes.c.id, quotes.c.document)).all():
        document = json.loads(text)
        request = document.get("request") or {}
        asked = request.get("values") or {}
        good_through = request.get("good_through")
        connection.execute(
            quotes.update()
            .where(quotes.c.id == quote_id)
            .values(
                **_figures(document),
                notes_named=request.get("notes") is not None,
                partial=bool(request.get("partial")),
                good_through_requested=date.fromisoformat(good_through) if good_through else None,
            )
        )
        for line in _lines(document):
            requested = asked.get(line["note_id"])
            connection.execute(
                lines.insert().values(
                    quote_id=quote_id,
                    value_requested=_money(requested) if requested is not None else None,
                    **line,
                )
            )


def _finish_settlements() -> None:
    with op.batch_alter_table("settlements") as batch:
        for name in (*_REQUIRED_FIGURES, "entries_count"):
            batch.alter_column(name, nullable=False)
        for name in _PARTY_FOREIGN_KEYS:
            batch.create_foreign_key(f"fk_settlements_{name}_parties", "parties", [name], ["id"])
        batch.create_index("ix_settlements_loan_id", ["loan_id"])
        batch.drop_constraint("uq_settlements_idempotency_key", type_="unique")
        batch.create_unique_constraint(
            "uq_settlements_loan_id_idempotency_key", ["loan_id", "idempotency_key"]
        )
        batch.drop_constraint("uq_settlements_created_order", type_="unique")
        batch.drop_column("created_order")
        batch.drop_column("document")


def _finish_quotes() -> None:
    with op.batch_alter_table("quotes") as batch:
        for name in (*_REQUIRED_FIGURES, "satisfaction", "notes_named", "partial"):
            batch.alter_column(name, nullable=False)
        for name in _PARTY_FOREIGN_KEYS:
            batch.create_foreign_key(f"fk_quotes_{name}_parties", "parties", [name], ["id"])
        batch.create_index("ix_quotes_loan_id", ["loan_id"])
        batch.drop_column("document")


def _record_heads(connection: sa.Connection) -> None:
    columns = ("party_id", "chain", "sequence", "hash")
    entries = sa.table("journal_entries", *(sa.column(c) for c in (*columns, "id")))
    heads = sa.table("journal_heads", *(sa.column(c) for c in (*columns, "entry_id")))
    newest = (
        sa.select(entries.c.party_id, entries.c.chain, sa.func.max(entries.c.sequence))
        .group_by(entries.c.party_id, entries.c.chain)
        .subquery()
    )
    query = sa.select(
        entries.c.party_id, entries.c.chain, entries.c.sequence, entries.c.hash, entries.c.id
    ).join(
        newest,
        sa.and_(
            newest.c.party_id == entries.c.party_id,
            newest.c.chain == entries.c.chain,
            newest.c[2] == entries.c.sequence,
        ),
    )
    for party_id, chain, sequence, hash_, entry_id in connection.execute(query).all():
        connection.execute(
            heads.insert().values(
                party_id=party_id, chain=chain, sequence=sequence, hash=hash_, entry_id=entry_id
            )
        )


def downgrade() -> None:
    raise NotImplementedError(
        "0002 cannot be undone without loss: restore the store from a backup taken before it"
    )

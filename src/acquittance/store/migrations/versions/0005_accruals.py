"""Accrual runs, and what the accrual walk carries for charges and default interest.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

New tables `accrual_runs` and `accrual_run_lines` (one run of `acquittance
accrue`, and what it posted for each instrument); two columns on
`position_snapshots` (the charges not yet paid, and the date a default rate
applies from), and `owed_charges` on settlements and saved quotes. Existing
rows take zero charges and no default, which is what they had.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DECIMAL_TEXT = sa.String(length=64)


def upgrade() -> None:
    op.create_table(
        "accrual_runs",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("through", sa.Date(), nullable=False),
        sa.Column("entries_count", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accrual_runs")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_accrual_runs_idempotency_key")),
        sa.UniqueConstraint("sequence", name=op.f("uq_accrual_runs_sequence")),
    )
    op.create_table(
        "accrual_run_lines",
        sa.Column("run_id", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("instrument_kind", sa.String(length=10), nullable=False),
        sa.Column("instrument_id", sa.String(length=100), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("interest", _DECIMAL_TEXT, nullable=False),
        sa.Column("capitalised", _DECIMAL_TEXT, nullable=False),
        sa.Column("late_charges", _DECIMAL_TEXT, nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["accrual_runs.id"], name=op.f("fk_accrual_run_lines_run_id_accrual_runs")
        ),
        sa.PrimaryKeyConstraint("run_id", "position", name=op.f("pk_accrual_run_lines")),
    )
    # SQLite adds a column in place (ALTER TABLE ... ADD COLUMN); a batch would copy the
    # table, which the foreign keys that point at loans refuse.
    op.add_column(
        "position_snapshots",
        sa.Column("charges", _DECIMAL_TEXT, nullable=False, server_default="0.00"),
    )
    op.add_column("position_snapshots", sa.Column("default_since", sa.Date(), nullable=True))
    for table in ("settlements", "quotes"):
        op.add_column(
            table, sa.Column("owed_charges", _DECIMAL_TEXT, nullable=False, server_default="0.00")
        )
    for table in ("loan_events", "note_events"):
        op.add_column(table, sa.Column("due", sa.Date(), nullable=True))
    for column in (
        sa.Column("level_payment_amount", _DECIMAL_TEXT, nullable=True),
        sa.Column("level_payment_first_due", sa.Date(), nullable=True),
        sa.Column("level_payment_count", sa.Integer(), nullable=True),
        sa.Column("late_charge_grace_days", sa.Integer(), nullable=True),
        sa.Column("late_charge_percent", _DECIMAL_TEXT, nullable=True),
        sa.Column("late_charge_amount", _DECIMAL_TEXT, nullable=True),
    ):
        op.add_column("loans", column)


def downgrade() -> None:
    # Columns are dropped in place (SQLite 3.35 and later): a batch would copy the tables,
    # which the foreign keys that point at loans refuse.
    for column in (
        "late_charge_amount",
        "late_charge_percent",
        "late_charge_grace_days",
        "level_payment_count",
        "level_payment_first_due",
        "level_payment_amount",
    ):
        op.drop_column("loans", column)
    for table in ("note_events", "loan_events"):
        op.drop_column(table, "due")
    for table in ("quotes", "settlements"):
        op.drop_column(table, "owed_charges")
    op.drop_column("position_snapshots", "default_since")
    op.drop_column("position_snapshots", "charges")
    op.drop_table("accrual_run_lines")
    op.drop_table("accrual_runs")

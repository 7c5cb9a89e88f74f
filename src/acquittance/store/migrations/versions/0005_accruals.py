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
    with op.batch_alter_table("position_snapshots") as batch:
        batch.add_column(sa.Column("charges", _DECIMAL_TEXT, nullable=False, server_default="0.00"))
        batch.add_column(sa.Column("default_since", sa.Date(), nullable=True))
    for table in ("settlements", "quotes"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("owed_charges", _DECIMAL_TEXT, nullable=False, server_default="0.00")
            )
    for table in ("loan_events", "note_events"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("due", sa.Date(), nullable=True))
    with op.batch_alter_table("loans") as batch:
        batch.add_column(sa.Column("level_payment_amount", _DECIMAL_TEXT, nullable=True))
        batch.add_column(sa.Column("level_payment_first_due", sa.Date(), nullable=True))
        batch.add_column(sa.Column("level_payment_count", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("late_charge_grace_days", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("late_charge_percent", _DECIMAL_TEXT, nullable=True))
        batch.add_column(sa.Column("late_charge_amount", _DECIMAL_TEXT, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("loans") as batch:
        for column in (
            "late_charge_amount",
            "late_charge_percent",
            "late_charge_grace_days",
            "level_payment_count",
            "level_payment_first_due",
            "level_payment_amount",
        ):
            batch.drop_column(column)
    for table in ("note_events", "loan_events"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("due")
    for table in ("quotes", "settlements"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("owed_charges")
    with op.batch_alter_table("position_snapshots") as batch:
        batch.drop_column("default_since")
        batch.drop_column("charges")
    op.drop_table("accrual_run_lines")
    op.drop_table("accrual_runs")

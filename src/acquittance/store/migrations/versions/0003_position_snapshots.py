"""Position snapshots: the accrual state after each event of a loan or note, as a cache.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

A new table only; no existing row changes. A store upgraded from 0001 has no
snapshots: reads then walk the events (as before), and the first command that
appends an event to an instrument writes that instrument's snapshots.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DECIMAL_TEXT = sa.String(length=64)


def upgrade() -> None:
    op.create_table(
        "position_snapshots",
        sa.Column("instrument_kind", sa.String(length=10), nullable=False),
        sa.Column("instrument_id", sa.String(length=100), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("events_count", sa.Integer(), nullable=False),
        sa.Column("events_digest", sa.String(length=128), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("opening", sa.Date(), nullable=False),
        sa.Column("opened_by", sa.String(length=20), nullable=False),
        sa.Column("last_event_date", sa.Date(), nullable=False),
        sa.Column("last_event_kind", sa.String(length=20), nullable=False),
        sa.Column("principal", _DECIMAL_TEXT, nullable=False),
        sa.Column("annual_rate", _DECIMAL_TEXT, nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("interest_exact", sa.Text(), nullable=False),
        sa.Column("capitalisations_count", sa.Integer(), nullable=False),
        sa.Column("discharged_on", sa.Date(), nullable=True),
        sa.Column("booked_principal", _DECIMAL_TEXT, nullable=False),
        sa.Column("booked_interest", _DECIMAL_TEXT, nullable=False),
        sa.Column("booked_by", sa.String(length=100), nullable=True),
        sa.CheckConstraint(
            "instrument_kind IN ('loan', 'note')",
            name=op.f("ck_position_snapshots_instrument_kind_known"),
        ),
        sa.CheckConstraint("events_count >= 1", name=op.f("ck_position_snapshots_after_an_event")),
        sa.PrimaryKeyConstraint(
            "instrument_kind", "instrument_id", "sequence", name=op.f("pk_position_snapshots")
        ),
    )
    op.create_index(
        "ix_position_snapshots_instrument_as_of",
        "position_snapshots",
        ["instrument_kind", "instrument_id", "as_of", "sequence"],
    )


def downgrade() -> None:
    op.drop_index("ix_position_snapshots_instrument_as_of", table_name="position_snapshots")
    op.drop_table("position_snapshots")

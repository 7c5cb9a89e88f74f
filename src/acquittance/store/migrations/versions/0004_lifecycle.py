"""The life of a loan: reversals in the event logs, lifecycle actions under keys, their obligations.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

Event rows gain `reverses` and `reason` (a reversal names the event it
undoes; nothing is deleted). `lifecycle_actions` keeps each record, payoff,
release and reversal under its idempotency key, with the entries it posted
and the notes it released. An obligation may now arise from a lifecycle
action as well as from a settlement, so its `settlement_id` no longer
refers to the settlements table. No existing row changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.String(length=100)
_ENTRY_ID = sa.String(length=220)


def upgrade() -> None:
    for table in ("loan_events", "note_events"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("reverses", sa.Integer(), nullable=True))
            batch.add_column(sa.Column("reason", sa.Text(), nullable=True))
    with op.batch_alter_table("obligations") as batch:
        batch.drop_constraint("fk_obligations_settlement_id_settlements", type_="foreignkey")
    op.create_table(
        "lifecycle_actions",
        sa.Column("id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("instrument_kind", sa.String(length=10), nullable=False),
        sa.Column("instrument_id", _ID, nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column("request_digest", sa.String(length=128), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("event_sequence", sa.Integer(), nullable=True),
        sa.Column("amount", sa.String(length=64), nullable=True),
        sa.Column("discharged", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('record', 'payoff', 'release', 'reversal')",
            name=op.f("ck_lifecycle_actions_action_kind_known"),
        ),
        sa.CheckConstraint(
            "instrument_kind IN ('loan', 'note')",
            name=op.f("ck_lifecycle_actions_instrument_kind_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lifecycle_actions")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_lifecycle_actions_idempotency_key")),
    )
    op.create_table(
        "lifecycle_action_entries",
        sa.Column("action_id", _ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("entry_id", _ENTRY_ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["lifecycle_actions.id"],
            name=op.f("fk_lifecycle_action_entries_action_id_lifecycle_actions"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["journal_entries.id"],
            name=op.f("fk_lifecycle_action_entries_entry_id_journal_entries"),
        ),
        sa.PrimaryKeyConstraint("action_id", "position", name=op.f("pk_lifecycle_action_entries")),
    )
    op.create_table(
        "lifecycle_action_notes",
        sa.Column("action_id", _ID, nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("note_id", _ID, nullable=False),
        sa.Column("security_interest_id", _ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["lifecycle_actions.id"],
            name=op.f("fk_lifecycle_action_notes_action_id_lifecycle_actions"),
        ),
        sa.ForeignKeyConstraint(
            ["note_id"], ["notes.id"], name=op.f("fk_lifecycle_action_notes_note_id_notes")
        ),
        sa.ForeignKeyConstraint(
            ["security_interest_id"],
            ["security_interests.id"],
            name=op.f("fk_lifecycle_action_notes_security_interest_id_security_interests"),
        ),
        sa.PrimaryKeyConstraint("action_id", "position", name=op.f("pk_lifecycle_action_notes")),
    )


def downgrade() -> None:
    op.drop_table("lifecycle_action_notes")
    op.drop_table("lifecycle_action_entries")
    op.drop_table("lifecycle_actions")
    with op.batch_alter_table("obligations") as batch:
        batch.create_foreign_key(
            "fk_obligations_settlement_id_settlements", "settlements", ["settlement_id"], ["id"]
        )
    for table in ("note_events", "loan_events"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("reason")
            batch.drop_column("reverses")

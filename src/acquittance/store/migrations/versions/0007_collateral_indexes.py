"""Indexes for reads that must not scan: a loan's collateral, and a history's length.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

A closing and a quote read a loan's security interests by loan, and each
interest's financing statements by interest. Without these indexes both reads
scan their whole table, a cost that grows with the book. A history's length
(how many events a walk takes) is its last sequence less its reversals, each
with the event it reverses; the partial indexes find the reversals without
reading every event.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_security_interests_loan_id"), "security_interests", ["loan_id"])
    op.create_index(
        op.f("ix_financing_statements_security_interest_id"),
        "financing_statements",
        ["security_interest_id"],
    )
    for table, owner in (("loan_events", "loan_id"), ("note_events", "note_id")):
        where = sa.text("reverses IS NOT NULL")
        op.create_index(
            op.f(f"ix_{table}_reversals"),
            table,
            [owner],
            sqlite_where=where,
            postgresql_where=where,
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_note_events_reversals"), table_name="note_events")
    op.drop_index(op.f("ix_loan_events_reversals"), table_name="loan_events")
    op.drop_index(
        op.f("ix_financing_statements_security_interest_id"), table_name="financing_statements"
    )
    op.drop_index(op.f("ix_security_interests_loan_id"), table_name="security_interests")

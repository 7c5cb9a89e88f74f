"""Indexes for reading a loan's collateral: its security interests, and their filings.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

A closing and a quote read a loan's security interests by loan, and each
interest's financing statements by interest. Without these indexes both reads
scan their whole table, a cost that grows with the book.
"""

from __future__ import annotations

from collections.abc import Sequence

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


def downgrade() -> None:
    op.drop_index(
        op.f("ix_financing_statements_security_interest_id"), table_name="financing_statements"
    )
    op.drop_index(op.f("ix_security_interests_loan_id"), table_name="security_interests")

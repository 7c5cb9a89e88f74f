"""Accounts, idempotency keys and the two-party settlement workflow, for the HTTP server.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

New tables only; no existing row changes. Users belong to parties; API tokens
and web sessions are kept as sha256 hashes; `server_secrets` holds the CSRF
key the server generates when none is given. Proposals, approvals and the
hash-chained audit trail (with each chain's head) record the settlement
workflow step by step.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.String(length=100)
_NAME = sa.String(length=300)
_HASH = sa.String(length=128)
_TIMESTAMP = sa.String(length=27)


def _foreign_key(table: str, column: str, referred: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{referred}.id"], name=op.f(f"fk_{table}_{column}_{referred}")
    )


def upgrade() -> None:
    _accounts()
    _idempotency()
    _workflow()
    _audit()


def _accounts() -> None:
    op.create_table(
        "users",
        sa.Column("id", _ID, nullable=False),
        sa.Column("name", _ID, nullable=False),
        sa.Column("party_id", _ID, nullable=False),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=True),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        _foreign_key("users", "party_id", "parties"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", _ID, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("token_hash", _HASH, nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("revoked_at", _TIMESTAMP, nullable=True),
        _foreign_key("api_tokens", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index("ix_api_tokens_user_id", "api_tokens", ["user_id"])
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", _HASH, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.Column("expires_at", _TIMESTAMP, nullable=False),
        _foreign_key("web_sessions", "user_id", "users"),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_web_sessions")),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"])
    op.create_table(
        "server_secrets",
        sa.Column("name", _ID, nullable=False),
        sa.Column("value", _HASH, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_server_secrets")),
    )


def _idempotency() -> None:
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", _ID, nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("path", _NAME, nullable=False),
        sa.Column("request_digest", _HASH, nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_idempotency_keys")),
    )


def _workflow() -> None:
    op.create_table(
        "settlement_proposals",
        sa.Column("id", _ID, nullable=False),
        sa.Column("quote_id", _ID, nullable=False),
        sa.Column("loan_id", _ID, nullable=False),
        sa.Column("lender_id", _ID, nullable=False),
        sa.Column("borrower_id", _ID, nullable=False),
        sa.Column("proposed_by", _ID, nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("settlement_id", _ID, nullable=True),
        sa.Column("created_at", _TIMESTAMP, nullable=False),
        sa.CheckConstraint(
            "status IN ('proposed', 'approved', 'closed')",
            name=op.f("ck_settlement_proposals_status_known"),
        ),
        sa.CheckConstraint(
            "(status = 'closed') = (settlement_id IS NOT NULL)",
            name=op.f("ck_settlement_proposals_settlement_when_closed"),
        ),
        _foreign_key("settlement_proposals", "quote_id", "quotes"),
        _foreign_key("settlement_proposals", "loan_id", "loans"),
        _foreign_key("settlement_proposals", "lender_id", "parties"),
        _foreign_key("settlement_proposals", "borrower_id", "parties"),
        _foreign_key("settlement_proposals", "proposed_by", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_settlement_proposals")),
    )
    op.create_index("ix_settlement_proposals_loan_id", "settlement_proposals", ["loan_id"])
    op.create_table(
        "settlement_approvals",
        sa.Column("proposal_id", _ID, nullable=False),
        sa.Column("party_id", _ID, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("signatory_name", _NAME, nullable=False),
        sa.Column("signatory_title", _NAME, nullable=False),
        sa.Column("approved_at", _TIMESTAMP, nullable=False),
        _foreign_key("settlement_approvals", "proposal_id", "settlement_proposals"),
        _foreign_key("settlement_approvals", "party_id", "parties"),
        _foreign_key("settlement_approvals", "user_id", "users"),
        sa.PrimaryKeyConstraint("proposal_id", "party_id", name=op.f("pk_settlement_approvals")),
    )


def _audit() -> None:
    op.create_table(
        "audit_records",
        sa.Column("chain", _ID, nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("at", _TIMESTAMP, nullable=False),
        sa.Column("actor_user_id", _ID, nullable=True),
        sa.Column("actor_party_id", _ID, nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("previous_hash", _HASH, nullable=False),
        sa.Column("hash", _HASH, nullable=False),
        sa.PrimaryKeyConstraint("chain", "sequence", name=op.f("pk_audit_records")),
    )
    op.create_table(
        "audit_heads",
        sa.Column("chain", _ID, nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("hash", _HASH, nullable=False),
        sa.PrimaryKeyConstraint("chain", name=op.f("pk_audit_heads")),
    )


def downgrade() -> None:
    for table in (
        "audit_heads",
        "audit_records",
        "settlement_approvals",
        "settlement_proposals",
        "idempotency_keys",
        "server_secrets",
        "web_sessions",
        "api_tokens",
        "users",
    ):
        op.drop_table(table)

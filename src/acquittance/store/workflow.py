"""Rows of the two-party workflow: proposals, approvals, the audit trail, idempotency keys.

An audit append locks its chain's head row (on PostgreSQL) and is taken last
in a transaction, after the loan and its notes, as the journal's heads are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from acquittance.core.audit import AuditRecord
from acquittance.core.errors import NotFoundError
from acquittance.store.models import (
    ApprovalRow,
    AuditHeadRow,
    AuditRecordRow,
    IdempotencyKeyRow,
    ProposalRow,
)


@dataclass(frozen=True)
class ApprovalRecord:
    party_id: str
    user_id: str
    signatory_name: str
    signatory_title: str
    approved_at: str


@dataclass(frozen=True)
class ProposalRecord:
    id: str
    quote_id: str
    loan_id: str
    lender_id: str
    borrower_id: str
    proposed_by: str
    status: str
    settlement_id: str | None
    created_at: str
    approvals: tuple[ApprovalRecord, ...]


@dataclass(frozen=True)
class RememberedRequest:
    """A request kept under its idempotency key; status None while it still runs."""

    method: str
    path: str
    request_digest: str
    status_code: int | None
    response_body: str | None
    claimed_at: str


def locks_rows(session: Session) -> bool:
    """Whether this store takes row locks (PostgreSQL); SQLite writers hold the whole file."""
    return session.get_bind().dialect.name != "sqlite"


def _audit(row: AuditRecordRow) -> AuditRecord:
    return AuditRecord(
        chain=row.chain,
        sequence=row.sequence,
        at=row.at,
        actor_user_id=row.actor_user_id,
        actor_party_id=row.actor_party_id,
        action=row.action,
        detail=row.detail,
        previous_hash=row.previous_hash,
        hash=row.hash,
    )


class WorkflowRows:
    """Proposals, approvals, audit records and idempotency keys, in the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # Proposals --------------------------------------------------------------------------

    def add_proposal(self, proposal: ProposalRecord) -> None:
        self.session.add(
            ProposalRow(
                id=proposal.id,
                quote_id=proposal.quote_id,
                loan_id=proposal.loan_id,
                lender_id=proposal.lender_id,
                borrower_id=proposal.borrower_id,
                proposed_by=proposal.proposed_by,
                status=proposal.status,
                settlement_id=proposal.settlement_id,
                created_at=proposal.created_at,
            )
        )
        self.session.flush()

    def proposal(self, proposal_id: str, *, lock: bool = False) -> ProposalRecord:
        query = select(ProposalRow).where(ProposalRow.id == proposal_id)
        if lock and locks_rows(self.session):
            query = query.with_for_update()
        row = self.session.scalar(query)
        if row is None:
            raise unknown_proposal(proposal_id)
        return self._record(row)

    def proposals(self, *, party_id: str | None = None) -> list[ProposalRecord]:
        query = select(ProposalRow).order_by(ProposalRow.created_at, ProposalRow.id)
        if party_id is not None:
            query = query.where(
                (ProposalRow.lender_id == party_id) | (ProposalRow.borrower_id == party_id)
            )
        return [self._record(row) for row in self.session.scalars(query)]

    def proposal_for_settlement(self, settlement_id: str) -> ProposalRecord | None:
        row = self.session.scalar(
            select(ProposalRow).where(ProposalRow.settlement_id == settlement_id)
        )
        return None if row is None else self._record(row)

    def _record(self, row: ProposalRow) -> ProposalRecord:
        approvals = self.session.scalars(
            select(ApprovalRow)
            .where(ApprovalRow.proposal_id == row.id)
            .order_by(ApprovalRow.approved_at, ApprovalRow.party_id)
        )
        return ProposalRecord(
            id=row.id,
            quote_id=row.quote_id,
            loan_id=row.loan_id,
            lender_id=row.lender_id,
            borrower_id=row.borrower_id,
            proposed_by=row.proposed_by,
            status=row.status,
            settlement_id=row.settlement_id,
            created_at=row.created_at,
            approvals=tuple(
                ApprovalRecord(
                    a.party_id, a.user_id, a.signatory_name, a.signatory_title, a.approved_at
                )
                for a in approvals
            ),
        )

    def add_approval(self, proposal_id: str, approval: ApprovalRecord) -> None:
        self.session.add(
            ApprovalRow(
                proposal_id=proposal_id,
                party_id=approval.party_id,
                user_id=approval.user_id,
                signatory_name=approval.signatory_name,
                signatory_title=approval.signatory_title,
                approved_at=approval.approved_at,
            )
        )
        self.session.flush()

    def set_status(
        self, proposal_id: str, status: str, *, settlement_id: str | None = None
    ) -> None:
        self.session.execute(
            update(ProposalRow)
            .where(ProposalRow.id == proposal_id)
            .values(status=status, settlement_id=settlement_id)
        )

    # Audit ------------------------------------------------------------------------------

    def audit_head(self, chain: str) -> AuditRecord | None:
        """The newest record of a chain, its head row locked until the transaction ends."""
        query = select(AuditHeadRow).where(AuditHeadRow.chain == chain)
        if locks_rows(self.session):
            query = query.with_for_update()
        head = self.session.scalar(query)
        if head is None:
            return None
        row = self.session.get(AuditRecordRow, (chain, head.sequence))
        assert row is not None, f"audit chain {chain} has a head with no record"
        return _audit(row)

    def append_audit(self, record: AuditRecord) -> None:
        self.session.add(
            AuditRecordRow(
                chain=record.chain,
                sequence=record.sequence,
                at=record.at,
                actor_user_id=record.actor_user_id,
                actor_party_id=record.actor_party_id,
                action=record.action,
                detail=record.detail,
                previous_hash=record.previous_hash,
                hash=record.hash,
            )
        )
        if record.sequence == 1:
            self.session.add(
                AuditHeadRow(chain=record.chain, sequence=record.sequence, hash=record.hash)
            )
        else:
            self.session.execute(
                update(AuditHeadRow)
                .where(AuditHeadRow.chain == record.chain)
                .values(sequence=record.sequence, hash=record.hash)
            )
        self.session.flush()

    def audit_records(self, chains: Sequence[str] | None = None) -> list[AuditRecord]:
        query = select(AuditRecordRow).order_by(AuditRecordRow.chain, AuditRecordRow.sequence)
        if chains is not None:
            query = query.where(AuditRecordRow.chain.in_(list(chains)))
        return [_audit(row) for row in self.session.scalars(query)]

    def audit_heads(self) -> dict[str, tuple[int, str]]:
        return {
            row.chain: (row.sequence, row.hash)
            for row in self.session.scalars(select(AuditHeadRow))
        }

    # Idempotency keys -------------------------------------------------------------------

    def remembered(self, scope: str, key: str) -> RememberedRequest | None:
        row = self.session.get(IdempotencyKeyRow, (scope, key))
        if row is None:
            return None
        return RememberedRequest(
            row.method,
            row.path,
            row.request_digest,
            row.status_code,
            row.response_body,
            row.created_at,
        )

    def claim_key(
        self, scope: str, key: str, *, method: str, path: str, digest: str, at: str
    ) -> None:
        """Insert the key as running; a key already there fails the flush (STORE_CONFLICT)."""
        self.session.add(
            IdempotencyKeyRow(
                scope=scope,
                key=key,
                method=method,
                path=path,
                request_digest=digest,
                created_at=at,
            )
        )
        self.session.flush()

    def finish_key(self, scope: str, key: str, status_code: int, body: str) -> None:
        self.session.execute(
            update(IdempotencyKeyRow)
            .where(IdempotencyKeyRow.scope == scope, IdempotencyKeyRow.key == key)
            .values(status_code=status_code, response_body=body)
        )

    def release_key(self, scope: str, key: str) -> None:
        self.session.execute(
            delete(IdempotencyKeyRow).where(
                IdempotencyKeyRow.scope == scope,
                IdempotencyKeyRow.key == key,
                IdempotencyKeyRow.status_code.is_(None),
            )
        )


def unknown_proposal(proposal_id: str) -> NotFoundError:
    return NotFoundError(
        "UNKNOWN_SETTLEMENT",
        f"no settlement has id {proposal_id!r}; GET /api/v1/settlements lists yours",
    )

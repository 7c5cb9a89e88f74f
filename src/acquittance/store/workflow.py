"""Rows of the two-party workflow: proposals, approvals, the audit trail, idempotency keys.

An audit append locks its chain's head row (on PostgreSQL) and is taken last
in a transaction, after the loan and its notes, as the journal's heads are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from acquittance.core.audit import AuditHead, AuditRecord
from acquittance.core.errors import NotFoundError
from acquittance.store.driver import Driver, Sql
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
    user_name: str


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
    proposed_by_name: str


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


_PROPOSALS: Final = (
    "SELECT p.id, p.quote_id, p.loan_id, p.lender_id, p.borrower_id, p.proposed_by, p.status,"
    " p.settlement_id, p.created_at, pu.name,"
    " a.party_id, a.user_id, a.signatory_name, a.signatory_title, a.approved_at, au.name"
    " FROM settlement_proposals p JOIN users pu ON pu.id = p.proposed_by"
    " LEFT JOIN settlement_approvals a ON a.proposal_id = p.id"
    " LEFT JOIN users au ON au.id = a.user_id"
)
#: The order proposals are listed in, and each one's approvals in.
_PROPOSALS_ORDER: Final = " ORDER BY p.created_at, p.id, a.approved_at, a.party_id"
_PROPOSAL_READ: Final = Sql(_PROPOSALS + " WHERE p.id = ?" + _PROPOSALS_ORDER)
_PROPOSAL_LOCKED: Final = Sql(
    _PROPOSALS + " WHERE p.id = ?" + _PROPOSALS_ORDER + " FOR UPDATE OF p"
)
_PROPOSALS_ALL: Final = Sql(_PROPOSALS + _PROPOSALS_ORDER)
_PROPOSALS_OF_PARTY: Final = Sql(
    _PROPOSALS + " WHERE p.lender_id = ? OR p.borrower_id = ?" + _PROPOSALS_ORDER
)
_PROPOSAL_OF_SETTLEMENT: Final = Sql(_PROPOSALS + " WHERE p.settlement_id = ?" + _PROPOSALS_ORDER)
#: The loan of a proposal, locked: the first lock of a use case on a proposal.
_LOCK_LOAN_OF_PROPOSAL: Final = Sql(
    "SELECT l.id FROM loans l"
    " WHERE l.id = (SELECT p.loan_id FROM settlement_proposals p WHERE p.id = ?) FOR UPDATE OF l"
)
_LOAN_OF_PROPOSAL: Final = Sql("SELECT p.loan_id FROM settlement_proposals p WHERE p.id = ?")
_AUDIT_HEAD: Final = "SELECT sequence, hash FROM audit_heads WHERE chain = ?"
_AUDIT_HEAD_READ: Final = Sql(_AUDIT_HEAD)
_AUDIT_HEAD_LOCKED: Final = Sql(_AUDIT_HEAD + " FOR UPDATE")
_AUDIT_INSERT: Final = Sql(
    "INSERT INTO audit_records (chain, sequence, at, actor_user_id, actor_party_id, action,"
    " detail, previous_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_AUDIT_HEAD_INSERT: Final = Sql("INSERT INTO audit_heads (chain, sequence, hash) VALUES (?, ?, ?)")
_AUDIT_HEAD_UPDATE: Final = Sql("UPDATE audit_heads SET sequence = ?, hash = ? WHERE chain = ?")
#: Claim a key (with its answer, when known); no row back when the key is already there.
_CLAIM_KEY: Final = Sql(
    "INSERT INTO idempotency_keys (scope, key, method, path, request_digest, created_at,"
    " status_code, response_body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT DO NOTHING RETURNING key",
    rows_at_once=False,
)
_FINISH_KEY: Final = Sql(
    "UPDATE idempotency_keys SET status_code = ?, response_body = ? WHERE scope = ? AND key = ?"
)
_STATUS_UPDATE: Final = Sql(
    "UPDATE settlement_proposals SET status = ?, settlement_id = ? WHERE id = ?"
)


def _proposals_from(rows: Sequence[tuple[Any, ...]]) -> list[ProposalRecord]:
    """Proposals from their rows joined with their approvals, in the rows' order.

    A proposal with no approval comes as one row whose approval columns are null.
    """
    found: dict[str, ProposalRecord] = {}
    approvals: dict[str, list[ApprovalRecord]] = {}
    for row in rows:
        proposal_id = row[0]
        if proposal_id not in found:
            found[proposal_id] = ProposalRecord(
                id=proposal_id,
                quote_id=row[1],
                loan_id=row[2],
                lender_id=row[3],
                borrower_id=row[4],
                proposed_by=row[5],
                status=row[6],
                settlement_id=row[7],
                created_at=row[8],
                approvals=(),
                proposed_by_name=row[9],
            )
            approvals[proposal_id] = []
        if row[10] is not None:
            approvals[proposal_id].append(ApprovalRecord(*row[10:]))
    return [
        replace(p, approvals=tuple(approvals[p.id])) if approvals[p.id] else p
        for p in found.values()
    ]


class WorkflowRows:
    """Proposals, approvals, audit records and idempotency keys, in the caller's transaction.

    Reads and writes of one proposal and of an audit chain go through `driver`
    (the repository's, when the caller has one, so that its queued statements
    keep their order).
    """

    def __init__(self, session: Session, driver: Driver | None = None) -> None:
        self.session = session
        self._given_driver = driver

    def _driver(self) -> Driver:
        if self._given_driver is None:
            self.session.flush()
            self._given_driver = Driver(self.session)
        return self._given_driver

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
        """One proposal with its approvals; `lock` locks its row (on PostgreSQL)."""
        locked = lock and locks_rows(self.session)
        found = self._driver().rows(_PROPOSAL_LOCKED if locked else _PROPOSAL_READ, (proposal_id,))
        if not found:
            raise unknown_proposal(proposal_id)
        return _proposals_from(found)[0]

    def lock_loan_of(self, proposal_id: str) -> None:
        """Lock the loan a proposal settles (on PostgreSQL): UNKNOWN_SETTLEMENT for none."""
        sql = _LOCK_LOAN_OF_PROPOSAL if locks_rows(self.session) else _LOAN_OF_PROPOSAL
        if not self._driver().rows(sql, (proposal_id,)):
            raise unknown_proposal(proposal_id)

    def proposals(self, *, party_id: str | None = None) -> list[ProposalRecord]:
        """Every proposal (of loans the party is on), oldest first."""
        if party_id is None:
            return _proposals_from(self._driver().rows(_PROPOSALS_ALL))
        return _proposals_from(self._driver().rows(_PROPOSALS_OF_PARTY, (party_id, party_id)))

    def proposal_for_settlement(self, settlement_id: str) -> ProposalRecord | None:
        found = _proposals_from(self._driver().rows(_PROPOSAL_OF_SETTLEMENT, (settlement_id,)))
        return found[0] if found else None

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
        self._driver().execute(_STATUS_UPDATE, (status, settlement_id, proposal_id))

    # Audit ------------------------------------------------------------------------------

    def audit_head(self, chain: str) -> AuditHead | None:
        """The end of a chain (its newest sequence and hash), locked until the transaction ends."""
        sql = _AUDIT_HEAD_LOCKED if locks_rows(self.session) else _AUDIT_HEAD_READ
        found = self._driver().rows(sql, (chain,))
        return AuditHead(*found[0]) if found else None

    def append_audit(self, record: AuditRecord) -> None:
        """The record and its chain's new head, in one write (one round trip on a server)."""
        head: tuple[Sql, list[Any]] = (
            (_AUDIT_HEAD_INSERT, [record.chain, record.sequence, record.hash])
            if record.sequence == 1
            else (_AUDIT_HEAD_UPDATE, [record.sequence, record.hash, record.chain])
        )
        self._driver().write_all(
            [
                (
                    _AUDIT_INSERT,
                    [
                        [
                            record.chain,
                            record.sequence,
                            record.at,
                            record.actor_user_id,
                            record.actor_party_id,
                            record.action,
                            record.detail,
                            record.previous_hash,
                            record.hash,
                        ]
                    ],
                ),
                (head[0], [head[1]]),
            ]
        )

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
        self,
        scope: str,
        key: str,
        *,
        method: str,
        path: str,
        digest: str,
        at: str,
        status_code: int | None = None,
        body: str | None = None,
    ) -> bool:
        """Insert the key (with its answer, when given); False if the key is already there.

        A transaction that holds the same key uncommitted makes this one wait
        for its end (the unique index), so a key is never run twice at once.
        """
        inserted = self._driver().rows(
            _CLAIM_KEY, (scope, key, method, path, digest, at, status_code, body)
        )
        return bool(inserted)

    def finish_key(self, scope: str, key: str, status_code: int, body: str) -> None:
        self._driver().execute(_FINISH_KEY, (status_code, body, scope, key))

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

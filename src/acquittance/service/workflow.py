"""The two-party settlement: proposed from a saved quote, approved by each side, then closed.

Either party proposes a settlement from a saved quote of a loan it is on.
Each party then approves it, signed by one of its signatories (counterparts:
each side signs its own). Closing happens only once both have approved and
the quote still holds (QUOTE_STALE otherwise): it runs the same closing as
`acquittance settle --quote`, in the same transaction that marks the
proposal closed, under the proposal's id as the closing's idempotency key,
so a proposal closes at most once. The post-closing obligations are then
completed by the party responsible for each. Every step is appended to the
proposal's audit chain (see `core.audit`), in the transaction that took it.

Locks (PostgreSQL) follow the closing's order: the loan, then the proposal,
then the notes and journal chains, and the audit chain's head last.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from acquittance.core import audit as audit_chain
from acquittance.core.errors import NotFoundError, StateError
from acquittance.core.instruments import Signatory
from acquittance.core.money import amount_text
from acquittance.service import scoped
from acquittance.service.accounts import User
from acquittance.service.audit import append_audit, now_text
from acquittance.service.quote import QuoteRequest
from acquittance.service.scoped import not_visible
from acquittance.service.settle import ClosedSettlement, close_in_transaction, closed_settlement
from acquittance.service.store import Store, Work
from acquittance.store.accounts import AccountRows
from acquittance.store.closings import StoredQuote
from acquittance.store.repository import Repository
from acquittance.store.workflow import ApprovalRecord, ProposalRecord, WorkflowRows

Proposal = ProposalRecord
Approval = ApprovalRecord


@dataclass(frozen=True)
class ClosedProposal:
    """A proposal closed, and everything its closing did."""

    proposal: Proposal
    closed: ClosedSettlement


def _rows(repo: Repository) -> WorkflowRows:
    """The workflow's rows in the repository's transaction, through its driver."""
    return WorkflowRows(repo.session, repo.driver())


def _visible_proposal(
    rows: WorkflowRows, user: User, proposal_id: str, *, lock: bool = False
) -> Proposal:
    try:
        found = rows.proposal(proposal_id, lock=lock)
    except NotFoundError:
        raise not_visible("UNKNOWN_SETTLEMENT", "settlement", proposal_id) from None
    if user.party_id not in (found.lender_id, found.borrower_id):
        raise not_visible("UNKNOWN_SETTLEMENT", "settlement", proposal_id)
    return found


def _saved_quote(repo: Repository, user: User, quote_id: str) -> StoredQuote:
    try:
        saved = repo.get_quote(quote_id)
    except NotFoundError:
        raise not_visible("UNKNOWN_QUOTE", "quote", quote_id) from None
    if user.party_id not in (saved.quote.lender_id, saved.quote.borrower_id):
        raise not_visible("UNKNOWN_QUOTE", "quote", quote_id)
    return saved


def _quote_detail(saved: StoredQuote) -> dict[str, Any]:
    quote = saved.quote
    return {
        "quote": saved.id,
        "loan": quote.loan_id,
        "as_of": quote.as_of.isoformat(),
        "owed": amount_text(quote.owed_total),
        "collateral_value": amount_text(quote.collateral_value),
        "cash": amount_text(quote.cash.amount),
        "cash_payer": quote.cash.payer_id,
        "fingerprint": quote.fingerprint,
    }


def propose(store: Store, user: User, quote_id: str) -> Proposal:
    """A settlement proposed from a saved quote of a loan the user's party is on."""
    return store.write_retrying(proposing(user, quote_id))


def proposing(user: User, quote_id: str) -> Work[Proposal]:
    """`propose` as a unit of work, for a caller that holds the transaction."""
    return lambda repo: _propose(repo, user, _saved_quote(repo, user, quote_id))


def quoting_and_proposing(user: User, request: QuoteRequest) -> Work[Proposal]:
    """Save a quote of a loan the user's party is on and propose it, in one transaction."""

    def work(repo: Repository) -> Proposal:
        return _propose(repo, user, scoped.quote_saving(user.party_id, request)(repo))

    return work


def _propose(repo: Repository, user: User, saved: StoredQuote) -> Proposal:
    loan = repo.get_loan(saved.loan_id)
    if loan.discharged_on is not None:
        raise StateError(
            "LOAN_DISCHARGED",
            f"loan {loan.id} was discharged on {loan.discharged_on.isoformat()}; "
            "there is nothing left to settle",
        )
    rows = _rows(repo)
    proposal = Proposal(
        id=f"prp-{uuid.uuid4().hex[:16]}",
        quote_id=saved.id,
        loan_id=saved.loan_id,
        lender_id=saved.quote.lender_id,
        borrower_id=saved.quote.borrower_id,
        proposed_by=user.id,
        status="proposed",
        settlement_id=None,
        created_at=now_text(),
        approvals=(),
        proposed_by_name=user.name,
    )
    rows.add_proposal(proposal)
    append_audit(rows, proposal.id, actor=user, action="proposed", detail=_quote_detail(saved))
    return proposal


def _signatory(repo: Repository, party_id: str, name: str | None) -> Signatory:
    party = repo.get_party(party_id)
    if not party.signatories:
        raise StateError(
            "NO_SIGNATORY",
            f"party {party_id} has no signatory to sign for it; add one to its deal file",
        )
    if name is None:
        return party.signatories[0]
    for signatory in party.signatories:
        if signatory.name == name:
            return signatory
    names = ", ".join(s.name for s in party.signatories)
    raise StateError(
        "UNKNOWN_SIGNATORY", f"{name!r} does not sign for {party_id}; its signatories: {names}"
    )


def approve(
    store: Store, user: User, proposal_id: str, *, signatory: str | None = None
) -> Proposal:
    """The user's party approves (its signatory signs); approving again changes nothing."""
    return store.write_retrying(approving(user, proposal_id, signatory=signatory))


def approving(user: User, proposal_id: str, *, signatory: str | None = None) -> Work[Proposal]:
    """`approve` as a unit of work, for a caller that holds the transaction."""
    return lambda repo: _approve(repo, user, proposal_id, signatory)


def _approve(repo: Repository, user: User, proposal_id: str, signatory: str | None) -> Proposal:
    rows = _rows(repo)
    found = _locked_proposal(rows, user, proposal_id)
    if found.status == "closed":
        raise _already_closed(found)
    if any(a.party_id == user.party_id for a in found.approvals):
        return found
    signer = _signatory(repo, user.party_id, signatory)
    approval = Approval(
        user.party_id, user.id, signer.name, signer.title, now_text(), user_name=user.name
    )
    rows.add_approval(proposal_id, approval)
    approved = {a.party_id for a in found.approvals} | {user.party_id}
    status = found.status
    if approved >= {found.lender_id, found.borrower_id}:
        status = "approved"
        rows.set_status(proposal_id, status)
    append_audit(
        rows,
        proposal_id,
        actor=user,
        action="approved",
        detail={"party": user.party_id, "signatory": {"name": signer.name, "title": signer.title}},
    )
    approvals = tuple(sorted((*found.approvals, approval), key=_approval_order))
    return replace(found, status=status, approvals=approvals)


def _approval_order(approval: Approval) -> tuple[str, str]:
    """Approvals in the order the store lists them: by time, then by party."""
    return approval.approved_at, approval.party_id


def _locked_proposal(rows: WorkflowRows, user: User, proposal_id: str) -> Proposal:
    """The proposal, its loan locked and then its own row, as the closing's lock order asks."""
    try:
        rows.lock_loan_of(proposal_id)
    except NotFoundError:
        raise not_visible("UNKNOWN_SETTLEMENT", "settlement", proposal_id) from None
    return _visible_proposal(rows, user, proposal_id, lock=True)


def _already_closed(found: Proposal) -> StateError:
    return StateError(
        "ALREADY_CLOSED",
        f"settlement {found.id} was closed as {found.settlement_id}; nothing more to do",
    )


def close(store: Store, user: User, proposal_id: str) -> ClosedProposal:
    """Close an approved proposal: APPROVALS_MISSING or QUOTE_STALE until it may be."""
    return store.write_retrying(closing(user, proposal_id))


def closing(user: User, proposal_id: str) -> Work[ClosedProposal]:
    """`close` as a unit of work, for a caller that holds the transaction."""
    return lambda repo: _close(repo, user, proposal_id)


def _close(repo: Repository, user: User, proposal_id: str) -> ClosedProposal:
    rows = _rows(repo)
    found = _locked_proposal(rows, user, proposal_id)
    if found.status == "closed":
        raise _already_closed(found)
    missing = sorted({found.lender_id, found.borrower_id} - {a.party_id for a in found.approvals})
    if missing:
        raise StateError(
            "APPROVALS_MISSING",
            f"settlement {proposal_id} still needs the approval of {', '.join(missing)}; "
            "each party approves with POST .../approvals",
        )
    saved = repo.get_quote(found.quote_id)
    request = QuoteRequest(
        loan_id=saved.loan_id,
        as_of=saved.as_of,
        note_ids=saved.note_ids,
        values=dict(saved.values) or None,
        partial=saved.partial,
        good_through=saved.good_through,
    )
    try:
        closed = close_in_transaction(
            repo, request, key=f"proposal:{proposal_id}", quoted_fingerprint=saved.fingerprint
        )
    except StateError as error:
        if error.code != "STALE_QUOTE":
            raise
        raise StateError(
            "QUOTE_STALE",
            f"the quote {saved.id} of settlement {proposal_id} no longer holds: {error.message}; "
            "save a new quote and propose again",
        ) from None
    rows.set_status(proposal_id, "closed", settlement_id=closed.id)
    append_audit(
        rows,
        proposal_id,
        actor=user,
        action="closed",
        detail={"settlement": closed.id, "entries": len(closed.entries)},
    )
    return ClosedProposal(replace(found, status="closed", settlement_id=closed.id), closed)


def proposals(store: Store, user: User) -> list[Proposal]:
    with store.read() as session:
        return WorkflowRows(session).proposals(party_id=user.party_id)


def proposal(store: Store, user: User, proposal_id: str) -> Proposal:
    with store.read() as session:
        return _visible_proposal(WorkflowRows(session), user, proposal_id)


def proposal_closing(store: Store, user: User, proposal_id: str) -> ClosedProposal | None:
    """A closed proposal with what its closing did; None while it is open."""
    with store.read() as session:
        repo = Repository(session)
        found = _visible_proposal(WorkflowRows(session), user, proposal_id)
        if found.settlement_id is None:
            return None
        stored = repo.get_settlement(found.settlement_id)
        return ClosedProposal(found, closed_settlement(repo, stored))


def audit_trail(store: Store, user: User, proposal_id: str) -> list[audit_chain.AuditRecord]:
    """Every step of a proposal, in order (who, when, what)."""
    with store.read() as session:
        rows = WorkflowRows(session)
        _visible_proposal(rows, user, proposal_id)
        return rows.audit_records([proposal_id])


def complete_obligation(store: Store, user: User, obligation_id: str, on: date) -> Any:
    """The responsible party marks an obligation done; a step of its settlement's trail."""
    return store.write_retrying(obligation_completing(user, obligation_id, on))


def obligation_completing(user: User, obligation_id: str, on: date) -> Work[Any]:
    """`complete_obligation` as a unit of work, for a caller that holds the transaction."""
    return lambda repo: _complete_obligation(repo, user, obligation_id, on)


def _complete_obligation(repo: Repository, user: User, obligation_id: str, on: date) -> Any:
    rows = _rows(repo)
    mine = [
        r
        for r in repo.list_obligations()
        if r.obligation.id == obligation_id and r.obligation.party_id == user.party_id
    ]
    if not mine:
        raise not_visible("UNKNOWN_OBLIGATION", "obligation", obligation_id)
    record = repo.complete_obligation(obligation_id, on)
    statement_id = record.obligation.financing_statement_id
    if statement_id is not None:
        repo.terminate_financing_statement(statement_id, on)
    settlement_id = record.obligation.settlement_id
    owner = rows.proposal_for_settlement(settlement_id)
    append_audit(
        rows,
        owner.id if owner is not None else settlement_id,
        actor=user,
        action="obligation_completed",
        detail={"obligation": obligation_id, "on": on.isoformat()},
    )
    return record


@dataclass(frozen=True)
class Agreement:
    """A settlement agreement drafted for a proposal: its bytes, format and title."""

    content: bytes
    fmt: str
    title: str


def agreement(store: Store, user: User, proposal_id: str, fmt: str) -> Agreement:
    """The settlement agreement drafted from the proposal's quote (its closing's, once closed).

    Drafted by the same drafter as `acquittance draft`, into a private folder,
    and read back: nothing is left on disk.
    """
    from acquittance.service.draft import DraftRequest, draft_agreement, facts_from_store

    found = proposal(store, user, proposal_id)
    facts = facts_from_store(store, found.settlement_id or found.quote_id, None)
    with tempfile.TemporaryDirectory(prefix="acquittance-agreement-") as folder:
        written = draft_agreement(
            facts, DraftRequest(fmt=fmt, output=Path(folder) / f"agreement.{fmt}")
        )
        return Agreement(written.path.read_bytes(), written.fmt, written.title)


def user_names(store: Store, proposals: Sequence[Proposal] | None = None) -> dict[str, str]:
    """User ids to names, for showing who took each step (of `proposals`, else of all)."""
    with store.read() as session:
        rows = AccountRows(session)
        if proposals is None:
            return {u.id: u.name for u in rows.list_users()}
        ids = {p.proposed_by for p in proposals} | {
            a.user_id for p in proposals for a in p.approvals
        }
        return rows.names_of(sorted(ids))

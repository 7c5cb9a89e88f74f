"""The two-party workflow's documents: a settlement proposal, its approvals and audit trail."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any


def proposal_document(proposal: Any) -> dict[str, Any]:
    """A settlement on its way: status, the quote, which parties approved and who signed."""
    return {
        "id": proposal.id,
        "status": proposal.status,
        "quote_id": proposal.quote_id,
        "loan": proposal.loan_id,
        "lender": proposal.lender_id,
        "borrower": proposal.borrower_id,
        "proposed_by": proposal.proposed_by_name,
        "created_at": proposal.created_at,
        "approvals": [approval.party_id for approval in proposal.approvals],
        "signatures": [
            {
                "party": approval.party_id,
                "signatory": {"name": approval.signatory_name, "title": approval.signatory_title},
                "user": approval.user_name,
                "at": approval.approved_at,
            }
            for approval in proposal.approvals
        ],
        "settlement_id": proposal.settlement_id,
    }


def audit_document(
    chain: str, records: Iterable[Any], *, user_names: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Every step of a chain: who (user and party), when, what, and the step's hash."""
    names = user_names or {}
    return {
        "settlement": chain,
        "records": [
            {
                "id": record.id,
                "sequence": record.sequence,
                "at": record.at,
                "user": names.get(record.actor_user_id, record.actor_user_id)
                if record.actor_user_id
                else None,
                "party": record.actor_party_id,
                "action": record.action,
                "detail": json.loads(record.detail),
                "previous_hash": record.previous_hash,
                "hash": record.hash,
            }
            for record in records
        ],
    }

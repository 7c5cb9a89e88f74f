"""The audit trail: each step appended to its chain in the transaction that took it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from acquittance.core.audit import AuditCheck, AuditRecord, seal, verify_audit
from acquittance.service.store import Store
from acquittance.store.workflow import WorkflowRows

if TYPE_CHECKING:
    from acquittance.service.accounts import User


def now_text(now: datetime | None = None) -> str:
    """A UTC time as the store keeps it: fixed width, so that text order is time order."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def append_audit(
    target: Session | WorkflowRows,
    chain: str,
    *,
    actor: User | None,
    action: str,
    detail: Mapping[str, Any],
) -> AuditRecord:
    """Seal the next record of `chain` and append it; the chain's head is locked last.

    `target` is the transaction's session, or its workflow rows when the caller has them.
    """
    rows = target if isinstance(target, WorkflowRows) else WorkflowRows(target)
    record = seal(
        rows.audit_head(chain),
        chain=chain,
        at=now_text(),
        actor_user_id=actor.id if actor is not None else None,
        actor_party_id=actor.party_id if actor is not None else None,
        action=action,
        detail=detail,
    )
    rows.append_audit(record)
    return record


def audit_trail(store: Store, chain: str) -> list[AuditRecord]:
    with store.read() as session:
        return WorkflowRows(session).audit_records([chain])


def verify_audit_trail(store: Store) -> AuditCheck:
    """Every audit record's hash and link, and each chain's end against its recorded head."""
    with store.read() as session:
        rows = WorkflowRows(session)
        return verify_audit(rows.audit_records(), rows.audit_heads())

"""The audit trail's hash chain: who did what, when, sealed like the journal.

Each record carries the sha256 of a canonical serialisation of its fields and
of the hash of the record before it in its chain (the first links to
`GENESIS_HASH`). Editing a field, deleting a record or swapping two breaks a
recomputed hash or a link; the recorded head of each chain catches a cut at
the end. Pure: the store keeps the records, `verify` checks them here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

GENESIS_HASH: Final = "0" * 64
AUDIT_HASH_VERSION: Final = 1


@dataclass(frozen=True)
class AuditRecord:
    """One step: its chain (a proposal's id, or "accounts"), place, time, actor, action."""

    chain: str
    sequence: int
    at: str  # UTC, fixed width: 2026-12-01T22:10:00.000000Z
    actor_user_id: str | None
    actor_party_id: str | None
    action: str
    detail: str  # canonical JSON of what the step did
    previous_hash: str
    hash: str

    @property
    def id(self) -> str:
        return f"audit:{self.chain}/{self.sequence}"


@dataclass(frozen=True)
class AuditHead:
    """The end of a chain, as the next record links to it: its sequence and hash."""

    sequence: int
    hash: str


def canonical_detail(detail: Mapping[str, Any]) -> str:
    """The detail's text as stored and hashed: sorted keys, no spaces, no floats."""
    return json.dumps(detail, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def record_hash(
    previous_hash: str,
    *,
    chain: str,
    sequence: int,
    at: str,
    actor_user_id: str | None,
    actor_party_id: str | None,
    action: str,
    detail: str,
) -> str:
    document = {
        "version": AUDIT_HASH_VERSION,
        "previous_hash": previous_hash,
        "chain": chain,
        "sequence": sequence,
        "at": at,
        "actor_user_id": actor_user_id,
        "actor_party_id": actor_party_id,
        "action": action,
        "detail": detail,
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def seal(
    previous: AuditHead | AuditRecord | None,
    *,
    chain: str,
    at: str,
    actor_user_id: str | None,
    actor_party_id: str | None,
    action: str,
    detail: Mapping[str, Any],
) -> AuditRecord:
    """The next record of `chain`, after `previous` (None for the first)."""
    previous_hash = GENESIS_HASH if previous is None else previous.hash
    sequence = 1 if previous is None else previous.sequence + 1
    text = canonical_detail(detail)
    digest = record_hash(
        previous_hash,
        chain=chain,
        sequence=sequence,
        at=at,
        actor_user_id=actor_user_id,
        actor_party_id=actor_party_id,
        action=action,
        detail=text,
    )
    return AuditRecord(
        chain, sequence, at, actor_user_id, actor_party_id, action, text, previous_hash, digest
    )


@dataclass(frozen=True)
class AuditCheck:
    ok: bool
    checked: int
    first_bad: str | None
    reason: str | None = None


def verify_audit(
    records: Iterable[AuditRecord], heads: Mapping[str, tuple[int, str]]
) -> AuditCheck:
    """Every record's hash and link, in chain order, and each chain's end against its head."""
    by_chain: dict[str, list[AuditRecord]] = {}
    for record in records:
        by_chain.setdefault(record.chain, []).append(record)
    checked = 0
    for chain in sorted(by_chain):
        previous: AuditRecord | None = None
        for record in sorted(by_chain[chain], key=lambda r: r.sequence):
            checked += 1
            problem = _record_problem(record, previous)
            if problem is not None:
                return AuditCheck(False, checked, record.id, problem)
            previous = record
        head = heads.get(chain)
        assert previous is not None
        if head != (previous.sequence, previous.hash):
            return AuditCheck(
                False,
                checked,
                previous.id,
                f"audit chain {chain} ends at record {previous.sequence}, "
                "not at its recorded head: records were cut or added",
            )
    for chain in sorted(set(heads) - set(by_chain)):
        return AuditCheck(False, checked, f"audit:{chain}", f"audit chain {chain} lost its records")
    return AuditCheck(True, checked, None)


def _record_problem(record: AuditRecord, previous: AuditRecord | None) -> str | None:
    expected_sequence = 1 if previous is None else previous.sequence + 1
    if record.sequence != expected_sequence:
        return f"audit record {record.sequence} follows {expected_sequence - 1}: one is missing"
    expected_previous = GENESIS_HASH if previous is None else previous.hash
    if record.previous_hash != expected_previous:
        return "this audit record does not link to the one before it"
    recomputed = record_hash(
        record.previous_hash,
        chain=record.chain,
        sequence=record.sequence,
        at=record.at,
        actor_user_id=record.actor_user_id,
        actor_party_id=record.actor_party_id,
        action=record.action,
        detail=record.detail,
    )
    if recomputed != record.hash:
        return "this audit record's fields no longer match its hash: it was changed"
    return None

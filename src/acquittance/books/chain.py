"""The hash chain that makes each party's journal append-only in fact, not just in intent.

Every entry carries the sha256 of a canonical serialisation of its own fields
and of the hash of the entry before it in the same party's journal (the first
links to `GENESIS_HASH`). Editing any field, deleting an entry or swapping two
entries' places breaks the recomputed hash or a link, and `verify_chain` names
the first entry that no longer matches.

What a chain alone cannot catch: removing the newest entries, or rewriting the
whole journal and resealing every entry. Recording the head hash somewhere the
journal's writer cannot reach (a signed report, an auditor's working papers)
closes that gap; `verify_chain` takes `heads` for it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from acquittance.books.entries import EntryDraft, JournalEntry, check_balanced
from acquittance.core.errors import InputError
from acquittance.core.money import CENT

GENESIS_HASH: Final = "0" * 64
#: Bumped only with a migration that reseals every journal.
HASH_VERSION: Final = 1

_HASH_PATTERN = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class ChainCheck:
    """The result of verifying journals: all good, or the first entry that does not match."""

    ok: bool
    checked: int  # entries examined
    first_bad: str | None  # id of the first entry that does not match, else None
    reason: str | None = None  # why it does not match, for people


def canonical_text(previous_hash: str, draft: EntryDraft, *, entry_id: str, sequence: int) -> str:
    """The exact text that is hashed: sorted-key JSON with no float and no locale in it."""
    document = {
        "version": HASH_VERSION,
        "previous_hash": previous_hash,
        "id": entry_id,
        "party_id": draft.party_id,
        "sequence": sequence,
        "date": draft.date.isoformat(),
        "kind": draft.kind.value,
        "description": draft.description,
        "reference": draft.reference,
        "legs": [
            {"account": leg.account, "amount": _amount_text(leg.amount), "currency": leg.currency}
            for leg in draft.legs
        ],
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _amount_text(amount: Decimal) -> str:
    # Two places for every sealed amount; an amount with sub-cent digits (only
    # ever seen in tampered data) keeps them, so the tampering changes the hash.
    quantized = amount.quantize(CENT)
    return str(quantized) if quantized == amount else str(amount)


def entry_hash(previous_hash: str, draft: EntryDraft, *, entry_id: str, sequence: int) -> str:
    """The sha256 (hex) of an entry's fields chained to the hash of the entry before it."""
    text = canonical_text(previous_hash, draft, entry_id=entry_id, sequence=sequence)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def seal(draft: EntryDraft, *, entry_id: str, sequence: int, previous_hash: str) -> JournalEntry:
    """Check a draft and turn it into the next journal entry of its party's chain."""
    check_balanced(draft)
    if not entry_id or not entry_id.strip():
        raise InputError("INVALID_ENTRY_ID", "a journal entry needs a non-empty id")
    if sequence < 1:
        raise InputError("INVALID_SEQUENCE", f"sequence {sequence} must be 1 or more")
    if not _HASH_PATTERN.match(previous_hash):
        raise InputError(
            "INVALID_HASH", f"previous hash {previous_hash!r} is not 64 lower-case hex digits"
        )
    if (sequence == 1) != (previous_hash == GENESIS_HASH):
        raise InputError(
            "BROKEN_CHAIN",
            f"entry {entry_id} at sequence {sequence} must link to the genesis hash exactly "
            "when it is the first entry of its party's journal",
        )
    return JournalEntry(
        id=entry_id,
        sequence=sequence,
        party_id=draft.party_id,
        date=draft.date,
        kind=draft.kind,
        description=draft.description,
        legs=draft.legs,
        reference=draft.reference,
        previous_hash=previous_hash,
        hash=entry_hash(previous_hash, draft, entry_id=entry_id, sequence=sequence),
    )


def verify_chain(
    entries: Iterable[JournalEntry], *, heads: Mapping[str, str] | None = None
) -> ChainCheck:
    """Recompute every hash and link, per party in sequence order.

    Parties are checked in the order they first appear; within a party the
    entries are taken by sequence, which must run 1, 2, 3 ... without gaps or
    repeats. The first entry (in that order) whose sequence, link or hash does
    not match is reported. `heads`, when given, maps a party id to the hash its
    newest entry must have, which catches the removal of the newest entries.
    """
    by_party: dict[str, list[JournalEntry]] = {}
    for entry in entries:
        by_party.setdefault(entry.party_id, []).append(entry)
    checked = sum(len(chain) for chain in by_party.values())
    for party_id, chain in by_party.items():
        chain.sort(key=lambda entry: entry.sequence)
        problem = _first_problem(chain)
        if problem is None and heads is not None and party_id in heads:
            problem = _head_problem(chain, heads[party_id])
        if problem is not None:
            return ChainCheck(ok=False, checked=checked, first_bad=problem[0], reason=problem[1])
    return ChainCheck(ok=True, checked=checked, first_bad=None)


def _first_problem(chain: list[JournalEntry]) -> tuple[str, str] | None:
    previous_hash = GENESIS_HASH
    for expected_sequence, entry in enumerate(chain, start=1):
        if entry.sequence != expected_sequence:
            return entry.id, f"sequence {entry.sequence} where {expected_sequence} was expected"
        if entry.previous_hash != previous_hash:
            return entry.id, "its link does not match the hash of the entry before it"
        recomputed = entry_hash(
            entry.previous_hash, entry.draft, entry_id=entry.id, sequence=entry.sequence
        )
        if recomputed != entry.hash:
            return entry.id, "its fields no longer match its hash"
        previous_hash = entry.hash
    return None


def _head_problem(chain: list[JournalEntry], head_hash: str) -> tuple[str, str] | None:
    if chain and chain[-1].hash == head_hash:
        return None
    newest = chain[-1].id if chain else "(none)"
    return newest, "the newest entry is not the recorded head of the journal"

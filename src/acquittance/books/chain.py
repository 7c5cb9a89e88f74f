"""The hash chains that make each party's journal append-only in fact, not just in intent.

A party's journal is a set of chains, one per record its entries are about
(a loan, a note, a settlement): closings of unrelated loans then never append
to the same chain, so they never wait on each other. Every entry carries the
sha256 of a canonical serialisation of its own fields and of the hash of the
entry before it in its chain (the first links to `GENESIS_HASH`). Editing any
field, deleting an entry or swapping two entries' places breaks the recomputed
hash or a link, and `verify_chain` names the first entry that no longer matches.

What a chain alone cannot catch: removing the newest entries, or rewriting the
whole journal and resealing every entry. The heads of every chain, recorded
somewhere the journal's writer cannot reach (`anchor_digest`: a signed report,
an auditor's working papers), close that gap; `verify_chain` takes `heads`.
"""

from __future__ import annotations

import hashlib
import json
import json.encoder
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from acquittance.books.entries import EntryDraft, JournalEntry, check_balanced
from acquittance.core.dates import iso_text
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
    """The exact text that is hashed: sorted-key JSON with no float and no locale in it.

    `_document_text` defines it; this writes the same characters directly, in
    the keys' sorted order, with `json`'s own string encoder, when every field
    has the type it is declared with (anything else takes the definition).
    """
    day = iso_text(draft.date)
    kind = draft.kind.value
    reference = draft.reference
    legs = []
    for leg in draft.legs:
        if type(leg.account) is not str or type(leg.currency) is not str:
            break
        # An amount's text (digits, sign, point, exponent) needs no escape in JSON.
        legs.append(
            f'{{"account":{_encode(leg.account)},"amount":"{_amount_text(leg.amount)}",'
            f'"currency":{_encode(leg.currency)}}}'
        )
    if (
        len(legs) == len(draft.legs)
        and type(sequence) is int
        and type(previous_hash) is str
        and type(entry_id) is str
        and type(draft.party_id) is str
        and type(draft.description) is str
        and type(day) is str
        and type(kind) is str
        and (reference is None or type(reference) is str)
    ):
        return "".join(
            (
                '{"date":',
                _encode(day),
                ',"description":',
                _encode(draft.description),
                ',"id":',
                _encode(entry_id),
                ',"kind":',
                _encode(kind),
                ',"legs":[',
                ",".join(legs),
                '],"party_id":',
                _encode(draft.party_id),
                ',"previous_hash":',
                _encode(previous_hash),
                ',"reference":',
                "null" if reference is None else _encode(reference),
                ',"sequence":',
                str(sequence),
                _VERSION_TAIL,
            )
        )
    return _document_text(previous_hash, draft, entry_id=entry_id, sequence=sequence)


def _document_text(previous_hash: str, draft: EntryDraft, *, entry_id: str, sequence: int) -> str:
    """The definition of `canonical_text`: the entry's document as sorted-key JSON."""
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


#: The string encoder `json.dumps` uses with ensure_ascii=False (quotes included).
_encode: Final = json.encoder.encode_basestring
_VERSION_TAIL: Final = f',"version":{json.dumps(HASH_VERSION)}}}'


def _amount_text(amount: Decimal) -> str:
    # Two places for every sealed amount; an amount with sub-cent digits (only
    # ever seen in tampered data) keeps them, so the tampering changes the hash.
    quantized = amount.quantize(CENT)
    return str(quantized) if quantized == amount else str(amount)


def entry_hash(previous_hash: str, draft: EntryDraft, *, entry_id: str, sequence: int) -> str:
    """The sha256 (hex) of an entry's fields chained to the hash of the entry before it."""
    text = canonical_text(previous_hash, draft, entry_id=entry_id, sequence=sequence)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def seal(
    draft: EntryDraft, *, entry_id: str, sequence: int, previous_hash: str, checked: bool = False
) -> JournalEntry:
    """Check a draft and turn it into the next journal entry of its party's chain.

    `checked`: this very draft has passed `check_balanced` already (the posting
    rules check every draft they make), so the balance rule is not run again.
    """
    if not checked:
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
        chain=draft.chain,
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


ChainKey = tuple[str, str]  # (party id, chain)


@dataclass(frozen=True)
class ChainHead:
    """The newest entry of one chain: how long the chain is and the hash it ends on."""

    party_id: str
    chain: str
    sequence: int
    hash: str
    entry_id: str

    @property
    def key(self) -> ChainKey:
        return (self.party_id, self.chain)


def chain_heads(entries: Iterable[JournalEntry]) -> dict[ChainKey, ChainHead]:
    """The head of every chain the entries form (the entry of highest sequence in each)."""
    heads: dict[ChainKey, ChainHead] = {}
    for entry in entries:
        key = (entry.party_id, entry.chain)
        if key not in heads or heads[key].sequence < entry.sequence:
            heads[key] = ChainHead(
                entry.party_id, entry.chain, entry.sequence, entry.hash, entry.id
            )
    return heads


def anchor_digest(heads: Iterable[ChainHead]) -> str:
    """One sha256 (hex) over the heads of every chain, in a fixed order.

    Kept outside the store, it pins the whole journal as it stood: cutting the
    newest entries of any chain, or resealing a chain, changes some head and so
    the digest; appending later entries does not invalidate what was anchored,
    because `verify --against` checks each anchored head is still in its chain.
    """
    document = [
        [head.party_id, head.chain, head.sequence, head.hash, head.entry_id]
        for head in sorted(heads, key=lambda head: head.key)
    ]
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def verify_chain(
    entries: Iterable[JournalEntry], *, heads: Mapping[ChainKey, ChainHead] | None = None
) -> ChainCheck:
    """Recompute every hash and link, chain by chain in sequence order.

    Chains are checked in the order they first appear; within a chain the
    entries are taken by sequence, which must run 1, 2, 3 ... without gaps or
    repeats. The first entry (in that order) whose sequence, link or hash does
    not match is reported. `heads`, when given, maps (party id, chain) to the
    head recorded when the newest entry was appended, which catches the
    removal of the newest entries (the recorded head is reported: the entry
    that is gone), a chain emptied entirely included.
    """
    by_chain: dict[ChainKey, list[JournalEntry]] = {}
    for entry in entries:
        by_chain.setdefault((entry.party_id, entry.chain), []).append(entry)
    checked = sum(len(chain) for chain in by_chain.values())
    for key, chain in by_chain.items():
        chain.sort(key=lambda entry: entry.sequence)
        problem = _first_problem(chain)
        if problem is None and heads is not None and key in heads:
            problem = _head_problem(chain, heads[key])
        if problem is not None:
            return ChainCheck(ok=False, checked=checked, first_bad=problem[0], reason=problem[1])
    for key in sorted(set(heads or ()) - set(by_chain)):
        assert heads is not None
        return ChainCheck(
            ok=False,
            checked=checked,
            first_bad=heads[key].entry_id,
            reason="this entry, the recorded head of its chain, is no longer in the journal",
        )
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


def _head_problem(chain: list[JournalEntry], head: ChainHead) -> tuple[str, str] | None:
    newest = chain[-1]
    if (newest.sequence, newest.hash) == (head.sequence, head.hash):
        return None
    if newest.sequence < head.sequence:
        return head.entry_id, "this entry, the recorded head of its chain, is no longer there"
    return newest.id, "the newest entry is not the recorded head of its chain"

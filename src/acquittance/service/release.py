"""Releasing named notes from a loan's pledge, and queuing the UCC-3 amendment that records it.

The notes stay with their holder, free of the pledge; the security interest
continues over the others and secures the whole debt. For each open
financing statement of an interest that lost notes, an `amendment_statement`
obligation is queued (a UCC-3 amendment deleting the notes from the
collateral), due `TERMINATION_DUE_DAYS` after the release. No money moves,
so no entry is posted.

Refused: a note not pledged to that loan (NOTE_NOT_PLEDGED), a note named
twice (DUPLICATE_NOTE), and a release of every note still pledged
(RELEASE_OF_ALL_COLLATERAL): a loan left owing with no collateral is paid off
(`payoff`) or settled, which releases the interest and queues its termination.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from acquittance.core.collateral import SecurityInterest
from acquittance.core.errors import InputError, StateError
from acquittance.core.lifecycle import lien_obligations
from acquittance.core.settlement_types import ObligationKind
from acquittance.core.text import check_idempotency_key
from acquittance.service.restate import (
    check_kind,
    earlier_action,
    hold,
    new_action_id,
    request_digest,
)
from acquittance.service.store import Store
from acquittance.store.lifecycle import ReleasedNote, StoredAction
from acquittance.store.records import ObligationRecord, ObligationStatus
from acquittance.store.repository import Repository

#: Most notes one release names: past it is a clear error, not a slow statement.
NOTES_PER_RELEASE_MAX = 1000


@dataclass(frozen=True)
class Released:
    """What a release did: the notes taken out of each pledge, and the UCC-3 amendments queued."""

    action_id: str
    loan_id: str
    on: date
    notes: tuple[ReleasedNote, ...]
    remaining_note_ids: tuple[str, ...]  # still pledged to the loan
    obligations: tuple[ObligationRecord, ...]
    replayed: bool = False


def release(
    store: Store, loan_id: str, note_ids: Sequence[str], *, on: date, key: str | None = None
) -> Released:
    """Release `note_ids` from the pledge securing `loan_id` on `on`."""
    check_idempotency_key(key)
    wanted = _check_named(note_ids)
    return store.write_retrying(lambda repo: _release(repo, loan_id, wanted, on, key))


def _check_named(note_ids: Sequence[str]) -> tuple[str, ...]:
    if not note_ids:
        raise InputError("MISSING_OPTION", "name each note to release with --note NOTE_ID")
    if len(note_ids) > NOTES_PER_RELEASE_MAX:
        raise InputError(
            "TOO_MANY_NOTES",
            f"{len(note_ids)} notes named; release at most {NOTES_PER_RELEASE_MAX} at a time",
        )
    seen: set[str] = set()
    for note_id in note_ids:
        if note_id in seen:
            raise InputError("DUPLICATE_NOTE", f"note {note_id} is named twice; name it once")
        seen.add(note_id)
    return tuple(note_ids)


def _release(
    repo: Repository, loan_id: str, note_ids: tuple[str, ...], on: date, key: str | None
) -> Released:
    held = hold(repo, loan_id)
    loan = check_kind(held, "loan", doing="a release of collateral")
    digest = request_digest("release", loan_id, on, *note_ids)
    earlier = earlier_action(repo, key, digest, asked="release")
    if earlier is not None:
        return _released_from(repo, earlier)
    repo.lock_notes(note_ids)
    state = repo.latest_snapshot(held.instrument)
    if state is not None and state.state.discharged_on is not None:
        raise StateError(
            "LOAN_DISCHARGED",
            f"loan {loan.id} was discharged on {state.state.discharged_on.isoformat()} and its "
            "pledge released already",
        )
    interests = [i for i in repo.interests_securing(loan.id) if i.active]
    taken = _pledges_of(loan.id, note_ids, interests)
    remaining = tuple(n for i in interests for n in i.note_ids if n not in note_ids)
    if not remaining:
        raise StateError(
            "RELEASE_OF_ALL_COLLATERAL",
            f"releasing {', '.join(note_ids)} would leave loan {loan.id} with no collateral while "
            f"it is owed; pay it off (`acquittance payoff {loan.id}`) or settle it, which releases "
            "the pledge and queues its termination",
        )
    action_id = new_action_id("rel")
    affected = [i for i in interests if any(n.security_interest_id == i.id for n in taken)]
    for interest in affected:
        mine = [n.note_id for n in taken if n.security_interest_id == interest.id]
        repo.release_pledged_notes(interest.id, mine, on)
    obligations = lien_obligations(
        action_id,
        ObligationKind.AMENDMENT_STATEMENT,
        on,
        affected,
        what=f", releasing note(s) {', '.join(note_ids)} from the collateral of loan {loan.id}",
    )
    repo.add_obligations(obligations)
    repo.add_action(
        StoredAction(
            id=action_id,
            kind="release",
            instrument_kind="loan",
            instrument_id=loan.id,
            idempotency_key=key,
            request_digest=digest,
            on=on,
            event_sequence=None,
            amount=None,
            discharged=False,
        ),
        notes=taken,
    )
    return Released(
        action_id=action_id,
        loan_id=loan.id,
        on=on,
        notes=tuple(taken),
        remaining_note_ids=remaining,
        obligations=tuple(
            ObligationRecord(o, ObligationStatus.OPEN)
            for o in sorted(obligations, key=lambda o: (o.due, o.id))
        ),
    )


def _pledges_of(
    loan_id: str, note_ids: Sequence[str], interests: Sequence[SecurityInterest]
) -> list[ReleasedNote]:
    """Each note and the active interest of `loan_id` it is pledged under; NOTE_NOT_PLEDGED."""
    under = {note_id: i.id for i in interests for note_id in i.note_ids}
    found = []
    for note_id in note_ids:
        if note_id not in under:
            pledged = ", ".join(sorted(under)) or "none"
            raise StateError(
                "NOTE_NOT_PLEDGED",
                f"note {note_id!r} is not pledged to loan {loan_id}; the notes pledged to it "
                f"are: {pledged}",
            )
        found.append(ReleasedNote(note_id, under[note_id]))
    return found


def _released_from(repo: Repository, action: StoredAction) -> Released:
    interests = [i for i in repo.interests_securing(action.instrument_id) if i.active]
    return Released(
        action_id=action.id,
        loan_id=action.instrument_id,
        on=action.on,
        notes=tuple(repo.action_notes(action.id)),
        remaining_note_ids=tuple(n for i in interests for n in i.note_ids),
        obligations=tuple(repo.list_obligations(settlement_id=action.id)),
        replayed=True,
    )

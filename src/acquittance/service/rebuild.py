"""Rebuilding both books and every position from the stored events, to compare with the store.

Events are the truth; the journal, the position snapshots and the register
are derived from them. This walks every loan and note once, through the same
posting rules the use cases post with, and says where the store disagrees:

- each (party, record) the journal holds entries about (a loan, a note, a
  settlement) must hold exactly the entries the events call for, in order
  (for a log with reversals or late events, the corrections they posted on
  their dates, see `books.restatement`);
- each instrument's newest snapshot, where it is fresh, must be the state the
  walk reaches;
- each settlement must be on its loan's events (a satisfaction, and a
  discharge when full), and each note it assigned must have moved to the lender.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from acquittance.books import posting
from acquittance.books.entries import EntryDraft, JournalEntry
from acquittance.books.history import BookState
from acquittance.books.restatement import restated_drafts
from acquittance.core.instruments import (
    Discharge,
    InterestAccrual,
    Loan,
    Note,
    Party,
    Satisfaction,
)
from acquittance.core.settlement_types import SatisfactionKind
from acquittance.store.accruals import list_accrual_runs
from acquittance.store.closings import StoredSettlement
from acquittance.store.repository import Repository
from acquittance.store.snapshots import instrument_kind

Record = tuple[str, str]  # (party id, the record its entries are about)


@dataclass(frozen=True)
class Disagreement:
    """Where the store and its events disagree: the record (or entry) and why."""

    where: str | None
    reason: str


def rebuild_check(repo: Repository, entries: Sequence[JournalEntry]) -> Disagreement | None:
    """The first place the store disagrees with what its events call for, or None."""
    parties = {party.id: party for party in repo.list_parties()}
    settlements = repo.list_settlements()
    expected: dict[Record, list[EntryDraft]] = {}
    for loan in repo.list_loans():
        problem = _settlements_on_events(loan, [s for s in settlements if s.loan_id == loan.id])
        if problem is not None:
            return problem
        problem = _instrument_agrees(repo, expected, loan, parties)
        if problem is not None:
            return problem
    for note in repo.list_notes():
        problem = _instrument_agrees(repo, expected, note, parties)
        if problem is not None:
            return problem
    problem = _accrual_runs_on_events(repo)
    if problem is not None:
        return problem
    for settlement in settlements:
        quote = settlement.quote
        lender, borrower = parties[quote.lender_id], parties[quote.borrower_id]
        drafts = posting.settlement(quote, lender, borrower, settlement_id=settlement.id)
        for draft in drafts:
            expected.setdefault((draft.party_id, draft.chain), []).append(draft)
    return _journal_agrees(expected, entries)


def _instrument_agrees(
    repo: Repository,
    expected: dict[Record, list[EntryDraft]],
    instrument: Loan | Note,
    parties: dict[str, Party],
) -> Disagreement | None:
    """Expect what the instrument's log posted (corrections included); compare its snapshot.

    A loan's or note's log as recorded is replayed: each plain append as it
    was walked, each reversal or late event as the corrections it posted on
    its date (`books.restatement`), note by note in each holder's books.
    """
    kind = "loan" if isinstance(instrument, Loan) else "note"
    log = repo.event_log(kind, instrument.id)
    transfers = repo.note_transfers(instrument.id) if kind == "note" else []
    replayed = restated_drafts(instrument, log, parties, transfers)
    if replayed.events != instrument.events:
        return Disagreement(instrument.id, f"the history of {instrument.id} does not read back")
    _expect(expected, replayed.drafts)
    states = replayed.walk.states
    return _snapshot_agrees(repo, instrument, states[-1][0] if states else None)


def _expect(expected: dict[Record, list[EntryDraft]], drafts: Iterable[EntryDraft]) -> None:
    for draft in drafts:
        expected.setdefault((draft.party_id, draft.chain), []).append(draft)


def _journal_agrees(
    expected: dict[Record, list[EntryDraft]], entries: Sequence[JournalEntry]
) -> Disagreement | None:
    stored: dict[Record, list[JournalEntry]] = {}
    # Entries sealed before chains were kept per record come first (chain "").
    for entry in sorted(entries, key=lambda e: (e.chain != "", e.sequence)):
        stored.setdefault((entry.party_id, entry.reference or ""), []).append(entry)
    for record in sorted(set(expected) | set(stored)):
        problem = _record_agrees(record, expected.get(record, []), stored.get(record, []))
        if problem is not None:
            return problem
    return None


def _record_agrees(
    record: Record, expected: Sequence[EntryDraft], stored: Sequence[JournalEntry]
) -> Disagreement | None:
    party_id, reference = record
    for place, (draft, entry) in enumerate(zip(expected, stored, strict=False), start=1):
        if entry.draft != draft:
            return Disagreement(
                entry.id,
                f"entry {place} of {party_id}'s book about {reference} is not what the events "
                f"call for ({draft.kind.value} of {draft.date.isoformat()}: {draft.description})",
            )
    if len(stored) < len(expected):
        missing = expected[len(stored)]
        return Disagreement(
            None,
            f"{party_id}'s book about {reference} lacks the {missing.kind.value} of "
            f"{missing.date.isoformat()} that the events call for ({missing.description})",
        )
    if len(stored) > len(expected):
        extra = stored[len(expected)]
        return Disagreement(
            extra.id, f"{party_id}'s book about {reference} holds an entry no event calls for"
        )
    return None


def _snapshot_agrees(
    repo: Repository, instrument: Loan | Note, walked: BookState | None
) -> Disagreement | None:
    stored = repo.latest_snapshot(instrument)
    if stored is None or walked is None or stored.state.events_count != len(instrument.events):
        return None  # no snapshot, or a stale one, which is never read: nothing to compare
    same_books = (stored.booked_principal, stored.booked_interest) == (
        walked.booked.principal,
        walked.booked.interest,
    )
    if stored.state == walked.accrual and same_books:
        return None
    return Disagreement(
        instrument.id,
        f"the stored position of {instrument.id} is not the one its events reach",
    )


def _accrual_runs_on_events(repo: Repository) -> Disagreement | None:
    """Each accrual run's lines are marks on their instruments' events, and each mark a run's."""
    marks: set[tuple[str, str, date]] = set()
    instruments: list[Loan | Note] = [*repo.list_loans(), *repo.list_notes()]
    for instrument in instruments:
        for event in instrument.events:
            if isinstance(event, InterestAccrual):
                marks.add((instrument_kind(instrument), instrument.id, event.date))
    lined: set[tuple[str, str, date]] = set()
    for run in list_accrual_runs(repo.session):
        for line in run.lines:
            where = (line.instrument_kind, line.instrument_id, run.through)
            lined.add(where)
            if where not in marks and (line.interest or line.capitalised):
                return Disagreement(
                    run.id,
                    f"accrual run {run.id} posted interest on {line.instrument_id} through "
                    f"{run.through.isoformat()}, which is not on its events",
                )
    for kind, instrument_id, on in sorted(marks - lined):
        return Disagreement(
            instrument_id,
            f"{kind} {instrument_id} has an accrual mark of {on.isoformat()} that no stored "
            "accrual run made",
        )
    return None


def _settlements_on_events(
    loan: Loan, settlements: Sequence[StoredSettlement]
) -> Disagreement | None:
    satisfied = {e.settlement_id for e in loan.events if isinstance(e, Satisfaction)}
    discharged = {e.settlement_id for e in loan.events if isinstance(e, Discharge)}
    for settlement in settlements:
        if settlement.id not in satisfied:
            return Disagreement(
                settlement.id,
                f"settlement {settlement.id} is not on the events of loan {loan.id}",
            )
        full = settlement.quote.satisfaction is SatisfactionKind.FULL
        if full != (settlement.id in discharged):
            return Disagreement(
                settlement.id,
                f"loan {loan.id}'s discharge does not match settlement {settlement.id}",
            )
    known = {s.id for s in settlements}
    for settlement_id in sorted(satisfied - known):
        return Disagreement(
            loan.id, f"loan {loan.id} has a satisfaction by {settlement_id}, which is not stored"
        )
    return None

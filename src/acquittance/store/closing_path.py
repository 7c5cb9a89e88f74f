"""A closing's reads and writes: two queries in, twelve batched statements out.

A closing is the hot path of the store (a servicer closes thousands a day, and
a batch closes them back to back), so what it reads and writes goes through
prebuilt statements on the driver (`store.driver`), not through SQLAlchemy's
statement machinery, which costs more per statement than SQLite needs to run
it. What it reads, in one query each:

- the loan: its header, how many events it has, its newest snapshot, both
  parties (with their signatories), the settlement already closed under the
  idempotency key (if any) and the heads of the loan's chains;
- its security interests: each pledge with its note's header, events count,
  newest snapshot and chain head, the interest that pledge is active under,
  and the financing statements.

On PostgreSQL the rows a closing changes are locked first, in the global
lock order, by statements sent in the same round trip as the two queries; a
server's batch reads a group's closings at once, the same way (`read_closings`),
and writes them together (`Repository.write_closings`).
No event is read: a closing needs the walks (snapshots) and how many events
there are, and reads the events themselves only on its slow path (a stale
snapshot, a history that moved past the closing date), through the
repository's general methods. What it writes is a list of `Write`s, one per
table: on SQLite one executemany each, on PostgreSQL one statement that runs
them all (`Driver.write_all`).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Final

from acquittance.books.chain import ChainHead, ChainKey
from acquittance.books.entries import JournalEntry
from acquittance.core.collateral import FinancingStatement, SecurityInterest
from acquittance.core.instruments import (
    Compounding,
    Event,
    LevelPayment,
    Loan,
    LoggedEvent,
    Note,
    Party,
    Signatory,
    Terms,
)
from acquittance.core.settlement_types import NoteTransfer, Obligation, ObligationKind, Quote
from acquittance.store import mapping
from acquittance.store.driver import Driver, Sql, Write, day_read, money
from acquittance.store.records import ObligationStatus
from acquittance.store.snapshots import (
    SNAPSHOT_COLUMNS,
    SnapshotDraft,
    StoredSnapshot,
    instrument_kind,
    snapshot_from_values,
    snapshot_values,
)


@dataclass(frozen=True)
class InstrumentRead:
    """An instrument without its events, how many it has, and its newest snapshot."""

    instrument: Loan | Note
    events_count: int
    newest: StoredSnapshot | None


#: The closing's two reads as the database answered them: the loan's row, the interests' rows.
ClosingReadRows = tuple[tuple[tuple[Any, ...], ...], tuple[tuple[Any, ...], ...]]


@dataclass(frozen=True)
class ClosingRead:
    """Everything a closing reads of the store, in two queries."""

    loan: InstrumentRead
    lender: Party
    borrower: Party
    # The settlement closed under the key asked for, if one was (read under the loan's lock).
    earlier_settlement_id: str | None
    interests: tuple[SecurityInterest, ...]  # the loan's own, by id, released ones too
    notes: Mapping[str, InstrumentRead]  # every note they pledge
    # Interests of other loans under which one of those notes is pledged (rare).
    other_interest_ids: frozenset[str]
    # The loan's chains and each note's holder's chain (locked, on a server).
    heads: Mapping[ChainKey, ChainHead]
    # The rows all this was made from (`closing_rows`): reading them again and finding
    # them equal shows that the read still holds.
    rows: ClosingReadRows = field(default=((), ()), compare=False, repr=False)


# --- the statements -------------------------------------------------------------------------

_TERMS: Final = ("annual_rate", "day_count", "currency", "compounding", "rounding")
_LOAN: Final = (
    "id",
    "lender_id",
    "borrower_id",
    "agreement_name",
    "governing_law",
    "agreement_date",
    *_TERMS,
)
_NOTE: Final = (
    "id",
    "maker",
    "holder_id",
    "kind",
    "issue_date",
    "maturity_date",
    "original_principal",
    "level_payment_amount",
    "level_payment_first_due",
    "level_payment_count",
    "description",
    *_TERMS,
)
_PARTY: Final = ("id", "name", "entity_type", "jurisdiction", "short_name")
_INTEREST: Final = ("id", "loan_id", "secured_party_id", "debtor_id", "granted_on", "released_on")
_PLEDGE: Final = ("note_id", "position", "released_on")
_STATEMENT: Final = ("id", "position", "filing_office", "file_number", "filed_on", "terminated_on")
_HEAD: Final = ("sequence", "hash", "entry_id")


def _columns(alias: str, names: Sequence[str]) -> str:
    return ", ".join(f"{alias}.{name}" for name in names)


def _newest_snapshot_join(alias: str, kind: str, owner: str, *, sqlite: bool) -> str:
    """The owner's newest snapshot, found by the snapshots' key (kind, id, sequence).

    On PostgreSQL a LATERAL join, one index probe per owner: with the join
    condition as a subquery, the planner may hash every snapshot of the kind
    in the book instead, a cost that grows with the book.
    """
    if not sqlite:
        return (
            f"LEFT JOIN LATERAL (SELECT x.* FROM position_snapshots x "
            f"WHERE x.instrument_kind = '{kind}' AND x.instrument_id = {owner}.id "
            f"ORDER BY x.sequence DESC LIMIT 1) {alias} ON TRUE"
        )
    return (
        f"LEFT JOIN position_snapshots {alias} ON {alias}.instrument_kind = '{kind}' "
        f"AND {alias}.instrument_id = {owner}.id AND {alias}.sequence = ("
        f"SELECT max(x.sequence) FROM position_snapshots x "
        f"WHERE x.instrument_kind = '{kind}' AND x.instrument_id = {owner}.id)"
    )


def _signatories(party: str, *, sqlite: bool) -> str:
    """The party's signatories as the text of one JSON array of [name, title], in their
    order (text on both: a party read again with the same text is the value made before)."""
    if sqlite:
        return (
            "(SELECT json_group_array(json_array(s.name, s.title)) FROM (SELECT name, title "
            f"FROM party_signatories WHERE party_id = {party}.id ORDER BY position) s)"
        )
    return (
        "(SELECT coalesce(json_agg(json_build_array(s.name, s.title) ORDER BY s.position), "
        f"'[]'::json)::text FROM party_signatories s WHERE s.party_id = {party}.id)"
    )


def _loan_select(*, sqlite: bool, loan: str, key: str) -> str:
    """The loan's row: `loan` is its id, `key` the idempotency key asked for."""
    return (
        f"SELECT {_columns('l', _LOAN)}, "
        "(SELECT max(e.sequence) FROM loan_events e WHERE e.loan_id = l.id), "
        "(SELECT st.id FROM settlements st "
        f"WHERE st.loan_id = l.id AND st.idempotency_key = {key}), "
        f"{_columns('pl', _PARTY)}, {_signatories('pl', sqlite=sqlite)}, "
        f"{_columns('pb', _PARTY)}, {_signatories('pb', sqlite=sqlite)}, "
        f"{_columns('hl', _HEAD)}, {_columns('hb', _HEAD)}, {_columns('ps', SNAPSHOT_COLUMNS)} "
        "FROM loans l "
        "JOIN parties pl ON pl.id = l.lender_id "
        "JOIN parties pb ON pb.id = l.borrower_id "
        "LEFT JOIN journal_heads hl ON hl.party_id = l.lender_id AND hl.chain = l.id "
        "LEFT JOIN journal_heads hb ON hb.party_id = l.borrower_id AND hb.chain = l.id "
        f"{_newest_snapshot_join('ps', 'loan', 'l', sqlite=sqlite)} "
        f"WHERE l.id = {loan}"
    )


_LOAN_QUERY: Final = {
    sqlite: Sql(_loan_select(sqlite=sqlite, loan="?", key="?")) for sqlite in (True, False)
}


def _interests_select(*, sqlite: bool, loan: str) -> str:
    """The interests of loan `loan`, each pledge with its note, and the statements."""
    return (
        f"SELECT {_columns('si', _INTEREST)}, {_columns('p', _PLEDGE)}, "
        "(SELECT a.security_interest_id FROM pledged_notes a "
        "WHERE a.note_id = p.note_id AND a.released_on IS NULL), "
        f"{_columns('fs', _STATEMENT)}, {_columns('n', _NOTE)}, "
        "(SELECT max(e.sequence) FROM note_events e WHERE e.note_id = n.id), "
        f"{_columns('h', _HEAD)}, {_columns('ps', SNAPSHOT_COLUMNS)} "
        "FROM security_interests si "
        "LEFT JOIN pledged_notes p ON p.security_interest_id = si.id "
        "LEFT JOIN notes n ON n.id = p.note_id "
        "LEFT JOIN journal_heads h ON h.party_id = n.holder_id AND h.chain = n.id "
        f"{_newest_snapshot_join('ps', 'note', 'n', sqlite=sqlite)} "
        "LEFT JOIN financing_statements fs ON fs.security_interest_id = si.id "
        f"WHERE si.loan_id = {loan}"
    )


#: Where an interest's row has its id, loan, pledge position and statement position (from 1).
_INTEREST_ORDER: Final = (
    _INTEREST.index("loan_id") + 1,
    _INTEREST.index("id") + 1,
    len(_INTEREST) + _PLEDGE.index("position") + 1,
    len(_INTEREST) + len(_PLEDGE) + 1 + _STATEMENT.index("position") + 1,
)
_INTERESTS_QUERY: Final = {
    sqlite: Sql(
        f"{_interests_select(sqlite=sqlite, loan='?')} ORDER BY si.id, p.position, fs.position"
    )
    for sqlite in (True, False)
}


def _pledged_under(loan: str) -> str:
    """The notes pledged under loan `loan`'s interests (released pledges too)."""
    return (
        "SELECT p.note_id FROM pledged_notes p "
        f"JOIN security_interests si ON si.id = p.security_interest_id WHERE si.loan_id = {loan}"
    )


def _chains_of(loan: str) -> str:
    """The chains a closing of loan `loan` appends to: the loan's in each party's book, and
    each pledged note's in its holder's."""
    return (
        f"SELECT l.lender_id, l.id FROM loans l WHERE l.id = {loan} "
        f"UNION ALL SELECT l.borrower_id, l.id FROM loans l WHERE l.id = {loan} "
        f"UNION ALL SELECT n.holder_id, n.id FROM notes n WHERE n.id IN ({_pledged_under(loan)})"
    )


def _lock_statements(*, notes: str, chains: str) -> tuple[Sql, Sql]:
    """Lock the notes (`notes`: their ids), then the chains (`chains`: (party, chain)), each
    set sorted first: the lock order after the loans."""
    return (
        Sql(f"SELECT n.id FROM notes n WHERE n.id IN ({notes}) ORDER BY n.id FOR UPDATE OF n"),
        Sql(
            "SELECT h.party_id, h.chain FROM journal_heads h "
            f"WHERE (h.party_id, h.chain) IN ({chains}) "
            "ORDER BY h.party_id, h.chain FOR UPDATE OF h"
        ),
    )


_LOCK_LOAN: Final = Sql("SELECT id FROM loans WHERE id = ? FOR UPDATE")
_LOCK_NOTES, _LOCK_HEADS = _lock_statements(notes=_pledged_under("?"), chains=_chains_of("?"))

# A server's group of closings, read at once: each loan's part of a statement is the one
# closing's, run once per loan (LATERAL, kept from being merged into one join by its
# LIMIT/OFFSET), so that each is an index probe whatever the size of the book.
_LOANS_ASKED: Final = "unnest(?::text[]) AS k(loan_id)"
_EACH_LOAN: Final = f"FROM {_LOANS_ASKED} CROSS JOIN LATERAL"
_LOCK_LOANS: Final = Sql(
    f"SELECT l.id FROM loans l WHERE l.id IN (SELECT k.loan_id FROM {_LOANS_ASKED}) "
    "ORDER BY l.id FOR UPDATE OF l"
)
_LOCK_NOTES_OF_LOANS, _LOCK_HEADS_OF_LOANS = _lock_statements(
    notes=f"SELECT q.note_id {_EACH_LOAN} ({_pledged_under('k.loan_id')} OFFSET 0) q",
    chains=f"SELECT q.* {_EACH_LOAN} ({_chains_of('k.loan_id')}) q",
)
_LOANS_QUERY: Final = Sql(
    "SELECT x.* FROM unnest(?::text[], ?::text[]) AS k(loan_id, key) CROSS JOIN LATERAL "
    f"({_loan_select(sqlite=False, loan='k.loan_id', key='k.key')} LIMIT 1) x"
)
_INTERESTS_OF_LOANS_QUERY: Final = Sql(
    f"SELECT x.* {_EACH_LOAN} ({_interests_select(sqlite=False, loan='k.loan_id')} OFFSET 0) x "
    f"ORDER BY {', '.join(str(at) for at in _INTEREST_ORDER)}"
)

_EVENT_COLUMNS: Final = (
    "kind",
    "date",
    "principal",
    "interest",
    "amount",
    "annual_rate",
    "settlement_id",
    "due",
    "reverses",
    "reason",
)
_INSERT_LOAN_EVENTS: Final = Sql.insert(
    f"INSERT INTO loan_events (loan_id, sequence, {', '.join(_EVENT_COLUMNS)}) "
    f"VALUES (?, ?, {', '.join('?' for _ in _EVENT_COLUMNS)})"
)
_INSERT_SNAPSHOTS: Final = Sql.insert(
    f"INSERT INTO position_snapshots ({', '.join(SNAPSHOT_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in SNAPSHOT_COLUMNS)})"
)
_MOVE_NOTE: Final = Sql(
    "UPDATE notes SET holder_id = ? WHERE id = ? AND holder_id = ?", types=("text",) * 3
)
_RECORD_TRANSFER: Final = Sql(
    "INSERT INTO note_transfers (note_id, sequence, from_party_id, to_party_id, date, "
    "settlement_id) VALUES (?, (SELECT coalesce(max(t.sequence), 0) + 1 FROM note_transfers t "
    "WHERE t.note_id = ?), ?, ?, ?, ?)",
    types=("text", "text", "text", "text", "date", "text"),
)
_RELEASE_INTEREST: Final = Sql(
    "UPDATE security_interests SET released_on = ?, released_by = ? "
    "WHERE id = ? AND released_on IS NULL",
    types=("date", "text", "text"),
)
_RELEASE_PLEDGES: Final = Sql(
    "UPDATE pledged_notes SET released_on = ? WHERE security_interest_id = ?",
    types=("date", "text"),
)
_QUOTE_FIGURES: Final = (
    "loan_id",
    "as_of",
    "lender_id",
    "borrower_id",
    "currency",
    "satisfaction",
    "owed_principal",
    "owed_interest",
    "owed_charges",
    "per_diem",
    "good_through",
    "cash_amount",
    "cash_payer_id",
    "cash_payee_id",
    "remaining_debt",
    "fingerprint",
)
_INSERT_SETTLEMENT: Final = Sql.insert(
    f"INSERT INTO settlements (id, idempotency_key, entries_count, {', '.join(_QUOTE_FIGURES)}) "
    f"VALUES (?, ?, ?, {', '.join('?' for _ in _QUOTE_FIGURES)})"
)
_INSERT_QUOTE: Final = Sql.insert(
    "INSERT INTO quotes (id, notes_named, partial, good_through_requested, "
    f"{', '.join(_QUOTE_FIGURES)}) VALUES (?, ?, ?, ?, {', '.join('?' for _ in _QUOTE_FIGURES)})"
)
_INSERT_QUOTE_NOTES: Final = Sql.insert(
    "INSERT INTO quote_notes (quote_id, value_requested, position, note_id, principal,"
    " interest, value) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_SETTLEMENT_NOTES: Final = Sql.insert(
    "INSERT INTO settlement_notes (settlement_id, position, note_id, principal, interest, value) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
_OBLIGATION_COLUMNS: Final = (
    "id",
    "kind",
    "settlement_id",
    "party_id",
    "description",
    "due",
    "amount",
    "financing_statement_id",
    "status",
    "completed_on",
)
_INSERT_OBLIGATIONS: Final = Sql.insert(
    f"INSERT INTO obligations ({', '.join(_OBLIGATION_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _OBLIGATION_COLUMNS)})"
)


# --- reading --------------------------------------------------------------------------------


def read_closing(
    driver: Driver, loan_id: str, key: str | None, *, lock: bool = True
) -> ClosingRead | None:
    """What closing `loan_id` reads, or None when there is no such loan.

    On PostgreSQL the rows a closing changes are locked first, in the global
    order (the loan, the notes it pledges by id, the chains it appends to),
    each by a statement of its own so that the reads after them see what a
    closing that held a lock committed; locks and reads go in one round trip.
    """
    rows = closing_rows(driver, loan_id, key, lock=lock)
    return _closing_from(rows) if rows[0] else None


def read_closings(
    driver: Driver, wanted: Sequence[tuple[str, str | None]]
) -> dict[str, ClosingRead]:
    """What closing each loan reads, by loan id (a server's store; each loan asked once).

    Each (loan id, idempotency key) as `read_closing` reads it with its locks,
    all in one round trip: every loan's row first, then every note they pledge,
    by id, then every chain they append to (the global lock order, for all of
    them at once). A loan that does not exist is not in the answer.
    """
    assert not driver.sqlite, "several closings are read at once on a server"
    loan_ids = [loan_id for loan_id, _ in wanted]
    assert len(set(loan_ids)) == len(loan_ids), "each loan is read once"
    keys = [key for _, key in wanted]
    *_, found, interest_rows = driver.rows_together(
        [
            (_LOCK_LOANS, (loan_ids,)),
            (_LOCK_NOTES_OF_LOANS, (loan_ids,)),
            (_LOCK_HEADS_OF_LOANS, (loan_ids,)),
            (_LOANS_QUERY, (loan_ids, keys)),
            (_INTERESTS_OF_LOANS_QUERY, (loan_ids,)),
        ]
    )
    by_loan: dict[str, list[tuple[Any, ...]]] = {}
    for row in interest_rows:
        by_loan.setdefault(row[1], []).append(tuple(row))  # the interest's loan id
    return {row[0]: _closing_from(((tuple(row),), tuple(by_loan.get(row[0], ())))) for row in found}


def _closing_from(rows: ClosingReadRows) -> ClosingRead:
    """A closing's read from its rows: the loan's (one), then its interests'."""
    found, interest_rows = rows
    loan_read, lender, borrower, earlier, heads = _loan_from(found[0])
    interests, notes, active_under = _interests_from(interest_rows)
    for note_id, (read, head) in notes.items():
        holder = read.instrument
        assert isinstance(holder, Note)
        if head is not None:
            heads[(holder.holder_id, note_id)] = head
    own = {interest.id for interest in interests}
    return ClosingRead(
        loan=loan_read,
        lender=lender,
        borrower=borrower,
        earlier_settlement_id=earlier,
        interests=tuple(interests),
        notes={note_id: read for note_id, (read, _) in notes.items()},
        other_interest_ids=frozenset(active_under - own),
        heads=heads,
        rows=rows,
    )


def closing_rows(driver: Driver, loan_id: str, key: str | None, *, lock: bool) -> ClosingReadRows:
    """The rows `read_closing` makes its values from (on a server, after taking the locks)."""
    locks: list[tuple[Sql, Sequence[Any]]] = []
    if lock and not driver.sqlite:
        locks = [
            (_LOCK_LOAN, (loan_id,)),
            (_LOCK_NOTES, (loan_id,)),
            (_LOCK_HEADS, (loan_id, loan_id, loan_id)),
        ]
    *_, found, interest_rows = driver.rows_together(
        [
            *locks,
            (_LOAN_QUERY[driver.sqlite], (key, loan_id)),
            (_INTERESTS_QUERY[driver.sqlite], (loan_id,)),
        ]
    )
    return tuple(found), tuple(interest_rows)  # each row a tuple, as both drivers give it


def _terms(values: Sequence[Any]) -> Terms:
    # Many instruments share their terms; a Terms is a frozen value, so one serves them all.
    return _shared_terms(values) if type(values) is tuple else _terms_of(values)


def _terms_of(values: Sequence[Any]) -> Terms:
    rate, day_count, currency, compounding, rounding = values
    return Terms(
        annual_rate=Decimal(rate),
        day_count=day_count,
        currency=currency,
        compounding=Compounding(compounding),
        rounding=rounding,
    )


def _party(values: Sequence[Any], signatories: Any) -> Party:
    # A lender closes many loans: its party, a frozen value, is read once for them all.
    if type(values) is tuple and type(signatories) is str:
        return _shared_party(values, signatories)
    return _party_of(values, signatories)


def _party_of(values: Sequence[Any], signatories: Any) -> Party:
    party_id, name, entity_type, jurisdiction, short_name = values
    listed = json.loads(signatories) if isinstance(signatories, str) else signatories
    return Party(
        id=party_id,
        name=name,
        entity_type=entity_type,
        jurisdiction=jurisdiction,
        short_name=short_name,
        signatories=tuple(Signatory(name=name, title=title) for name, title in listed or ()),
    )


_shared_terms: Final = functools.lru_cache(maxsize=1024)(_terms_of)
_shared_party: Final = functools.lru_cache(maxsize=256)(_party_of)


def _head(party_id: str, chain: str, values: Sequence[Any]) -> ChainHead | None:
    sequence, hash_, entry_id = values
    return None if sequence is None else ChainHead(party_id, chain, sequence, hash_, entry_id)


def _snapshot(values: Sequence[Any], instrument: Loan | Note) -> StoredSnapshot | None:
    return None if values[0] is None else snapshot_from_values(values, instrument)


def _loan_from(
    row: Sequence[Any],
) -> tuple[InstrumentRead, Party, Party, str | None, dict[ChainKey, ChainHead]]:
    at = _Cursor(row)
    loan_id, lender_id, borrower_id, agreement_name, governing_law, agreement_date = at.take(6)
    loan = Loan(
        id=loan_id,
        lender_id=lender_id,
        borrower_id=borrower_id,
        terms=_terms(at.take(len(_TERMS))),
        events=(),
        agreement_name=agreement_name,
        governing_law=governing_law,
        agreement_date=day_read(agreement_date),
    )
    (events_count, earlier) = at.take(2)
    lender = _party(at.take(len(_PARTY)), at.take(1)[0])
    borrower = _party(at.take(len(_PARTY)), at.take(1)[0])
    heads: dict[ChainKey, ChainHead] = {}
    for party_id in (lender_id, borrower_id):
        head = _head(party_id, loan_id, at.take(len(_HEAD)))
        if head is not None:
            heads[(party_id, loan_id)] = head
    newest = _snapshot(at.take(len(SNAPSHOT_COLUMNS)), loan)
    return InstrumentRead(loan, events_count or 0, newest), lender, borrower, earlier, heads


def _note(values: Sequence[Any]) -> Note:
    (note_id, maker, holder_id, kind, issued, matures, original, level_amount) = values[:8]
    (level_first_due, level_count, description) = values[8:11]
    level = None
    if level_amount is not None:
        level = LevelPayment(
            amount=Decimal(level_amount), first_due=_day(level_first_due), count=level_count
        )
    return Note(
        id=note_id,
        maker=maker,
        holder_id=holder_id,
        terms=_terms(values[11:]),
        events=(),
        kind=kind,
        issue_date=day_read(issued),
        maturity_date=day_read(matures),
        original_principal=None if original is None else Decimal(original),
        level_payment=level,
        description=description,
    )


def _interests_from(
    rows: Sequence[Sequence[Any]],
) -> tuple[list[SecurityInterest], dict[str, tuple[InstrumentRead, ChainHead | None]], set[str]]:
    """The interests (pledges and statements each once), their notes, and pledges' interests."""
    order: list[str] = []
    headers: dict[str, Sequence[Any]] = {}
    pledges: dict[str, dict[str, date | None]] = {}
    statements: dict[str, dict[str, FinancingStatement]] = {}
    notes: dict[str, tuple[InstrumentRead, ChainHead | None]] = {}
    active_under: set[str] = set()
    for row in rows:
        at = _Cursor(row)
        header = at.take(len(_INTEREST))
        interest_id = header[0]
        if interest_id not in headers:
            order.append(interest_id)
            headers[interest_id] = header
            pledges[interest_id] = {}
            statements[interest_id] = {}
        note_id, _position, pledge_released = at.take(len(_PLEDGE))
        (under,) = at.take(1)
        statement = at.take(len(_STATEMENT))
        note_values = at.take(len(_NOTE))
        (events_count,) = at.take(1)
        head_values = at.take(len(_HEAD))
        snapshot_values_ = at.take(len(SNAPSHOT_COLUMNS))
        if note_id is not None:
            pledges[interest_id].setdefault(note_id, day_read(pledge_released))
            if under is not None:
                active_under.add(under)
            if note_id not in notes:
                note = _note(note_values)
                notes[note_id] = (
                    InstrumentRead(note, events_count or 0, _snapshot(snapshot_values_, note)),
                    _head(note.holder_id, note.id, head_values),
                )
        if statement[0] is not None and statement[0] not in statements[interest_id]:
            statement_id, _, office, number, filed_on, terminated_on = statement
            statements[interest_id][statement_id] = FinancingStatement(
                id=statement_id,
                filing_office=office,
                file_number=number,
                filed_on=_day(filed_on),
                terminated_on=day_read(terminated_on),
            )
    interests = []
    for interest_id in order:
        _, loan_id, secured_party_id, debtor_id, granted_on, released_on = headers[interest_id]
        released = day_read(released_on)
        interests.append(
            SecurityInterest(
                id=interest_id,
                loan_id=loan_id,
                secured_party_id=secured_party_id,
                debtor_id=debtor_id,
                # As `mapping.security_interest_from_parts`: the notes still pledged under
                # an active interest, or those it held when it was released.
                note_ids=tuple(
                    note_id for note_id, on in pledges[interest_id].items() if on == released
                ),
                granted_on=day_read(granted_on),
                financing_statements=tuple(statements[interest_id].values()),
                released_on=released,
            )
        )
    return interests, notes, active_under


def _day(value: Any) -> date:
    found = day_read(value)
    assert found is not None, "a date column that is never null"
    return found


class _Cursor:
    """Takes a row's values in order, a group of columns at a time."""

    __slots__ = ("_at", "_row")

    def __init__(self, row: Sequence[Any]) -> None:
        self._row = row
        self._at = 0

    def take(self, count: int) -> Sequence[Any]:
        start = self._at
        self._at = start + count
        return self._row[start : self._at]


# --- writing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClosingWrite:
    """Every row a closing writes, but its journal entries (see `JournalRows.append_journal`)."""

    settlement_id: str
    key: str | None
    quote: Quote
    entries_count: int
    loan_events: Sequence[Event]
    loan_events_after: int  # how many events the loan had
    # Each instrument's new snapshots, after the number of its newest.
    snapshots: Sequence[tuple[Loan | Note, Sequence[SnapshotDraft], int]]
    transfers: Sequence[NoteTransfer]
    released_interest_ids: Sequence[str]
    obligations: Sequence[Obligation]


def closing_writes(day: Any, closing: ClosingWrite) -> tuple[list[Write], int, int]:
    """Every write of a closing but its journal's, and which of them move notes and release.

    Returns the writes and the indexes of the two whose row counts say whether
    the closing applied: the notes moved (each from its assignor) and the
    interests released (each active until now).
    """
    quote = closing.quote
    writes = [
        loan_events_write(day, quote.loan_id, closing.loan_events, after=closing.loan_events_after),
        snapshots_write(day, closing.snapshots),
        *move_notes_writes(day, closing.transfers, settlement_id=closing.settlement_id),
    ]
    moved = len(writes) - 2
    releases = release_writes(
        day, closing.released_interest_ids, quote.as_of, released_by=closing.settlement_id
    )
    released = len(writes)
    writes += releases
    writes += settlement_writes(
        day, closing.settlement_id, closing.key, quote, closing.entries_count
    )
    writes.append(obligations_write(day, closing.obligations))
    return writes, moved, released


#: A closing as `Repository.write_closing` writes it: its rows, its entries, the heads before.
ClosingToWrite = tuple[ClosingWrite, Sequence[JournalEntry], Mapping[ChainKey, ChainHead]]


class ClosingsNoLongerApply(Exception):
    """Closings written together found a note away from its assignor or an interest
    already released: undo their write, and close them one by one to say which."""


def merged_writes(writes: Iterable[Write]) -> list[Write]:
    """Writes to several statements, each statement's rows put together, in the order each
    first comes: for closings that share no row (a server runs them as one statement)."""
    rows: dict[Sql, list[Sequence[Any]]] = {}
    for sql, found in writes:
        rows.setdefault(sql, []).extend(found)
    return list(rows.items())


def loan_events_write(
    day: Any, loan_id: str, events: Sequence[LoggedEvent], *, after: int
) -> Write:
    """Events after the loan's `after` first ones."""
    return _INSERT_LOAN_EVENTS, [
        (loan_id, sequence, *_event_values(event, day))
        for sequence, event in enumerate(events, start=after + 1)
    ]


def snapshots_write(
    day: Any, snapshots: Sequence[tuple[Loan | Note, Sequence[SnapshotDraft], int]]
) -> Write:
    """Snapshots of several instruments, each after the number given."""
    return _INSERT_SNAPSHOTS, _snapshot_rows(snapshots, day)


def move_notes_writes(
    day: Any, transfers: Sequence[NoteTransfer], *, settlement_id: str | None
) -> tuple[Write, Write]:
    """Move notes to their new holders (only from each transfer's assignor), and record each.

    The first write changes as many rows as there are transfers exactly when
    every note was still with its assignor.
    """
    notes = [t.note_id for t in transfers]
    assert len(set(notes)) == len(notes), "a note moves once in one change of holders"
    moves = [(t.to_party_id, t.note_id, t.from_party_id) for t in transfers]
    records = [
        (t.note_id, t.note_id, t.from_party_id, t.to_party_id, day(t.date), settlement_id)
        for t in transfers
    ]
    return (_MOVE_NOTE, moves), (_RECORD_TRANSFER, records)


def release_writes(
    day: Any, interest_ids: Sequence[str], on: date, *, released_by: str | None
) -> tuple[Write, Write]:
    """Release each interest and its pledges on a date.

    The first write changes as many rows as there are interests exactly when
    each was active.
    """
    ids = list(dict.fromkeys(interest_ids))
    released = day(on)
    return (
        (_RELEASE_INTEREST, [(released, released_by, interest_id) for interest_id in ids]),
        (_RELEASE_PLEDGES, [(released, interest_id) for interest_id in ids]),
    )


def settlement_writes(
    day: Any, settlement_id: str, key: str | None, quote: Quote, entries_count: int
) -> tuple[Write, Write]:
    """The settlement's header and its notes."""
    header = (settlement_id, key, entries_count, *_figure_values(quote, day))
    lines = [(settlement_id, *line) for _, line in _collateral_cells(quote)]
    return (_INSERT_SETTLEMENT, [header]), (_INSERT_SETTLEMENT_NOTES, lines)


def _collateral_cells(quote: Quote) -> list[tuple[str, tuple[Any, ...]]]:
    """Each assigned note's id, and its line's cells: position, note, the three amounts."""
    return [
        (
            line.note_id,
            (
                position,
                line.note_id,
                money(line.principal),
                money(line.interest),
                money(line.value),
            ),
        )
        for position, line in enumerate(quote.collateral, start=1)
    ]


def saved_quote_writes(
    day: Any,
    quote_id: str,
    quote: Quote,
    *,
    notes_named: bool,
    values: Mapping[str, Decimal],
    partial: bool,
    good_through: date | None,
) -> tuple[Write, Write]:
    """A saved quote's header (what was asked, and the figures) and its notes."""
    header = (quote_id, notes_named, partial, day(good_through), *_figure_values(quote, day))
    lines = [
        (quote_id, money(values.get(note_id)), *line) for note_id, line in _collateral_cells(quote)
    ]
    return (_INSERT_QUOTE, [header]), (_INSERT_QUOTE_NOTES, lines)


def obligations_write(day: Any, obligations: Sequence[Obligation]) -> Write:
    """Open obligations."""
    return _INSERT_OBLIGATIONS, [_obligation_values(o, day) for o in obligations]


def _snapshot_rows(
    snapshots: Sequence[tuple[Loan | Note, Sequence[SnapshotDraft], int]], day: Any
) -> list[tuple[Any, ...]]:
    rows = []
    for instrument, drafts, after in snapshots:
        kind = instrument_kind(instrument)
        for number, draft in enumerate(drafts, start=after + 1):
            assert (draft.state.kind, draft.state.instrument_id) == (kind, instrument.id)
            rows.append(snapshot_values(draft, sequence=number, day=day, money=money))
    return rows


def _event_values(event: LoggedEvent, day: Any) -> tuple[Any, ...]:
    columns = mapping.event_columns(event)
    due = columns.get("due")
    return (
        columns["kind"],
        day(columns["date"]),
        money(columns.get("principal")),
        money(columns.get("interest")),
        money(columns.get("amount")),
        money(columns.get("annual_rate")),
        columns.get("settlement_id"),
        None if due is None else day(due),
        columns.get("reverses"),
        columns.get("reason"),
    )


def _figure_values(quote: Quote, day: Any) -> tuple[Any, ...]:
    return (
        quote.loan_id,
        day(quote.as_of),
        quote.lender_id,
        quote.borrower_id,
        quote.currency,
        quote.satisfaction.value,
        money(quote.owed_principal),
        money(quote.owed_interest),
        money(quote.owed_charges),
        money(quote.per_diem),
        day(quote.good_through),
        money(quote.cash.amount),
        quote.cash.payer_id,
        quote.cash.payee_id,
        money(quote.remaining_debt),
        quote.fingerprint,
    )


def _obligation_values(obligation: Obligation, day: Any) -> tuple[Any, ...]:
    return (
        obligation.id,
        ObligationKind(obligation.kind).value,
        obligation.settlement_id,
        obligation.party_id,
        obligation.description,
        day(obligation.due),
        money(obligation.amount),
        obligation.financing_statement_id,
        ObligationStatus.OPEN.value,
        None,
    )

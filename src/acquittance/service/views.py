"""What a party may see, read for the web pages: its register, one instrument over time.

Every read here is scoped to one party, as the API scopes it (`service.scoped`).
A loan is the party's when it is the lender or the borrower; a note when it
holds it, or while the note is pledged under an active security interest to or
by the party (the collateral of its loans).
Anything else is refused exactly as an id that does not exist (`NotFoundError`
with the same code and message), so a page cannot tell another party's record
from no record at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Final

from acquittance.books.accounts import chart_of_accounts
from acquittance.books.beancount import to_beancount
from acquittance.books.entries import JournalEntry
from acquittance.core import accrual
from acquittance.core.collateral import SecurityInterest
from acquittance.core.errors import AcquittanceError, NotFoundError
from acquittance.core.instruments import Loan, Note, Party, Position, Signatory
from acquittance.core.money import ZERO
from acquittance.core.settlement_types import Quote
from acquittance.service import history
from acquittance.service.quote import QuoteRequest, quote_from, quote_inputs
from acquittance.service.store import Store
from acquittance.store.repository import Repository

#: Most points a chart of an instrument's history is sampled at (its events come on top).
CHART_POINTS_MAX: Final = 60


@dataclass(frozen=True)
class Held:
    """An instrument of the party's register and its position on the register's date.

    `position` is None when the date is before the instrument's history starts
    (`refusal` then says why, in the service's own words).
    """

    instrument: Loan | Note
    position: Position | None
    refusal: str | None = None

    @property
    def kind(self) -> str:
        return "loan" if isinstance(self.instrument, Loan) else "note"


@dataclass(frozen=True)
class PartyRegister:
    """A party's loans and notes with their positions on one date, and its pledges."""

    party: Party
    as_of: date
    loans: tuple[Held, ...]
    notes: tuple[Held, ...]
    security_interests: tuple[SecurityInterest, ...]
    names: Mapping[str, str]  # party id -> short name, for every party these records name


@dataclass(frozen=True)
class ChartPoint:
    """One date of an instrument's history: its principal, accrued interest and collateral."""

    on: date
    principal: Decimal
    interest: Decimal
    collateral: Decimal | None = None  # a loan's pledged notes, principal and interest

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest


@dataclass(frozen=True)
class InstrumentView:
    """One instrument as its party sees it on a date: position, history, and for a loan,
    its collateral and the quote on that date (the payoff the collateral covers)."""

    instrument: Loan | Note
    as_of: date
    position: Position | None
    refusal: str | None
    points: tuple[ChartPoint, ...]
    security_interests: tuple[SecurityInterest, ...]
    quote: Quote | None
    quote_refusal: str | None
    names: Mapping[str, str]


def _on_loan(loan: Loan, party_id: str) -> bool:
    return party_id in (loan.lender_id, loan.borrower_id)


def _interests_of(repo: Repository, party_id: str) -> list[SecurityInterest]:
    return [
        interest
        for interest in repo.list_security_interests()
        if party_id in (interest.secured_party_id, interest.debtor_id)
    ]


def _pledged_to_or_by(interests: Sequence[SecurityInterest]) -> set[str]:
    """The notes under the interests that are still active (a released pledge shows none)."""
    return {note_id for interest in interests if interest.active for note_id in interest.note_ids}


def _names(repo: Repository, party_ids: set[str]) -> dict[str, str]:
    names = {}
    for party_id in sorted(party_ids):
        try:
            names[party_id] = repo.get_party(party_id).short_name or party_id
        except NotFoundError:
            names[party_id] = party_id
    return names


def _held(repo: Repository, instruments: Sequence[Loan | Note], as_of: date) -> list[Held]:
    """Each instrument's position on `as_of`, from its snapshots, in one read."""
    keyed: dict[str, tuple[Loan | Note, int]] = {
        f"{type(i).__name__}:{i.id}": (i, len(i.events)) for i in instruments
    }
    found = history.histories_on(repo, keyed, as_of)
    held = []
    for key, (instrument, _) in keyed.items():
        try:
            held.append(Held(instrument, accrual.position_of(found[key].state())))
        except AcquittanceError as error:
            held.append(Held(instrument, None, error.message))
    return held


def party_register(store: Store, party_id: str, as_of: date) -> PartyRegister:
    """The party's loans and notes with their positions on `as_of`, and its pledges."""
    with store.read() as session:
        repo = Repository(session)
        party = repo.get_party(party_id)
        loans = [loan for loan in repo.list_loans() if _on_loan(loan, party_id)]
        interests = _interests_of(repo, party_id)
        pledged = _pledged_to_or_by(interests)
        notes = [
            note for note in repo.list_notes() if note.holder_id == party_id or note.id in pledged
        ]
        held = _held(repo, [*loans, *notes], as_of)
        named = {party_id} | {p for loan in loans for p in (loan.lender_id, loan.borrower_id)}
        named |= {note.holder_id for note in notes}
        names = _names(repo, named)
    return PartyRegister(
        party=party,
        as_of=as_of,
        loans=tuple(h for h in held if h.kind == "loan"),
        notes=tuple(h for h in held if h.kind == "note"),
        security_interests=tuple(interests),
        names=names,
    )


def _unknown_instrument(instrument_id: str) -> NotFoundError:
    # The same words as the service's own refusal of an unknown id (service/quote.py).
    return NotFoundError(
        "UNKNOWN_INSTRUMENT",
        f"no loan or note has id {instrument_id!r}; `acquittance list` shows them",
    )


def _visible_instrument(repo: Repository, party_id: str, instrument_id: str) -> Loan | Note:
    """The loan or note, with its events, if the party may see it; else not found."""
    try:
        loan = repo.get_loan(instrument_id)
    except NotFoundError:
        pass
    else:
        if _on_loan(loan, party_id):
            return loan
        raise _unknown_instrument(instrument_id)
    try:
        note = repo.get_note(instrument_id)
    except NotFoundError:
        raise _unknown_instrument(instrument_id) from None
    if note.holder_id == party_id or note.id in _pledged_to_or_by(_interests_of(repo, party_id)):
        return note
    raise _unknown_instrument(instrument_id)


def visible_loan(store: Store, party_id: str, loan_id: str) -> Loan:
    """The loan, if the party is its lender or borrower; else UNKNOWN_INSTRUMENT."""
    with store.read() as session:
        found = _visible_instrument(Repository(session), party_id, loan_id)
    if not isinstance(found, Loan):
        raise _unknown_instrument(loan_id)
    return found


def chart_dates(opening: date, through: date, events: Sequence[date]) -> list[date]:
    """Evenly spaced dates from the opening through `through`, with every event date between."""
    if through < opening:
        return []
    if through == opening:
        return [opening]
    span_days = (through - opening).days
    steps = min(CHART_POINTS_MAX - 1, span_days)
    dates = {opening + timedelta(days=round(span_days * k / steps)) for k in range(steps + 1)}
    dates |= {d for d in events if opening <= d <= through}
    # The day before an event too, so that a payment shows as a step, not a slope.
    dates |= {d - timedelta(days=1) for d in events if opening < d <= through}
    return sorted(dates)


def _collateral_totals(
    notes: Mapping[str, Note], interests: Sequence[SecurityInterest], dates: Sequence[date]
) -> dict[date, Decimal | None]:
    """On each date, the principal and interest of the notes pledged then (None: none yet)."""
    totals: dict[date, Decimal | None] = dict.fromkeys(dates)
    for interest in interests:
        for note_id in interest.note_ids:
            note = notes.get(note_id)
            if note is None or not note.events:
                continue
            opening = note.events[0].date
            released = interest.released_on
            pledged_dates = [
                d for d in dates if d >= opening and (released is None or d < released)
            ]
            for position in accrual.positions(note, pledged_dates):
                totals[position.as_of] = (totals[position.as_of] or ZERO) + position.total
    return totals


def _points(
    instrument: Loan | Note, through: date, collateral: Mapping[str, Note] | None,
    interests: Sequence[SecurityInterest],
) -> tuple[ChartPoint, ...]:  # fmt: skip
    if not instrument.events:
        return ()
    opening = instrument.events[0].date
    dates = chart_dates(opening, through, [event.date for event in instrument.events])
    positions = accrual.positions(instrument, dates)
    totals = _collateral_totals(collateral, interests, dates) if collateral is not None else {}
    return tuple(
        ChartPoint(p.as_of, p.principal, p.interest, totals.get(p.as_of)) for p in positions
    )


def instrument_view(store: Store, party_id: str, instrument_id: str, as_of: date) -> InstrumentView:
    """The instrument on `as_of`, its history up to then and, for a loan, its coverage.

    The quote is the one `acquittance quote` gives on that date (same inputs,
    same function); a loan that cannot be quoted then (discharged, not yet
    opened) has none, and `quote_refusal` says why.
    """
    with store.read() as session:
        repo = Repository(session)
        instrument = _visible_instrument(repo, party_id, instrument_id)
        position, refusal = _position(repo, instrument, as_of)
        interests: list[SecurityInterest] = []
        collateral: dict[str, Note] | None = None
        quote: Quote | None = None
        quote_refusal: str | None = None
        if isinstance(instrument, Loan):
            interests = repo.list_security_interests(loan_id=instrument.id)
            note_ids = {note_id for interest in interests for note_id in interest.note_ids}
            collateral = repo.notes_with_events(note_ids)
            quote, quote_refusal = _quote(repo, instrument.id, as_of)
            named = {instrument.lender_id, instrument.borrower_id}
        else:
            named = {instrument.holder_id}
        names = _names(repo, named)
    return InstrumentView(
        instrument=instrument,
        as_of=as_of,
        position=position,
        refusal=refusal,
        points=_points(instrument, as_of, collateral, interests),
        security_interests=tuple(interests),
        quote=quote,
        quote_refusal=quote_refusal,
        names=names,
    )


def _position(
    repo: Repository, instrument: Loan | Note, as_of: date
) -> tuple[Position | None, str | None]:
    (held,) = _held(repo, [instrument], as_of)
    return held.position, held.refusal


def _quote(repo: Repository, loan_id: str, as_of: date) -> tuple[Quote | None, str | None]:
    try:
        inputs = quote_inputs(repo, loan_id, as_of)
        return quote_from(inputs, QuoteRequest(loan_id=loan_id, as_of=as_of)), None
    except AcquittanceError as error:
        return None, error.message


@dataclass(frozen=True)
class PartyBooks:
    """A party's journal and the parties its chart of accounts names."""

    party: Party
    entries: tuple[JournalEntry, ...]
    counterparties: tuple[Party, ...]


def party_books(store: Store, party_id: str) -> PartyBooks:
    """The party's journal entries and counterparties, in one read."""
    with store.read() as session:
        repo = Repository(session)
        party = repo.get_party(party_id)
        entries = repo.entries(party_id)
        ids = {
            loan.borrower_id if loan.lender_id == party_id else loan.lender_id
            for loan in repo.list_loans()
            if _on_loan(loan, party_id)
        }
        counterparties = tuple(repo.get_party(i) for i in sorted(ids))
    return PartyBooks(party, tuple(entries), counterparties)


def beancount_export(store: Store, party_id: str) -> str:
    """The party's book as Beancount text, as `acquittance export beancount` writes it."""
    books = party_books(store, party_id)
    chart = chart_of_accounts(books.party, books.counterparties)
    entries = books.entries
    currency = entries[0].legs[0].currency if entries else "USD"
    return to_beancount(books.party, entries, currency=currency, chart=chart)


@dataclass(frozen=True)
class LoanQuote:
    """A loan's quote on a date, for a party on the loan, with the names of both parties."""

    quote: Quote
    names: Mapping[str, str]


def loan_quote(store: Store, party_id: str, loan_id: str, as_of: date) -> LoanQuote:
    """The quote `acquittance quote LOAN --as-of DATE` gives, if the party is on the loan."""
    with store.read() as session:
        repo = Repository(session)
        loan = _visible_instrument(repo, party_id, loan_id)
        if not isinstance(loan, Loan):
            raise _unknown_instrument(loan_id)
        inputs = quote_inputs(repo, loan_id, as_of)
        names = _names(repo, {loan.lender_id, loan.borrower_id})
    return LoanQuote(quote_from(inputs, QuoteRequest(loan_id=loan_id, as_of=as_of)), names)


def loan_names(store: Store, party_id: str, loan_id: str) -> Mapping[str, str]:
    """The short names of a loan's lender and borrower, if the party is on the loan."""
    loan = visible_loan(store, party_id, loan_id)
    with store.read() as session:
        return _names(Repository(session), {loan.lender_id, loan.borrower_id})


def party_signatories(store: Store, party_id: str) -> tuple[Signatory, ...]:
    """The people who sign for the party."""
    with store.read() as session:
        return Repository(session).get_party(party_id).signatories

"""Closed settlements and saved quotes, as typed rows: a header and one row per note.

A quote's figures are columns (`_QuoteFigureColumns` in models), so the quote a
settlement closed, or a saved quote, comes back as the core's `Quote` value
built from those columns; no stored document is ever parsed. The positions it
carries hold the cents that were quoted (the accrual periods behind them are
recomputed from events when an explanation is asked for).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import Row, bindparam, func, select
from sqlalchemy.orm import Session

from acquittance.books.entries import JournalEntry
from acquittance.core.errors import NotFoundError
from acquittance.core.instruments import Position
from acquittance.core.money import ZERO
from acquittance.core.settlement_types import CashLeg, CollateralLine, Quote, SatisfactionKind
from acquittance.store.closing_path import saved_quote_writes, settlement_writes
from acquittance.store.driver import Driver
from acquittance.store.models import (
    JournalEntryRow,
    NoteRow,
    NoteTransferRow,
    QuoteNoteRow,
    QuoteRow,
    SecurityInterestRow,
    SettlementNoteRow,
    SettlementRow,
    table_of,
)

_SETTLEMENTS: Final = table_of(SettlementRow)
_SETTLEMENT_NOTES: Final = table_of(SettlementNoteRow)
_QUOTES: Final = table_of(QuoteRow)
_QUOTE_NOTES: Final = table_of(QuoteNoteRow)
_NOTES: Final = table_of(NoteRow)


@dataclass(frozen=True)
class StoredSettlement:
    """A closed settlement: its key, the quote it closed, and how many entries it posted."""

    id: str
    idempotency_key: str | None
    quote: Quote
    entries_count: int

    @property
    def loan_id(self) -> str:
        return self.quote.loan_id

    @property
    def as_of(self) -> date:
        return self.quote.as_of


@dataclass(frozen=True)
class StoredQuote:
    """A saved quote, and what it was asked for (so that it can be quoted again and compared)."""

    id: str
    quote: Quote
    note_ids: tuple[str, ...] | None  # None: every pledged note
    values: Mapping[str, Decimal]  # values asked for, by note
    partial: bool
    good_through: date | None  # as asked for; the quote's own is on `quote`

    @property
    def loan_id(self) -> str:
        return self.quote.loan_id

    @property
    def as_of(self) -> date:
        return self.quote.as_of

    @property
    def fingerprint(self) -> str:
        return self.quote.fingerprint


def _quote_from(header: Any, lines: Sequence[Any]) -> Quote:
    """The Quote stated by a header row and its note rows (with each note's maker and date)."""

    def held(
        instrument_id: str, principal: Decimal, interest: Decimal, charges: Decimal = ZERO
    ) -> Position:
        return Position(
            instrument_id,
            header.as_of,
            header.currency,
            principal,
            interest,
            Fraction(interest),
            charges=charges,
        )

    collateral = tuple(
        CollateralLine(
            note_id=line.note_id,
            maker=line.maker,
            issue_date=line.issue_date,
            principal=line.principal,
            interest=line.interest,
            value=line.value,
        )
        for line in lines
    )
    return Quote(
        loan_id=header.loan_id,
        lender_id=header.lender_id,
        borrower_id=header.borrower_id,
        as_of=header.as_of,
        currency=header.currency,
        owed_principal=header.owed_principal,
        owed_interest=header.owed_interest,
        owed_charges=header.owed_charges,
        per_diem=header.per_diem,
        good_through=header.good_through,
        collateral=collateral,
        cash=CashLeg(header.cash_amount, header.cash_payer_id, header.cash_payee_id),
        remaining_debt=header.remaining_debt,
        satisfaction=SatisfactionKind(header.satisfaction),
        fingerprint=header.fingerprint,
        loan_position=held(
            header.loan_id, header.owed_principal, header.owed_interest, header.owed_charges
        ),
        note_positions=tuple(held(c.note_id, c.principal, c.interest) for c in collateral),
    )


def _saved_quote(header: Any, lines: Sequence[Any]) -> StoredQuote:
    """The saved quote a header row and its note rows state."""
    return StoredQuote(
        id=header.id,
        quote=_quote_from(header, lines),
        note_ids=tuple(line.note_id for line in lines) if header.notes_named else None,
        values={
            line.note_id: line.value_requested for line in lines if line.value_requested is not None
        },
        partial=header.partial,
        good_through=header.good_through_requested,
    )


_QUOTE_BY_ID: Final = select(_QUOTES).where(_QUOTES.c.id == bindparam("quote_id"))
_LINES_OF_QUOTE: Final = (
    select(_QUOTE_NOTES, _NOTES.c.maker, _NOTES.c.issue_date)
    .join(_NOTES, _NOTES.c.id == _QUOTE_NOTES.c.note_id)
    .where(_QUOTE_NOTES.c.quote_id == bindparam("quote_id"))
    .order_by(_QUOTE_NOTES.c.position)
)


class ClosingRows:
    """Repository methods for settlements and saved quotes (mixed into `Repository`)."""

    session: Session

    # Settlements ------------------------------------------------------------------------

    def add_closing(
        self, *, settlement_id: str, key: str | None, quote: Quote, entries_count: int
    ) -> None:
        """The settlement's header and its notes: two statements."""
        driver = self.driver()
        driver.write_all(settlement_writes(driver.day, settlement_id, key, quote, entries_count))

    def find_settlement_by_key(self, loan_id: str, key: str) -> StoredSettlement | None:
        """The settlement of this loan closed under this idempotency key, if any."""
        found = self._settlements(
            (_SETTLEMENTS.c.loan_id == loan_id) & (_SETTLEMENTS.c.idempotency_key == key)
        )
        return found[0] if found else None

    def get_settlement(self, settlement_id: str) -> StoredSettlement:
        found = self._settlements(_SETTLEMENTS.c.id == settlement_id)
        if not found:
            raise self._unknown(SettlementRow, settlement_id, "settlement", "UNKNOWN_SETTLEMENT")
        return found[0]

    def list_settlements(self, *, loan_id: str | None = None) -> list[StoredSettlement]:
        return self._settlements(None if loan_id is None else _SETTLEMENTS.c.loan_id == loan_id)

    def _settlements(self, condition: Any) -> list[StoredSettlement]:
        headers, lines = self._headers(_SETTLEMENTS, _SETTLEMENT_NOTES, "settlement_id", condition)
        return [
            StoredSettlement(
                id=header.id,
                idempotency_key=header.idempotency_key,
                quote=_quote_from(header, lines.get(header.id, ())),
                entries_count=header.entries_count,
            )
            for header in headers
        ]

    def _headers(
        self, headers_table: Any, lines_table: Any, owner: str, condition: Any
    ) -> tuple[list[Row[Any]], dict[str, list[Row[Any]]]]:
        """Headers by date then id (those meeting `condition`), and each one's note lines."""
        query = select(headers_table).order_by(headers_table.c.as_of, headers_table.c.id)
        if condition is not None:
            query = query.where(condition)
        headers = list(self.session.execute(query).all())
        if not headers:
            return [], {}
        return headers, self._lines_of(lines_table, owner, [h.id for h in headers])

    def _lines_of(
        self, table: Any, owner: str, owner_ids: Sequence[str]
    ) -> dict[str, list[Row[Any]]]:
        query = (
            select(table, _NOTES.c.maker, _NOTES.c.issue_date)
            .join(_NOTES, _NOTES.c.id == table.c.note_id)
            .where(table.c[owner].in_(list(owner_ids)))
            .order_by(table.c[owner], table.c.position)
        )
        grouped: dict[str, list[Row[Any]]] = {}
        for row in self.session.execute(query):
            grouped.setdefault(getattr(row, owner), []).append(row)
        return grouped

    def settlement_entries(self, settlement_id: str) -> list[JournalEntry]:
        """The journal entries a settlement posted, in the order it posted them."""
        entries = table_of(JournalEntryRow)
        ids = list(
            self.session.scalars(
                select(entries.c.id)
                .where(entries.c.settlement_id == settlement_id)
                .order_by(entries.c.party_id, entries.c.chain, entries.c.sequence)
            )
        )
        return self.entries_by_id(ids)

    def settlement_entry_counts(self) -> dict[str, int]:
        """How many journal entries name each settlement as the one that posted them."""
        entries = table_of(JournalEntryRow)
        query = (
            select(entries.c.settlement_id, func.count())
            .where(entries.c.settlement_id.is_not(None))
            .group_by(entries.c.settlement_id)
        )
        return {settlement_id: count for settlement_id, count in self.session.execute(query)}

    def holders_and_last_transfers(self) -> list[tuple[str, str, str | None]]:
        """Each note, its recorded holder, and whom its newest transfer went to (if any)."""
        notes, history = table_of(NoteRow), table_of(NoteTransferRow)
        newest = (
            select(history.c.to_party_id)
            .where(history.c.note_id == notes.c.id)
            .order_by(history.c.sequence.desc())
            .limit(1)
            .scalar_subquery()
        )
        query = select(notes.c.id, notes.c.holder_id, newest).order_by(notes.c.id)
        return [(n, h, t) for n, h, t in self.session.execute(query)]

    def released_by(self, settlement_id: str) -> list[str]:
        """The security interests a settlement released."""
        interests = table_of(SecurityInterestRow)
        query = select(interests.c.id).where(interests.c.released_by == settlement_id)
        return list(self.session.scalars(query.order_by(interests.c.id)))

    def holders_after(self, settlement_id: str) -> dict[str, str]:
        """Each note a settlement assigned, and the party it assigned it to."""
        history = table_of(NoteTransferRow)
        query = select(history.c.note_id, history.c.to_party_id).where(
            history.c.settlement_id == settlement_id
        )
        rows = self.session.execute(query.order_by(history.c.note_id))
        return {note_id: holder_id for note_id, holder_id in rows}

    # Saved quotes -----------------------------------------------------------------------

    def add_saved_quote(
        self,
        *,
        quote_id: str,
        quote: Quote,
        notes_named: bool,
        values: Mapping[str, Decimal],
        partial: bool,
        good_through: date | None,
    ) -> None:
        """The quote's header and its notes, in one write (one round trip on a server).

        `quote_id` is made fresh by the caller: a clash is refused by the key (STORE_CONFLICT).
        """
        driver = self.driver()
        driver.write_all(
            saved_quote_writes(
                driver.day,
                quote_id,
                quote,
                notes_named=notes_named,
                values=values,
                partial=partial,
                good_through=good_through,
            )
        )

    def get_quote(self, quote_id: str) -> StoredQuote:
        """One saved quote: two prebuilt statements, as a closing of it asks first."""
        self.driver().send_queued()  # what the driver queued goes first
        connection = self.session.connection()
        header = connection.execute(_QUOTE_BY_ID, {"quote_id": quote_id}).first()
        if header is None:
            raise self._unknown(QuoteRow, quote_id, "quote", "UNKNOWN_QUOTE")
        lines = connection.execute(_LINES_OF_QUOTE, {"quote_id": quote_id}).all()
        return _saved_quote(header, lines)

    def list_quotes(self, *, loan_id: str | None = None) -> list[StoredQuote]:
        return self._saved_quotes(None if loan_id is None else _QUOTES.c.loan_id == loan_id)

    def _saved_quotes(self, condition: Any) -> list[StoredQuote]:
        headers, lines = self._headers(_QUOTES, _QUOTE_NOTES, "quote_id", condition)
        return [_saved_quote(header, lines.get(header.id, [])) for header in headers]

    if TYPE_CHECKING:
        # Provided by the repository this is mixed into.
        def _check_new(self, model: Any, record_id: str, what: str) -> None: ...
        def _unknown(self, model: Any, record_id: str, what: str, code: str) -> NotFoundError: ...
        def entries_by_id(self, entry_ids: Sequence[str]) -> list[JournalEntry]: ...
        def driver(self) -> Driver: ...

"""Pure conversions between the domain's frozen values and the table rows.

Each `*_row` builds new rows from a value; each `*_from_row` rebuilds the value
from rows loaded in their stored order. No session, no queries: the repository
decides what to load and what to add.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from acquittance.core.collateral import FinancingStatement, SecurityInterest
from acquittance.core.instruments import (
    EVENT_KINDS,
    Advance,
    Charge,
    Compounding,
    DefaultRate,
    Discharge,
    Event,
    InterestAccrual,
    LateCharge,
    LateChargeRule,
    LevelPayment,
    Loan,
    LoggedEvent,
    Note,
    OpeningBalance,
    Party,
    Payment,
    RateChange,
    Reversal,
    Satisfaction,
    Signatory,
    Terms,
)
from acquittance.core.lifecycle import effective_events
from acquittance.core.settlement_types import Obligation, ObligationKind
from acquittance.store.models import (
    FinancingStatementRow,
    JournalEntryRow,
    LoanEventRow,
    LoanRow,
    NoteEventRow,
    NoteRow,
    ObligationRow,
    PartyRow,
    PledgedNoteRow,
    SecurityInterestRow,
    SignatoryRow,
)
from acquittance.store.records import (
    EntryRecord,
    LegRecord,
    ObligationRecord,
    ObligationStatus,
)

if TYPE_CHECKING:
    from acquittance.books.entries import JournalEntry

EventRowT = TypeVar("EventRowT", LoanEventRow, NoteEventRow)


def party_row(party: Party) -> PartyRow:
    signatories = [
        SignatoryRow(position=position, name=person.name, title=person.title)
        for position, person in enumerate(party.signatories, start=1)
    ]
    return PartyRow(
        id=party.id,
        name=party.name,
        entity_type=party.entity_type,
        jurisdiction=party.jurisdiction,
        short_name=party.short_name,
        signatories=signatories,
    )


def party_from_row(row: PartyRow) -> Party:
    return Party(
        id=row.id,
        name=row.name,
        entity_type=row.entity_type,
        jurisdiction=row.jurisdiction,
        short_name=row.short_name,
        signatories=tuple(Signatory(name=s.name, title=s.title) for s in row.signatories),
    )


def _terms_columns(terms: Terms) -> dict[str, Any]:
    return {
        "annual_rate": terms.annual_rate,
        "day_count": terms.day_count,
        "currency": terms.currency,
        "compounding": Compounding(terms.compounding).value,
        "rounding": terms.rounding,
    }


def _terms_from_row(row: LoanRow | NoteRow) -> Terms:
    return Terms(
        annual_rate=row.annual_rate,
        day_count=row.day_count,
        currency=row.currency,
        compounding=Compounding(row.compounding),
        rounding=row.rounding,
    )


def event_columns(event: LoggedEvent) -> dict[str, Any]:
    """The columns of one event row; which amounts are set depends on the kind."""
    columns: dict[str, Any] = {"kind": EVENT_KINDS[type(event)], "date": event.date}
    if isinstance(event, OpeningBalance):
        columns.update(principal=event.principal, interest=event.interest)
    elif isinstance(event, LateCharge):
        columns.update(amount=event.amount, due=event.due)
    elif isinstance(event, Advance | Payment | Charge):
        columns.update(amount=event.amount)
    elif isinstance(event, RateChange | DefaultRate):
        columns.update(annual_rate=event.annual_rate)
    elif isinstance(event, Satisfaction):
        columns.update(amount=event.amount, settlement_id=event.settlement_id)
    elif isinstance(event, Discharge):
        columns.update(settlement_id=event.settlement_id)
    elif isinstance(event, Reversal):
        columns.update(reverses=event.reverses, reason=event.reason)
    return columns


def event_rows(
    row_type: type[EventRowT], events: Iterable[LoggedEvent], *, first_sequence: int
) -> list[EventRowT]:
    return [
        row_type(sequence=sequence, **event_columns(event))
        for sequence, event in enumerate(events, start=first_sequence)
    ]


def events_from_rows(rows: Iterable[Any]) -> tuple[Event, ...]:
    """The history an instrument's stored log stands for (reversals applied, in date order)."""
    return effective_events(logged_events(rows))


def logged_events(rows: Iterable[Any]) -> list[tuple[int, LoggedEvent]]:
    """An instrument's stored log as it was recorded: (sequence, event), reversals included.

    `rows` are ORM or Core rows of its events, in sequence order.
    """
    return [
        (
            row.sequence,
            Reversal(row.date, _set(row.reverses), _set(row.reason))
            if row.kind == "reversal"
            else event_from_row(row),
        )
        for row in rows
    ]


def event_from_row(row: LoanEventRow | NoteEventRow) -> Event:
    kind = row.kind
    if kind == "opening":
        return OpeningBalance(
            date=row.date, principal=_set(row.principal), interest=_set(row.interest)
        )
    if kind == "advance":
        return Advance(date=row.date, amount=_set(row.amount))
    if kind == "payment":
        return Payment(date=row.date, amount=_set(row.amount))
    if kind == "rate_change":
        return RateChange(date=row.date, annual_rate=_set(row.annual_rate))
    if kind == "satisfaction":
        return Satisfaction(
            date=row.date, amount=_set(row.amount), settlement_id=_set(row.settlement_id)
        )
    if kind == "discharge":
        return Discharge(date=row.date, settlement_id=_set(row.settlement_id))
    return _event_of_accrual_or_charge(row)


def _event_of_accrual_or_charge(row: LoanEventRow | NoteEventRow) -> Event:
    kind = row.kind
    if kind == "accrual":
        return InterestAccrual(date=row.date)
    if kind == "charge":
        return Charge(date=row.date, amount=_set(row.amount))
    if kind == "late_charge":
        return LateCharge(date=row.date, amount=_set(row.amount), due=_set(row.due))
    if kind == "default_rate":
        return DefaultRate(date=row.date, annual_rate=_set(row.annual_rate))
    raise AssertionError(f"stored event kind {kind!r} is not one the models write")


_Value = TypeVar("_Value")


def _set(value: _Value | None) -> _Value:
    # An event row of a kind always has that kind's columns; the models write them so.
    assert value is not None, "an event row is missing a column its kind requires"
    return value


def loan_row(loan: Loan) -> LoanRow:
    return LoanRow(
        id=loan.id,
        lender_id=loan.lender_id,
        borrower_id=loan.borrower_id,
        agreement_name=loan.agreement_name,
        governing_law=loan.governing_law,
        agreement_date=loan.agreement_date,
        events=event_rows(LoanEventRow, loan.events, first_sequence=1),
        **_loan_schedule_columns(loan),
        **_terms_columns(loan.terms),
    )


def _loan_schedule_columns(loan: Loan) -> dict[str, Any]:
    level, rule = loan.level_payment, loan.late_charge
    return {
        "level_payment_amount": level.amount if level else None,
        "level_payment_first_due": level.first_due if level else None,
        "level_payment_count": level.count if level else None,
        "late_charge_grace_days": rule.grace_days if rule else None,
        "late_charge_percent": rule.percent if rule else None,
        "late_charge_amount": rule.amount if rule else None,
    }


def _loan_schedule(row: LoanRow) -> dict[str, Any]:
    level = rule = None
    if row.level_payment_amount is not None:
        level = LevelPayment(
            amount=row.level_payment_amount,
            first_due=_set(row.level_payment_first_due),
            count=_set(row.level_payment_count),
        )
    if row.late_charge_grace_days is not None:
        rule = LateChargeRule(
            grace_days=row.late_charge_grace_days,
            percent=row.late_charge_percent,
            amount=row.late_charge_amount,
        )
    return {"level_payment": level, "late_charge": rule}


def loan_from_row(row: LoanRow, *, events: bool = True) -> Loan:
    """The loan of a row; with `events=False` its header only (events empty, none loaded)."""
    return Loan(
        id=row.id,
        lender_id=row.lender_id,
        borrower_id=row.borrower_id,
        terms=_terms_from_row(row),
        events=events_from_rows(row.events) if events else (),
        agreement_name=row.agreement_name,
        governing_law=row.governing_law,
        agreement_date=row.agreement_date,
        **_loan_schedule(row),
    )


def note_row(note: Note) -> NoteRow:
    level = note.level_payment
    return NoteRow(
        id=note.id,
        maker=note.maker,
        holder_id=note.holder_id,
        kind=note.kind,
        issue_date=note.issue_date,
        maturity_date=note.maturity_date,
        original_principal=note.original_principal,
        level_payment_amount=level.amount if level else None,
        level_payment_first_due=level.first_due if level else None,
        level_payment_count=level.count if level else None,
        description=note.description,
        events=event_rows(NoteEventRow, note.events, first_sequence=1),
        **_terms_columns(note.terms),
    )


def note_from_row(row: NoteRow, *, events: bool = True) -> Note:
    """The note of a row; with `events=False` its header only (events empty, none loaded)."""
    level = None
    if row.level_payment_amount is not None:
        level = LevelPayment(
            amount=row.level_payment_amount,
            first_due=_set(row.level_payment_first_due),
            count=_set(row.level_payment_count),
        )
    return Note(
        id=row.id,
        maker=row.maker,
        holder_id=row.holder_id,
        terms=_terms_from_row(row),
        events=events_from_rows(row.events) if events else (),
        kind=row.kind,
        issue_date=row.issue_date,
        maturity_date=row.maturity_date,
        original_principal=row.original_principal,
        level_payment=level,
        description=row.description,
    )


def security_interest_row(interest: SecurityInterest) -> SecurityInterestRow:
    pledged = [
        PledgedNoteRow(note_id=note_id, position=position, released_on=interest.released_on)
        for position, note_id in enumerate(interest.note_ids, start=1)
    ]
    statements = [
        FinancingStatementRow(
            id=statement.id,
            position=position,
            filing_office=statement.filing_office,
            file_number=statement.file_number,
            filed_on=statement.filed_on,
            terminated_on=statement.terminated_on,
        )
        for position, statement in enumerate(interest.financing_statements, start=1)
    ]
    return SecurityInterestRow(
        id=interest.id,
        loan_id=interest.loan_id,
        secured_party_id=interest.secured_party_id,
        debtor_id=interest.debtor_id,
        granted_on=interest.granted_on,
        released_on=interest.released_on,
        pledged_notes=pledged,
        financing_statements=statements,
    )


def security_interest_from_row(row: SecurityInterestRow) -> SecurityInterest:
    return security_interest_from_parts(row, row.pledged_notes, row.financing_statements)


def security_interest_from_parts(
    row: Any, pledged_notes: Iterable[Any], financing_statements: Iterable[Any]
) -> SecurityInterest:
    """The interest from its row and its pledge and statement rows, each in stored order.

    Rows are ORM rows or Core result rows: anything with the columns as attributes.
    """
    return SecurityInterest(
        id=row.id,
        loan_id=row.loan_id,
        secured_party_id=row.secured_party_id,
        debtor_id=row.debtor_id,
        # An active interest pledges the notes not yet released from it; a released
        # one is shown with the notes it held when it was released.
        note_ids=tuple(
            pledge.note_id for pledge in pledged_notes if pledge.released_on == row.released_on
        ),
        granted_on=row.granted_on,
        financing_statements=tuple(
            FinancingStatement(
                id=s.id,
                filing_office=s.filing_office,
                file_number=s.file_number,
                filed_on=s.filed_on,
                terminated_on=s.terminated_on,
            )
            for s in financing_statements
        ),
        released_on=row.released_on,
    )


def obligation_columns(obligation: Obligation) -> dict[str, Any]:
    """An open obligation's row, as column values."""
    return {
        "id": obligation.id,
        "kind": ObligationKind(obligation.kind).value,
        "settlement_id": obligation.settlement_id,
        "party_id": obligation.party_id,
        "description": obligation.description,
        "due": obligation.due,
        "amount": obligation.amount,
        "financing_statement_id": obligation.financing_statement_id,
        "status": ObligationStatus.OPEN.value,
        "completed_on": None,
    }


def obligation_from_row(row: ObligationRow) -> ObligationRecord:
    obligation = Obligation(
        id=row.id,
        kind=ObligationKind(row.kind),
        settlement_id=row.settlement_id,
        party_id=row.party_id,
        description=row.description,
        due=row.due,
        amount=row.amount,
        financing_statement_id=row.financing_statement_id,
    )
    return ObligationRecord(
        obligation=obligation, status=ObligationStatus(row.status), completed_on=row.completed_on
    )


def entry_record_from_row(row: JournalEntryRow) -> EntryRecord:
    return EntryRecord(
        id=row.id,
        party_id=row.party_id,
        sequence=row.sequence,
        date=row.date,
        kind=row.kind,
        description=row.description,
        legs=tuple(LegRecord(leg.account, leg.amount, leg.currency) for leg in row.legs),
        reference=row.reference,
        previous_hash=row.previous_hash,
        hash=row.hash,
        chain=row.chain,
    )


def ledger_entry(record: EntryRecord) -> JournalEntry:
    """The ledger's JournalEntry for a stored record.

    Imported here, lazily, so that the store does not need the ledger to load.
    """
    from acquittance.books.entries import JournalEntry, Leg

    return JournalEntry(
        id=record.id,
        sequence=record.sequence,
        party_id=record.party_id,
        date=record.date,
        # JournalEntry turns the stored string into its EntryKind itself, and
        # refuses an unknown one with a coded error.
        kind=cast(Any, record.kind),
        description=record.description,
        legs=tuple(
            Leg(account=leg.account, amount=leg.amount, currency=leg.currency)
            for leg in record.legs
        ),
        reference=record.reference,
        previous_hash=record.previous_hash,
        hash=record.hash,
        chain=record.chain,
    )

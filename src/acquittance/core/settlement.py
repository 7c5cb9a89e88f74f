"""Settling a loan by assigning pledged notes, plus cash: the quote and the closing (pure).

The pipeline reads as its steps: `quote` (what is owed, what the collateral is
worth, the cash that balances them) -> `close` (check the quote is current,
then compute every effect) -> a service applies the `Closing` in one
transaction. Nothing here does I/O.

Rules:

- Positions are the rounded cents of `accrual.position` as of the quote date,
  the loan's and each note's under its own terms. A service that keeps
  snapshots passes each instrument's `accrual.History` (the walk as it stood
  on the date, and after every event) instead of making the core walk the
  events again; the figures are the same, bit for bit.
- A quote before the history of the loan or of a note it assigns is
  BEFORE_HISTORY, naming the earliest date allowed: the latest of their
  first dates.
- Full satisfaction (UCC 9-620, the reference case): collateral value below the
  debt -> the borrower pays the difference to the lender; above it -> the lender
  pays the surplus to the borrower (as 9-615 gives a surplus to the debtor);
  equal -> no cash ("0.00", no payer, no payee). Nothing remains owed.
- Partial satisfaction (`partial=True`): no cash moves and the shortfall stays
  owed as `remaining_debt`. It is only for collateral worth less than the debt;
  asking for it otherwise is refused (PARTIAL_NOT_NEEDED) rather than silently
  turned into a full satisfaction, because the two need different consents.
- Identity, checked on every quote: owed = value + cash to lender - cash to
  borrower + remaining debt.
- The fingerprint is a SHA-256 over a canonical serialisation of every input
  that shapes a figure: the loan (terms, and its events through their count
  and chained digest, `accrual.events_digest`), each assigned note (terms,
  events the same way, holder), the interests that secure the loan or pledge
  those notes, the date and the request (note ids, values, partial). A
  closing recomputes it on current data and refuses a quote whose inputs
  changed.
- A closing is refused (BACKDATED_CLOSING) when the loan or a note it assigns
  has an event dated after the closing date: the closing would be booked
  against a history that has moved on.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from typing import Any, Final

from acquittance.core import accrual
from acquittance.core.accrual import AccrualState, History, per_diem_of, position_of
from acquittance.core.collateral import SecurityInterest, ordered_pledged_note_ids
from acquittance.core.dates import add_days
from acquittance.core.errors import AcquittanceError, InputError, NotFoundError, StateError
from acquittance.core.instruments import (
    AccrualPeriod,
    Discharge,
    Event,
    Loan,
    Note,
    Position,
    Satisfaction,
)
from acquittance.core.money import CENT, ZERO, amount_text, round_money, to_decimal
from acquittance.core.settlement_types import (
    CashLeg,
    Closing,
    CollateralLine,
    NoteTransfer,
    Obligation,
    ObligationKind,
    Quote,
    SatisfactionKind,
)

#: A quote holds for this many days unless told otherwise.
GOOD_THROUGH_DAYS: Final = 10
#: UCC 9-513(c): a termination statement is due within 20 days after the debtor's
#: authenticated demand. The closing is taken as that demand, so the clock starts then.
TERMINATION_DUE_DAYS: Final = 20
#: Places of the long decimals in explanations (display only; the exact fraction is beside them).
EXPLAIN_QUANTUM: Final = Decimal("1E-20")
#: Most notes one settlement may assign.
NOTES_COUNT_MAX: Final = 10_000
#: How many note ids one message names before "and N more".
IDS_NAMED_MAX: Final = 10


_PLAIN_TYPES: Final = frozenset({str, int, bool, type(None)})
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(value: Any) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(type(value))
    if names is None:
        names = _FIELD_NAMES[type(value)] = tuple(f.name for f in dataclasses.fields(value))
    return names


def _canonical(value: Any, *, leave_out: tuple[str, ...] = ()) -> Any:
    """A JSON-ready form in which equal values always serialise identically.

    `leave_out` names fields of a dataclass to skip (its own, not its parts').
    Each type takes one branch of `_branch_of`, found once per type.
    """
    kind = type(value)
    if kind in _PLAIN_TYPES:
        return value
    branch = _BRANCHES.get(kind)
    if branch is None:
        branch = _BRANCHES[kind] = _branch_of(value)
    return branch(value, leave_out)


_Branch = Callable[[Any, tuple[str, ...]], Any]
_BRANCHES: dict[type, _Branch] = {}


def _branch_of(value: Any) -> _Branch:
    """How values of this one's type are made canonical (the order of the tests matters)."""
    if isinstance(value, Decimal):
        return _decimal_form
    if isinstance(value, Fraction):
        return _fraction_form
    if isinstance(value, date):
        return _date_form
    if isinstance(value, Enum):
        return _enum_form
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _dataclass_form
    if isinstance(value, Mapping):
        return _mapping_form
    if isinstance(value, list | tuple):
        return _sequence_form
    if value is None or isinstance(value, str | int | bool):
        return _same_form
    raise TypeError(f"cannot fingerprint a {type(value).__name__}")


def _decimal_form(value: Decimal, _: tuple[str, ...]) -> str:
    # By value: 0.065 and 0.0650 are one rate, 17500000 and 17500000.00 one amount.
    return format(value.normalize(), "f")


def _fraction_form(value: Fraction, _: tuple[str, ...]) -> str:
    return f"{value.numerator}/{value.denominator}"


def _date_form(value: date, _: tuple[str, ...]) -> str:
    return value.isoformat()


def _enum_form(value: Enum, _: tuple[str, ...]) -> Any:
    return value.value


def _dataclass_form(value: Any, leave_out: tuple[str, ...]) -> dict[str, Any]:
    document: dict[str, Any] = {"type": type(value).__name__}
    for name in _field_names(value):
        if name not in leave_out:
            document[name] = _canonical(getattr(value, name))
    return document


def _mapping_form(value: Mapping[Any, Any], _: tuple[str, ...]) -> dict[str, Any]:
    return {str(key): _canonical(item) for key, item in value.items()}


def _sequence_form(value: list[Any] | tuple[Any, ...], _: tuple[str, ...]) -> list[Any]:
    return [_canonical(item) for item in value]


def _same_form(value: Any, _: tuple[str, ...]) -> Any:
    return value


def _canonical_value(value: object) -> Any:
    """An explicit note value by what it is worth, however it was spelled ("1.50", 1.5)."""
    try:
        return _canonical(to_decimal(value))
    except AcquittanceError:
        return repr(value)  # the quote itself refuses it; the fingerprint must not raise


def _events_summary(instrument: Loan | Note, history: History | None) -> dict[str, Any]:
    """An instrument's events as the fingerprint takes them: their count and chained digest."""
    if history is not None:
        return {"count": history.latest.events_count, "digest": history.latest.events_digest}
    return {"count": len(instrument.events), "digest": accrual.events_digest(instrument.events)}


def _instrument_document(instrument: Loan | Note | None, history: History | None) -> Any:
    if instrument is None:
        return None
    header = _canonical(instrument, leave_out=("events",))
    return {**header, "events": _events_summary(instrument, history)}


def fingerprint_inputs(
    loan: Loan,
    notes: Mapping[str, Note],
    interests: Sequence[SecurityInterest],
    as_of: date,
    *,
    note_ids: Sequence[str] | None = None,
    values: Mapping[str, Decimal] | None = None,
    partial: bool = False,
    loan_history: History | None = None,
    note_histories: Mapping[str, History] | None = None,
) -> str:
    """The fingerprint `quote` would give these inputs; never raises on bad data.

    Takes the same arguments as `quote`, so a service can recompute it on the
    current records before closing. Events enter through their count and
    digest, so the histories (from snapshots) give the fingerprint of the
    events themselves without reading them.
    """
    assigned = (
        tuple(note_ids)
        if note_ids is not None
        else ordered_pledged_note_ids(loan.id, interests, secured_party_id=loan.lender_id)
    )
    return _fingerprint(
        loan,
        notes,
        interests,
        as_of,
        assigned,
        note_ids=note_ids,
        values=values,
        partial=partial,
        loan_history=loan_history,
        note_histories=note_histories,
    )


def _fingerprint(
    loan: Loan,
    notes: Mapping[str, Note],
    interests: Sequence[SecurityInterest],
    as_of: date,
    assigned: tuple[str, ...],
    *,
    note_ids: Sequence[str] | None,
    values: Mapping[str, Decimal] | None,
    partial: bool,
    loan_history: History | None,
    note_histories: Mapping[str, History] | None,
) -> str:
    """`fingerprint_inputs`, the notes assigned given (the ones asked for, else the pledged)."""
    relevant = sorted(
        (i for i in interests if i.loan_id == loan.id or set(i.note_ids) & set(assigned)),
        key=lambda interest: interest.id,
    )
    histories = note_histories or {}
    document = {
        "loan": _instrument_document(loan, loan_history),
        "notes": {
            note_id: _instrument_document(notes.get(note_id), histories.get(note_id))
            for note_id in assigned
        },
        "interests": _canonical(relevant),
        "as_of": _canonical(as_of),
        "note_ids": _canonical(note_ids),
        "assigned": list(assigned),
        "values": {key: _canonical_value(v) for key, v in sorted((values or {}).items())},
        "partial": partial,
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _check_open(loan: Loan, history: History | None = None) -> None:
    discharged_on = history.latest.discharged_on if history is not None else loan.discharged_on
    if discharged_on is not None:
        raise StateError(
            "LOAN_DISCHARGED",
            f"loan {loan.id} was discharged on {discharged_on}; there is nothing to settle",
        )


def _opening_of(instrument: Loan | Note, history: History | None) -> date | None:
    """The first date of an instrument's history, without walking it (None: no events)."""
    if history is not None:
        return history.opening
    return instrument.events[0].date if instrument.events else None


def _check_dates(
    as_of: date,
    loan: Loan,
    loan_history: History | None,
    notes: Sequence[tuple[Note, History | None]],
) -> None:
    """BEFORE_HISTORY when the date precedes the loan's or a note's history.

    The message names every instrument that starts later and the earliest
    date allowed for the whole quote: the latest of all their first dates.
    """
    if not isinstance(as_of, date):
        raise InputError("INVALID_DATE", f"as-of date {as_of!r} is not a date (YYYY-MM-DD)")
    openings = [("loan", loan.id, _opening_of(loan, loan_history))]
    openings += [("note", note.id, _opening_of(note, history)) for note, history in notes]
    known = [(kind, i, opened) for kind, i, opened in openings if opened is not None]
    later = [(kind, i, opened) for kind, i, opened in known if opened > as_of]
    if not later:
        return
    earliest = max(opened for _, _, opened in known)
    if len(known) == 1:
        raise accrual.before_history(later[0][0], later[0][1], later[0][2], as_of)
    raise InputError(
        "BEFORE_HISTORY",
        f"{as_of} is before the history of {_starting_later(later)}; the earliest date "
        f"allowed for loan {loan.id} with the notes it assigns is {earliest}",
    )


def _starting_later(later: Sequence[tuple[str, str, date]]) -> str:
    """Who starts later, by first date: loan L and notes A, B, which start on D; and of ..."""
    groups = []
    for opened in sorted({opened for _, _, opened in later}):
        loans = [i for kind, i, on in later if kind == "loan" and on == opened]
        notes = [i for kind, i, on in later if kind == "note" and on == opened]
        shown = ", ".join(notes[:IDS_NAMED_MAX])
        if len(notes) > IDS_NAMED_MAX:
            shown += f" and {len(notes) - IDS_NAMED_MAX} more"
        who = [f"loan {i}" for i in loans]
        if notes:
            who.append(("note " if len(notes) == 1 else "notes ") + shown)
        verb = "starts" if len(loans) + len(notes) == 1 else "start"
        groups.append(f"{' and '.join(who)}, which {verb} on {opened}")
    return "; and of ".join(groups)


def _later_event(instrument: Loan | Note, on: date) -> tuple[Event, Event] | None:
    """The first and the last of the instrument's events dated after `on`, if any."""
    later = [event for event in instrument.events if event.date > on]
    return (later[0], later[-1]) if later else None


def _backdated(kind: str, instrument_id: str, found: tuple[Event, Event], on: date) -> StateError:
    first, last = found
    return StateError(
        "BACKDATED_CLOSING",
        f"{kind} {instrument_id} has a {type(first).__name__} on {first.date}, after the "
        f"closing date {on}; quote and settle on or after {last.date}",
    )


def check_no_later_events(
    quote: Quote, notes: Mapping[str, Note], histories: Mapping[str, History] | None = None
) -> None:
    """Refuse a closing when a note it assigns has an event dated after the closing date.

    The note's position on the closing date ignores that event, but its books
    already carry it: closing then would invent accruals past it. A note's
    history (from snapshots), when given, says whether it has a later event
    without its events; the events are read only to name the one refused.
    (The loan's own later events are refused by `close`.)
    """
    for line in quote.collateral:
        found = _later_than(notes[line.note_id], (histories or {}).get(line.note_id), quote.as_of)
        if found is not None:
            raise _backdated("note", line.note_id, found, quote.as_of)


def _later_than(
    instrument: Loan | Note, history: History | None, on: date
) -> tuple[Event, Event] | None:
    """As `_later_event`, asking the history first: it knows the date of the last event."""
    if history is not None and history.latest.last_event_date <= on:
        return None
    found = _later_event(instrument, on)
    assert history is None or found is not None, f"{instrument.id}: later events not given"
    return found


def _assigned_note_ids(
    loan: Loan,
    notes: Mapping[str, Note],
    pledged: tuple[str, ...],
    note_ids: Sequence[str] | None,
) -> tuple[str, ...]:
    chosen = tuple(note_ids) if note_ids is not None else pledged
    if len(chosen) > NOTES_COUNT_MAX:
        raise InputError("TOO_MANY_NOTES", f"{len(chosen)} notes is above {NOTES_COUNT_MAX}")
    if len(set(chosen)) != len(chosen):
        raise InputError("DUPLICATE_NOTE", "a note is listed twice; list each note once")
    for note_id in chosen:
        if note_id not in notes:
            raise NotFoundError("UNKNOWN_NOTE", f"there is no note {note_id!r}; check the note id")
        if note_id not in pledged:
            raise StateError(
                "NOTE_NOT_PLEDGED",
                f"note {note_id} is not pledged to {loan.lender_id} to secure loan {loan.id}; "
                "only pledged notes can be assigned in satisfaction",
            )
    if not chosen:
        raise StateError(
            "NO_COLLATERAL",
            f"no notes are pledged to {loan.lender_id} for loan {loan.id}; "
            "pledge notes or name the notes to assign",
        )
    return chosen


def _check_note(loan: Loan, note: Note) -> None:
    if note.terms.currency != loan.terms.currency:
        raise InputError(
            "CURRENCY_MISMATCH",
            f"note {note.id} is in {note.terms.currency} and loan {loan.id} in "
            f"{loan.terms.currency}; a settlement sets off amounts of one currency only",
        )
    if note.holder_id != loan.borrower_id:
        raise StateError(
            "NOTE_NOT_HELD_BY_DEBTOR",
            f"note {note.id} is held by {note.holder_id}, not by {loan.borrower_id}, "
            f"the borrower of loan {loan.id}; the borrower can assign only its own notes",
        )


def _explicit_value(note_id: str, value: object) -> Decimal:
    amount = to_decimal(value, field=f"value of note {note_id}")
    if amount < 0:
        raise InputError(
            "NEGATIVE_AMOUNT", f"value {amount} of note {note_id} is negative; use 0 or more"
        )
    if amount != amount.quantize(CENT):
        raise InputError(
            "AMOUNT_NOT_IN_CENTS",
            f"value {amount} of note {note_id} has fractions of a cent; write it to the cent",
        )
    return amount


def _collateral_lines(
    loan: Loan,
    notes: Sequence[Note],
    as_of: date,
    values: Mapping[str, Decimal],
    histories: Mapping[str, History],
) -> tuple[tuple[CollateralLine, ...], tuple[Position, ...]]:
    unknown = sorted(set(values) - {note.id for note in notes})
    if unknown:
        raise InputError(
            "VALUE_FOR_UNASSIGNED_NOTE",
            f"a value is given for {', '.join(unknown)}, which is not assigned; "
            "give values only for the notes assigned",
        )
    lines: list[CollateralLine] = []
    note_positions: list[Position] = []
    for note in notes:
        _check_note(loan, note)
        held = histories.get(note.id) or accrual.history(note, as_of)
        note_position = position_of(held.state())
        carrying = note_position.total
        value = _explicit_value(note.id, values[note.id]) if note.id in values else carrying
        lines.append(
            CollateralLine(
                note_id=note.id,
                maker=note.maker,
                issue_date=note.issue_date,
                principal=note_position.principal,
                interest=note_position.interest,
                value=value,
            )
        )
        note_positions.append(note_position)
    return tuple(lines), tuple(note_positions)


def _balance(
    loan: Loan, owed: Decimal, value: Decimal, partial: bool
) -> tuple[CashLeg, Decimal, SatisfactionKind]:
    """The cash, the remaining debt and the kind of satisfaction that balance owed and value."""
    if partial:
        if value >= owed:
            raise InputError(
                "PARTIAL_NOT_NEEDED",
                f"the collateral value {value} covers the {owed} owed on loan {loan.id}; "
                "settle in full instead of partially",
            )
        return CashLeg(ZERO, None, None), owed - value, SatisfactionKind.PARTIAL
    if value < owed:
        cash = CashLeg(owed - value, loan.borrower_id, loan.lender_id)
    elif value > owed:
        cash = CashLeg(value - owed, loan.lender_id, loan.borrower_id)
    else:
        cash = CashLeg(ZERO, None, None)
    return cash, ZERO, SatisfactionKind.FULL


def _check_identity(quote: Quote) -> None:
    to_lender = quote.cash.amount if quote.cash.payee_id == quote.lender_id else ZERO
    to_borrower = quote.cash.amount if quote.cash.payee_id == quote.borrower_id else ZERO
    balanced = quote.collateral_value + to_lender - to_borrower + quote.remaining_debt
    if quote.owed_total != balanced:
        raise AssertionError(f"quote does not balance: {quote.owed_total} != {balanced}")
    if quote.cash.amount < 0:
        raise AssertionError(f"negative cash {quote.cash.amount}")


def quote(
    loan: Loan,
    notes: Mapping[str, Note],
    interests: Sequence[SecurityInterest],
    as_of: date,
    *,
    note_ids: Sequence[str] | None = None,
    values: Mapping[str, Decimal] | None = None,
    partial: bool = False,
    good_through: date | None = None,
    loan_history: History | None = None,
    note_histories: Mapping[str, History] | None = None,
) -> Quote:
    """What is owed on `loan` as of `as_of`, the notes assigned, and the cash that balances them.

    `note_ids` defaults to every note actively pledged to the lender for this
    loan; `values` defaults each note to its carrying amount (principal plus
    interest); `good_through` defaults to ten days after `as_of`. The
    histories, when given (from snapshots), stand in for the instruments'
    events, which then need not be loaded; each is walked once either way.
    """
    histories = dict(note_histories or {})
    for held in (loan_history, *histories.values()):
        assert held is None or held.as_of == as_of, "a history read for another date"
    _check_open(loan, loan_history)
    loan_held = loan_history or accrual.history(loan, as_of)
    pledged = ordered_pledged_note_ids(loan.id, interests, secured_party_id=loan.lender_id)
    candidates = [notes[i] for i in (note_ids if note_ids is not None else pledged) if i in notes]
    _check_dates(as_of, loan, loan_held, [(n, histories.get(n.id)) for n in candidates])
    loan_state = loan_held.state()
    loan_position = position_of(loan_state)
    owed = loan_position.total
    if owed <= 0:
        raise StateError(
            "NOTHING_OWED", f"loan {loan.id} owes nothing as of {as_of}; there is nothing to settle"
        )
    chosen = _assigned_note_ids(loan, notes, pledged, note_ids)
    explicit = dict(values or {})
    lines, note_positions = _collateral_lines(
        loan, [notes[i] for i in chosen], as_of, explicit, histories
    )
    cash, remaining, kind = _balance(loan, owed, sum((x.value for x in lines), ZERO), partial)
    through = good_through if good_through is not None else add_days(as_of, GOOD_THROUGH_DAYS)
    if through < as_of:
        raise InputError(
            "GOOD_THROUGH_BEFORE_AS_OF",
            f"good-through date {through} is before the quote date {as_of}; use a later date",
        )
    diem = per_diem_of(loan_state)
    result = Quote(
        loan_id=loan.id,
        lender_id=loan.lender_id,
        borrower_id=loan.borrower_id,
        as_of=as_of,
        currency=loan.terms.currency,
        owed_principal=loan_position.principal,
        owed_interest=loan_position.interest,
        owed_charges=loan_position.charges,
        per_diem=round_money(diem, rounding=loan.terms.rounding),
        good_through=through,
        collateral=lines,
        cash=cash,
        remaining_debt=remaining,
        satisfaction=kind,
        fingerprint=_fingerprint(
            loan,
            notes,
            interests,
            as_of,
            tuple(note_ids) if note_ids is not None else pledged,
            note_ids=note_ids,
            values=values,
            partial=partial,
            loan_history=loan_held,
            note_histories=histories,
        ),
        loan_position=loan_position,
        note_positions=note_positions,
        per_diem_exact=diem,
    )
    _check_identity(result)
    return result


def _check_closable(
    quote: Quote,
    settlement_id: str,
    current_fingerprint: str,
    loan: Loan,
    history: History | None,
) -> None:
    if not settlement_id.strip():
        raise InputError("MISSING_SETTLEMENT_ID", "a settlement needs an id; give one")
    if loan.id != quote.loan_id:
        raise InputError(
            "QUOTE_LOAN_MISMATCH", f"the quote is for loan {quote.loan_id}, not loan {loan.id}"
        )
    _check_open(loan, history)
    if current_fingerprint != quote.fingerprint:
        raise StateError(
            "STALE_QUOTE",
            f"loan {loan.id} or its collateral changed since the quote of {quote.as_of} was "
            "made; quote again",
        )
    found = _later_than(loan, history, quote.as_of)
    if found is not None:
        raise _backdated("loan", loan.id, found, quote.as_of)


def _check_loan_after(
    quote: Quote, loan: Loan, history: History | None, events: Sequence[Event]
) -> tuple[AccrualState, ...] | None:
    """Assert the pair: the loan's own accrual agrees the closing leaves the remaining debt.

    From the history on the closing date when given (no event after it, as
    `_check_closable` saw), else from the loan's events. Returns the walk from
    the history: the state after each of `events` (None when walked from the events).
    """
    walk: tuple[AccrualState, ...] | None = None
    if history is not None:
        state = history.state()
        walked = []
        for event in events:
            state = accrual.step(state, event)
            walked.append(state)
        walk = tuple(walked)
        after = position_of(accrual.advance(state, quote.as_of))
    else:
        after = accrual.position(
            dataclasses.replace(loan, events=(*loan.events, *events)), quote.as_of
        )
    if after.total != quote.remaining_debt:
        raise AssertionError(
            f"closing leaves {after.total} owed on loan {loan.id}, not {quote.remaining_debt}"
        )
    return walk


def _obligations(
    quote: Quote, settlement_id: str, released: Sequence[SecurityInterest]
) -> tuple[Obligation, ...]:
    due_termination = add_days(quote.as_of, TERMINATION_DUE_DAYS)
    obligations = [
        Obligation(
            id=f"{settlement_id}:termination:{statement.id}",
            kind=ObligationKind.TERMINATION_STATEMENT,
            settlement_id=settlement_id,
            party_id=interest.secured_party_id,
            description=(
                f"file a termination statement (UCC-3) for financing statement "
                f"{statement.file_number} with {statement.filing_office}"
            ),
            due=due_termination,
            financing_statement_id=statement.id,
        )
        for interest in released
        for statement in interest.financing_statements
        if statement.terminated_on is None
    ]
    if quote.cash.amount > 0 and quote.cash.payer_id is not None:
        obligations.append(
            Obligation(
                id=f"{settlement_id}:wire",
                kind=ObligationKind.WIRE,
                settlement_id=settlement_id,
                party_id=quote.cash.payer_id,
                description=f"wire {quote.cash.amount} {quote.currency} to {quote.cash.payee_id}",
                due=quote.as_of,
                amount=quote.cash.amount,
            )
        )
    return tuple(obligations)


def close_walked(
    quote: Quote,
    *,
    settlement_id: str,
    current_fingerprint: str,
    loan: Loan,
    interests: Sequence[SecurityInterest],
    loan_history: History | None = None,
) -> tuple[Closing, tuple[AccrualState, ...] | None]:
    """As `close`, and the loan's walk through the closing's events that checked them.

    The walk is the loan's accrual state after each of `Closing.loan_events`,
    stepped from `loan_history` on the quote date (None without a history: the
    check then walked the loan's events), so that a caller keeping snapshots
    need not walk them again.
    """
    _check_closable(quote, settlement_id, current_fingerprint, loan, loan_history)
    full = quote.satisfaction is SatisfactionKind.FULL
    events: list[Event] = [
        Satisfaction(quote.as_of, quote.owed_total - quote.remaining_debt, settlement_id)
    ]
    if full:
        events.append(Discharge(quote.as_of, settlement_id))
    walk = _check_loan_after(quote, loan, loan_history, events)
    return _effects(quote, settlement_id, loan, interests, tuple(events)), walk


def close(
    quote: Quote,
    *,
    settlement_id: str,
    current_fingerprint: str,
    loan: Loan,
    interests: Sequence[SecurityInterest],
    loan_history: History | None = None,
) -> Closing:
    """Every effect of closing `quote`, computed purely; refuses a stale quote.

    `loan_history`, the loan's history on the quote date (from snapshots, as
    `quote` takes it), stands in for the loan's events, which are then read
    only to name a later event that refuses the closing.

    On full satisfaction every active interest securing the loan is released
    and each of its open financing statements gets a termination obligation; on
    partial satisfaction the interests stay, because the pledge continues over
    the notes not assigned and secures the debt that remains; only the assigned
    notes leave it (they now belong to the secured party).
    """
    closing, _ = close_walked(
        quote,
        settlement_id=settlement_id,
        current_fingerprint=current_fingerprint,
        loan=loan,
        interests=interests,
        loan_history=loan_history,
    )
    return closing


def _effects(
    quote: Quote,
    settlement_id: str,
    loan: Loan,
    interests: Sequence[SecurityInterest],
    events: tuple[Event, ...],
) -> Closing:
    full = quote.satisfaction is SatisfactionKind.FULL
    released = [i for i in interests if i.active and i.loan_id == loan.id] if full else []
    transfers = tuple(
        NoteTransfer(line.note_id, quote.borrower_id, quote.lender_id, quote.as_of)
        for line in quote.collateral
    )
    assigned = {line.note_id for line in quote.collateral}
    released_pledges = tuple(
        (interest.id, note_id)
        for interest in interests
        if not full and interest.active and interest.loan_id == loan.id
        for note_id in interest.note_ids
        if note_id in assigned
    )
    return Closing(
        settlement_id=settlement_id,
        quote=quote,
        note_transfers=transfers,
        loan_events=events,
        released_interest_ids=tuple(interest.id for interest in released),
        obligations=_obligations(quote, settlement_id, released),
        released_pledges=released_pledges,
    )


def _long_decimal(value: Fraction) -> str:
    """An exact fraction as a decimal to 20 places, for people to read (display only).

    Written out in full: `str` would print a zero to 20 places as "0E-20".
    """
    return format(round_money(value, rounding="half-even", quantum=EXPLAIN_QUANTUM), "f")


def _explain_period(period: AccrualPeriod) -> dict[str, Any]:
    return {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "days": period.days,
        "day_count": period.day_count,
        "year_fraction": _canonical(period.year_fraction),
        "annual_rate": format(period.annual_rate, "f"),
        "principal": format(period.principal, "f"),
        "interest_exact": _canonical(period.interest),
        "interest_decimal": _long_decimal(period.interest),
        "default_interest": period.default,
    }


def _explain_position(held: Position) -> dict[str, Any]:
    periods_sum = sum((period.interest for period in held.periods), Fraction(0))
    default_sum = sum((period.interest for period in held.periods if period.default), Fraction(0))
    brought_forward = held.interest_exact - periods_sum
    return {
        "instrument_id": held.instrument_id,
        "as_of": held.as_of.isoformat(),
        "currency": held.currency,
        "principal": amount_text(held.principal),
        "periods": [_explain_period(period) for period in held.periods],
        "periods_interest_exact": _canonical(periods_sum),
        "periods_interest_decimal": _long_decimal(periods_sum),
        # Of the periods' interest, what accrued at a default rate (DefaultRate).
        "default_interest_exact": _canonical(default_sum),
        "default_interest_decimal": _long_decimal(default_sum),
        # Opening interest, less interest paid or capitalised before the quote date.
        "interest_brought_forward_exact": _canonical(brought_forward),
        "interest_brought_forward_decimal": _long_decimal(brought_forward),
        "interest_exact": _canonical(held.interest_exact),
        "rounding": {
            "mode": held.rounding,
            "exact": _long_decimal(held.interest_exact),
            "cents": amount_text(held.interest),
        },
        "interest": amount_text(held.interest),
        "charges": amount_text(held.charges),
        "total": amount_text(held.total),
    }


def _explain_cash(quote: Quote) -> dict[str, Any]:
    return {
        "owed_total": amount_text(quote.owed_total),
        "collateral_carrying_amount": amount_text(quote.collateral_carrying_amount),
        "collateral_value": amount_text(quote.collateral_value),
        "gain_or_loss": {line.note_id: amount_text(line.gain_or_loss) for line in quote.collateral},
        "difference": amount_text(quote.owed_total - quote.collateral_value),
        "satisfaction": quote.satisfaction.value,
        "cash": {
            "amount": amount_text(quote.cash.amount),
            "payer": quote.cash.payer_id,
            "payee": quote.cash.payee_id,
        },
        "remaining_debt": amount_text(quote.remaining_debt),
        "identity": "owed = collateral value + cash to lender - cash to borrower + remaining debt",
    }


def _interest_to_good_through(quote: Quote, days_held: int) -> str | None:
    """The per diem's exact figure times the days held, rounded once (None without it)."""
    if quote.per_diem_exact is None:
        return None
    exact = quote.per_diem_exact * days_held
    return amount_text(round_money(exact, rounding=quote.loan_position.rounding))


def explain(quote: Quote) -> dict[str, Any]:
    """The working behind a quote, JSON-ready, so that an auditor can redo it by hand."""
    days_held = (quote.good_through - quote.as_of).days
    return {
        "loan_id": quote.loan_id,
        "as_of": quote.as_of.isoformat(),
        "currency": quote.currency,
        "loan": _explain_position(quote.loan_position),
        "notes": [_explain_position(held) for held in quote.note_positions],
        "per_diem": {
            "amount": amount_text(quote.per_diem),
            "rule": "one day of the loan's day-count year at the quote date's principal and rate",
            "good_through": quote.good_through.isoformat(),
            "days": days_held,
            "exact": _canonical(quote.per_diem_exact),
            "interest_to_good_through": _interest_to_good_through(quote, days_held),
        },
        "cash": _explain_cash(quote),
        "fingerprint": quote.fingerprint,
    }

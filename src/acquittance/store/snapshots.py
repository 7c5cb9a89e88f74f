"""Position snapshots: pure conversions between table rows and the accrual state they keep.

A snapshot is a cache derived from an instrument's events: the walk through
its history after an event (see `acquittance.core.accrual.AccrualState`) and
what its holder's books carry then. Written with the events, read instead of
walking them again; never the truth. The repository decides what to load;
this module only maps.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final

from acquittance.core.accrual import AccrualState, check_state
from acquittance.core.instruments import Loan, Note

#: How many instruments one snapshot query asks about (SQLite allows 500 terms in a UNION).
INSTRUMENTS_PER_QUERY_MAX: Final = 200


@dataclass(frozen=True)
class SnapshotDraft:
    """A snapshot to store: the walk after an event, and what the holder's books carry."""

    state: AccrualState
    booked_principal: Decimal
    booked_interest: Decimal
    booked_by: str | None  # a note's holder; None for a loan (booked by lender and borrower)


@dataclass(frozen=True)
class StoredSnapshot:
    """A snapshot as stored: its number among the instrument's snapshots, and its content."""

    sequence: int
    state: AccrualState
    booked_principal: Decimal
    booked_interest: Decimal
    booked_by: str | None


def instrument_kind(instrument: Loan | Note) -> str:
    return "loan" if isinstance(instrument, Loan) else "note"


def snapshot_columns(draft: SnapshotDraft, *, sequence: int) -> dict[str, Any]:
    """The columns of one snapshot row."""
    state = draft.state
    check_state(state)
    exact = state.interest_closed
    return {
        "instrument_kind": state.kind,
        "instrument_id": state.instrument_id,
        "sequence": sequence,
        "events_count": state.events_count,
        "events_digest": state.events_digest,
        "as_of": state.as_of,
        "opening": state.opening,
        "opened_by": state.opened_by,
        "last_event_date": state.last_event_date,
        "last_event_kind": state.last_event_kind,
        "principal": state.principal,
        "annual_rate": state.annual_rate,
        "period_start": state.period_start,
        "interest_exact": f"{exact.numerator}/{exact.denominator}",
        "capitalisations_count": state.capitalisations_count,
        "discharged_on": state.discharged_on,
        "booked_principal": draft.booked_principal,
        "booked_interest": draft.booked_interest,
        "booked_by": draft.booked_by,
        "charges": state.charges,
        "default_since": state.default_since,
    }


def snapshot_from_row(row: Any, instrument: Loan | Note) -> StoredSnapshot:
    """A stored snapshot of `instrument` (whose terms the state needs) from its row.

    `row` is an ORM row or a Core result row: anything with the columns as attributes.
    """
    kind = instrument_kind(instrument)
    assert (row.instrument_kind, row.instrument_id) == (kind, instrument.id), "another instrument"
    state = AccrualState(
        instrument_id=instrument.id,
        kind=kind,
        terms=instrument.terms,
        opening=row.opening,
        as_of=row.as_of,
        principal=row.principal,
        annual_rate=row.annual_rate,
        period_start=row.period_start,
        interest_closed=Fraction(row.interest_exact),
        capitalisations_count=row.capitalisations_count,
        discharged_on=row.discharged_on,
        events_count=row.events_count,
        last_event_date=row.last_event_date,
        last_event_kind=row.last_event_kind,
        opened_by=row.opened_by,
        events_digest=row.events_digest,
        charges=row.charges,
        default_since=row.default_since,
    )
    # Checked where it is written and again where it is read back.
    check_state(state)
    return StoredSnapshot(
        sequence=row.sequence,
        state=state,
        booked_principal=row.booked_principal,
        booked_interest=row.booked_interest,
        booked_by=row.booked_by,
    )


#: The columns `snapshot_from_values` reads, in its order (prebuilt statements select these).
SNAPSHOT_COLUMNS: Final = (
    "instrument_kind",
    "instrument_id",
    "sequence",
    "events_count",
    "events_digest",
    "as_of",
    "opening",
    "opened_by",
    "last_event_date",
    "last_event_kind",
    "principal",
    "annual_rate",
    "period_start",
    "interest_exact",
    "capitalisations_count",
    "discharged_on",
    "booked_principal",
    "booked_interest",
    "booked_by",
    "charges",
    "default_since",
)


def snapshot_from_values(values: Sequence[Any], instrument: Loan | Note) -> StoredSnapshot:
    """As `snapshot_from_row`, from the driver's values of `SNAPSHOT_COLUMNS`, in that order."""
    (kind, instrument_id, sequence, events_count, digest, as_of, opening, opened_by) = values[:8]
    (last_date, last_kind, principal, rate, period_start, exact, capitalised) = values[8:15]
    (discharged_on, booked_principal, booked_interest, booked_by) = values[15:19]
    (charges, default_since) = values[19:21]
    assert (kind, instrument_id) == (instrument_kind(instrument), instrument.id), "another one"
    state = AccrualState(
        instrument_id=instrument.id,
        kind=kind,
        terms=instrument.terms,
        opening=_day(opening),
        as_of=_day(as_of),
        principal=Decimal(principal),
        annual_rate=Decimal(rate),
        period_start=_day(period_start),
        interest_closed=_fraction(exact),
        capitalisations_count=capitalised,
        discharged_on=None if discharged_on is None else _day(discharged_on),
        events_count=events_count,
        last_event_date=_day(last_date),
        last_event_kind=last_kind,
        opened_by=opened_by,
        events_digest=digest,
        charges=Decimal(charges),
        default_since=None if default_since is None else _day(default_since),
    )
    check_state(state)
    return StoredSnapshot(
        sequence=sequence,
        state=state,
        booked_principal=Decimal(booked_principal),
        booked_interest=Decimal(booked_interest),
        booked_by=booked_by,
    )


def snapshot_values(
    draft: SnapshotDraft, *, sequence: int, day: Any, money: Any
) -> tuple[Any, ...]:
    """One snapshot row as the driver writes it, in `SNAPSHOT_COLUMNS` order.

    `day` and `money` convert dates and amounts for the store (see `store.driver`).
    """
    state = draft.state
    check_state(state)
    exact = state.interest_closed
    return (
        state.kind,
        state.instrument_id,
        sequence,
        state.events_count,
        state.events_digest,
        day(state.as_of),
        day(state.opening),
        state.opened_by,
        day(state.last_event_date),
        state.last_event_kind,
        money(state.principal),
        money(state.annual_rate),
        day(state.period_start),
        f"{exact.numerator}/{exact.denominator}",
        state.capitalisations_count,
        day(state.discharged_on),
        money(draft.booked_principal),
        money(draft.booked_interest),
        draft.booked_by,
        money(state.charges),
        day(state.default_since),
    )


def _fraction(text: str) -> Fraction:
    """An exact fraction as stored ("numerator/denominator"): `Fraction(text)`, parsed directly."""
    numerator, slash, denominator = text.partition("/")
    digits = numerator[1:] if numerator[:1] == "-" else numerator
    if slash and _DIGITS.fullmatch(digits) and _DIGITS.fullmatch(denominator):
        return Fraction(int(numerator), int(denominator))
    return Fraction(text)


_DIGITS: Final = re.compile(r"[0-9]+")


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)

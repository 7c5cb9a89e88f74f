"""Parties, loans and notes, and the append-only events that are their truth.

Records are frozen values. A loan or note carries its terms and its events in
date order; its position on any date is derived from them (see `accrual`),
never stored. A change is a new value (`dataclasses.replace`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import TypeAlias

from acquittance.core.money import DEFAULT_ROUNDING


@dataclass(frozen=True)
class Signatory:
    """A person who signs for a party."""

    name: str
    title: str


@dataclass(frozen=True)
class Party:
    """A legal entity that lends, borrows or holds notes."""

    id: str
    name: str
    entity_type: str  # "limited liability company", "corporation", ...
    jurisdiction: str  # "California", "Delaware", ...
    short_name: str  # the defined name in agreements: "Berg"
    signatories: tuple[Signatory, ...] = ()


class Compounding(StrEnum):
    """How unpaid interest earns interest: never, or capitalised monthly or annually."""

    SIMPLE = "simple"
    MONTHLY = "monthly"
    ANNUAL = "annual"


@dataclass(frozen=True)
class Terms:
    """An instrument's interest terms; payments go to interest first, then principal."""

    annual_rate: Decimal
    day_count: str
    currency: str
    compounding: Compounding = Compounding.SIMPLE
    rounding: str = DEFAULT_ROUNDING


@dataclass(frozen=True)
class OpeningBalance:
    """The balance as of a date, for history that predates the books."""

    date: date
    principal: Decimal
    interest: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class Advance:
    """Principal lent (loan) or added (note) on a date."""

    date: date
    amount: Decimal


@dataclass(frozen=True)
class Payment:
    """Cash paid toward the instrument: to accrued interest first, then principal."""

    date: date
    amount: Decimal


@dataclass(frozen=True)
class RateChange:
    """The annual rate from this date on."""

    date: date
    annual_rate: Decimal


@dataclass(frozen=True)
class Satisfaction:
    """Value applied to the debt by a settlement: to interest first, then principal."""

    date: date
    amount: Decimal
    settlement_id: str


@dataclass(frozen=True)
class Discharge:
    """The loan is paid in full and discharged; its agreement is terminated."""

    date: date
    settlement_id: str


@dataclass(frozen=True)
class Reversal:
    """An earlier event of the same instrument, by its number, undone from this date on.

    Recorded as a new event, never by deleting the one it reverses: the
    instrument's history is then read without either (see
    `acquittance.core.lifecycle.effective_events`).
    """

    date: date
    reverses: int  # the number (sequence) of the event it reverses
    reason: str


@dataclass(frozen=True)
class InterestAccrual:
    """An accrual run's posting point: the interest accrued to this date is booked.

    It changes no figure of the instrument (the accrual period is not split at
    it, so a position is the same with or without it); it only moves what the
    books carry, as a payment does, so that later postings start from there.
    """

    date: date


@dataclass(frozen=True)
class Charge:
    """A fee charged to the borrower on a date (a loan's): owed until paid, before interest."""

    date: date
    amount: Decimal


@dataclass(frozen=True)
class LateCharge(Charge):
    """A penalty for a scheduled payment not made in time, assessed by the deal's rule.

    `due` is the due date of the payment it is for: each is charged once.
    """

    due: date


@dataclass(frozen=True)
class DefaultRate:
    """The default rate from this date on: interest accrued at it is default interest.

    Distinct from `RateChange` so that the periods it governs are shown as
    default interest; a later `DefaultRate` changes the default rate.
    """

    date: date
    annual_rate: Decimal


Event: TypeAlias = (
    OpeningBalance
    | Advance
    | Payment
    | RateChange
    | Satisfaction
    | Discharge
    | InterestAccrual
    | Charge
    | DefaultRate
)
#: What an instrument's stored log holds: its events, and reversals of some of them.
LoggedEvent: TypeAlias = Event | Reversal
EVENT_KINDS: dict[type, str] = {
    OpeningBalance: "opening",
    Advance: "advance",
    Payment: "payment",
    RateChange: "rate_change",
    Satisfaction: "satisfaction",
    Discharge: "discharge",
    Reversal: "reversal",
    InterestAccrual: "accrual",
    Charge: "charge",
    LateCharge: "late_charge",
    DefaultRate: "default_rate",
}


@dataclass(frozen=True)
class Loan:
    """A loan agreement between a lender and a borrower."""

    id: str
    lender_id: str
    borrower_id: str
    terms: Terms
    events: tuple[Event, ...] = ()
    agreement_name: str = "Loan Agreement"
    agreement_date: date | None = None
    governing_law: str = ""  # the jurisdiction whose law governs the loan and its settlement
    level_payment: LevelPayment | None = None  # the scheduled payments, where there are any
    late_charge: LateChargeRule | None = None  # what a missed scheduled payment costs

    @property
    def discharged_on(self) -> date | None:
        for event in self.events:
            if isinstance(event, Discharge):
                return event.date
        return None


@dataclass(frozen=True)
class LevelPayment:
    """A level monthly payment schedule (a mortgage note's): amount, first due date, count."""

    amount: Decimal
    first_due: date
    count: int


@dataclass(frozen=True)
class Note:
    """A promissory note receivable (for example a mortgage note), held by one party."""

    id: str
    maker: str  # the obligor's name; makers of mortgage notes are rarely parties here
    holder_id: str
    terms: Terms
    events: tuple[Event, ...] = ()
    kind: str = "mortgage"
    issue_date: date | None = None
    maturity_date: date | None = None
    original_principal: Decimal | None = None
    level_payment: LevelPayment | None = None
    description: str = ""


Instrument: TypeAlias = Loan | Note


@dataclass(frozen=True)
class LateChargeRule:
    """A late charge after `grace_days`: `percent` of the payment missed, a flat `amount`,
    or the greater of the two when both are given.

    `percent` is a fraction (0.05 for 5%); `core.charges` checks and applies the rule.
    """

    grace_days: int
    percent: Decimal | None = None
    amount: Decimal | None = None


@dataclass(frozen=True)
class AccrualPeriod:
    """One stretch of accrual at a constant principal and rate: the working an auditor checks."""

    start: date
    end: date
    principal: Decimal
    annual_rate: Decimal
    day_count: str
    days: int
    year_fraction: Fraction
    interest: Fraction  # exact
    default: bool = False  # accrued at a default rate (see `DefaultRate`)


@dataclass(frozen=True)
class Position:
    """Principal and accrued unpaid interest of an instrument as of a date, derived.

    `interest_exact` is carried unrounded; `interest` is it rounded once, under
    the instrument's rounding mode, for reports and postings.
    """

    instrument_id: str
    as_of: date
    currency: str
    principal: Decimal
    interest: Decimal
    interest_exact: Fraction = field(compare=False)
    periods: tuple[AccrualPeriod, ...] = field(default=(), compare=False)
    rounding: str = field(default=DEFAULT_ROUNDING, compare=False)  # the mode `interest` used
    charges: Decimal = Decimal("0.00")  # fees and late charges charged and not yet paid

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.charges

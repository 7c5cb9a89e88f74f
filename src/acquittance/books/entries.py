"""Journal entries: signed legs (debit positive), drafts, and the balance rule.

An entry is balanced or it is rejected. The rule is checked twice, as a pair:
`check_balanced` before a draft is sealed into the journal, and `check_journal`
when entries are read back, so that a row edited in the store is refused on the
way out as well as on the way in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Final

from acquittance.books.accounts import check_account_name
from acquittance.core.errors import InputError, StateError
from acquittance.core.money import CENT, check_currency, format_amount, to_decimal


class EntryKind(StrEnum):
    """Why an entry exists; every entry records one."""

    OPENING = "opening"
    ADVANCE = "advance"
    PAYMENT = "payment"
    ACCRUAL = "accrual"
    SETTLEMENT = "settlement"
    REVERSAL = "reversal"
    CHARGE = "charge"


#: Bounds on what one entry may hold: past them is a clear error, not a slow death.
LEGS_MAX: Final = 64
DESCRIPTION_LENGTH_MAX: Final = 500
#: Larger than any single loan we book by orders of magnitude, and well inside
#: Decimal's default 28-digit precision, so sums of legs stay exact.
AMOUNT_ABS_MAX: Final = Decimal("1000000000000000.00")

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Leg:
    """One line of an entry: an account, a signed amount (debit positive), a currency."""

    account: str
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        # Refuse floats at construction: a leg is money, and money is never a float.
        if not isinstance(self.amount, Decimal):
            object.__setattr__(self, "amount", to_decimal(self.amount, field="leg amount"))

    @property
    def is_debit(self) -> bool:
        return self.amount > 0


@dataclass(frozen=True)
class EntryDraft:
    """A proposed journal entry for one party's book, not yet in the journal."""

    party_id: str
    date: date
    kind: EntryKind
    description: str
    legs: tuple[Leg, ...]
    reference: str | None = None  # the record it comes from: loan, note or settlement id

    @property
    def chain(self) -> str:
        """The chain the entry joins in its party's journal: the record it is about."""
        return self.reference or ""

    def __post_init__(self) -> None:
        # Accept the plain string of a kind ("settlement") as stores and JSON give it.
        if not isinstance(self.kind, EntryKind):
            object.__setattr__(self, "kind", _entry_kind(self.kind))
        if not isinstance(self.legs, tuple):
            object.__setattr__(self, "legs", tuple(self.legs))


@dataclass(frozen=True)
class JournalEntry:
    """A sealed entry: a draft with its id, its place in its chain and its hash.

    A party's journal is several chains, one per record the entries are about
    (`chain` is the loan, note or settlement id), so that closings of unrelated
    loans never append to the same chain. `chain` is empty only for entries
    sealed before chains were kept per record: those form one chain per party.
    """

    id: str
    sequence: int  # per chain, from 1, without gaps
    party_id: str
    date: date
    kind: EntryKind
    description: str
    legs: tuple[Leg, ...]
    reference: str | None
    previous_hash: str
    hash: str
    chain: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.kind, EntryKind):
            object.__setattr__(self, "kind", _entry_kind(self.kind))
        if not isinstance(self.legs, tuple):
            object.__setattr__(self, "legs", tuple(self.legs))

    @property
    def draft(self) -> EntryDraft:
        return EntryDraft(
            party_id=self.party_id,
            date=self.date,
            kind=self.kind,
            description=self.description,
            legs=self.legs,
            reference=self.reference,
        )


def _entry_kind(value: object) -> EntryKind:
    try:
        return EntryKind(str(value))
    except ValueError:
        known = ", ".join(kind.value for kind in EntryKind)
        raise InputError(
            "UNKNOWN_ENTRY_KIND", f"entry kind {value!r} is not known; use one of {known}"
        ) from None


def check_balanced(draft: EntryDraft) -> None:
    """Refuse a draft that is not a well-formed, balanced entry; return None when it is.

    Checks, each with its own code so that a failure says which part broke:
    at least two legs (EMPTY_ENTRY), no more than LEGS_MAX (TOO_MANY_LEGS), a
    single-line description (INVALID_DESCRIPTION), valid account names and
    currencies, no zero leg (ZERO_LEG), amounts in whole cents
    (AMOUNT_NOT_IN_CENTS) and within bounds (AMOUNT_TOO_LARGE), and legs that
    sum to exactly zero in every currency (UNBALANCED_ENTRY).
    """
    _check_shape(draft)
    legs = draft.legs
    for leg in legs:
        _check_leg(leg)
    currency = legs[0].currency
    if all(leg.currency == currency for leg in legs):
        # One currency (every entry the rules make): its sum, as `leg_sums` adds it.
        total = Decimal("0.00")
        for leg in legs:
            total += leg.amount
        if total != 0:
            _refuse_unbalanced(draft, currency, total)
        return
    _check_sums(draft)


def _check_shape(draft: EntryDraft) -> None:
    if len(draft.legs) < 2:
        raise InputError(
            "EMPTY_ENTRY",
            f"entry {draft.description!r} has {len(draft.legs)} leg(s); a journal entry "
            "needs at least one debit and one credit",
        )
    if len(draft.legs) > LEGS_MAX:
        raise InputError(
            "TOO_MANY_LEGS",
            f"entry {draft.description!r} has {len(draft.legs)} legs; at most {LEGS_MAX} "
            "are allowed, split it into several entries",
        )
    description = draft.description
    if not description.strip() or _CONTROL.search(description):
        raise InputError(
            "INVALID_DESCRIPTION",
            f"entry description {description!r} must be one line of text, not empty",
        )
    if len(description) > DESCRIPTION_LENGTH_MAX:
        raise InputError(
            "INVALID_DESCRIPTION",
            f"entry description is {len(description)} characters long; "
            f"at most {DESCRIPTION_LENGTH_MAX} are allowed",
        )
    if not draft.party_id:
        raise InputError("INVALID_ENTRY", "an entry must name the party whose book it is in")


def _check_leg(leg: Leg) -> None:
    check_account_name(leg.account)
    check_currency(leg.currency)
    if leg.amount == 0:
        raise InputError(
            "ZERO_LEG", f"leg {leg.account} is zero; leave it out instead of posting nothing"
        )
    if leg.amount != leg.amount.quantize(CENT):
        raise InputError(
            "AMOUNT_NOT_IN_CENTS",
            f"leg {leg.account} amount {leg.amount} is not in whole cents; "
            "round it once, at the documented rounding point, before posting",
        )
    if abs(leg.amount) > AMOUNT_ABS_MAX:
        raise InputError(
            "AMOUNT_TOO_LARGE",
            f"leg {leg.account} amount {leg.amount} is beyond the bound of "
            f"{format_amount(AMOUNT_ABS_MAX)}",
        )


def _check_sums(draft: EntryDraft) -> None:
    for currency, total in sorted(leg_sums(draft.legs).items()):
        if total != 0:
            _refuse_unbalanced(draft, currency, total)


def _refuse_unbalanced(draft: EntryDraft, currency: str, total: Decimal) -> None:
    side = "debits exceed credits" if total > 0 else "credits exceed debits"
    raise InputError(
        "UNBALANCED_ENTRY",
        f"entry {draft.description!r} does not balance in {currency}: {side} by "
        f"{format_amount(abs(total))}; every entry's legs must sum to zero",
    )


def leg_sums(legs: Iterable[Leg]) -> dict[str, Decimal]:
    """The signed sum of legs per currency (zero in each for a balanced entry)."""
    totals: dict[str, Decimal] = {}
    for leg in legs:
        totals[leg.currency] = totals.get(leg.currency, Decimal("0.00")) + leg.amount
    return totals


def check_journal(entries: Iterable[JournalEntry]) -> None:
    """Assert, on read-back, that every stored entry is still well formed and balanced.

    An entry that fails here was balanced when it was sealed, so the store was
    changed behind the journal's back: that is a state error (CORRUPT_JOURNAL)
    naming the entry, not an input error.
    """
    for entry in entries:
        try:
            check_balanced(entry.draft)
        except InputError as error:
            raise StateError(
                "CORRUPT_JOURNAL",
                f"journal entry {entry.id} (party {entry.party_id}, sequence {entry.sequence}) "
                f"fails the balance check on read-back: {error.message}; run `acquittance "
                "verify` and restore the journal from a backup",
            ) from error

"""The facts a settlement agreement states, gathered from a quote: pure, no I/O.

`build_context` is the one place where a `Quote` and the records around it
become the figures, names and dates the templates print. It checks what the
agreement would otherwise state wrongly (a party missing, a quote whose figures
do not balance) and refuses with a stable code rather than draft a false
document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Final

from acquittance.core.errors import InputError, NotFoundError
from acquittance.core.instruments import Loan, Note, Party, Signatory
from acquittance.core.money import ZERO
from acquittance.core.settlement_types import CollateralLine, Quote, SatisfactionKind

#: The most notes one Exhibit A lists; a larger schedule belongs in a separate document.
NOTES_COUNT_MAX: Final = 1000

DEFAULT_TITLE: Final = "Letter Agreement and Release"


class CashDirection(StrEnum):
    """Which way the balancing cash moves, named for the agreement's parties."""

    NONE = "none"
    TO_LENDER = "to_lender"  # the debtor tops up collateral worth less than the debt
    TO_BORROWER = "to_borrower"  # the secured party returns a surplus


@dataclass(frozen=True)
class NoteRow:
    """One note assigned, as Exhibit A lists it."""

    note_id: str
    maker: str
    issue_date: date | None
    principal: Decimal
    interest: Decimal
    value: Decimal

    @property
    def total(self) -> Decimal:
        """Principal plus accrued interest: the note's carrying amount."""
        return self.principal + self.interest


@dataclass(frozen=True)
class DraftContext:
    """Everything a settlement agreement states; the templates see only this."""

    title: str
    effective_date: date
    currency: str
    governing_law: str
    lender: Party
    borrower: Party
    loan_agreement_name: str
    loan_agreement_date: date | None
    satisfaction: SatisfactionKind
    owed_principal: Decimal
    owed_interest: Decimal
    collateral_principal: Decimal
    collateral_interest: Decimal
    collateral_value: Decimal
    cash_amount: Decimal
    cash_direction: CashDirection
    remaining_debt: Decimal
    notes: tuple[NoteRow, ...]
    notes_description: str  # "mortgage notes receivable"
    amounts_in_words: bool = False

    @property
    def owed_total(self) -> Decimal:
        return self.owed_principal + self.owed_interest

    @property
    def collateral_carrying_amount(self) -> Decimal:
        return self.collateral_principal + self.collateral_interest

    @property
    def value_differs(self) -> bool:
        """True when the notes are taken at an agreed value other than their carrying amount."""
        return self.collateral_value != self.collateral_carrying_amount

    @property
    def satisfied_amount(self) -> Decimal:
        """How much of the debt this settlement satisfies."""
        return self.owed_total - self.remaining_debt

    @property
    def cash_payer(self) -> Party | None:
        return _cash_parties(self)[0]

    @property
    def cash_payee(self) -> Party | None:
        return _cash_parties(self)[1]

    @property
    def signatories(self) -> tuple[tuple[Party, tuple[Signatory, ...]], ...]:
        """Each party with the people who sign for it, lender first as in the reference."""
        return ((self.lender, self.lender.signatories), (self.borrower, self.borrower.signatories))


def _cash_parties(context: DraftContext) -> tuple[Party | None, Party | None]:
    if context.cash_direction is CashDirection.TO_LENDER:
        return context.borrower, context.lender
    if context.cash_direction is CashDirection.TO_BORROWER:
        return context.lender, context.borrower
    return None, None


def build_context(
    quote: Quote,
    *,
    parties: Mapping[str, Party],
    loan: Loan,
    notes: Mapping[str, Note],
    governing_law: str,
    title: str = DEFAULT_TITLE,
    amounts_in_words: bool = False,
) -> DraftContext:
    """The drafting context of a quote: parties, loan agreement, every figure, each note."""
    _check_quote(quote, loan=loan)
    lender = _party(parties, quote.lender_id, role="lender")
    borrower = _party(parties, quote.borrower_id, role="borrower")
    return DraftContext(
        title=_required_text(title, field="title"),
        effective_date=quote.as_of,
        currency=quote.currency,
        governing_law=_required_text(governing_law, field="governing law"),
        lender=lender,
        borrower=borrower,
        loan_agreement_name=loan.agreement_name,
        loan_agreement_date=loan.agreement_date,
        satisfaction=quote.satisfaction,
        owed_principal=quote.owed_principal,
        owed_interest=quote.owed_interest,
        collateral_principal=quote.collateral_principal,
        collateral_interest=quote.collateral_interest,
        collateral_value=quote.collateral_value,
        cash_amount=quote.cash.amount,
        cash_direction=_cash_direction(quote),
        remaining_debt=quote.remaining_debt,
        notes=tuple(_note_row(line, notes.get(line.note_id)) for line in quote.collateral),
        notes_description=_notes_description(quote.collateral, notes),
        amounts_in_words=amounts_in_words,
    )


def _check_quote(quote: Quote, *, loan: Loan) -> None:
    """Refuse a quote the agreement could only misstate."""
    if loan.id != quote.loan_id:
        raise InputError(
            "LOAN_MISMATCH", f"the quote is for loan {quote.loan_id!r}, not {loan.id!r}"
        )
    if not quote.collateral:
        raise InputError("NO_COLLATERAL", "the quote assigns no notes; there is nothing to draft")
    if len(quote.collateral) > NOTES_COUNT_MAX:
        raise InputError(
            "TOO_MANY_NOTES",
            f"the quote assigns {len(quote.collateral)} notes; Exhibit A lists at most "
            f"{NOTES_COUNT_MAX}",
        )
    _check_amounts_not_negative(quote)
    _check_balanced(quote)
    _check_satisfaction(quote)


def _check_amounts_not_negative(quote: Quote) -> None:
    figures = {
        "owed principal": quote.owed_principal,
        "owed interest": quote.owed_interest,
        "cash amount": quote.cash.amount,
        "remaining debt": quote.remaining_debt,
    }
    for line in quote.collateral:
        figures[f"note {line.note_id} principal"] = line.principal
        figures[f"note {line.note_id} interest"] = line.interest
        figures[f"note {line.note_id} value"] = line.value
    for name, amount in figures.items():
        if amount < ZERO:
            raise InputError("NEGATIVE_AMOUNT", f"the quote's {name} is negative ({amount})")


def _check_balanced(quote: Quote) -> None:
    # The identity the reader reconciles; an agreement that breaks it must not be drafted.
    direction = _cash_direction(quote)
    cash_in = quote.cash.amount if direction is CashDirection.TO_LENDER else ZERO
    cash_out = quote.cash.amount if direction is CashDirection.TO_BORROWER else ZERO
    satisfied = quote.collateral_value + cash_in - cash_out + quote.remaining_debt
    if satisfied != quote.owed_total:
        raise InputError(
            "QUOTE_UNBALANCED",
            f"the quote's debt {quote.owed_total} does not equal collateral value "
            f"{quote.collateral_value} plus cash {cash_in} less cash {cash_out} plus remaining "
            f"debt {quote.remaining_debt}; quote the loan again",
        )


def _check_satisfaction(quote: Quote) -> None:
    full = quote.satisfaction is SatisfactionKind.FULL
    if full and quote.remaining_debt != ZERO:
        raise InputError(
            "SATISFACTION_MISMATCH",
            f"a full satisfaction leaves no debt, but the quote leaves {quote.remaining_debt}",
        )
    if not full and quote.remaining_debt == ZERO:
        raise InputError(
            "SATISFACTION_MISMATCH", "a partial satisfaction must leave some debt outstanding"
        )


def _cash_direction(quote: Quote) -> CashDirection:
    cash = quote.cash
    if cash.amount == ZERO:
        return CashDirection.NONE
    if (cash.payer_id, cash.payee_id) == (quote.borrower_id, quote.lender_id):
        return CashDirection.TO_LENDER
    if (cash.payer_id, cash.payee_id) == (quote.lender_id, quote.borrower_id):
        return CashDirection.TO_BORROWER
    raise InputError(
        "CASH_PARTIES_MISMATCH",
        f"the quote's cash moves from {cash.payer_id!r} to {cash.payee_id!r}; it must move "
        f"between the lender {quote.lender_id!r} and the borrower {quote.borrower_id!r}",
    )


def _party(parties: Mapping[str, Party], party_id: str, *, role: str) -> Party:
    if party_id not in parties:
        raise NotFoundError(
            "PARTY_NOT_FOUND", f"the {role} {party_id!r} is not among the parties given"
        )
    return parties[party_id]


def _note_row(line: CollateralLine, note: Note | None) -> NoteRow:
    # The quote's line is the truth for figures; the note record only fills a missing date.
    issue_date = line.issue_date
    if issue_date is None and note is not None:
        issue_date = note.issue_date
    return NoteRow(
        note_id=line.note_id,
        maker=line.maker,
        issue_date=issue_date,
        principal=line.principal,
        interest=line.interest,
        value=line.value,
    )


def _notes_description(lines: tuple[CollateralLine, ...], notes: Mapping[str, Note]) -> str:
    """'mortgage notes receivable' when every note is of one kind, else 'notes receivable'."""
    kinds = {notes[line.note_id].kind for line in lines if line.note_id in notes}
    if len(kinds) == 1:
        (kind,) = kinds
        if kind and kind != "note":
            return f"{kind} notes receivable"
    return "notes receivable"


def _required_text(value: str, *, field: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise InputError("MISSING_TEXT", f"the agreement's {field} is empty; give one")
    return text

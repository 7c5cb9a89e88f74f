"""The facts a settlement agreement states, gathered from a quote: pure, no I/O.

`build_context` is the one place where a `Quote` and the records around it
become the figures, names and dates the templates print. It checks what the
agreement would otherwise state wrongly (a party missing, a quote whose figures
do not balance) and refuses with a stable code rather than draft a false
document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
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
    """One note assigned, as Exhibit A lists it: what identifies it, and its figures.

    A field the records do not have is None, and the agreement prints a visible
    placeholder for it: nothing is ever filled in by guess.
    """

    note_id: str
    maker: str | None
    holder: str | None  # the assignor, who holds the note until the settlement
    issue_date: date | None
    maturity_date: date | None
    original_principal: Decimal | None
    recording: str | None  # where the note or its mortgage is recorded; no record has it yet
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
    owed_charges: Decimal = Decimal("0.00")  # fees and late charges unpaid

    @property
    def owed_total(self) -> Decimal:
        return self.owed_principal + self.owed_interest + self.owed_charges

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
    context = DraftContext(
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
        owed_charges=quote.owed_charges,
        collateral_principal=quote.collateral_principal,
        collateral_interest=quote.collateral_interest,
        collateral_value=quote.collateral_value,
        cash_amount=quote.cash.amount,
        cash_direction=_cash_direction(quote),
        remaining_debt=quote.remaining_debt,
        notes=tuple(
            _note_row(
                line, notes.get(line.note_id), parties=parties, lender=lender, borrower=borrower
            )
            for line in quote.collateral
        ),
        notes_description=_notes_description(quote.collateral, notes),
        amounts_in_words=amounts_in_words,
    )
    _check_printable(context)
    return context


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


def _note_row(
    line: CollateralLine,
    note: Note | None,
    *,
    parties: Mapping[str, Party],
    lender: Party,
    borrower: Party,
) -> NoteRow:
    # The quote's line is the truth for figures; the note record adds what identifies it.
    issue_date = line.issue_date
    if issue_date is None and note is not None:
        issue_date = note.issue_date
    return NoteRow(
        note_id=line.note_id,
        maker=_text_or_none(line.maker) or (_text_or_none(note.maker) if note else None),
        holder=_assignor(note, parties=parties, lender=lender, borrower=borrower),
        issue_date=issue_date,
        maturity_date=note.maturity_date if note is not None else None,
        original_principal=note.original_principal if note is not None else None,
        recording=None,
        principal=line.principal,
        interest=line.interest,
        value=line.value,
    )


def _assignor(
    note: Note | None, *, parties: Mapping[str, Party], lender: Party, borrower: Party
) -> str | None:
    """Who assigns the note: the borrower, which holds it until the settlement.

    A note read back from the store after closing is held by the lender already;
    its assignor is still the borrower. A note held by a third party names that
    party when it is known, and nobody (a placeholder) when it is not.
    """
    if note is None:
        return None
    if note.holder_id in (borrower.id, lender.id):
        return borrower.name
    holder = parties.get(note.holder_id)
    return holder.name if holder is not None else None


def _text_or_none(value: str | None) -> str | None:
    text = " ".join((value or "").split())
    return text or None


def _notes_description(lines: tuple[CollateralLine, ...], notes: Mapping[str, Note]) -> str:
    """'mortgage notes receivable' when every note is of one kind, else 'notes receivable'."""
    return describe_notes({notes[line.note_id].kind for line in lines if line.note_id in notes})


def describe_notes(kinds: set[str]) -> str:
    """'mortgage notes receivable' for notes all of one kind, else 'notes receivable'."""
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


#: Characters no agreement prints and a Word document cannot hold (XML 1.0 forbids them).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _check_printable(context: DraftContext) -> None:
    """Refuse a name or title holding a control character rather than draft around it."""
    refuse_control_characters(_texts(context))


def refuse_control_characters(texts: Iterable[tuple[str, str]]) -> None:
    """Refuse the first (field, text) pair whose text holds a control character."""
    for field, value in texts:
        found = _CONTROL.search(value)
        if found is not None:
            raise InputError(
                "CONTROL_CHARACTER",
                f"the {field} {value!r} holds the control character U+{ord(found.group()):04X} "
                f"at position {found.start()}; remove it from the records and draft again",
            )


def _texts(context: DraftContext) -> Iterator[tuple[str, str]]:
    yield "title", context.title
    yield "governing law", context.governing_law
    yield "loan agreement's name", context.loan_agreement_name
    yield "notes' description", context.notes_description
    for role, party in (("lender", context.lender), ("borrower", context.borrower)):
        yield f"{role}'s name", party.name
        yield f"{role}'s short name", party.short_name
        yield f"{role}'s entity type", party.entity_type
        yield f"{role}'s jurisdiction", party.jurisdiction
        for person in party.signatories:
            yield f"{role}'s signatory", person.name
            yield f"{role}'s signatory's title", person.title
    for row in context.notes:
        for field, value in (("maker", row.maker), ("holder", row.holder)):
            if value is not None:
                yield f"note {row.note_id}'s {field}", value

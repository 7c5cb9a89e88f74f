"""Posting rules: what each event means in the books of every party it touches.

Each rule is a pure function from records to balanced `EntryDraft`s, one per
party affected, with zero legs left out. A rule whose amounts are all zero
affects nobody and returns no draft. Amounts arrive already rounded to the
cent (the accrual module is the rounding point); a rule never rounds, it
refuses an amount that is not in whole cents.

Accruals: post the difference between the rounded accrued interest of two
positions (interest to date less interest already posted), never a separately
rounded period amount, so that the sum of the postings equals the whole.
Payments and settlements relieve interest receivable and payable, so the
service posts accrued interest up to their date first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from acquittance.books import accounts
from acquittance.books.entries import EntryDraft, EntryKind, JournalEntry, Leg, check_balanced
from acquittance.core.errors import InputError
from acquittance.core.instruments import (
    Advance,
    Charge,
    LateCharge,
    Loan,
    Note,
    OpeningBalance,
    Party,
    Payment,
)
from acquittance.core.money import CENT, ZERO, check_currency, format_amount, to_decimal
from acquittance.core.settlement_types import Quote, SatisfactionKind

# --- shared helpers -------------------------------------------------------------------------


def _amount(value: object, *, field: str) -> Decimal:
    """A non-negative amount in whole cents, as every rule's input must be."""
    amount = to_decimal(value, field=field)
    if amount < 0:
        raise InputError("NEGATIVE_AMOUNT", f"{field} {amount} is negative; give it as 0 or more")
    if amount != amount.quantize(CENT):
        raise InputError(
            "AMOUNT_NOT_IN_CENTS",
            f"{field} {amount} is not in whole cents; round it at the rounding point first",
        )
    return amount


def _legs(currency: str, *lines: tuple[str, Decimal]) -> tuple[Leg, ...]:
    return tuple([Leg(account, amount, currency) for account, amount in lines if amount != 0])


def _drafts(*candidates: EntryDraft) -> tuple[EntryDraft, ...]:
    """The drafts that post something, each checked before it leaves the rule."""
    drafts = tuple(draft for draft in candidates if draft.legs)
    for draft in drafts:
        check_balanced(draft)
    return drafts


def _check_party(party: Party, expected_id: str, *, role: str, record: str) -> None:
    if party.id != expected_id:
        raise InputError(
            "PARTY_MISMATCH",
            f"{record} names {expected_id!r} as {role}, but party {party.id!r} was given",
        )


def _loan_parties(loan: Loan, lender: Party, borrower: Party) -> None:
    _check_party(lender, loan.lender_id, role="lender", record=f"loan {loan.id}")
    _check_party(borrower, loan.borrower_id, role="borrower", record=f"loan {loan.id}")


def _loan_label(loan: Loan) -> str:
    if loan.agreement_date is None:
        return loan.agreement_name
    return f"{loan.agreement_name} dated {loan.agreement_date.isoformat()}"


def _short(party: Party) -> str:
    return party.short_name.strip() or party.id


def _note_label(note: Note) -> str:
    return f"{note.kind} note {note.id}"


# --- loans ----------------------------------------------------------------------------------


def loan_opening(
    loan: Loan, event: OpeningBalance, *, lender: Party, borrower: Party
) -> tuple[EntryDraft, ...]:
    """Carry a loan's balance into both books from history that predates them."""
    _loan_parties(loan, lender, borrower)
    currency = check_currency(loan.terms.currency)
    principal = _amount(event.principal, field="opening principal")
    interest = _amount(event.interest, field="opening interest")
    label = _loan_label(loan)
    lender_draft = EntryDraft(
        party_id=lender.id,
        date=event.date,
        kind=EntryKind.OPENING,
        description=f"Opening balance of {label} with {_short(borrower)}",
        legs=_legs(
            currency,
            (accounts.loan_receivable(borrower), principal),
            (accounts.interest_receivable(borrower), interest),
            (accounts.OPENING_BALANCES, -(principal + interest)),
        ),
        reference=loan.id,
    )
    borrower_draft = EntryDraft(
        party_id=borrower.id,
        date=event.date,
        kind=EntryKind.OPENING,
        description=f"Opening balance of {label} with {_short(lender)}",
        legs=_legs(
            currency,
            (accounts.OPENING_BALANCES, principal + interest),
            (accounts.loan_payable(lender), -principal),
            (accounts.interest_payable(lender), -interest),
        ),
        reference=loan.id,
    )
    return _drafts(lender_draft, borrower_draft)


def loan_advance(
    loan: Loan, event: Advance, *, lender: Party, borrower: Party
) -> tuple[EntryDraft, ...]:
    """Principal lent: cash moves from lender to borrower against the loan."""
    _loan_parties(loan, lender, borrower)
    currency = check_currency(loan.terms.currency)
    amount = _amount(event.amount, field="advance amount")
    description = f"Advance under {_loan_label(loan)}"
    lender_draft = EntryDraft(
        party_id=lender.id,
        date=event.date,
        kind=EntryKind.ADVANCE,
        description=f"{description} to {_short(borrower)}",
        legs=_legs(
            currency, (accounts.loan_receivable(borrower), amount), (accounts.CASH, -amount)
        ),
        reference=loan.id,
    )
    borrower_draft = EntryDraft(
        party_id=borrower.id,
        date=event.date,
        kind=EntryKind.ADVANCE,
        description=f"{description} from {_short(lender)}",
        legs=_legs(currency, (accounts.CASH, amount), (accounts.loan_payable(lender), -amount)),
        reference=loan.id,
    )
    return _drafts(lender_draft, borrower_draft)


def loan_payment(
    loan: Loan,
    event: Payment,
    *,
    interest: Decimal,
    principal: Decimal,
    lender: Party,
    borrower: Party,
    charges: Decimal = ZERO,
) -> tuple[EntryDraft, ...]:
    """A payment on a loan, split (by the accrual: charges, interest, principal) into its parts."""
    _loan_parties(loan, lender, borrower)
    currency = check_currency(loan.terms.currency)
    amount = _amount(event.amount, field="payment amount")
    interest = _amount(interest, field="interest paid")
    principal = _amount(principal, field="principal paid")
    charges = _amount(charges, field="charges paid")
    _check_split(amount, interest + charges, principal)
    charged = f"charges {format_amount(charges)}, " if charges else ""
    description = (
        f"Payment under {_loan_label(loan)}: {charged}interest {format_amount(interest)}, "
        f"principal {format_amount(principal)}"
    )
    lender_draft = EntryDraft(
        party_id=lender.id,
        date=event.date,
        kind=EntryKind.PAYMENT,
        description=description,
        legs=_legs(
            currency,
            (accounts.CASH, amount),
            (accounts.fees_receivable(borrower), -charges),
            (accounts.interest_receivable(borrower), -interest),
            (accounts.loan_receivable(borrower), -principal),
        ),
        reference=loan.id,
    )
    borrower_draft = EntryDraft(
        party_id=borrower.id,
        date=event.date,
        kind=EntryKind.PAYMENT,
        description=description,
        legs=_legs(
            currency,
            (accounts.fees_payable(lender), charges),
            (accounts.interest_payable(lender), interest),
            (accounts.loan_payable(lender), principal),
            (accounts.CASH, -amount),
        ),
        reference=loan.id,
    )
    return _drafts(lender_draft, borrower_draft)


def loan_charge(
    loan: Loan, event: Charge, *, lender: Party, borrower: Party
) -> tuple[EntryDraft, ...]:
    """A fee or late charge: income and a receivable for the lender, expense and a payable."""
    _loan_parties(loan, lender, borrower)
    currency = check_currency(loan.terms.currency)
    amount = _amount(event.amount, field="charge amount")
    late = isinstance(event, LateCharge)
    income = accounts.LATE_CHARGE_INCOME if late else accounts.FEE_INCOME
    expense = accounts.LATE_CHARGE_EXPENSE if late else accounts.FEE_EXPENSE
    what = "Late charge" if late else "Fee"
    description = f"{what} of {format_amount(amount)} under {_loan_label(loan)}"
    lender_draft = EntryDraft(
        party_id=lender.id,
        date=event.date,
        kind=EntryKind.CHARGE,
        description=description,
        legs=_legs(currency, (accounts.fees_receivable(borrower), amount), (income, -amount)),
        reference=loan.id,
    )
    borrower_draft = EntryDraft(
        party_id=borrower.id,
        date=event.date,
        kind=EntryKind.CHARGE,
        description=description,
        legs=_legs(currency, (expense, amount), (accounts.fees_payable(lender), -amount)),
        reference=loan.id,
    )
    return _drafts(lender_draft, borrower_draft)


def _check_split(amount: Decimal, interest: Decimal, principal: Decimal) -> None:
    if interest + principal != amount:
        raise InputError(
            "PAYMENT_SPLIT_MISMATCH",
            f"payment {format_amount(amount)} is split into interest {format_amount(interest)} "
            f"and principal {format_amount(principal)}, which add up to "
            f"{format_amount(interest + principal)}; the parts must add up to the payment",
        )


def loan_accrual(
    loan: Loan, *, as_of: date, interest: Decimal, lender: Party, borrower: Party
) -> tuple[EntryDraft, ...]:
    """Interest earned by the lender and owed by the borrower up to `as_of`, not yet posted."""
    _loan_parties(loan, lender, borrower)
    currency = check_currency(loan.terms.currency)
    interest = _amount(interest, field="accrued interest")
    description = f"Interest accrued to {as_of.isoformat()} under {_loan_label(loan)}"
    lender_draft = EntryDraft(
        party_id=lender.id,
        date=as_of,
        kind=EntryKind.ACCRUAL,
        description=description,
        legs=_legs(
            currency,
            (accounts.interest_receivable(borrower), interest),
            (accounts.INTEREST_INCOME, -interest),
        ),
        reference=loan.id,
    )
    borrower_draft = EntryDraft(
        party_id=borrower.id,
        date=as_of,
        kind=EntryKind.ACCRUAL,
        description=description,
        legs=_legs(
            currency,
            (accounts.INTEREST_EXPENSE, interest),
            (accounts.interest_payable(lender), -interest),
        ),
        reference=loan.id,
    )
    return _drafts(lender_draft, borrower_draft)


# --- notes ----------------------------------------------------------------------------------


def note_opening(note: Note, event: OpeningBalance, *, holder: Party) -> tuple[EntryDraft, ...]:
    """Carry a note's principal and accrued interest into its holder's book."""
    _check_party(holder, note.holder_id, role="holder", record=f"note {note.id}")
    currency = check_currency(note.terms.currency)
    principal = _amount(event.principal, field="opening principal")
    interest = _amount(event.interest, field="opening interest")
    draft = EntryDraft(
        party_id=holder.id,
        date=event.date,
        kind=EntryKind.OPENING,
        description=f"Opening balance of {_note_label(note)} ({note.maker})",
        legs=_legs(
            currency,
            (accounts.NOTES_RECEIVABLE, principal),
            (accounts.NOTES_INTEREST_RECEIVABLE, interest),
            (accounts.OPENING_BALANCES, -(principal + interest)),
        ),
        reference=note.id,
    )
    return _drafts(draft)


def note_accrual(
    note: Note, *, as_of: date, interest: Decimal, holder: Party
) -> tuple[EntryDraft, ...]:
    """Interest a held note earned up to `as_of`, not yet posted; the maker keeps no book here."""
    _check_party(holder, note.holder_id, role="holder", record=f"note {note.id}")
    currency = check_currency(note.terms.currency)
    interest = _amount(interest, field="accrued interest")
    draft = EntryDraft(
        party_id=holder.id,
        date=as_of,
        kind=EntryKind.ACCRUAL,
        description=f"Interest accrued to {as_of.isoformat()} on {_note_label(note)}",
        legs=_legs(
            currency,
            (accounts.NOTES_INTEREST_RECEIVABLE, interest),
            (accounts.INTEREST_INCOME, -interest),
        ),
        reference=note.id,
    )
    return _drafts(draft)


def note_payment(
    note: Note, event: Payment, *, interest: Decimal, principal: Decimal, holder: Party
) -> tuple[EntryDraft, ...]:
    """Cash the holder collects on a note, split interest first by the accrual."""
    _check_party(holder, note.holder_id, role="holder", record=f"note {note.id}")
    currency = check_currency(note.terms.currency)
    amount = _amount(event.amount, field="payment amount")
    interest = _amount(interest, field="interest paid")
    principal = _amount(principal, field="principal paid")
    _check_split(amount, interest, principal)
    draft = EntryDraft(
        party_id=holder.id,
        date=event.date,
        kind=EntryKind.PAYMENT,
        description=(
            f"Payment on {_note_label(note)}: interest {format_amount(interest)}, "
            f"principal {format_amount(principal)}"
        ),
        legs=_legs(
            currency,
            (accounts.CASH, amount),
            (accounts.NOTES_INTEREST_RECEIVABLE, -interest),
            (accounts.NOTES_RECEIVABLE, -principal),
        ),
        reference=note.id,
    )
    return _drafts(draft)


# --- corrections ----------------------------------------------------------------------------


def reversal(entry: JournalEntry, *, on: date, reason: str) -> EntryDraft:
    """A new entry that undoes `entry`: the journal is append-only, so a mistake is reversed."""
    if on < entry.date:
        raise InputError(
            "REVERSAL_BEFORE_ENTRY",
            f"entry {entry.id} is dated {entry.date.isoformat()}; its reversal cannot be dated "
            f"earlier ({on.isoformat()})",
        )
    draft = EntryDraft(
        party_id=entry.party_id,
        date=on,
        kind=EntryKind.REVERSAL,
        description=f"Reversal of {entry.id}: {reason.strip()}",
        legs=tuple(Leg(leg.account, -leg.amount, leg.currency) for leg in entry.legs),
        reference=entry.id,
    )
    check_balanced(draft)
    return draft


# --- settlement -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SettlementAmounts:
    """A quote's figures as the books need them, after checking that they reconcile.

    `adjustment` is collateral value less carrying amount: the borrower's gain
    (positive) or loss (negative), and the lender's valuation adjustment.
    """

    interest_applied: Decimal
    principal_applied: Decimal
    notes_principal: Decimal
    notes_interest: Decimal
    adjustment: Decimal
    cash_to_lender: Decimal
    cash_to_borrower: Decimal
    charges_applied: Decimal = ZERO  # fees and late charges, satisfied before interest

    @property
    def applied(self) -> Decimal:
        return self.charges_applied + self.interest_applied + self.principal_applied


def settlement_amounts(quote: Quote) -> SettlementAmounts:
    """Split what a settlement satisfies (charges, interest, principal); check the identity.

    Identity: owed − remaining debt = collateral value + cash to lender − cash to borrower.
    """
    owed_principal = _amount(quote.owed_principal, field="owed principal")
    owed_interest = _amount(quote.owed_interest, field="owed interest")
    owed_charges = _amount(quote.owed_charges, field="owed charges")
    owed = owed_principal + owed_interest + owed_charges
    remaining = _amount(quote.remaining_debt, field="remaining debt")
    if remaining > owed:
        raise InputError(
            "REMAINING_DEBT_EXCEEDS_OWED",
            f"remaining debt {format_amount(remaining)} exceeds what is owed, "
            f"{format_amount(owed)}",
        )
    _check_satisfaction(quote.satisfaction, remaining)
    applied = owed - remaining
    charges_applied = min(owed_charges, applied)
    interest_applied = min(owed_interest, applied - charges_applied)
    notes_principal, notes_interest, value = _collateral_totals(quote)
    to_lender, to_borrower = _cash_direction(quote)
    difference = applied - (value + to_lender - to_borrower)
    if difference != 0:
        raise InputError(
            "QUOTE_DOES_NOT_RECONCILE",
            f"the quote applies {format_amount(applied)} to the debt but collateral value "
            f"{format_amount(value)} and net cash to the lender "
            f"{format_amount(to_lender - to_borrower)} come to "
            f"{format_amount(value + to_lender - to_borrower)}, a difference of "
            f"{format_amount(difference)}; requote the settlement",
        )
    return SettlementAmounts(
        charges_applied=charges_applied,
        interest_applied=interest_applied,
        principal_applied=applied - charges_applied - interest_applied,
        notes_principal=notes_principal,
        notes_interest=notes_interest,
        adjustment=value - (notes_principal + notes_interest),
        cash_to_lender=to_lender,
        cash_to_borrower=to_borrower,
    )


def _check_satisfaction(kind: SatisfactionKind, remaining: Decimal) -> None:
    if (kind == SatisfactionKind.FULL) != (remaining == 0):
        raise InputError(
            "SATISFACTION_MISMATCH",
            f"a settlement in {kind.value} satisfaction cannot leave "
            f"{format_amount(remaining)} owed; full satisfaction leaves nothing, partial leaves "
            "some debt",
        )


def _collateral_totals(quote: Quote) -> tuple[Decimal, Decimal, Decimal]:
    principal = interest = value = ZERO
    for line in quote.collateral:
        principal += _amount(line.principal, field=f"note {line.note_id} principal")
        interest += _amount(line.interest, field=f"note {line.note_id} interest")
        value += _amount(line.value, field=f"note {line.note_id} value")
    return principal, interest, value


def _cash_direction(quote: Quote) -> tuple[Decimal, Decimal]:
    """(cash to the lender, cash to the borrower); one of them is zero."""
    amount = _amount(quote.cash.amount, field="cash amount")
    if amount == 0:
        return ZERO, ZERO
    direction = (quote.cash.payer_id, quote.cash.payee_id)
    if direction == (quote.borrower_id, quote.lender_id):
        return amount, ZERO
    if direction == (quote.lender_id, quote.borrower_id):
        return ZERO, amount
    raise InputError(
        "INVALID_CASH_LEG",
        f"cash of {format_amount(amount)} goes from {quote.cash.payer_id!r} to "
        f"{quote.cash.payee_id!r}; it must go between the borrower {quote.borrower_id!r} and "
        f"the lender {quote.lender_id!r}",
    )


def settlement(
    quote: Quote, lender: Party, borrower: Party, *, settlement_id: str | None = None
) -> tuple[EntryDraft, EntryDraft]:
    """The lender's and the borrower's entries for a settlement by assignment of notes.

    The borrower derecognises the notes at their carrying amount (principal
    plus accrued interest) and books value less carrying amount as a gain
    (Income:GainOnSettlement) or a loss (Expenses:LossOnSettlement). The lender
    books the notes at their gross principal and interest, as the note
    subledger carries them, and puts value less carrying amount to the contra
    account Assets:NotesReceivable:ValuationAdjustment, so its net carrying
    amount is the value it took them at. Both relieve only what is applied,
    interest first; a partial satisfaction leaves the rest of the debt in place.
    """
    _check_party(lender, quote.lender_id, role="lender", record=f"quote for loan {quote.loan_id}")
    _check_party(
        borrower, quote.borrower_id, role="borrower", record=f"quote for loan {quote.loan_id}"
    )
    currency = check_currency(quote.currency)
    amounts = settlement_amounts(quote)
    lender_legs = _lender_settlement_legs(amounts, currency, borrower)
    borrower_legs = _borrower_settlement_legs(amounts, currency, lender)
    if not lender_legs or not borrower_legs:
        raise InputError(
            "NOTHING_TO_SETTLE",
            f"the quote for loan {quote.loan_id} applies nothing to the debt, assigns nothing "
            "and moves no cash; there is nothing to post",
        )
    description = _settlement_description(quote, borrower)
    reference = settlement_id or quote.loan_id
    lender_draft = EntryDraft(
        party_id=lender.id,
        date=quote.as_of,
        kind=EntryKind.SETTLEMENT,
        description=description,
        legs=lender_legs,
        reference=reference,
    )
    borrower_draft = EntryDraft(
        party_id=borrower.id,
        date=quote.as_of,
        kind=EntryKind.SETTLEMENT,
        description=description,
        legs=borrower_legs,
        reference=reference,
    )
    check_balanced(lender_draft)
    check_balanced(borrower_draft)
    return lender_draft, borrower_draft


def _settlement_description(quote: Quote, borrower: Party) -> str:
    count = len(quote.collateral)
    notes = f"{count} note{'s' if count != 1 else ''}"
    return (
        f"Settlement of loan {quote.loan_id}: {notes} assigned by {_short(borrower)} "
        f"in {quote.satisfaction.value} satisfaction"
    )


def _lender_settlement_legs(
    amounts: SettlementAmounts, currency: str, borrower: Party
) -> tuple[Leg, ...]:
    return _legs(
        currency,
        (accounts.NOTES_RECEIVABLE, amounts.notes_principal),
        (accounts.NOTES_INTEREST_RECEIVABLE, amounts.notes_interest),
        (accounts.NOTES_VALUATION_ADJUSTMENT, amounts.adjustment),
        (accounts.CASH, amounts.cash_to_lender - amounts.cash_to_borrower),
        (accounts.loan_receivable(borrower), -amounts.principal_applied),
        (accounts.interest_receivable(borrower), -amounts.interest_applied),
        (accounts.fees_receivable(borrower), -amounts.charges_applied),
    )


def _borrower_settlement_legs(
    amounts: SettlementAmounts, currency: str, lender: Party
) -> tuple[Leg, ...]:
    gain = max(amounts.adjustment, ZERO)
    loss = max(-amounts.adjustment, ZERO)
    return _legs(
        currency,
        (accounts.loan_payable(lender), amounts.principal_applied),
        (accounts.interest_payable(lender), amounts.interest_applied),
        (accounts.fees_payable(lender), amounts.charges_applied),
        (accounts.NOTES_RECEIVABLE, -amounts.notes_principal),
        (accounts.NOTES_INTEREST_RECEIVABLE, -amounts.notes_interest),
        (accounts.CASH, amounts.cash_to_borrower - amounts.cash_to_lender),
        (accounts.LOSS_ON_SETTLEMENT, loss),
        (accounts.GAIN_ON_SETTLEMENT, -gain),
    )

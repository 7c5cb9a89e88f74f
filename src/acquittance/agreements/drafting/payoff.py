"""The payoff letter: what pays a loan in full on a date, from the lender to the borrower.

Every figure is the quote's: principal, accrued interest and their total as of
the quote date, the per diem and the good-through date, and the interest the
per diem adds up to by then (per diem x days, as `quote --explain` states it).
Bank details for the payment are not in the records, so the letter prints
them as the placeholder `[●]` for the lender to complete; nothing is guessed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Final

from acquittance.agreements.drafting.context import describe_notes, refuse_control_characters
from acquittance.agreements.drafting.document import SignatureBlock, Table, or_placeholder
from acquittance.agreements.drafting.servicing import ServicingDocument, compose_servicing
from acquittance.agreements.drafting.templating import figure, long_date
from acquittance.core.collateral import SecurityInterest
from acquittance.core.dates import add_days
from acquittance.core.errors import InputError, NotFoundError
from acquittance.core.instruments import Loan, Note, Party, Signatory
from acquittance.core.settlement_types import Quote

PAYOFF_TEMPLATE: Final = "letters/payoff.j2"


@dataclass(frozen=True)
class ReleaseRow:
    """A financing statement the payoff lets the lender terminate (None where none is on file)."""

    interest_id: str
    notes_count: int
    statement_id: str | None
    filing_office: str | None
    file_number: str | None
    filed_on: date | None


@dataclass(frozen=True)
class PayoffContext:
    """Everything a payoff letter states; its template sees only this."""

    loan_id: str
    lender: Party
    borrower: Party
    loan_agreement_name: str
    loan_agreement_date: date | None
    currency: str
    as_of: date
    good_through: date
    principal: Decimal
    interest: Decimal
    per_diem: Decimal
    releases: tuple[ReleaseRow, ...]
    notes_description: str
    charges: Decimal = Decimal("0.00")  # fees and late charges unpaid on the quote date
    # Interest owed on the good-through date, accrued exactly and rounded once, as a
    # payoff on that date takes it; None: the per diem times the days.
    interest_at_good_through: Decimal | None = None

    @property
    def total(self) -> Decimal:
        """What pays the loan in full on the quote date: charges unpaid included."""
        return self.principal + self.interest + self.charges

    @property
    def days_to_good_through(self) -> int:
        return (self.good_through - self.as_of).days

    @property
    def interest_to_good_through(self) -> Decimal:
        """The interest accrued after the quote date, through the good-through date.

        Taken from the interest owed on the good-through date where it is known, so
        that the letter's figure is the one a payoff on that date takes (the rounded
        per diem times the days can be off by cents).
        """
        if self.interest_at_good_through is not None:
            return self.interest_at_good_through - self.interest
        return self.per_diem * self.days_to_good_through

    @property
    def total_at_good_through(self) -> Decimal:
        return self.total + self.interest_to_good_through

    @property
    def attention(self) -> Signatory | None:
        """Whom the letter is for at the borrower: its first signatory on record, if any."""
        return self.borrower.signatories[0] if self.borrower.signatories else None


def build_payoff_context(
    quote: Quote,
    *,
    parties: Mapping[str, Party],
    loan: Loan,
    interests: Sequence[SecurityInterest],
    notes: Mapping[str, Note],
    interest_at_good_through: Decimal | None = None,
) -> PayoffContext:
    """The payoff letter's facts: the quote's figures, the parties, what the payoff releases.

    `interest_at_good_through` is the interest owed on the quote's good-through date.
    """
    if loan.id != quote.loan_id:
        raise InputError(
            "LOAN_MISMATCH", f"the quote is for loan {quote.loan_id!r}, not {loan.id!r}"
        )
    for name, amount in (("principal", quote.owed_principal), ("interest", quote.owed_interest)):
        if amount < 0:
            raise InputError("NEGATIVE_AMOUNT", f"the quote's owed {name} is negative ({amount})")
    securing = [
        interest
        for interest in interests
        if interest.loan_id == loan.id
        and interest.active
        and interest.secured_party_id == loan.lender_id
    ]
    context = PayoffContext(
        loan_id=loan.id,
        lender=_party(parties, quote.lender_id, role="lender"),
        borrower=_party(parties, quote.borrower_id, role="borrower"),
        loan_agreement_name=loan.agreement_name,
        loan_agreement_date=loan.agreement_date,
        currency=quote.currency,
        as_of=quote.as_of,
        good_through=quote.good_through,
        principal=quote.owed_principal,
        interest=quote.owed_interest,
        charges=quote.owed_charges,
        per_diem=quote.per_diem,
        interest_at_good_through=interest_at_good_through,
        releases=tuple(row for interest in securing for row in _release_rows(interest)),
        notes_description=describe_notes(
            {notes[i].kind for interest in securing for i in interest.note_ids if i in notes}
        ),
    )
    refuse_control_characters(_texts(context))
    return context


def _party(parties: Mapping[str, Party], party_id: str, *, role: str) -> Party:
    if party_id not in parties:
        raise NotFoundError(
            "PARTY_NOT_FOUND", f"the {role} {party_id!r} is not among the parties given"
        )
    return parties[party_id]


def _release_rows(interest: SecurityInterest) -> tuple[ReleaseRow, ...]:
    statements = [s for s in interest.financing_statements if s.terminated_on is None]
    if not statements:
        return (ReleaseRow(interest.id, len(interest.note_ids), None, None, None, None),)
    return tuple(
        ReleaseRow(
            interest_id=interest.id,
            notes_count=len(interest.note_ids),
            statement_id=statement.id,
            filing_office=statement.filing_office,
            file_number=statement.file_number,
            filed_on=statement.filed_on,
        )
        for statement in statements
    )


def _texts(context: PayoffContext) -> Iterator[tuple[str, str]]:
    yield "loan agreement's name", context.loan_agreement_name
    for role, party in (("lender", context.lender), ("borrower", context.borrower)):
        yield f"{role}'s name", party.name
        yield f"{role}'s short name", party.short_name
        for person in party.signatories:
            yield f"{role}'s signatory", person.name
            yield f"{role}'s signatory's title", person.title
    for row in context.releases:
        filing = (("filing office", row.filing_office), ("file number", row.file_number))
        for field, value in filing:
            if value is not None:
                yield f"financing statement {row.statement_id}'s {field}", value


def payoff_variables(context: PayoffContext) -> dict[str, object]:
    """The names `letters/payoff.j2` may use (see the templates' README)."""
    return {
        "loan_id": context.loan_id,
        "lender": context.lender,
        "borrower": context.borrower,
        "attention": context.attention,
        "loan_agreement_name": context.loan_agreement_name,
        "loan_agreement_date": context.loan_agreement_date,
        "as_of": context.as_of,
        "day_after": add_days(context.as_of, 1),
        "good_through": context.good_through,
        "principal": context.principal,
        "interest": context.interest,
        "charges": context.charges,
        "total": context.total,
        "per_diem": context.per_diem,
        "days_to_good_through": context.days_to_good_through,
        "interest_to_good_through": context.interest_to_good_through,
        "total_at_good_through": context.total_at_good_through,
        "notes_description": context.notes_description,
        "releases": context.releases,
        "releases_count": len(context.releases),
    }


def payoff_document(
    context: PayoffContext, *, templates_dir: Path | None = None
) -> ServicingDocument:
    """The payoff letter in its structured form, from the clause library's template."""
    return compose_servicing(
        PAYOFF_TEMPLATE,
        payoff_variables(context),
        currency=context.currency,
        tables={
            "payoff": _payoff_table(context),
            "good_through": _good_through_table(context),
            "releases": _releases_table(context),
        },
        signatures={"lender": _signature(context.lender)},
        templates_dir=templates_dir,
    )


def _signature(party: Party) -> SignatureBlock:
    return SignatureBlock(defined_name="", party_name=party.name, signatories=party.signatories)


def _payoff_table(context: PayoffContext) -> Table:
    money, as_of = context.currency, long_date(context.as_of)
    return Table(
        caption=f"Payoff amount as of {as_of}",
        columns=("Item", "Amount"),
        rows=(
            ("Principal", figure(context.principal, money)),
            (f"Interest accrued and unpaid through {as_of}", figure(context.interest, money)),
            *(
                ((f"Fees and late charges unpaid on {as_of}", figure(context.charges, money)),)
                if context.charges
                else ()
            ),
        ),
        total=("Total payoff amount", figure(context.total, money)),
        amount_columns=frozenset({1}),
    )


def _good_through_table(context: PayoffContext) -> Table:
    money, good_through = context.currency, long_date(context.good_through)
    days = context.days_to_good_through
    after = long_date(context.as_of)
    return Table(
        caption=f"Per diem and payment through {good_through}",
        columns=("Item", "Amount"),
        rows=(
            (f"Per diem (interest for each day after {long_date(context.as_of)})",
             figure(context.per_diem, money)),
            (f"Interest for the {days} day{'' if days == 1 else 's'} after {after}",
             figure(context.interest_to_good_through, money)),
        ),
        total=(f"Payoff amount if received on {good_through}",
               figure(context.total_at_good_through, money)),
        amount_columns=frozenset({1}),
    )  # fmt: skip


def _releases_table(context: PayoffContext) -> Table:
    rows = tuple(
        (
            row.interest_id,
            str(row.notes_count),
            or_placeholder(row.filing_office),
            or_placeholder(row.file_number),
            or_placeholder(long_date(row.filed_on) if row.filed_on else None),
        )
        for row in context.releases
    )
    return Table(
        caption="Security interests released on payment in full",
        columns=("Security interest", "Notes pledged", "Filing office", "File number", "Filed on"),
        rows=rows,
    )

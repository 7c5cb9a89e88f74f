"""Security interests in notes, and the financing statements that perfect them.

A security interest pledges notes held by the debtor to secure one loan. It is
perfected by financing statements (UCC-1) filed with a filing office; once the
loan is satisfied, each one calls for a termination statement (UCC-3).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from acquittance.core.errors import InputError, StateError
from acquittance.core.instruments import Loan, Note


@dataclass(frozen=True)
class FinancingStatement:
    """A UCC-1 on file: where, under what number, and when."""

    id: str
    filing_office: str
    file_number: str
    filed_on: date
    terminated_on: date | None = None


@dataclass(frozen=True)
class SecurityInterest:
    """Notes pledged by the debtor to the secured party to secure one loan."""

    id: str
    loan_id: str
    secured_party_id: str
    debtor_id: str
    note_ids: tuple[str, ...]
    granted_on: date | None = None
    financing_statements: tuple[FinancingStatement, ...] = ()
    released_on: date | None = None

    @property
    def active(self) -> bool:
        return self.released_on is None


def pledged_note_ids(
    loan_id: str, interests: Iterable[SecurityInterest], *, secured_party_id: str | None = None
) -> set[str]:
    """The notes pledged by active security interests securing `loan_id`.

    Give `secured_party_id` (the loan's lender) to count only pledges to it.
    """
    return set(ordered_pledged_note_ids(loan_id, interests, secured_party_id=secured_party_id))


def ordered_pledged_note_ids(
    loan_id: str, interests: Iterable[SecurityInterest], *, secured_party_id: str | None = None
) -> tuple[str, ...]:
    """`pledged_note_ids` in the order the interests list them, each once."""
    seen: dict[str, None] = {}
    for interest in interests:
        if not interest.active or interest.loan_id != loan_id:
            continue
        if secured_party_id is not None and interest.secured_party_id != secured_party_id:
            continue
        for note_id in interest.note_ids:
            seen.setdefault(note_id, None)
    return tuple(seen)


def check_pledge(note: Note, loan: Loan, interests: Iterable[SecurityInterest]) -> None:
    """Refuse pledging `note` to secure `loan` when the debtor cannot give it.

    The borrower must hold the note, the note must not be pledged by any active
    interest already (a note secures one loan at a time here), and it must be
    in the loan's currency so that one settlement can set them off.
    """
    if note.holder_id != loan.borrower_id:
        raise StateError(
            "NOTE_NOT_HELD_BY_DEBTOR",
            f"note {note.id} is held by {note.holder_id}, not by {loan.borrower_id}, the "
            f"borrower of loan {loan.id}; only the borrower's own notes can be pledged",
        )
    for interest in interests:
        if interest.active and note.id in interest.note_ids:
            raise StateError(
                "NOTE_ALREADY_PLEDGED",
                f"note {note.id} is already pledged under security interest {interest.id} "
                f"(loan {interest.loan_id}); release that pledge first",
            )
    if note.terms.currency != loan.terms.currency:
        raise InputError(
            "CURRENCY_MISMATCH",
            f"note {note.id} is in {note.terms.currency} and loan {loan.id} in "
            f"{loan.terms.currency}; pledge notes in the loan's currency",
        )


def check_financing_statement(statement: FinancingStatement, *, as_of: date | None = None) -> None:
    """Refuse a financing statement with no filing office or number, or impossible dates.

    `as_of` (today, for a new record) refuses a filing or termination in the future.
    """
    for label, text in (
        ("filing office", statement.filing_office),
        ("file number", statement.file_number),
    ):
        if not text.strip():
            raise InputError(
                "MISSING_FILING_DETAIL",
                f"financing statement {statement.id} has no {label}; give the {label} of the UCC-1",
            )
    if statement.terminated_on is not None and statement.terminated_on < statement.filed_on:
        raise InputError(
            "TERMINATION_BEFORE_FILING",
            f"financing statement {statement.id} is terminated on {statement.terminated_on}, "
            f"before it was filed on {statement.filed_on}; fix one of the dates",
        )
    if as_of is not None and statement.filed_on > as_of:
        raise InputError(
            "FILING_IN_FUTURE",
            f"financing statement {statement.id} is filed on {statement.filed_on}, after "
            f"{as_of}; record a filing once it is made",
        )


def check_security_interest(interest: SecurityInterest, *, as_of: date | None = None) -> None:
    """Refuse a security interest with no notes, a party securing itself, or impossible dates.

    A financing statement may be filed before the interest is granted (UCC
    9-502(d) allows filing first), so only release dates are checked against the grant.
    """
    if not interest.note_ids:
        raise InputError(
            "NO_COLLATERAL", f"security interest {interest.id} pledges no notes; list the notes"
        )
    if len(set(interest.note_ids)) != len(interest.note_ids):
        raise InputError(
            "DUPLICATE_NOTE", f"security interest {interest.id} lists a note twice; list each once"
        )
    if interest.secured_party_id == interest.debtor_id:
        raise InputError(
            "SELF_SECURED",
            f"security interest {interest.id} has {interest.debtor_id} as both debtor and "
            "secured party; the secured party is the lender",
        )
    granted, released = interest.granted_on, interest.released_on
    if granted is not None and released is not None and released < granted:
        raise InputError(
            "RELEASE_BEFORE_GRANT",
            f"security interest {interest.id} is released on {released}, before it was "
            f"granted on {granted}; fix one of the dates",
        )
    for statement in interest.financing_statements:
        check_financing_statement(statement, as_of=as_of)

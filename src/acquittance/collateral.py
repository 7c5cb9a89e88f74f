"""Security interests in notes, and the financing statements that perfect them.

A security interest pledges notes held by the debtor to secure one loan. It is
perfected by financing statements (UCC-1) filed with a filing office; once the
loan is satisfied, each one calls for a termination statement (UCC-3).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


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

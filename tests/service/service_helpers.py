"""Small deal files, store snapshots and book checks shared by the service tests."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from acquittance import service
from acquittance.deals.parse import parse_deal
from acquittance.present import documents

REFERENCE_DEAL = Path(__file__).resolve().parents[2] / "examples" / "valence-berg-2002.toml"
REFERENCE_LOAN = "berg-valence-loan"
REFERENCE_DATE = date(2002, 3, 31)


@dataclass(frozen=True)
class NoteSpec:
    id: str
    principal: Decimal
    interest: Decimal = Decimal("0.00")
    rate: str = "5%"
    day_count: str = "30/360-US"
    holder: str = "borrower"


@dataclass(frozen=True)
class DealSpec:
    """A deal with one loan from `lender` to `borrower`, notes pledged to secure it."""

    principal: Decimal = Decimal("1000000.00")
    interest: Decimal = Decimal("1000.00")
    rate: str = "6%"
    day_count: str = "ACT/360"
    opened: date = date(2020, 1, 1)
    notes: Sequence[NoteSpec] = field(
        default_factory=lambda: (NoteSpec("note-1", Decimal("600000.00"), Decimal("500.00")),)
    )
    pledged: Sequence[str] | None = None  # default: every note
    financing_statement: bool = True
    loan_id: str = "loan-a"


def deal_text(spec: DealSpec) -> str:
    """The TOML deal file for `spec`."""
    lines = [
        "[deal]",
        'title = "Test settlement"',
        'currency = "USD"',
        'governing_law = "California"',
        "",
        "[[parties]]",
        'id = "lender"',
        'name = "Lender LLC"',
        'entity_type = "limited liability company"',
        'jurisdiction = "California"',
        "",
        "[[parties]]",
        'id = "borrower"',
        'name = "Borrower Inc."',
        'entity_type = "corporation"',
        'jurisdiction = "Delaware"',
        "",
        "[[loans]]",
        f'id = "{spec.loan_id}"',
        'lender = "lender"',
        'borrower = "borrower"',
        f'annual_rate = "{spec.rate}"',
        f'day_count = "{spec.day_count}"',
        "",
        "[[loans.events]]",
        'kind = "opening"',
        f"date = {spec.opened.isoformat()}",
        f"principal = {spec.principal}",
        f"interest = {spec.interest}",
    ]
    for note in spec.notes:
        lines += [
            "",
            "[[notes]]",
            f'id = "{note.id}"',
            f'maker = "Maker of {note.id}"',
            f'holder = "{note.holder}"',
            f'annual_rate = "{note.rate}"',
            f'day_count = "{note.day_count}"',
            "",
            "[[notes.events]]",
            'kind = "opening"',
            f"date = {spec.opened.isoformat()}",
            f"principal = {note.principal}",
            f"interest = {note.interest}",
        ]
    pledged = [n.id for n in spec.notes] if spec.pledged is None else list(spec.pledged)
    if pledged:
        lines += [
            "",
            "[[security_interests]]",
            f'id = "pledge-{spec.loan_id}"',
            f'loan = "{spec.loan_id}"',
            'secured_party = "lender"',
            'debtor = "borrower"',
            "notes = [" + ", ".join(f'"{n}"' for n in pledged) + "]",
        ]
        if spec.financing_statement:
            lines += [
                "",
                "[[security_interests.financing_statements]]",
                f'id = "ucc1-{spec.loan_id}"',
                'filing_office = "California Secretary of State"',
                'file_number = "2020-0001"',
                f"filed_on = {spec.opened.isoformat()}",
            ]
    return "\n".join(lines) + "\n"


def new_store(url: str) -> service.Store:
    service.initialize(service.Store(url))
    return service.Store(url)


def load_spec(store: service.Store, spec: DealSpec) -> dict[str, Any]:
    return service.load_deal(store, parse_deal(deal_text(spec), source="test deal"))


def sqlite_file(url: str) -> Path:
    database = make_url(url).database
    assert database, url
    return Path(database)


def dump(url_or_path: str | Path) -> list[str]:
    """The logical content of a SQLite store, statement by statement."""
    path = sqlite_file(url_or_path) if isinstance(url_or_path, str) else url_or_path
    connection = sqlite3.connect(path)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


def assert_balanced(entries: Sequence[Any]) -> None:
    """Every journal entry's signed legs sum to zero."""
    for entry in entries:
        assert sum((leg.amount for leg in entry.legs), Decimal(0)) == 0, entry.id


def trial_balance(store: service.Store, party_id: str) -> dict[str, Any]:
    who, entries = service.journal(store, party_id)
    return documents.trial_balance_document(
        who, entries, service.counterparties(store, party_id), None
    )


def balances(store: service.Store, party_id: str) -> dict[str, Decimal]:
    """Each account's balance (debit positive) in the party's journal."""
    _, entries = service.journal(store, party_id)
    result: dict[str, Decimal] = {}
    for entry in entries:
        for leg in entry.legs:
            result[leg.account] = result.get(leg.account, Decimal(0)) + leg.amount
    return result


def loan_accounts(account: str) -> bool:
    """Accounts that hold the loan itself: principal and interest, receivable or payable."""
    return account.startswith(
        (
            "Assets:LoanReceivable",
            "Liabilities:LoanPayable",
            "Liabilities:InterestPayable",
        )
    ) or (account.startswith("Assets:InterestReceivable") and account != NOTE_INTEREST)


NOTE_INTEREST = "Assets:InterestReceivable:Notes"


def settle_document(store: service.Store, request: service.QuoteRequest, **options: Any) -> Any:
    """Close a settlement and present it as `settle --json` does."""
    return documents.settlement_document(service.settle(store, request, **options))


#: The two example deals a group of closings is tried on: the reference loan and the harbor loan.
TWO_DEALS = (REFERENCE_DEAL, REFERENCE_DEAL.with_name("harbor-mortgage-surplus.toml"))
REFERENCE_REQUEST = service.QuoteRequest(REFERENCE_LOAN, REFERENCE_DATE)
HARBOR_REQUEST = service.QuoteRequest("harbor-quill-loan", date(2024, 6, 30))


def two_deal_store(url: str) -> service.Store:
    """A new store at `url` with both example deals loaded."""
    service.initialize(service.Store(url))
    store = service.Store(url)
    for deal in TWO_DEALS:
        service.load_deal(store, parse_deal(deal.read_text(encoding="utf-8"), source=deal.name))
    return store


def posted(closed: object) -> list[tuple[object, ...]]:
    """A closing's entries as they post: party, kind, date and legs (not their ids)."""
    assert isinstance(closed, service.ClosedSettlement)
    return [
        (entry.party_id, entry.kind, entry.date, [(leg.account, leg.amount) for leg in entry.legs])
        for entry in closed.entries
    ]

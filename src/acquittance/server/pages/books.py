"""The books of the visitor's party: trial balance, journal, account history, and exports.

Only the visitor's own party's book is ever read: the party comes from the
session, never from the URL. The figures are the presenter's documents
(`present/documents.py`), the same ones `acquittance books` and `journal`
print with `--json`; the exports are the CLI's Beancount text and CSV files
written from those documents.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from acquittance.agreements.drafting.spreadsheet import neutralize_text
from acquittance.core.dates import parse_date
from acquittance.present.documents import (
    history_document,
    journal_document,
    trial_balance_document,
)
from acquittance.server.pages.rendering import SECURITY_HEADERS, render
from acquittance.server.pages.routing import PageRoute
from acquittance.server.pages.session import SignedIn, store_of
from acquittance.service import views

router = APIRouter(route_class=PageRoute)

JOURNAL_CSV_COLUMNS = (
    "entry", "sequence", "date", "kind", "description", "reference", "account", "amount",
    "currency", "hash",
)  # fmt: skip
TRIAL_BALANCE_CSV_COLUMNS = ("account", "name", "debit", "credit", "balance")
#: Longest account name a history is asked for (account names are far shorter).
ACCOUNT_LENGTH_MAX = 200
#: Journal entries on one page; the CSV and Beancount downloads hold them all.
JOURNAL_PAGE_ENTRIES = 100


def _cutoff(as_of: str | None) -> date | None:
    return parse_date(as_of, field="as-of date") if as_of else None


def _csv(rows: Iterable[Sequence[Any]], header: Sequence[str]) -> bytes:
    """CSV text (UTF-8, CRLF as RFC 4180 says)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _text(value: str | None) -> str:
    """Free text (a description, a name) as a spreadsheet must show it: never a formula.

    Amounts are left as they are: "-155388.68" is a number, and stays one.
    """
    return neutralize_text(value or "")


def journal_csv(document: dict[str, Any]) -> bytes:
    """One row per leg of the journal document: the entry's fields, then the leg's."""
    rows = (
        (
            entry["id"],
            entry["sequence"],
            entry["date"],
            entry["kind"],
            _text(entry["description"]),
            _text(entry["reference"]),
            _text(leg["account"]),
            leg["amount"],
            leg["currency"],
            entry["hash"],
        )
        for entry in document["entries"]
        for leg in entry["legs"]
    )
    return _csv(rows, JOURNAL_CSV_COLUMNS)


def trial_balance_csv(document: dict[str, Any]) -> bytes:
    rows = [
        (_text(r["account"]), _text(r["name"]), r["debit"], r["credit"], r["balance"])
        for r in document["accounts"]
    ]
    rows.append(("total", "", document["total_debit"], document["total_credit"], ""))
    return _csv(rows, TRIAL_BALANCE_CSV_COLUMNS)


def _download(content: bytes, filename: str, media_type: str) -> Response:
    headers = {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(content, media_type=media_type, headers=headers)


@router.get("/books", response_class=HTMLResponse)
def trial_balance_page(
    request: Request, who: SignedIn, as_of: Annotated[str | None, Query(max_length=40)] = None
) -> Response:
    books = views.party_books(store_of(request), who.user.party_id)
    cutoff = _cutoff(as_of)
    document = trial_balance_document(
        books.party, list(books.entries), list(books.counterparties), cutoff
    )
    context = who.page(party=books.party, balance=document, as_of=cutoff)
    return render(request, "books.html", context)


@router.get("/books/journal", response_class=HTMLResponse)
def journal_page(
    request: Request, who: SignedIn, page: Annotated[int, Query(ge=1, le=1_000_000)] = 1
) -> Response:
    """The journal in sequence order, a page of entries at a time."""
    books = views.party_books(store_of(request), who.user.party_id)
    pages_count = max(1, -(-len(books.entries) // JOURNAL_PAGE_ENTRIES))
    shown = min(page, pages_count)
    start = (shown - 1) * JOURNAL_PAGE_ENTRIES
    entries = books.entries[start : start + JOURNAL_PAGE_ENTRIES]
    context = who.page(
        party=books.party,
        journal=journal_document(books.party.id, entries),
        page=shown,
        pages_count=pages_count,
        entries_count=len(books.entries),
    )
    return render(request, "journal.html", context)


@router.get("/books/account", response_class=HTMLResponse)
def account_page(
    request: Request,
    who: SignedIn,
    name: Annotated[str, Query(min_length=1, max_length=ACCOUNT_LENGTH_MAX)],
) -> Response:
    books = views.party_books(store_of(request), who.user.party_id)
    document = history_document(books.party, list(books.entries), name)
    return render(request, "account.html", who.page(party=books.party, history=document))


@router.get("/books/export.beancount")
def beancount_download(request: Request, who: SignedIn) -> Response:
    party_id = who.user.party_id
    text = views.beancount_export(store_of(request), party_id)
    return _download(text.encode("utf-8"), f"{party_id}.beancount", "text/plain; charset=utf-8")


@router.get("/books/journal.csv")
def journal_download(request: Request, who: SignedIn) -> Response:
    books = views.party_books(store_of(request), who.user.party_id)
    content = journal_csv(journal_document(books.party.id, books.entries))
    return _download(content, f"{books.party.id}-journal.csv", "text/csv; charset=utf-8")


@router.get("/books/trial-balance.csv")
def trial_balance_download(
    request: Request, who: SignedIn, as_of: Annotated[str | None, Query(max_length=40)] = None
) -> Response:
    books = views.party_books(store_of(request), who.user.party_id)
    document = trial_balance_document(
        books.party, list(books.entries), list(books.counterparties), _cutoff(as_of)
    )
    name = f"{books.party.id}-trial-balance.csv"
    return _download(trial_balance_csv(document), name, "text/csv; charset=utf-8")

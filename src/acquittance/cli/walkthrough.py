"""`acquittance demo`: a deal end to end, on a store of its own, the way a person would run it.

Each step is shown as its own command shows it; with `--json`, one document
that holds each step's document (`demo` in docs/json).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from acquittance.cli import views
from acquittance.cli.app import emit_json
from acquittance.present import documents


def run(db: str | None, deal_file: Path, as_of: date, *, as_json: bool = False) -> None:
    from acquittance import service
    from acquittance.deals.parse import read_deal_file

    store = service.store_at(db)
    try:
        service.initialize(store)
        deal = read_deal_file(deal_file)
        loaded = documents.load_document(service.load_deal(store, deal), str(deal_file))
        settled = [_settle(store, loan.id, as_of) for loan in deal.loans]
        books = [_books(store, party.id) for party in deal.parties]
        records = service.obligations(store, status="open")
        obligations = [documents.obligation_document(r) for r in records]
        verification = documents.verification_document(service.verify(store))
        document = documents.demo_document(
            store=store.describe(),
            as_of=as_of,
            loaded=loaded,
            settlements=[settlement for _, settlement in settled],
            books=books,
            obligations=obligations,
            verification=verification,
        )
    finally:
        store.close()
    if as_json:
        emit_json(document)
    else:
        party_names = {party.id: party.name for party in deal.parties}
        _show(
            document,
            title=deal.title,
            names=[names for names, _ in settled],
            party_names=party_names,
        )


def _settle(store: Any, loan_id: str, as_of: date) -> tuple[dict[str, str], dict[str, Any]]:
    """Close a loan at the date under a key of the demo's own; the parties' short names too."""
    from acquittance import service
    from acquittance.present.documents import settlement_document

    request = service.QuoteRequest(loan_id=loan_id, as_of=as_of)
    closed = service.settle(store, request, key=f"demo-{loan_id}-{as_of.isoformat()}")
    return views.party_names(store, closed.quote), settlement_document(closed)


def _books(store: Any, party_id: str) -> dict[str, Any]:
    from acquittance import service

    who, entries = service.journal(store, party_id)
    return documents.trial_balance_document(
        who, entries, service.counterparties(store, party_id), None
    )


def _show(
    document: dict[str, Any],
    *,
    title: str,
    names: list[dict[str, str]],
    party_names: dict[str, str],
) -> None:
    out = views.console()
    loaded = document["loaded"]
    out.rule(f"{title}: {loaded['deal_file']}")
    out.print(f"store: {document['store']}")
    views.loaded(loaded)
    for settlement, parties in zip(document["settlements"], names, strict=True):
        out.rule(f"Quote for {settlement['loan']} as of {settlement['as_of']}")
        views.quote(settlement, parties=parties)
        out.rule(f"Settlement {settlement['settlement']} closed")
        for entry in settlement["entries"]:
            views.entry_table(out, entry)
    for books in document["books"]:
        out.rule(f"Books of {party_names.get(books['party'], books['party'])}")
        views.trial_balance(books)
    out.rule("Open obligations")
    views.obligations({"obligations": document["obligations"]})
    out.rule("Journal verification")
    views.verification(document["verification"])

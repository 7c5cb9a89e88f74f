"""`acquittance demo`: a deal end to end, on a store of its own, the way a person would run it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from acquittance.cli import views
from acquittance.present import documents


def run(db: str | None, deal_file: Path, as_of: date) -> None:
    from acquittance import service
    from acquittance.deals.parse import read_deal_file
    from acquittance.present.documents import quote_document, settlement_document

    out = views.console()
    store = service.store_at(db)
    service.initialize(store)
    deal = read_deal_file(deal_file)
    summary = service.load_deal(store, deal)
    out.rule(f"{deal.title}: {deal_file}")
    out.print(f"store: {store.describe()}")
    views.loaded(summary, deal_file)
    for loan in deal.loans:
        request = service.QuoteRequest(loan_id=loan.id, as_of=as_of)
        the_quote = service.quote(store, request)
        out.rule(f"Quote for {loan.id} as of {as_of.isoformat()}")
        views.quote(quote_document(the_quote), parties=views.party_names(store, the_quote))
        closed = service.settle(store, request, key=f"demo-{loan.id}-{as_of.isoformat()}")
        result = settlement_document(closed)
        out.rule(f"Settlement {result['settlement']} closed")
        for entry in result["entries"]:
            views.entry_table(out, entry)
    for party in deal.parties:
        out.rule(f"Books of {party.name}")
        who, entries = service.journal(store, party.id)
        document = documents.trial_balance_document(
            who, entries, service.counterparties(store, party.id), None
        )
        views.trial_balance(document)
    out.rule("Open obligations")
    records = service.obligations(store, status="open")
    views.obligations({"obligations": [documents.obligation_document(r) for r in records]})
    out.rule("Journal verification")
    check = service.verify(store)
    views.verification(documents.verification_document(check))
    store.close()

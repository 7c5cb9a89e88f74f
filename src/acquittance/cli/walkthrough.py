"""`acquittance demo`: a deal end to end, on a store of its own, the way a person would run it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from acquittance.cli import views


def run(db: str | None, deal_file: Path, as_of: date) -> None:
    from acquittance import service
    from acquittance.deals.parse import read_deal_file
    from acquittance.present.documents import quote_document
    from acquittance.store import resolve_url
    from acquittance.store.location import describe

    out = views.console()
    url = resolve_url(db)
    service.initialize(url)
    store = service.Store(url)
    deal = read_deal_file(deal_file)
    summary = service.load_deal(store, deal)
    out.rule(f"{deal.title}: {deal_file}")
    out.print(f"store: {describe(url)}")
    views.loaded(summary, deal_file)
    for loan in deal.loans:
        request = service.QuoteRequest(loan_id=loan.id, as_of=as_of)
        the_quote = service.quote(store, request)
        out.rule(f"Quote for {loan.id} as of {as_of.isoformat()}")
        views.quote(quote_document(the_quote), parties=views.party_names(store, the_quote))
        result = service.settle(
            store,
            request,
            key=f"demo-{loan.id}-{as_of.isoformat()}",
        )
        out.rule(f"Settlement {result['settlement']} closed")
        for entry in result["entries"]:
            views.entry_table(out, entry)
    for party in deal.parties:
        out.rule(f"Books of {party.name}")
        who, entries = service.journal(store, party.id)
        document = views.trial_balance_document(
            who, entries, service.counterparties(store, party.id), None
        )
        views.trial_balance(document)
    out.rule("Open obligations")
    records = service.obligations(store, status="open")
    views.obligations({"obligations": [views.obligation_document(r) for r in records]})
    out.rule("Journal verification")
    check = service.verify(store)
    views.verification(
        {
            "ok": check.ok,
            "entries": check.checked,
            "first_bad": check.first_bad,
            "reason": check.reason,
        }
    )
    store.close()

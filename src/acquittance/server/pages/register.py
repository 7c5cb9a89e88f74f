"""The register, one instrument, and a loan's quote: what the visitor's party holds, on a date.

Every record is read through `service.views`, which scopes it to the
visitor's party: another party's loan answers 404, as an unknown id does.
The quote is the one `acquittance quote --explain` gives, presented by the
same presenter (`quote_document`), never recomputed here.
"""

from __future__ import annotations

import secrets
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from acquittance.core import settlement
from acquittance.core.dates import parse_date
from acquittance.core.instruments import Loan
from acquittance.core.settlement_types import Quote
from acquittance.present.documents import quote_document
from acquittance.server.pages.chart import chart
from acquittance.server.pages.rendering import render
from acquittance.server.pages.routing import PageRoute
from acquittance.server.pages.session import SignedIn, store_of
from acquittance.service import views

router = APIRouter(route_class=PageRoute)

AsOf = Annotated[str | None, Query(max_length=40)]
_PERCENT = Decimal("0.01")


def page_date(as_of: str | None) -> date:
    """The date a page shows: the one asked for, else today."""
    return parse_date(as_of, field="as-of date") if as_of else date.today()


def coverage_text(quote: Quote) -> str:
    """Collateral value as a percentage of the payoff ("99.17 %"); "n/a" when nothing is owed."""
    if quote.owed_total == 0:
        return "n/a"
    ratio = (quote.collateral_value * 100 / quote.owed_total).quantize(_PERCENT, ROUND_HALF_UP)
    return f"{ratio} %"


@router.get("/", include_in_schema=False)
def home() -> Response:
    return RedirectResponse("/register", status_code=303)


@router.get("/register", response_class=HTMLResponse)
def register_page(request: Request, who: SignedIn, as_of: AsOf = None) -> Response:
    found = views.party_register(store_of(request), who.user.party_id, page_date(as_of))
    return render(request, "register.html", who.page(register=found))


@router.get("/instruments/{instrument_id}", response_class=HTMLResponse)
def instrument_page(
    request: Request, who: SignedIn, instrument_id: str, as_of: AsOf = None
) -> Response:
    view = views.instrument_view(
        store_of(request), who.user.party_id, instrument_id, page_date(as_of)
    )
    is_loan = isinstance(view.instrument, Loan)
    context = who.page(
        view=view,
        kind="loan" if is_loan else "note",
        rate=f"{(view.instrument.terms.annual_rate * 100).normalize():f}%",
        chart=chart(view.points, payoff_name="Payoff" if is_loan else "Total")
        if view.points
        else None,
        quote=quote_document(view.quote) if view.quote is not None else None,
        coverage=coverage_text(view.quote) if view.quote is not None else None,
    )
    return render(request, "instrument.html", context)


@router.get("/loans/{loan_id}/quote", response_class=HTMLResponse)
def quote_page(request: Request, who: SignedIn, loan_id: str, as_of: AsOf = None) -> Response:
    on = page_date(as_of)
    view = views.loan_quote(store_of(request), who.user.party_id, loan_id, on)
    document = quote_document(view.quote, explanation=settlement.explain(view.quote))
    context = who.page(
        loan_id=loan_id,
        as_of=on,
        quote=document,
        names=view.names,
        idempotency_key=secrets.token_urlsafe(16),
    )
    return render(request, "quote.html", context)

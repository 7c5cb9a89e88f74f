"""The two-party settlement through the pages: propose from a quote, approve, close, and the
obligations that follow.

Every step is a use case of `service.workflow`, with the visitor as the
actor; a settlement of loans the visitor's party is not on answers 404. The
quote shown is the saved quote the settlement was proposed from, presented
by `quote_document`; the agreement downloads are drafted from that quote by
the same drafter as `acquittance draft`. Forms post and then redirect (so a
reload repeats nothing); proposing also carries an idempotency key, so a
form sent twice proposes once.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any, Final

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from acquittance.core import settlement
from acquittance.core.dates import parse_date
from acquittance.core.errors import InputError, StateError
from acquittance.present.documents import (
    entry_document,
    obligation_document,
    quote_document,
)
from acquittance.server.pages.rendering import SECURITY_HEADERS, render
from acquittance.server.pages.routing import PageRoute
from acquittance.server.pages.session import Posted, SignedIn, Visitor, store_of
from acquittance.service import idempotency, scoped, views, workflow
from acquittance.service.quote import QuoteRequest

router = APIRouter(route_class=PageRoute)

KEY_LENGTH_MAX: Final = 200
SIGNATORY_LENGTH_MAX: Final = 200
#: The formats of an agreement the pages offer, and their media types.
AGREEMENT_MEDIA_TYPES: Final = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
STATUS_NAMES: Final = {
    "proposed": "proposed: waiting for approvals",
    "approved": "approved by both parties: ready to close",
    "closed": "closed",
}


def _to(path: str) -> Response:
    return RedirectResponse(path, status_code=303, headers=SECURITY_HEADERS)


def _key_scope(who: Visitor) -> str:
    return f"pages:{who.user.id}"


@router.post("/loans/{loan_id}/proposals")
def propose(
    request: Request,
    who: Posted,
    loan_id: str,
    as_of: Annotated[str, Form(max_length=40)],
    idempotency_key: Annotated[str, Form(max_length=KEY_LENGTH_MAX)],
) -> Response:
    """Save the quote on `as_of` and propose the settlement; the same key again proposes once."""
    on = parse_date(as_of, field="as-of date")
    keyed = idempotency.KeyedRequest(
        scope=_key_scope(who),
        key=idempotency_key,
        method="POST",
        path=request.url.path,
        body=json.dumps({"loan": loan_id, "as_of": on.isoformat()}),
    )
    work = workflow.quoting_and_proposing(who.user, QuoteRequest(loan_id=loan_id, as_of=on))
    # A refusal is shown as a page and not kept: the form may be sent again once it is fixed.
    once = idempotency.run_once(store_of(request), keyed, work, _proposed)
    return _to(f"/settlements/{json.loads(once.answer.body)['proposal']}")


def _proposed(proposal: workflow.Proposal) -> idempotency.Answer:
    return idempotency.Answer(303, json.dumps({"proposal": proposal.id}))


@router.get("/settlements", response_class=HTMLResponse)
def settlements_page(request: Request, who: SignedIn) -> Response:
    found = workflow.proposals(store_of(request), who.user)
    context = who.page(proposals=list(reversed(found)), statuses=STATUS_NAMES)
    return render(request, "settlements.html", context)


def _closing(store: Any, who: Visitor, proposal_id: str) -> dict[str, Any] | None:
    """What the closing did, as the visitor's party sees it: its own entries, all obligations."""
    closing = workflow.proposal_closing(store, who.user, proposal_id)
    if closing is None:
        return None
    closed = closing.closed
    return {
        "settlement": closed.id,
        "entries": [entry_document(e) for e in closed.entries if e.party_id == who.user.party_id],
        "obligations": [obligation_document(o) for o in closed.obligations],
        "loan_status": closed.loan_status,
    }


@router.get("/settlements/{proposal_id}", response_class=HTMLResponse)
def settlement_page(request: Request, who: SignedIn, proposal_id: str) -> Response:
    store = store_of(request)
    proposal = workflow.proposal(store, who.user, proposal_id)
    saved = scoped.saved_quote(store, who.user.party_id, proposal.quote_id)
    document = quote_document(
        saved.quote, explanation=settlement.explain(saved.quote), quote_id=saved.id
    )
    view = views.loan_names(store, who.user.party_id, proposal.loan_id)
    own = views.party_signatories(store, who.user.party_id)
    approved = {a.party_id for a in proposal.approvals}
    context = who.page(
        proposal=proposal,
        status=STATUS_NAMES.get(proposal.status, proposal.status),
        quote=document,
        names=view,
        signatories=own,
        approved_by_us=who.user.party_id in approved,
        waiting_for=[p for p in (proposal.lender_id, proposal.borrower_id) if p not in approved],
        closing=_closing(store, who, proposal_id),
        trail=workflow.audit_trail(store, who.user, proposal_id),
        users=workflow.user_names(store, [proposal]),
    )
    return render(request, "settlement.html", context)


@router.post("/settlements/{proposal_id}/approve")
def approve(
    request: Request,
    who: Posted,
    proposal_id: str,
    signatory: Annotated[str | None, Form(max_length=SIGNATORY_LENGTH_MAX)] = None,
) -> Response:
    workflow.approve(store_of(request), who.user, proposal_id, signatory=signatory or None)
    return _to(f"/settlements/{proposal_id}")


@router.post("/settlements/{proposal_id}/close")
def close(request: Request, who: Posted, proposal_id: str) -> Response:
    try:
        workflow.close(store_of(request), who.user, proposal_id)
    except StateError as error:
        # A second press after the closing (or the other party's) shows the closed settlement.
        if error.code != "ALREADY_CLOSED":
            raise
    return _to(f"/settlements/{proposal_id}")


@router.get("/settlements/{proposal_id}/agreement.{fmt}")
def agreement_download(request: Request, who: SignedIn, proposal_id: str, fmt: str) -> Response:
    media_type = AGREEMENT_MEDIA_TYPES.get(fmt)
    if media_type is None:
        raise InputError(
            "UNSUPPORTED_FORMAT", f"agreements download as {' or '.join(AGREEMENT_MEDIA_TYPES)}"
        )
    store = store_of(request)
    proposal = workflow.proposal(store, who.user, proposal_id)
    drafted = workflow.agreement(store, who.user, proposal_id, fmt)
    filename = f"{proposal.loan_id}-agreement.{drafted.fmt}"
    headers = {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(drafted.content, media_type=media_type, headers=headers)


@router.get("/obligations", response_class=HTMLResponse)
def obligations_page(request: Request, who: SignedIn) -> Response:
    records = scoped.party_obligations(store_of(request), who.user.party_id)
    context = who.page(obligations=[obligation_document(r) for r in records], today=date.today())
    return render(request, "obligations.html", context)


@router.post("/obligations/{obligation_id}/complete")
def complete_obligation(
    request: Request,
    who: Posted,
    obligation_id: str,
    on: Annotated[str, Form(max_length=40)],
) -> Response:
    done_on = parse_date(on, field="completion date")
    workflow.complete_obligation(store_of(request), who.user, obligation_id, done_on)
    return _to("/obligations")

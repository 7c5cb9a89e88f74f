"""The routes under /api/v1: each calls the service as the command line does and answers
with the presenter's document.

Every route needs a Bearer token and shows only what the caller's party is on
(service.scoped, service.workflow); anything else answers 404 exactly as an
id that does not exist. Every POST takes an Idempotency-Key header.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated, Any, Final, TypeVar

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from pydantic import BaseModel

from acquittance.core import dates
from acquittance.core.errors import InputError
from acquittance.core.money import to_decimal
from acquittance.present import documents
from acquittance.present.workflow import audit_document, proposal_document
from acquittance.server import schemas
from acquittance.server.idempotent import KEY_HEADER, run_once
from acquittance.server.identity import require_admin, require_api_user, store_of
from acquittance.server.problems import PROBLEM_MEDIA_TYPE
from acquittance.service import scoped, workflow
from acquittance.service.accounts import User
from acquittance.service.quote import QuoteRequest
from acquittance.service.verify import verify as verify_store
from acquittance.service.workflow import Proposal

M = TypeVar("M", bound=BaseModel)

_PROBLEM_REF: Final = {"$ref": "#/components/schemas/Problem"}


def _problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {
            "model": schemas.Problem,
            "description": "Problem details (RFC 9457) with the stable `code`.",
            "content": {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}},
        }
        for status in statuses
    }


READ_PROBLEMS: Final = _problems(400, 401, 404, 413, 422, 503)
WRITE_PROBLEMS: Final = _problems(400, 401, 403, 404, 409, 413, 422, 503)

router = APIRouter(responses=READ_PROBLEMS)

CurrentUser = Annotated[User, Depends(require_api_user)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=KEY_HEADER,
        max_length=200,
        description="Any unique text; the same key again returns the first answer.",
    ),
]
RecordId = Annotated[str, Path(max_length=200)]
AsOf = Annotated[
    str,
    Query(
        pattern=schemas.DATE_PATTERN, description="The date, YYYY-MM-DD.", examples=["2002-03-31"]
    ),
]


@contextmanager
def _field(name: str) -> Iterator[None]:
    """Name the request field an input error is about."""
    try:
        yield
    except InputError as error:
        error.field = name  # type: ignore[attr-defined]
        raise


def _date(text: str, name: str) -> date:
    with _field(name):
        return dates.parse_date(text, field=name)


def _checked(model: type[M], document: dict[str, Any]) -> dict[str, Any]:
    """The document, checked against its answer model (so the schema tells the truth)."""
    model.model_validate(document)
    return document


def _loan_summary(loan: Any) -> dict[str, Any]:
    discharged = loan.discharged_on
    return {
        "id": loan.id,
        "lender": loan.lender_id,
        "borrower": loan.borrower_id,
        "status": "open" if discharged is None else "discharged",
        "discharged_on": discharged.isoformat() if discharged else None,
        "agreement_name": loan.agreement_name,
        "currency": loan.terms.currency,
    }


# Who am I ---------------------------------------------------------------------------------


@router.get("/me", response_model=schemas.Me, tags=["accounts"], summary="The caller.")
def me(user: CurrentUser) -> dict[str, Any]:
    return {"id": user.id, "name": user.name, "party": user.party_id, "admin": user.is_admin}


# Instruments ------------------------------------------------------------------------------


@router.get(
    "/loans", response_model=schemas.LoanList, tags=["instruments"], summary="The party's loans."
)
def list_loans(request: Request, user: CurrentUser) -> dict[str, Any]:
    loans = scoped.loans(store_of(request), user.party_id)
    return _checked(schemas.LoanList, {"loans": [_loan_summary(loan) for loan in loans]})


@router.get(
    "/loans/{loan_id}", response_model=schemas.Record, tags=["instruments"], summary="One loan."
)
def get_loan(request: Request, user: CurrentUser, loan_id: RecordId) -> dict[str, Any]:
    loan = scoped.loan(store_of(request), user.party_id, loan_id)
    document = documents.record_document("loan", loan)
    return _checked(schemas.Record, {**document, **_loan_summary(loan)})


@router.get(
    "/notes", response_model=schemas.NoteList, tags=["instruments"], summary="The party's notes."
)
def list_notes(request: Request, user: CurrentUser) -> dict[str, Any]:
    notes = scoped.notes(store_of(request), user.party_id)
    return _checked(
        schemas.NoteList,
        {
            "notes": [
                {"id": n.id, "holder": n.holder_id, "maker": n.maker, "kind": n.kind} for n in notes
            ]
        },
    )


@router.get(
    "/notes/{note_id}", response_model=schemas.Record, tags=["instruments"], summary="One note."
)
def get_note(request: Request, user: CurrentUser, note_id: RecordId) -> dict[str, Any]:
    note = scoped.note(store_of(request), user.party_id, note_id)
    return _checked(schemas.Record, documents.record_document("note", note))


@router.get(
    "/instruments/{instrument_id}/position",
    response_model=schemas.PositionAnswer,
    tags=["instruments"],
    summary="Principal and accrued unpaid interest of a loan or note on a date.",
)
def get_position(
    request: Request, user: CurrentUser, instrument_id: RecordId, as_of: AsOf
) -> dict[str, Any]:
    when = _date(as_of, "as_of")
    instrument, held = scoped.position(store_of(request), user.party_id, instrument_id, when)
    return _checked(schemas.PositionAnswer, documents.position_document(instrument, held))


@router.get(
    "/positions",
    response_model=schemas.PositionList,
    tags=["instruments"],
    summary="The register: every loan and note of the party with its position on a date.",
)
def list_positions(request: Request, user: CurrentUser, as_of: AsOf) -> dict[str, Any]:
    when = _date(as_of, "as_of")
    rows = scoped.positions(store_of(request), user.party_id, when)
    return _checked(
        schemas.PositionList,
        {
            "as_of": when.isoformat(),
            "positions": [
                {"kind": kind, **documents.position_document(instrument, held)}
                for kind, instrument, held in rows
            ],
        },
    )


# Quotes -----------------------------------------------------------------------------------


def _quote_request(loan_id: str, body: schemas.QuoteRequestBody) -> QuoteRequest:
    values = None
    if body.values:
        values = {}
        for note_id, text in body.values.items():
            with _field(f"values.{note_id}"):
                values[note_id] = to_decimal(text, field=f"value of {note_id}")
                if values[note_id] < 0:
                    raise InputError(
                        "NEGATIVE_AMOUNT",
                        f"the value of {note_id} is {text}; it must not be below 0",
                    )
    return QuoteRequest(
        loan_id=loan_id,
        as_of=_date(body.as_of, "as_of"),
        note_ids=tuple(body.notes) if body.notes else None,
        values=values,
        partial=body.partial,
        good_through=_date(body.good_through, "good_through") if body.good_through else None,
    )


@router.post(
    "/loans/{loan_id}/quotes",
    status_code=201,
    response_model=schemas.QuoteAnswer,
    responses=WRITE_PROBLEMS,
    tags=["quotes"],
    summary="Quote the loan on a date and keep the quote (the fields of `quote --json`).",
)
def create_quote(
    request: Request,
    user: CurrentUser,
    loan_id: RecordId,
    body: schemas.QuoteRequestBody,
    key: IdempotencyKey = None,
) -> Any:
    # A body refused here is refused the same way whatever its key: no need to keep it.
    work = scoped.quote_saving(user.party_id, _quote_request(loan_id, body))
    return run_once(request, user, key, body, work, _quote_answer)


def _quote_answer(saved: Any) -> tuple[int, dict[str, Any]]:
    document = documents.quote_document(saved.quote, quote_id=saved.id)
    return 201, _checked(schemas.QuoteAnswer, document)


@router.get("/quotes", response_model=schemas.QuoteList, tags=["quotes"], summary="Saved quotes.")
def list_quotes(
    request: Request,
    user: CurrentUser,
    loan: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    saved = scoped.saved_quotes(store_of(request), user.party_id, loan_id=loan)
    return _checked(
        schemas.QuoteList,
        {"quotes": [documents.quote_document(s.quote, quote_id=s.id) for s in saved]},
    )


@router.get(
    "/quotes/{quote_id}", response_model=schemas.QuoteAnswer, tags=["quotes"], summary="One quote."
)
def get_quote(request: Request, user: CurrentUser, quote_id: RecordId) -> dict[str, Any]:
    saved = scoped.saved_quote(store_of(request), user.party_id, quote_id)
    return _checked(schemas.QuoteAnswer, documents.quote_document(saved.quote, quote_id=saved.id))


# The two-party settlement -----------------------------------------------------------------


def _proposal(proposal: Proposal) -> dict[str, Any]:
    return _checked(schemas.SettlementAnswer, proposal_document(proposal))


@router.post(
    "/settlements",
    status_code=201,
    response_model=schemas.SettlementAnswer,
    responses=WRITE_PROBLEMS,
    tags=["settlements"],
    summary="Propose a settlement from a saved quote; each party then approves it.",
)
def propose(
    request: Request,
    user: CurrentUser,
    body: schemas.ProposalRequestBody,
    key: IdempotencyKey = None,
) -> Any:
    def render(proposed: Proposal) -> tuple[int, dict[str, Any]]:
        return 201, _proposal(proposed)

    return run_once(request, user, key, body, workflow.proposing(user, body.quote_id), render)


@router.get(
    "/settlements",
    response_model=schemas.SettlementList,
    tags=["settlements"],
    summary="Settlements proposed on the party's loans.",
)
def list_settlements(request: Request, user: CurrentUser) -> dict[str, Any]:
    found = workflow.proposals(store_of(request), user)
    return _checked(schemas.SettlementList, {"settlements": [proposal_document(p) for p in found]})


def _with_closing(request: Request, user: User, proposal_id: str) -> dict[str, Any]:
    store = store_of(request)
    found = workflow.proposal_closing(store, user, proposal_id)
    if found is None:
        return _proposal(workflow.proposal(store, user, proposal_id))
    return {**_proposal(found.proposal), "settlement": _closed(found.closed)}


def _closed(closed: Any) -> dict[str, Any]:
    return _checked(schemas.ClosedSettlementAnswer, documents.settlement_document(closed))


@router.get(
    "/settlements/{settlement_id}",
    response_model=schemas.SettlementAnswer,
    tags=["settlements"],
    summary="One settlement: status, approvals and, once closed, what the closing did.",
)
def get_settlement(request: Request, user: CurrentUser, settlement_id: RecordId) -> dict[str, Any]:
    return _with_closing(request, user, settlement_id)


@router.post(
    "/settlements/{settlement_id}/approvals",
    response_model=schemas.SettlementAnswer,
    responses=WRITE_PROBLEMS,
    tags=["settlements"],
    summary="The caller's party approves; its signatory signs.",
)
def approve(
    request: Request,
    user: CurrentUser,
    settlement_id: RecordId,
    body: schemas.ApprovalRequestBody | None = None,
    key: IdempotencyKey = None,
) -> Any:
    signatory = body.signatory if body is not None else None

    def render(approved: Proposal) -> tuple[int, dict[str, Any]]:
        return 200, _proposal(approved)

    work = workflow.approving(user, settlement_id, signatory=signatory)
    return run_once(request, user, key, body, work, render)


@router.post(
    "/settlements/{settlement_id}/close",
    response_model=schemas.SettlementAnswer,
    responses=WRITE_PROBLEMS,
    tags=["settlements"],
    summary="Close: notes assigned, loan discharged, both books posted. 409 until both approved.",
)
def close(
    request: Request, user: CurrentUser, settlement_id: RecordId, key: IdempotencyKey = None
) -> Any:
    def render(done: workflow.ClosedProposal) -> tuple[int, dict[str, Any]]:
        return 200, {
            **_proposal(done.proposal),
            "settlement": _closed(done.closed),
        }

    return run_once(request, user, key, None, workflow.closing(user, settlement_id), render)


@router.get(
    "/settlements/{settlement_id}/audit",
    response_model=schemas.AuditTrail,
    tags=["settlements"],
    summary="Every step of the settlement: who, when, what, each hash-chained.",
)
def get_audit(request: Request, user: CurrentUser, settlement_id: RecordId) -> dict[str, Any]:
    store = store_of(request)
    records = workflow.audit_trail(store, user, settlement_id)
    return _checked(
        schemas.AuditTrail,
        audit_document(settlement_id, records, user_names=workflow.user_names(store)),
    )


AGREEMENT_MEDIA_TYPES: Final = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


@router.get(
    "/settlements/{settlement_id}/agreement",
    response_class=Response,
    responses={
        200: {
            "description": "The agreement, in the format asked for.",
            "content": {media.split(";")[0]: {} for media in AGREEMENT_MEDIA_TYPES.values()},
        }
    },
    tags=["settlements"],
    summary="The settlement agreement drafted from the settlement's quote (md, html, docx, pdf).",
)
def get_agreement(
    request: Request,
    user: CurrentUser,
    settlement_id: RecordId,
    format: Annotated[str, Query(pattern="^(md|html|docx|pdf)$")] = "md",
) -> Response:
    drafted = workflow.agreement(store_of(request), user, settlement_id, format)
    filename = f"{settlement_id}-agreement.{drafted.fmt}"
    return Response(
        drafted.content,
        media_type=AGREEMENT_MEDIA_TYPES[drafted.fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/closings",
    response_model=schemas.ClosingList,
    tags=["settlements"],
    summary="Closed settlements of the party's loans (through the API or the command line).",
)
def list_closings(request: Request, user: CurrentUser) -> dict[str, Any]:
    found = scoped.closed_settlements(store_of(request), user.party_id)
    return _checked(
        schemas.ClosingList,
        {
            "closings": [
                {
                    "settlement": s.id,
                    "loan": s.loan_id,
                    "as_of": s.as_of.isoformat(),
                    "satisfaction": s.quote.satisfaction.value,
                }
                for s in found
            ]
        },
    )


@router.get(
    "/closings/{settlement_id}",
    response_model=schemas.ClosedSettlementAnswer,
    tags=["settlements"],
    summary="What a closing did: entries, obligations, releases, note holders.",
)
def get_closing(request: Request, user: CurrentUser, settlement_id: RecordId) -> dict[str, Any]:
    return _closed(scoped.closed_settlement(store_of(request), user.party_id, settlement_id))


# Books ------------------------------------------------------------------------------------


@router.get(
    "/parties/{party_id}/journal",
    response_model=schemas.Journal,
    tags=["books"],
    summary="The party's journal entries (as `journal --json`).",
)
def get_journal(request: Request, user: CurrentUser, party_id: RecordId) -> dict[str, Any]:
    who, entries = scoped.journal(store_of(request), user.party_id, party_id)
    return _checked(schemas.Journal, documents.journal_document(who.id, entries))


@router.get(
    "/parties/{party_id}/trial-balance",
    response_model=schemas.TrialBalance,
    tags=["books"],
    summary="The party's trial balance (as `books --json`).",
)
def get_trial_balance(
    request: Request,
    user: CurrentUser,
    party_id: RecordId,
    as_of: Annotated[str | None, Query(pattern=schemas.DATE_PATTERN)] = None,
) -> dict[str, Any]:
    store = store_of(request)
    cutoff = _date(as_of, "as_of") if as_of is not None else None
    who, entries = scoped.journal(store, user.party_id, party_id)
    document = documents.trial_balance_document(
        who, entries, scoped.counterparties(store, user.party_id), cutoff
    )
    return _checked(schemas.TrialBalance, document)


@router.get(
    "/parties/{party_id}/accounts/{account}",
    response_model=schemas.AccountHistory,
    tags=["books"],
    summary="One account's history.",
)
def get_account(
    request: Request, user: CurrentUser, party_id: RecordId, account: RecordId
) -> dict[str, Any]:
    who, entries = scoped.journal(store_of(request), user.party_id, party_id)
    return _checked(schemas.AccountHistory, documents.history_document(who, entries, account))


# Obligations ------------------------------------------------------------------------------

StatusFilter = Annotated[str | None, Query(pattern="^(open|done)$", description="open or done.")]


@router.get(
    "/obligations",
    response_model=schemas.ObligationList,
    tags=["obligations"],
    summary="The obligations the party is responsible for.",
)
def list_obligations(
    request: Request, user: CurrentUser, status: StatusFilter = None
) -> dict[str, Any]:
    records = scoped.party_obligations(store_of(request), user.party_id, status=status)
    return _checked(
        schemas.ObligationList,
        {"obligations": [documents.obligation_document(r) for r in records]},
    )


@router.post(
    "/obligations/{obligation_id}/completion",
    response_model=schemas.ObligationAnswer,
    responses=WRITE_PROBLEMS,
    tags=["obligations"],
    summary="Mark an obligation of the party done (a termination filed, a wire sent).",
)
def complete_obligation(
    request: Request,
    user: CurrentUser,
    obligation_id: RecordId,
    body: schemas.CompletionRequestBody,
    key: IdempotencyKey = None,
) -> Any:
    work = workflow.obligation_completing(user, obligation_id, _date(body.on, "on"))
    return run_once(request, user, key, body, work, _obligation_answer)


def _obligation_answer(record: Any) -> tuple[int, dict[str, Any]]:
    return 200, _checked(schemas.ObligationAnswer, documents.obligation_document(record))


# Verify -----------------------------------------------------------------------------------


@router.get(
    "/verify",
    response_model=schemas.VerificationAnswer,
    responses=_problems(403),
    tags=["admin"],
    summary="Recompute every chain (journal and audit) and check the register (admins only).",
)
def run_verify(request: Request, admin: Annotated[User, Depends(require_admin)]) -> dict[str, Any]:
    check = verify_store(store_of(request))
    return _checked(schemas.VerificationAnswer, documents.verification_document(check))

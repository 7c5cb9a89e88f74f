"""The API's request and answer shapes, as Pydantic v2 models (and so its OpenAPI schema).

Requests forbid unknown fields and take dates and amounts as strings, so that
the service parses them one way (ISO dates in the supported range, decimal
text, never a float). Answers are the presenter's documents (`present/`),
checked against these models before they are sent; fields beyond those named
here are allowed, so a document may grow without breaking clients.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
AMOUNT_PATTERN = r"^-?\d{1,16}(\.\d{1,10})?$"
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$"

DateText = Annotated[
    str, Field(pattern=DATE_PATTERN, json_schema_extra={"format": "date"}, examples=["2002-03-31"])
]
AmountText = Annotated[str, Field(pattern=AMOUNT_PATTERN, examples=["18484981.73"])]
IdText = Annotated[str, Field(pattern=ID_PATTERN, max_length=100)]


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


# Requests ---------------------------------------------------------------------------------


class QuoteRequestBody(Request):
    as_of: DateText
    notes: list[IdText] | None = Field(None, max_length=500, description="Assign only these notes.")
    values: dict[IdText, AmountText] | None = Field(
        None,
        max_length=500,
        description="Take a note at this value instead of its carrying amount.",
    )
    partial: bool = False
    good_through: DateText | None = None


class ProposalRequestBody(Request):
    quote_id: IdText


class ApprovalRequestBody(Request):
    signatory: Annotated[str, Field(min_length=1, max_length=300)] | None = Field(
        None, description="Which of the party's signatories signs (default: the first)."
    )


class CompletionRequestBody(Request):
    on: DateText


# Answers ----------------------------------------------------------------------------------


class LoanSummary(Answer):
    id: str
    lender: str
    borrower: str
    status: str


class LoanList(Answer):
    loans: list[LoanSummary]


class NoteSummary(Answer):
    id: str
    holder: str
    maker: str


class NoteList(Answer):
    notes: list[NoteSummary]


class Record(Answer):
    kind: str
    id: str


class PositionAnswer(Answer):
    instrument: str
    as_of: str
    currency: str
    principal: str
    interest: str
    total: str


class PositionRow(PositionAnswer):
    kind: str


class PositionList(Answer):
    as_of: str
    positions: list[PositionRow]


class Owed(Answer):
    principal: str
    interest: str
    charges: str
    total: str


class Collateral(Answer):
    principal: str
    interest: str
    value: str


class Cash(Answer):
    amount: str
    payer: str | None
    payee: str | None


class QuoteAnswer(Answer):
    quote_id: str
    loan: str
    as_of: str
    owed: Owed
    collateral: Collateral
    cash: Cash
    remaining_debt: str


class QuoteList(Answer):
    quotes: list[QuoteAnswer]


class Signature(Answer):
    party: str
    signatory: dict[str, str]
    user: str
    at: str


class SettlementAnswer(Answer):
    id: str
    status: str
    quote_id: str
    loan: str
    lender: str
    borrower: str
    approvals: list[str]
    signatures: list[Signature]
    settlement_id: str | None


class SettlementList(Answer):
    settlements: list[SettlementAnswer]


class ClosedSettlementAnswer(Answer):
    settlement: str
    loan: str
    as_of: str
    entries: list[dict[str, Any]]
    obligations: list[dict[str, Any]]


class ClosingList(Answer):
    closings: list[dict[str, Any]]


class Leg(Answer):
    account: str
    amount: str


class Entry(Answer):
    id: str
    date: str
    kind: str
    legs: list[Leg]
    hash: str


class Journal(Answer):
    party: str
    entries: list[Entry]


class TrialBalance(Answer):
    party: str
    accounts: list[dict[str, Any]]
    total_debit: str
    total_credit: str


class AccountHistory(Answer):
    party: str
    account: str
    postings: list[dict[str, Any]]


class ObligationAnswer(Answer):
    id: str
    kind: str
    status: str
    due: str
    party: str
    financing_statement: str | None


class ObligationList(Answer):
    obligations: list[ObligationAnswer]


class AuditEntry(Answer):
    id: str
    sequence: int
    at: str
    user: str | None
    party: str | None
    action: str
    detail: dict[str, Any]
    hash: str


class AuditTrail(Answer):
    settlement: str
    records: list[AuditEntry]


class VerificationAnswer(Answer):
    ok: bool
    entries: int
    first_bad: str | None


class Me(Answer):
    id: str
    name: str
    party: str
    admin: bool


class Problem(BaseModel):
    """An error, as RFC 9457 problem details with the stable code beside."""

    model_config = ConfigDict(extra="allow")
    type: str
    title: str
    status: int
    detail: str
    code: str
    message: str
    field: str | None = None

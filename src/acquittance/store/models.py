"""The tables, as SQLAlchemy 2 typed declarative models.

Rows are storage shapes only; `repository` maps them to and from the domain's
frozen values. Every money amount and rate is stored as exact decimal text
(`DecimalText`): SQLite has no exact decimal type, and a NUMERIC column there
would silently become a binary float. Nothing is written on read: there are no
"last accessed" or "updated at" columns, so a refused or repeated command
leaves the content of the store as it was.

The annotations here are evaluated when the classes are made (no `from
__future__ import annotations`), and only a relationship to a class defined
further down is written as a string: SQLAlchemy reads every `Mapped[...]`
annotation when it maps a class, and evaluating the 290 of them from strings
cost close to a tenth of importing the models, which every command that opens
the store pays.
"""

import datetime
from datetime import date
from decimal import Decimal
from typing import Any, Final, cast

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from acquittance.core.errors import InputError

#: The longest decimal text a money or rate column holds; far past any real amount.
DECIMAL_TEXT_LENGTH_MAX: Final = 64
ID_LENGTH_MAX: Final = 100
#: A journal entry's id names its party, its chain and its place: "berg/loan-1/3".
ENTRY_ID_LENGTH_MAX: Final = 2 * ID_LENGTH_MAX + 20
NAME_LENGTH_MAX: Final = 300
HASH_LENGTH_MAX: Final = 128

# Named constraints, so that migrations can refer to them on every backend.
NAMING_CONVENTION: Final = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def decimal_text(value: Any) -> str | None:
    """An amount as its exact stored text; a float, a non-number or an overlong text is refused."""
    if value is None:
        return None
    if not isinstance(value, Decimal):
        # A float here would already have lost cents; refuse rather than store it.
        raise InputError(
            "FLOAT_AMOUNT" if isinstance(value, float) else "INVALID_AMOUNT",
            f"amount {value!r} is a {type(value).__name__}, not a Decimal; "
            "build amounts with acquittance.core.money.to_decimal",
        )
    if not value.is_finite():
        raise InputError("INVALID_AMOUNT", f"amount {value} is not a finite number")
    text = str(value)
    if len(text) > DECIMAL_TEXT_LENGTH_MAX:
        raise InputError(
            "AMOUNT_TOO_LONG",
            f"amount {text[:20]}... has {len(text)} characters; at most "
            f"{DECIMAL_TEXT_LENGTH_MAX} can be stored",
        )
    return text


class DecimalText(TypeDecorator[Decimal]):
    """A Decimal stored as its exact text ("17533226.80"); floats are refused."""

    impl = String(DECIMAL_TEXT_LENGTH_MAX)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        return decimal_text(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(str(value))


def _id() -> String:
    return String(ID_LENGTH_MAX)


def _name() -> String:
    return String(NAME_LENGTH_MAX)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table_of(model: type[Base]) -> Table:
    """A model's table, for Core statements (batched inserts and updates)."""
    return cast(Table, model.__table__)


class PartyRow(Base):
    __tablename__ = "parties"

    id: Mapped[str] = mapped_column(_id(), primary_key=True)
    name: Mapped[str] = mapped_column(_name())
    entity_type: Mapped[str] = mapped_column(_name())
    jurisdiction: Mapped[str] = mapped_column(_name())
    short_name: Mapped[str] = mapped_column(_name())
    signatories: Mapped[list["SignatoryRow"]] = relationship(
        order_by="SignatoryRow.position", cascade="all, delete-orphan"
    )


class SignatoryRow(Base):
    __tablename__ = "party_signatories"

    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(_name())
    title: Mapped[str] = mapped_column(_name())


class _TermsColumns:
    """An instrument's interest terms, flattened into its row."""

    annual_rate: Mapped[Decimal] = mapped_column(DecimalText())
    day_count: Mapped[str] = mapped_column(String(20))
    currency: Mapped[str] = mapped_column(String(3))
    compounding: Mapped[str] = mapped_column(String(20))
    rounding: Mapped[str] = mapped_column(String(20))


class _EventColumns:
    """One event of an instrument; which amount columns are set depends on `kind`."""

    sequence: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    date: Mapped[date] = mapped_column(Date)
    principal: Mapped[Decimal | None] = mapped_column(DecimalText())
    interest: Mapped[Decimal | None] = mapped_column(DecimalText())
    amount: Mapped[Decimal | None] = mapped_column(DecimalText())
    annual_rate: Mapped[Decimal | None] = mapped_column(DecimalText())
    # The scheduled payment a late charge is for.
    due: Mapped[datetime.date | None] = mapped_column(Date)
    # Not a foreign key: a closing appends the Satisfaction event and the
    # settlement row in one transaction, in whatever order the service chooses.
    settlement_id: Mapped[str | None] = mapped_column(_id())
    # A reversal: the sequence of the event it reverses, and why.
    reverses: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(Text)


class LoanRow(_TermsColumns, Base):
    __tablename__ = "loans"

    id: Mapped[str] = mapped_column(_id(), primary_key=True)
    lender_id: Mapped[str] = mapped_column(ForeignKey("parties.id"))
    borrower_id: Mapped[str] = mapped_column(ForeignKey("parties.id"))
    agreement_name: Mapped[str] = mapped_column(_name())
    agreement_date: Mapped[date | None] = mapped_column(Date)
    governing_law: Mapped[str] = mapped_column(_name(), default="")
    level_payment_amount: Mapped[Decimal | None] = mapped_column(DecimalText())
    level_payment_first_due: Mapped[date | None] = mapped_column(Date)
    level_payment_count: Mapped[int | None] = mapped_column(Integer)
    late_charge_grace_days: Mapped[int | None] = mapped_column(Integer)
    late_charge_percent: Mapped[Decimal | None] = mapped_column(DecimalText())
    late_charge_amount: Mapped[Decimal | None] = mapped_column(DecimalText())
    events: Mapped[list["LoanEventRow"]] = relationship(
        order_by="LoanEventRow.sequence", cascade="all, delete-orphan"
    )


def _reversals_index(table: str, owner: str) -> Index:
    """The events that reverse another, by instrument: a history's length is read from
    its last sequence and its reversals, never by counting every event."""
    where = text("reverses IS NOT NULL")
    return Index(f"ix_{table}_reversals", owner, sqlite_where=where, postgresql_where=where)


class LoanEventRow(_EventColumns, Base):
    __tablename__ = "loan_events"
    __table_args__ = (_reversals_index("loan_events", "loan_id"),)

    loan_id: Mapped[str] = mapped_column(ForeignKey("loans.id"), primary_key=True)


class NoteRow(_TermsColumns, Base):
    __tablename__ = "notes"
    __table_args__ = (
        CheckConstraint(
            "(level_payment_amount IS NULL) = (level_payment_first_due IS NULL) "
            "AND (level_payment_amount IS NULL) = (level_payment_count IS NULL)",
            name="level_payment_complete",
        ),
    )

    id: Mapped[str] = mapped_column(_id(), primary_key=True)
    maker: Mapped[str] = mapped_column(_name())
    # NOT NULL and a single column: a note is held by exactly one party.
    holder_id: Mapped[str] = mapped_column(ForeignKey("parties.id"))
    kind: Mapped[str] = mapped_column(String(40))
    issue_date: Mapped[date | None] = mapped_column(Date)
    maturity_date: Mapped[date | None] = mapped_column(Date)
    original_principal: Mapped[Decimal | None] = mapped_column(DecimalText())
    level_payment_amount: Mapped[Decimal | None] = mapped_column(DecimalText())
    level_payment_first_due: Mapped[date | None] = mapped_column(Date)
    level_payment_count: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    events: Mapped[list["NoteEventRow"]] = relationship(
        order_by="NoteEventRow.sequence", cascade="all, delete-orphan"
    )


class NoteEventRow(_EventColumns, Base):
    __tablename__ = "note_events"
    __table_args__ = (_reversals_index("note_events", "note_id"),)

    note_id: Mapped[str] = mapped_column(ForeignKey("notes.id"), primary_key=True)


class NoteTransferRow(Base):
    """The history of a note's holders: one row per change, in order."""

    __tablename__ = "note_transfers"

    note_id: Mapped[str] = mapped_column(ForeignKey("notes.id"), primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer, primary_key=True)
    from_party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"))
    to_party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"))
    date: Mapped[date] = mapped_column(Date)
    settlement_id: Mapped[str | None] = mapped_column(_id())


class SecurityInterestRow(Base):
    __tablename__ = "security_interests"

    id: Mapped[str] = mapped_column(_id(), primary_key=True)
    loan_id: Mapped[str] = mapped_column(ForeignKey("loans.id"), index=True)
    secured_party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"))
    debtor_id: Mapped[str] = mapped_column(ForeignKey("parties.id"))
    granted_on: Mapped[date | None] = mapped_column(Date)
    released_on: Mapped[date | None] = mapped_column(Date)
    # The settlement that released it, when one did (not a foreign key: the
    # release and the settlement row are written in one transaction, in either order).
    released_by: Mapped[str | None] = mapped_column(_id())
    pledged_notes: Mapped[list["PledgedNoteRow"]] = relationship(
        order_by="PledgedNoteRow.position", cascade="all, delete-orphan"
    )
    financing_statements: Mapped[list["FinancingStatementRow"]] = relationship(
        order_by="FinancingStatementRow.position", cascade="all, delete-orphan"
    )


class PledgedNoteRow(Base):
    """A note pledged under a security interest.

    `released_on` repeats the interest's own so that the database itself can
    hold "at most one active pledge per note": a unique index on note_id over
    the rows not yet released (a partial index, which SQLite and PostgreSQL
    both support).
    """

    __tablename__ = "pledged_notes"
    __table_args__ = (
        Index(
            "ux_pledged_notes_active_note",
            "note_id",
            unique=True,
            sqlite_where="released_on IS NULL",
            postgresql_where="released_on IS NULL",
        ),
    )

    security_interest_id: Mapped[str] = mapped_column(
        ForeignKey("security_interests.id"), primary_key=True
    )
    note_id: Mapped[str] = mapped_column(ForeignKey("notes.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    released_on: Mapped[date | None] = mapped_column(Date)


class FinancingStatementRow(Base):
    __tablename__ = "financing_statements"

    id: Mapped[str] = mapped_column(_id(), primary_key=True)
    security_interest_id: Mapped[str] = mapped_column(
        ForeignKey("security_interests.id"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    filing_office: Mapped[str] = mapped_column(_name())
    file_number: Mapped[str] = mapped_column(_name())
    filed_on: Mapped[date] = mapped_column(Date)
    terminated_on: Mapped[date | None] = mapped_column(Date)


class _QuoteFigureColumns:
    """A quote's figures, as the quote states them: one column each, never a document."""

    lender_id: Mapped[str] = mapped_column(ForeignKey("parties.id"))
    borrower_id: Mapped[str] = mapped_column(ForeignKey("parties.id"))
    currency: Mapped[str] = mapped_column(String(3))
    satisfaction: Mapped[str] = mapped_column(String(20))
    owed_principal: Mapped[Decimal] = mapped_column(DecimalText())
    owed_interest: Mapped[Decimal] = mapped_column(DecimalText())
    owed_charges: Mapped[Decimal] = mapped_column(DecimalText(), server_default="0.00")
    per_diem: Mapped[Decimal] = mapped_column(DecimalText())
    good_through: Mapped[date] = mapped_column(Date)
    cash_amount: Mapped[Decimal] = mapped_column(DecimalText())
    # Null exactly when no cash moves.
    cash_payer_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))
    cash_payee_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))
    remaining_debt: Mapped[Decimal] = mapped_column(DecimalText())
    fingerprint: Mapped[str] = mapped_column(String(HASH_LENGTH_MAX))


class _CollateralLineColumns:
    """One note a quote assigns, at its position on the quote date and the value taken."""

    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    note_id: Mapped[str] = mapped_column(ForeignKey("notes.id"))
    principal: Mapped[Decimal] = mapped_column(DecimalText())
    interest: Mapped[Decimal] = mapped_column(DecimalText())
    value: Mapped[Decimal] = mapped_column(DecimalText())


class SettlementRow(_QuoteFigureColumns, Base):
    """A closed settlement: the header, with the figures of the quote it closed."""

    __tablename__ = "settlements"
    # A key is one attempt to settle one loan: unique per loan, so that a retried
    # settle with the same key can never close that loan twice, and the key is
    # looked up under the loan's lock, never racing closings of other loans.
    __table_args__ = (UniqueConstraint("loan_id", "idempotency_key"),)

    id: Mapped[str] = mapped_column(_id(), primary_key=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    loan_id: Mapped[str] = mapped_column(ForeignKey("loans.id"), index=True)
    as_of: Mapped[date] = mapped_column(Date)
    # How many journal entries the closing posted, over both books: `verify`
    # counts them again, so removing one is noticed even at a chain's head.
    entries_count: Mapped[int] = mapped_column(Integer)


class SettlementNoteRow(_CollateralLineColumns, Base):
    """A note the settlement assigned, at the figures it was taken at."""

    __tablename__ = "settlement_notes"

    settlement_id: Mapped[str] = mapped_column(ForeignKey("settlements.id"), primary_key=True)


class QuoteRow(_QuoteFigureColumns, Base):
    """A saved quote: its figures and what it was asked for, so a closing can check it."""

    __tablename__ = "quotes"

    id: Mapped[str] = mapped_column(_id(), primary_key=True)
    loan_id: Mapped[str] = mapped_column(ForeignKey("loans.id"), index=True)
    as_of: Mapped[date] = mapped_column(Date)
    # The request: whether notes were named, partial satisfaction, the good-through
    # date asked for (each note's value asked for is on its line).
    notes_named: Mapped[bool] = mapped_column(Boolean)
    partial: Mapped[bool] = mapped_column(Boolean)
    good_through_requested: Mapped[date | None] = mapped_column(Date)


class QuoteNoteRow(_CollateralLineColumns, Base):
    __tablename__ = "quote_notes"

    quote_id: Mapped[str] = mapped_column(ForeignKey("quotes.id"), primary_key=True)
    value_requested: Mapped[Decimal | None] = mapped_column(DecimalText())


class ObligationRow(Base):
    __tablename__ = "obligations"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'done')", name="status_known"),
        CheckConstraint(
            "(status = 'done') = (completed_on IS NOT NULL)", name="completed_when_done"
        ),
    )

    id: Mapped[str] = mapped_column(_id(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    # What it arises from: a settlement, or a lifecycle action (a payoff, a release).
    settlement_id: Mapped[str] = mapped_column(_id())
    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"))
    description: Mapped[str] = mapped_column(Text)
    due: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal | None] = mapped_column(DecimalText())
    financing_statement_id: Mapped[str | None] = mapped_column(
        ForeignKey("financing_statements.id")
    )
    status: Mapped[str] = mapped_column(String(10))
    completed_on: Mapped[date | None] = mapped_column(Date)


class JournalEntryRow(Base):
    __tablename__ = "journal_entries"
    __table_args__ = (UniqueConstraint("party_id", "chain", "sequence"),)

    id: Mapped[str] = mapped_column(String(ENTRY_ID_LENGTH_MAX), primary_key=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"))
    # The record the chain is about (see books.chain); "" for a whole-book chain.
    chain: Mapped[str] = mapped_column(_id(), default="")
    sequence: Mapped[int] = mapped_column(Integer)
    date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    reference: Mapped[str | None] = mapped_column(_id())
    previous_hash: Mapped[str] = mapped_column(String(HASH_LENGTH_MAX))
    hash: Mapped[str] = mapped_column(String(HASH_LENGTH_MAX))
    # The settlement that posted the entry, when one did.
    settlement_id: Mapped[str | None] = mapped_column(_id(), index=True)
    legs: Mapped[list["JournalLegRow"]] = relationship(
        order_by="JournalLegRow.position", cascade="all, delete-orphan"
    )


class JournalLegRow(Base):
    __tablename__ = "journal_legs"

    entry_id: Mapped[str] = mapped_column(
        String(ENTRY_ID_LENGTH_MAX), ForeignKey("journal_entries.id"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    account: Mapped[str] = mapped_column(_name())
    # Named `amount` on purpose: checks outside the product edit this column
    # directly and expect `verify` to notice.
    amount: Mapped[Decimal] = mapped_column(DecimalText())
    currency: Mapped[str] = mapped_column(String(3))


class JournalHeadRow(Base):
    """The newest entry of each chain: what the next entry links to.

    One row per (party, chain), so that an append reads and locks exactly the
    chains it extends and closings of unrelated loans never touch the same row.
    """

    __tablename__ = "journal_heads"

    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), primary_key=True)
    chain: Mapped[str] = mapped_column(_id(), primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(HASH_LENGTH_MAX))
    entry_id: Mapped[str] = mapped_column(String(ENTRY_ID_LENGTH_MAX))


class AnchorHeadRow(Base):
    """The heads of every chain when an anchor was taken (`verify --anchor`).

    The digest itself is kept outside the store; these rows let `verify
    --against DIGEST` find the state it pinned, and cannot be forged to match.
    """

    __tablename__ = "anchor_heads"

    digest: Mapped[str] = mapped_column(String(HASH_LENGTH_MAX), primary_key=True)
    party_id: Mapped[str] = mapped_column(_id(), primary_key=True)
    chain: Mapped[str] = mapped_column(_id(), primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(HASH_LENGTH_MAX))
    entry_id: Mapped[str] = mapped_column(String(ENTRY_ID_LENGTH_MAX))


# Accounts, idempotency and the two-party workflow (the HTTP server's) --------------------

#: Timestamps are UTC text in one fixed-width form ("2026-12-01T22:10:00.000000Z"), so
#: that they sort and compare as text on every backend and hash the same everywhere.
TIMESTAMP_LENGTH: Final = 27


def _timestamp() -> String:
    return String(TIMESTAMP_LENGTH)


class UserRow(Base):
    """A person who signs in: a member of one party; an admin manages users and tokens."""

    __tablename__ = "users"

    id: Mapped[str] = mapped_column(_id(), primary_key=True)
    name: Mapped[str] = mapped_column(_id(), unique=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"))
    is_admin: Mapped[bool] = mapped_column(Boolean)
    # scrypt with its parameters and salt ("scrypt$n$r$p$salt$hash"); null: no web sign-in.
    password_hash: Mapped[str | None] = mapped_column(String(HASH_LENGTH_MAX * 2))
    created_at: Mapped[str] = mapped_column(_timestamp())


class ApiTokenRow(Base):
    """An API token, kept only as the sha256 of its text; revoked, never deleted."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(_id(), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(HASH_LENGTH_MAX), unique=True)
    created_at: Mapped[str] = mapped_column(_timestamp())
    revoked_at: Mapped[str | None] = mapped_column(_timestamp())


class WebSessionRow(Base):
    """A signed-in browser: the sha256 of its cookie, its user and when it expires."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(HASH_LENGTH_MAX), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[str] = mapped_column(_timestamp())
    expires_at: Mapped[str] = mapped_column(_timestamp())


class ServerSecretRow(Base):
    """A secret the server generated once (the CSRF key), when none is given in the environment."""

    __tablename__ = "server_secrets"

    name: Mapped[str] = mapped_column(_id(), primary_key=True)
    value: Mapped[str] = mapped_column(String(HASH_LENGTH_MAX))


class IdempotencyKeyRow(Base):
    """A state-changing request under its Idempotency-Key, and the answer it got.

    The key, the work and the answer commit together; `status_code` is null only in a
    claim an earlier version left when it stopped between its work and its answer.
    """

    __tablename__ = "idempotency_keys"

    scope: Mapped[str] = mapped_column(_id(), primary_key=True)  # the user's id
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(NAME_LENGTH_MAX))
    request_digest: Mapped[str] = mapped_column(String(HASH_LENGTH_MAX))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(_timestamp())


class ProposalRow(Base):
    """A settlement proposed from a saved quote, on its way to approval and closing."""

    __tablename__ = "settlement_proposals"
    __table_args__ = (
        CheckConstraint("status IN ('proposed', 'approved', 'closed')", name="status_known"),
        CheckConstraint(
            "(status = 'closed') = (settlement_id IS NOT NULL)", name="settlement_when_closed"
        ),
    )

    id: Mapped[str] = mapped_column(_id(), primary_key=True)
    quote_id: Mapped[str] = mapped_column(ForeignKey("quotes.id"))
    loan_id: Mapped[str] = mapped_column(ForeignKey("loans.id"), index=True)
    lender_id: Mapped[str] = mapped_column(ForeignKey("parties.id"))
    borrower_id: Mapped[str] = mapped_column(ForeignKey("parties.id"))
    proposed_by: Mapped[str] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20))
    # The closing's settlement (not a foreign key, as elsewhere: written in one transaction).
    settlement_id: Mapped[str | None] = mapped_column(_id())
    created_at: Mapped[str] = mapped_column(_timestamp())


class ApprovalRow(Base):
    """One party's approval of a proposal, signed by one of its signatories."""

    __tablename__ = "settlement_approvals"

    proposal_id: Mapped[str] = mapped_column(
        ForeignKey("settlement_proposals.id"), primary_key=True
    )
    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    signatory_name: Mapped[str] = mapped_column(_name())
    signatory_title: Mapped[str] = mapped_column(_name())
    approved_at: Mapped[str] = mapped_column(_timestamp())


class AuditRecordRow(Base):
    """One step of the audit trail (who, when, what), hash-chained like the journal.

    One chain per subject (a proposal's id, or "accounts"), so that unrelated
    settlements never append to the same chain; `audit_heads` holds each
    chain's newest record, so that a cut at the end is noticed too.
    """

    __tablename__ = "audit_records"

    chain: Mapped[str] = mapped_column(_id(), primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[str] = mapped_column(_timestamp())
    actor_user_id: Mapped[str | None] = mapped_column(_id())
    actor_party_id: Mapped[str | None] = mapped_column(_id())
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text)  # canonical JSON, as hashed
    previous_hash: Mapped[str] = mapped_column(String(HASH_LENGTH_MAX))
    hash: Mapped[str] = mapped_column(String(HASH_LENGTH_MAX))


class AuditHeadRow(Base):
    __tablename__ = "audit_heads"

    chain: Mapped[str] = mapped_column(_id(), primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(HASH_LENGTH_MAX))


# Position snapshots -------------------------------------------------------------------------


class PositionSnapshotRow(Base):
    """Where the walk through one instrument's history stood, and what its books carried.

    A cache derived from the events, never the truth: one row after each event
    (and one when a note changes holder), numbered by `sequence` per instrument.
    It holds the exact accrual state (`interest_exact` as "numerator/denominator"
    text, so continuing from it gives the cents of a walk from the opening, bit
    for bit) and the principal and interest the holder's books carry
    (`booked_by`, a note's holder; null for a loan, booked by both its parties).
    `instrument_id` names a loan or a note by `instrument_kind`, so it has no
    foreign key; rows are only ever added by the code that appends the events.
    """

    __tablename__ = "position_snapshots"
    __table_args__ = (
        CheckConstraint("instrument_kind IN ('loan', 'note')", name="instrument_kind_known"),
        CheckConstraint("events_count >= 1", name="after_an_event"),
        Index(
            "ix_position_snapshots_instrument_as_of",
            "instrument_kind",
            "instrument_id",
            "as_of",
            "sequence",
        ),
    )

    instrument_kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    instrument_id: Mapped[str] = mapped_column(_id(), primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer, primary_key=True)
    events_count: Mapped[int] = mapped_column(Integer)
    events_digest: Mapped[str] = mapped_column(String(HASH_LENGTH_MAX))
    as_of: Mapped[date] = mapped_column(Date)
    opening: Mapped[date] = mapped_column(Date)
    opened_by: Mapped[str] = mapped_column(String(20))
    last_event_date: Mapped[date] = mapped_column(Date)
    last_event_kind: Mapped[str] = mapped_column(String(20))
    principal: Mapped[Decimal] = mapped_column(DecimalText())
    annual_rate: Mapped[Decimal] = mapped_column(DecimalText())
    period_start: Mapped[date] = mapped_column(Date)
    interest_exact: Mapped[str] = mapped_column(Text)
    capitalisations_count: Mapped[int] = mapped_column(Integer)
    discharged_on: Mapped[date | None] = mapped_column(Date)
    booked_principal: Mapped[Decimal] = mapped_column(DecimalText())
    booked_interest: Mapped[Decimal] = mapped_column(DecimalText())
    booked_by: Mapped[str | None] = mapped_column(_id())
    charges: Mapped[Decimal] = mapped_column(DecimalText(), server_default="0.00")
    default_since: Mapped[date | None] = mapped_column(Date)


# Lifecycle actions ---------------------------------------------------------------------------


class LifecycleActionRow(Base):
    """One request that changed a loan or note after its opening: record, payoff, release, reversal.

    Kept so that the same idempotency key answers the first result: the
    request's digest (to refuse the key for a different request), the event
    it appended (by sequence) and, in the rows below, the entries it posted
    and the notes it released. `instrument_id` names a loan or a note by
    `instrument_kind`, so it has no foreign key.
    """

    __tablename__ = "lifecycle_actions"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('record', 'payoff', 'release', 'reversal')", name="action_kind_known"
        ),
        CheckConstraint("instrument_kind IN ('loan', 'note')", name="instrument_kind_known"),
        UniqueConstraint("idempotency_key"),
    )

    id: Mapped[str] = mapped_column(_id(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    instrument_kind: Mapped[str] = mapped_column(String(10))
    instrument_id: Mapped[str] = mapped_column(_id())
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_digest: Mapped[str] = mapped_column(String(HASH_LENGTH_MAX))
    on: Mapped[date] = mapped_column(Date)
    event_sequence: Mapped[int | None] = mapped_column(Integer)
    amount: Mapped[Decimal | None] = mapped_column(DecimalText())
    discharged: Mapped[bool] = mapped_column(Boolean, default=False)


class LifecycleEntryRow(Base):
    """A journal entry a lifecycle action posted, in the order it posted them."""

    __tablename__ = "lifecycle_action_entries"

    action_id: Mapped[str] = mapped_column(ForeignKey("lifecycle_actions.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("journal_entries.id"))


class LifecycleNoteRow(Base):
    """A note a release took out of a loan's pledge."""

    __tablename__ = "lifecycle_action_notes"

    action_id: Mapped[str] = mapped_column(ForeignKey("lifecycle_actions.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    note_id: Mapped[str] = mapped_column(ForeignKey("notes.id"))
    security_interest_id: Mapped[str] = mapped_column(ForeignKey("security_interests.id"))


# Accrual runs -------------------------------------------------------------------------------


class AccrualRunRow(Base):
    """One run of `acquittance accrue`: through which date, under which key, what it posted.

    The postings themselves are the `InterestAccrual` events it appended and
    the entries they call for; this row keeps the run's answer for a rerun
    under its key, and the order of runs (`sequence`) for the check that a run
    never goes back before the last one.
    """

    __tablename__ = "accrual_runs"

    id: Mapped[str] = mapped_column(_id(), primary_key=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    through: Mapped[date] = mapped_column(Date)
    entries_count: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer, unique=True)


class AccrualRunLineRow(Base):
    """What one accrual run posted for one instrument: interest accrued and capitalised."""

    __tablename__ = "accrual_run_lines"

    run_id: Mapped[str] = mapped_column(ForeignKey("accrual_runs.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    instrument_kind: Mapped[str] = mapped_column(String(10))
    instrument_id: Mapped[str] = mapped_column(_id())
    currency: Mapped[str] = mapped_column(String(3))
    interest: Mapped[Decimal] = mapped_column(DecimalText())
    capitalised: Mapped[Decimal] = mapped_column(DecimalText())
    late_charges: Mapped[Decimal] = mapped_column(DecimalText())

"""The UCC-3 (UCC Financing Statement Amendment, the national form UCC3) for a pledge.

Filled from the records of a security interest and one of its financing
statements, item by item as the national form numbers them: A-C the filer's
contact and where the acknowledgment goes (not in the records: `[●]`), 1a the
initial financing statement's file number, 1b the real-estate-records box, 2
termination, 3 assignment, 4 continuation, 5 party information change (6 and
7 go with 3 and 5), 8 collateral change with the collateral it affects, 9 the
secured party of record that authorizes the amendment, and 10 the optional
filer reference data. A termination checks item 2; an amendment that releases
some of the notes checks item 8, "DELETE collateral", and lists them.

The form is filed with the filing office the financing statement names; the
document says which, and leaves the filing itself to the secured party.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Final

from acquittance.agreements.drafting.context import refuse_control_characters
from acquittance.agreements.drafting.document import Table, or_placeholder
from acquittance.agreements.drafting.servicing import ServicingDocument, compose_servicing
from acquittance.agreements.drafting.templating import figure, long_date
from acquittance.core.collateral import FinancingStatement, SecurityInterest
from acquittance.core.errors import InputError, NotFoundError, StateError
from acquittance.core.instruments import Note, Party

UCC3_TEMPLATE: Final = "filings/ucc3.j2"


class Ucc3Kind(StrEnum):
    """What the UCC-3 does: end the financing statement's effect, or release some collateral."""

    TERMINATION = "termination"
    AMENDMENT = "amendment"


@dataclass(frozen=True)
class CollateralNote:
    """A note the amendment deletes from the collateral, as the records identify it."""

    note_id: str
    kind: str
    maker: str | None
    issue_date: date | None
    original_principal: Decimal | None
    currency: str


@dataclass(frozen=True)
class Ucc3Context:
    """Everything the UCC-3 states; its template sees only this."""

    kind: Ucc3Kind
    interest_id: str
    loan_id: str
    statement: FinancingStatement
    secured_party: Party
    debtor: Party
    released: tuple[CollateralNote, ...]
    currency: str  # the secured loan's, for any figure the template prints
    due: date | None = None  # when the open obligation to file this UCC-3 falls due
    obligation_id: str | None = None


def build_ucc3_context(
    interest: SecurityInterest,
    *,
    kind: Ucc3Kind,
    statement_id: str | None,
    note_ids: Sequence[str],
    releasable: Mapping[str, Note],
    parties: Mapping[str, Party],
    currency: str,
    due: date | None = None,
    obligation_id: str | None = None,
) -> Ucc3Context:
    """The UCC-3 of one financing statement of `interest`.

    `releasable` holds the notes an amendment may delete: those the interest
    pledges now, and those a settlement of its loan has already released.
    """
    statement = choose_statement(interest, statement_id)
    if statement.terminated_on is not None:
        raise StateError(
            "FINANCING_STATEMENT_TERMINATED",
            f"financing statement {statement.id} was terminated on {statement.terminated_on}; "
            "there is nothing left to amend or terminate",
        )
    released = _released(interest, kind, note_ids, releasable)
    context = Ucc3Context(
        kind=kind,
        interest_id=interest.id,
        loan_id=interest.loan_id,
        statement=statement,
        secured_party=_party(parties, interest.secured_party_id, role="secured party"),
        debtor=_party(parties, interest.debtor_id, role="debtor"),
        released=released,
        currency=currency,
        due=due,
        obligation_id=obligation_id,
    )
    refuse_control_characters(_texts(context))
    return context


def choose_statement(interest: SecurityInterest, statement_id: str | None) -> FinancingStatement:
    """The financing statement named, or the interest's only one."""
    statements = interest.financing_statements
    if statement_id is not None:
        for statement in statements:
            if statement.id == statement_id:
                return statement
        raise NotFoundError(
            "UNKNOWN_FINANCING_STATEMENT",
            f"security interest {interest.id} has no financing statement {statement_id!r}; "
            f"it has {', '.join(s.id for s in statements) or 'none'}",
        )
    if not statements:
        raise StateError(
            "NO_FINANCING_STATEMENT",
            f"security interest {interest.id} has no financing statement on file; a UCC-3 "
            "amends or terminates one",
        )
    if len(statements) > 1:
        raise InputError(
            "AMBIGUOUS_FINANCING_STATEMENT",
            f"security interest {interest.id} has financing statements "
            f"{', '.join(s.id for s in statements)}; name one with --financing-statement",
        )
    return statements[0]


def _released(
    interest: SecurityInterest,
    kind: Ucc3Kind,
    note_ids: Sequence[str],
    releasable: Mapping[str, Note],
) -> tuple[CollateralNote, ...]:
    if kind is Ucc3Kind.TERMINATION:
        if note_ids:
            raise InputError(
                "NOTES_WITH_TERMINATION",
                "a termination ends the financing statement for all of its collateral; name "
                "notes (--note) only with --amendment",
            )
        return ()
    if interest.released_on is not None:
        raise StateError(
            "SECURITY_INTEREST_RELEASED",
            f"security interest {interest.id} was released on {interest.released_on}; "
            "file a termination (--termination) rather than an amendment",
        )
    if not note_ids:
        raise InputError(
            "MISSING_NOTES",
            "an amendment releases named notes; give each with --note NOTE_ID",
        )
    if len(set(note_ids)) != len(note_ids):
        raise InputError("DUPLICATE_NOTE", "a note is named twice; name each note once")
    for note_id in note_ids:
        if note_id not in releasable:
            raise StateError(
                "NOTE_NOT_PLEDGED",
                f"note {note_id!r} is not collateral of security interest {interest.id}; it "
                f"pledges {', '.join(interest.note_ids) or 'no notes'}",
            )
    return tuple(_collateral_note(releasable[note_id]) for note_id in note_ids)


def _collateral_note(note: Note) -> CollateralNote:
    maker = " ".join(note.maker.split()) or None
    return CollateralNote(
        note_id=note.id,
        kind=note.kind,
        maker=maker,
        issue_date=note.issue_date,
        original_principal=note.original_principal,
        currency=note.terms.currency,
    )


def _party(parties: Mapping[str, Party], party_id: str, *, role: str) -> Party:
    if party_id not in parties:
        raise NotFoundError(
            "PARTY_NOT_FOUND", f"the {role} {party_id!r} is not among the parties given"
        )
    return parties[party_id]


def _texts(context: Ucc3Context) -> Iterator[tuple[str, str]]:
    yield "filing office", context.statement.filing_office
    yield "file number", context.statement.file_number
    yield "secured party's name", context.secured_party.name
    yield "debtor's name", context.debtor.name
    for note in context.released:
        if note.maker is not None:
            yield f"note {note.note_id}'s maker", note.maker


def ucc3_variables(context: Ucc3Context) -> dict[str, object]:
    """The names `filings/ucc3.j2` may use (see the templates' README)."""
    return {
        "termination": context.kind is Ucc3Kind.TERMINATION,
        "amendment": context.kind is Ucc3Kind.AMENDMENT,
        "interest_id": context.interest_id,
        "loan_id": context.loan_id,
        "statement": context.statement,
        "secured_party": context.secured_party,
        "debtor": context.debtor,
        "released_count": len(context.released),
        "due": context.due,
        "obligation_id": context.obligation_id,
    }


def ucc3_document(context: Ucc3Context, *, templates_dir: Path | None = None) -> ServicingDocument:
    """The UCC-3 in its structured form, from the clause library's template."""
    return compose_servicing(
        UCC3_TEMPLATE,
        ucc3_variables(context),
        currency=context.currency,
        tables={"collateral": _collateral_table(context)},
        signatures={},
        templates_dir=templates_dir,
    )


def _collateral_table(context: Ucc3Context) -> Table:
    """Item 8: each note the amendment deletes from the collateral."""
    rows = tuple(
        (
            note.note_id,
            f"{note.kind} note".strip() if note.kind != "note" else "note",
            or_placeholder(note.maker),
            or_placeholder(long_date(note.issue_date) if note.issue_date else None),
            or_placeholder(
                None
                if note.original_principal is None
                else figure(note.original_principal, note.currency)
            ),
        )
        for note in context.released
    )
    return Table(
        caption="Collateral deleted (item 8)",
        columns=("Note", "Kind", "Maker", "Date of note", "Original amount"),
        rows=rows,
        amount_columns=frozenset({4}),
    )

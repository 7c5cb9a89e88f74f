"""The agreement's structured form, composed from the clause library.

The document template (`agreement.j2`) decides the order of the parts and which
clauses appear; it writes each part as a block that starts with a marker line,
``@@ KIND [ARGUMENT]``, followed by its text. Blank lines separate paragraphs
within a block and line breaks inside a paragraph are only layout. The blocks
become a `Document`, which every output format renders the same way, so the
wording lives in one place and the formats differ only in presentation.

Markers: ``title``, ``preamble``, ``heading`` (the recitals' heading),
``recital``, ``lead_in``, ``clause KIND`` (a numbered operative clause; further
paragraphs are its lettered sub-paragraphs), ``witness``, ``exhibit_a TITLE``
(its text is the caption of the schedule of the Notes), ``exhibit_b TITLE`` and
``blank LABEL`` (a line of the wire instructions left for the payee to fill in;
its text is the hint beside it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from acquittance.agreements.drafting.context import DraftContext, NoteRow
from acquittance.agreements.drafting.templating import (
    DraftTemplateError,
    environment,
    figure,
    long_date,
    render_template,
)
from acquittance.core.instruments import Signatory

DOCUMENT_TEMPLATE: Final = "agreement.j2"
MARKER: Final = "@@"
#: How many blocks a document template may write; more is a runaway loop in a template.
BLOCKS_COUNT_MAX: Final = 500

SINGLE_KINDS: Final = ("title", "preamble", "heading", "lead_in", "witness", "exhibit_a")
REPEATED_KINDS: Final = ("recital", "clause", "exhibit_b", "blank")


@dataclass(frozen=True)
class Clause:
    """A numbered operative clause: its text, and lettered sub-paragraphs if any."""

    kind: str  # the clause library file it came from: "assignment", "release", ...
    text: str
    subparagraphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class SignatureBlock:
    """Where one party signs: its defined name, its full name, and who signs for it."""

    defined_name: str
    party_name: str
    signatories: tuple[Signatory, ...]


@dataclass(frozen=True)
class Schedule:
    """Exhibit A: the schedule of the Notes, one row each and a Total row."""

    label: str
    title: str
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    total: tuple[str, ...]
    amount_columns_from: int  # columns from this index on hold amounts


@dataclass(frozen=True)
class Blank:
    """One line of wire instructions left blank: what goes there and who fills it in."""

    label: str
    hint: str


@dataclass(frozen=True)
class WireInstructions:
    """Exhibit B: the wire instructions, as labelled blanks; bank details are never invented."""

    label: str
    title: str
    caption: str
    blanks: tuple[Blank, ...]


@dataclass(frozen=True)
class Document:
    """The agreement as every format renders it."""

    title: str
    preamble: str
    recitals_heading: str
    recitals: tuple[str, ...]
    lead_in: str
    clauses: tuple[Clause, ...]
    witness: str
    signatures: tuple[SignatureBlock, ...]
    exhibit_a: Schedule
    exhibit_b: WireInstructions | None = None


@dataclass
class _Block:
    kind: str
    argument: str
    line_number: int
    paragraphs: list[str] = field(default_factory=list)


def compose(context: DraftContext, *, templates_dir: Path | None = None) -> Document:
    """Render the document template and its clauses into the structured form."""
    env = environment(templates_dir, currency=context.currency, in_words=context.amounts_in_words)
    text = render_template(env, DOCUMENT_TEMPLATE, template_variables(context))
    return _assemble(parse_blocks(text), context)


def template_variables(context: DraftContext) -> dict[str, object]:
    """The names the clause library may use (see the templates' README)."""
    payer, payee = context.cash_payer, context.cash_payee
    return {
        "title": context.title,
        "effective_date": context.effective_date,
        "lender": context.lender,
        "borrower": context.borrower,
        "loan_agreement_name": context.loan_agreement_name,
        "loan_agreement_date": context.loan_agreement_date,
        "governing_law": _state_name(context.governing_law),
        "california": context.governing_law.strip().lower() in _CALIFORNIA,
        "full": context.satisfaction.value == "full",
        "partial": context.satisfaction.value == "partial",
        "owed_principal": context.owed_principal,
        "owed_interest": context.owed_interest,
        "owed_total": context.owed_total,
        "collateral_principal": context.collateral_principal,
        "collateral_interest": context.collateral_interest,
        "collateral_value": context.collateral_value,
        "value_differs": context.value_differs,
        "satisfied_amount": context.satisfied_amount,
        "remaining_debt": context.remaining_debt,
        "cash_amount": context.cash_amount,
        "cash_to_lender": context.cash_direction.value == "to_lender",
        "cash_to_borrower": context.cash_direction.value == "to_borrower",
        "cash_payer": payer,
        "cash_payee": payee,
        "notes_description": context.notes_description,
        "notes_count": len(context.notes),
    }


_CALIFORNIA: Final = frozenset({"california", "state of california", "ca"})


def _state_name(governing_law: str) -> str:
    """'State of New York' -> 'New York': the clause itself says 'the State of'."""
    text = governing_law.strip()
    prefix = "state of "
    return text[len(prefix) :] if text.lower().startswith(prefix) else text


def parse_blocks(text: str) -> list[_Block]:
    """Split the rendered document template at its marker lines."""
    blocks: list[_Block] = []
    lines: list[str] = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith(MARKER):
            lines.append(line)
            continue
        _close(blocks, lines)
        kind, _, argument = line[len(MARKER) :].strip().partition(" ")
        blocks.append(_Block(kind=kind, argument=argument.strip(), line_number=line_number))
        if len(blocks) > BLOCKS_COUNT_MAX:
            raise DraftTemplateError(DOCUMENT_TEMPLATE, f"more than {BLOCKS_COUNT_MAX} blocks")
    _close(blocks, lines)
    return blocks


def _close(blocks: list[_Block], lines: list[str]) -> None:
    """Give the lines gathered so far to the open block, as whitespace-normalised paragraphs."""
    paragraphs = [" ".join(chunk.split()) for chunk in "\n".join(lines).split("\n\n")]
    paragraphs = [paragraph for paragraph in paragraphs if paragraph]
    lines.clear()
    if not paragraphs:
        return
    if not blocks:
        raise DraftTemplateError(
            DOCUMENT_TEMPLATE, f"text before the first {MARKER} marker: {paragraphs[0][:60]!r}"
        )
    blocks[-1].paragraphs.extend(paragraphs)


def _assemble(blocks: list[_Block], context: DraftContext) -> Document:
    for block in blocks:
        if block.kind not in SINGLE_KINDS + REPEATED_KINDS:
            raise DraftTemplateError(
                f"{DOCUMENT_TEMPLATE} (output line {block.line_number})",
                f"unknown block {MARKER} {block.kind}",
            )
    return Document(
        title=_single(blocks, "title"),
        preamble=_single(blocks, "preamble"),
        recitals_heading=_single(blocks, "heading"),
        recitals=tuple(_text(block) for block in blocks if block.kind == "recital"),
        lead_in=_single(blocks, "lead_in"),
        clauses=tuple(_clause(block) for block in blocks if block.kind == "clause"),
        witness=_single(blocks, "witness"),
        signatures=_signature_blocks(context),
        exhibit_a=_schedule(_only(blocks, "exhibit_a"), context),
        exhibit_b=_wire_instructions(blocks),
    )


def _only(blocks: list[_Block], kind: str) -> _Block:
    found = [block for block in blocks if block.kind == kind]
    if len(found) != 1:
        raise DraftTemplateError(
            DOCUMENT_TEMPLATE, f"expected one {MARKER} {kind} block, found {len(found)}"
        )
    return found[0]


def _single(blocks: list[_Block], kind: str) -> str:
    return _text(_only(blocks, kind))


def _text(block: _Block) -> str:
    return " ".join(block.paragraphs)


def _clause(block: _Block) -> Clause:
    if not block.paragraphs:
        raise DraftTemplateError(DOCUMENT_TEMPLATE, f"clause {block.argument!r} has no text")
    return Clause(
        kind=block.argument or "clause",
        text=block.paragraphs[0],
        subparagraphs=tuple(block.paragraphs[1:]),
    )


def _signature_blocks(context: DraftContext) -> tuple[SignatureBlock, ...]:
    return tuple(
        SignatureBlock(
            defined_name=party.short_name, party_name=party.name, signatories=signatories
        )
        for party, signatories in context.signatories
    )


def _schedule(block: _Block, context: DraftContext) -> Schedule:
    columns = ["Maker", "Date of Note", "Principal", "Accrued Interest", "Total"]
    if context.value_differs:
        columns.append("Agreed Value")
    rows = tuple(_note_cells(row, context) for row in context.notes)
    total = [
        "Total",
        "",
        figure(context.collateral_principal, context.currency),
        figure(context.collateral_interest, context.currency),
        figure(context.collateral_carrying_amount, context.currency),
    ]
    if context.value_differs:
        total.append(figure(context.collateral_value, context.currency))
    return Schedule(
        label="Exhibit A",
        title=block.argument or "Schedule of the Notes",
        caption=_text(block),
        columns=tuple(columns),
        rows=rows,
        total=tuple(total),
        amount_columns_from=2,
    )


def _note_cells(row: NoteRow, context: DraftContext) -> tuple[str, ...]:
    cells = [
        row.maker,
        long_date(row.issue_date) if row.issue_date else "",
        figure(row.principal, context.currency),
        figure(row.interest, context.currency),
        figure(row.total, context.currency),
    ]
    if context.value_differs:
        cells.append(figure(row.value, context.currency))
    return tuple(cells)


def _wire_instructions(blocks: list[_Block]) -> WireInstructions | None:
    heads = [block for block in blocks if block.kind == "exhibit_b"]
    if not heads:
        return None
    if len(heads) > 1:
        raise DraftTemplateError(DOCUMENT_TEMPLATE, f"more than one {MARKER} exhibit_b block")
    blanks = tuple(
        Blank(label=block.argument, hint=_text(block)) for block in blocks if block.kind == "blank"
    )
    return WireInstructions(
        label="Exhibit B",
        title=heads[0].argument or "Wire Transfer Instructions",
        caption=_text(heads[0]),
        blanks=blanks,
    )

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
(its text is the caption of the schedule of the Notes), ``exhibit_b TITLE``,
``stated LABEL`` (a line of Exhibit B that the agreement fills in: the amount,
the date; its text is the value) and ``blank LABEL`` (a line of the wire
instructions left for the payee to fill in; its text is the hint beside it).

The signature blocks and Exhibit A's tables are built here from the records,
not from template text, so that they cannot disagree with the settlement; a
field the records lack is printed as the placeholder `PLACEHOLDER`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from acquittance.agreements.drafting.context import DraftContext, NoteRow
from acquittance.agreements.drafting.statutes import civil_code_1542
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
REPEATED_KINDS: Final = ("recital", "clause", "exhibit_b", "stated", "blank")
#: What the agreement prints where the records have no value: visible, and never a guess.
PLACEHOLDER: Final = "[\u25cf]"
#: The lines of each signature: "By:" is signed, "Date:" dated by hand.
SIGNATURE_FIELDS: Final = ("By", "Name", "Title", "Date")


@dataclass(frozen=True)
class Clause:
    """A numbered operative clause: its text, and lettered sub-paragraphs if any."""

    kind: str  # the clause library file it came from: "assignment", "release", ...
    text: str
    subparagraphs: tuple[str, ...] = ()


@dataclass(frozen=True)
class SignatureBlock:
    """Where one party signs: its defined name, its full name, and who signs for it.

    A letter's block has no defined name (""): only an agreement defines its parties.
    """

    defined_name: str
    party_name: str
    signatories: tuple[Signatory, ...]

    def lines(self) -> tuple[tuple[tuple[str, str | None], ...], ...]:
        """Each signatory's By, Name, Title and Date lines; None is a line to fill by hand.

        A party with no signatory on record gets one set with Name and Title blank.
        """
        people: tuple[Signatory | None, ...] = self.signatories or (None,)
        return tuple(
            (
                ("By", None),
                ("Name", person.name if person is not None and person.name else None),
                ("Title", person.title if person is not None and person.title else None),
                ("Date", None),
            )
            for person in people
        )


@dataclass(frozen=True)
class Table:
    """One table of an exhibit: its heading row, its rows and, for figures, a Total row."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    total: tuple[str, ...] | None = None
    amount_columns: frozenset[int] = frozenset()  # which columns hold amounts


@dataclass(frozen=True)
class Schedule:
    """Exhibit A: what identifies each Note, then each Note's figures with a Total row.

    Two tables rather than one wide one, so that both fit a portrait page; the
    first column ("Note") numbers the Notes alike in both.
    """

    label: str
    title: str
    caption: str
    identification: Table
    balances: Table

    @property
    def tables(self) -> tuple[Table, Table]:
        return (self.identification, self.balances)

    @property
    def placeholder_note(self) -> str | None:
        """What the placeholder means, when a table has one; None when none is left."""
        cells = (cell for table in self.tables for row in table.rows for cell in row)
        if PLACEHOLDER not in cells:
            return None
        return (
            f"{PLACEHOLDER} marks a field that the records of this settlement do not hold; "
            "it is to be completed before this Agreement is signed."
        )


@dataclass(frozen=True)
class Blank:
    """One line of wire instructions left blank: what goes there and who fills it in."""

    label: str
    hint: str


@dataclass(frozen=True)
class Stated:
    """One line of wire instructions that the agreement fills in: the amount, the date."""

    label: str
    value: str


@dataclass(frozen=True)
class WireInstructions:
    """Exhibit B: the payment restated, and the bank details as labelled blanks.

    The amount, the date and who pays whom come from the settlement; bank details
    are never invented.
    """

    label: str
    title: str
    caption: str
    stated: tuple[Stated, ...]
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
class Block:
    """One marker block of a rendered template: `@@ KIND ARGUMENT` and the text under it."""

    kind: str
    argument: str
    line_number: int
    paragraphs: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # each non-blank line, whitespace collapsed


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
        "owed_charges": context.owed_charges,
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
        "civil_code_1542": civil_code_1542(context.effective_date),
    }


_CALIFORNIA: Final = frozenset({"california", "state of california", "ca"})


def _state_name(governing_law: str) -> str:
    """'State of New York' -> 'New York': the clause itself says 'the State of'."""
    text = governing_law.strip()
    prefix = "state of "
    return text[len(prefix) :] if text.lower().startswith(prefix) else text


def parse_blocks(text: str, *, template: str = DOCUMENT_TEMPLATE) -> list[Block]:
    """Split the rendered document template at its marker lines."""
    blocks: list[Block] = []
    lines: list[str] = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith(MARKER):
            lines.append(line)
            continue
        _close(blocks, lines, template)
        kind, _, argument = line[len(MARKER) :].strip().partition(" ")
        blocks.append(Block(kind=kind, argument=argument.strip(), line_number=line_number))
        if len(blocks) > BLOCKS_COUNT_MAX:
            raise DraftTemplateError(template, f"more than {BLOCKS_COUNT_MAX} blocks")
    _close(blocks, lines, template)
    return blocks


def _close(blocks: list[Block], lines: list[str], template: str) -> None:
    """Give the lines gathered so far to the open block, as whitespace-normalised paragraphs."""
    paragraphs = [" ".join(chunk.split()) for chunk in "\n".join(lines).split("\n\n")]
    paragraphs = [paragraph for paragraph in paragraphs if paragraph]
    kept = [" ".join(line.split()) for line in lines if line.strip()]
    lines.clear()
    if not paragraphs:
        return
    if not blocks:
        raise DraftTemplateError(
            template, f"text before the first {MARKER} marker: {paragraphs[0][:60]!r}"
        )
    blocks[-1].paragraphs.extend(paragraphs)
    blocks[-1].lines.extend(kept)


def _assemble(blocks: list[Block], context: DraftContext) -> Document:
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


def _only(blocks: list[Block], kind: str) -> Block:
    found = [block for block in blocks if block.kind == kind]
    if len(found) != 1:
        raise DraftTemplateError(
            DOCUMENT_TEMPLATE, f"expected one {MARKER} {kind} block, found {len(found)}"
        )
    return found[0]


def _single(blocks: list[Block], kind: str) -> str:
    return _text(_only(blocks, kind))


def _text(block: Block) -> str:
    return " ".join(block.paragraphs)


def _clause(block: Block) -> Clause:
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


def _schedule(block: Block, context: DraftContext) -> Schedule:
    return Schedule(
        label="Exhibit A",
        title=block.argument or "Schedule of the Notes",
        caption=_text(block),
        identification=_identification(context),
        balances=_balances(context),
    )


IDENTIFICATION_COLUMNS: Final = (
    "Note",
    "Maker",
    "Holder (Assignor)",
    "Date of Note",
    "Maturity Date",
    "Original Amount",
    "Recording Data",
)


def _identification(context: DraftContext) -> Table:
    """Every field that identifies a Note; the placeholder where the records have none."""
    # "Original Amount", not "Original Principal": the reader takes a column headed
    # "principal" for the collateral's principal, which the second table states.
    rows = tuple(
        (
            str(number),
            or_placeholder(row.maker),
            or_placeholder(row.holder),
            or_placeholder(long_date(row.issue_date) if row.issue_date else None),
            or_placeholder(long_date(row.maturity_date) if row.maturity_date else None),
            or_placeholder(
                None
                if row.original_principal is None
                else figure(row.original_principal, context.currency)
            ),
            or_placeholder(row.recording),
        )
        for number, row in enumerate(context.notes, start=1)
    )
    return Table(
        caption="Part 1. Identification of the Notes",
        columns=IDENTIFICATION_COLUMNS,
        rows=rows,
        amount_columns=frozenset({5}),
    )


def _balances(context: DraftContext) -> Table:
    """Each Note's principal and accrued interest on the effective date, and the totals."""
    columns = ["Note", "Principal Balance", "Accrued Interest", "Total"]
    if context.value_differs:
        columns.append("Agreed Value")
    rows = tuple(
        _balance_cells(number, row, context) for number, row in enumerate(context.notes, start=1)
    )
    total = [
        "Total",
        figure(context.collateral_principal, context.currency),
        figure(context.collateral_interest, context.currency),
        figure(context.collateral_carrying_amount, context.currency),
    ]
    if context.value_differs:
        total.append(figure(context.collateral_value, context.currency))
    return Table(
        caption=f"Part 2. Balances of the Notes as of {long_date(context.effective_date)}",
        columns=tuple(columns),
        rows=rows,
        total=tuple(total),
        amount_columns=frozenset(range(1, len(columns))),
    )


def _balance_cells(number: int, row: NoteRow, context: DraftContext) -> tuple[str, ...]:
    cells = [
        str(number),
        figure(row.principal, context.currency),
        figure(row.interest, context.currency),
        figure(row.total, context.currency),
    ]
    if context.value_differs:
        cells.append(figure(row.value, context.currency))
    return tuple(cells)


def or_placeholder(value: str | None) -> str:
    text = " ".join((value or "").split())
    return text or PLACEHOLDER


def _wire_instructions(blocks: list[Block]) -> WireInstructions | None:
    heads = [block for block in blocks if block.kind == "exhibit_b"]
    if not heads:
        return None
    if len(heads) > 1:
        raise DraftTemplateError(DOCUMENT_TEMPLATE, f"more than one {MARKER} exhibit_b block")
    stated = tuple(
        Stated(label=block.argument, value=or_placeholder(_text(block)))
        for block in blocks
        if block.kind == "stated"
    )
    blanks = tuple(
        Blank(label=block.argument, hint=_text(block)) for block in blocks if block.kind == "blank"
    )
    return WireInstructions(
        label="Exhibit B",
        title=heads[0].argument or "Wire Transfer Instructions",
        caption=_text(heads[0]),
        stated=stated,
        blanks=blanks,
    )

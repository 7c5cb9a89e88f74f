"""Typographic quotes for the formats counsel signs (DOCX, and PDF through its HTML).

The clause library is written with straight quotes, which Markdown keeps (it is
the plain-text form, compared line by line and read by machines). A document
that is printed and signed gets curly quotes and apostrophes in its prose:
"Agreement" becomes “Agreement”, Valence's becomes Valence’s, and names get
the same apostrophe wherever they appear. Amount columns are left as they are
(a figure holds no quote; a prime after a digit is no apostrophe).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Final

from acquittance.agreements.drafting.document import (
    Clause,
    Document,
    Schedule,
    SignatureBlock,
    Table,
    WireInstructions,
)
from acquittance.agreements.drafting.servicing import (
    Field,
    Fields,
    Heading,
    Lines,
    Paragraph,
    Part,
    ServicingDocument,
)
from acquittance.core.instruments import Signatory

OPENING_DOUBLE: Final = "\u201c"
CLOSING_DOUBLE: Final = "\u201d"
OPENING_SINGLE: Final = "\u2018"
APOSTROPHE: Final = "\u2019"  # also the closing single quote

#: A quote opens at the start of the text, or after a space, an opening bracket or a dash.
_OPENS_AFTER: Final = frozenset(" \t\n([{<\u2014\u2013-/" + OPENING_DOUBLE + OPENING_SINGLE)
_DOUBLE = re.compile('"')
_SINGLE = re.compile("'")


def smart_quotes(text: str) -> str:
    """Straight quotes to curly ones, by what precedes each: opening or closing.

    A single quote between letters, or after one, is an apostrophe (Valence’s,
    parties’); one that opens before a digit is an elided century (’90s).
    """
    text = _DOUBLE.sub(lambda m: _double(text, m.start()), text)
    return _SINGLE.sub(lambda m: _single(text, m.start()), text)


def _opens(text: str, at: int) -> bool:
    return at == 0 or text[at - 1] in _OPENS_AFTER


def _double(text: str, at: int) -> str:
    return OPENING_DOUBLE if _opens(text, at) else CLOSING_DOUBLE


def _single(text: str, at: int) -> str:
    following = text[at + 1] if at + 1 < len(text) else ""
    if _opens(text, at) and following and not following.isspace() and not following.isdigit():
        return OPENING_SINGLE
    return APOSTROPHE


def typeset(document: Document) -> Document:
    """The document with typographic quotes in its prose; tables' cells stay as recorded."""
    q = smart_quotes
    return dataclasses.replace(
        document,
        title=q(document.title),
        preamble=q(document.preamble),
        recitals_heading=q(document.recitals_heading),
        recitals=tuple(q(recital) for recital in document.recitals),
        lead_in=q(document.lead_in),
        clauses=tuple(_clause(clause) for clause in document.clauses),
        witness=q(document.witness),
        signatures=tuple(_signature(block) for block in document.signatures),
        exhibit_a=_schedule(document.exhibit_a),
        exhibit_b=None if document.exhibit_b is None else _wire(document.exhibit_b),
    )


def _clause(clause: Clause) -> Clause:
    return dataclasses.replace(
        clause,
        text=smart_quotes(clause.text),
        subparagraphs=tuple(smart_quotes(p) for p in clause.subparagraphs),
    )


def _signature(block: SignatureBlock) -> SignatureBlock:
    return dataclasses.replace(
        block,
        party_name=smart_quotes(block.party_name),
        signatories=tuple(
            Signatory(smart_quotes(person.name), smart_quotes(person.title))
            for person in block.signatories
        ),
    )


def _schedule(schedule: Schedule) -> Schedule:
    return dataclasses.replace(
        schedule,
        title=smart_quotes(schedule.title),
        caption=smart_quotes(schedule.caption),
        identification=_table(schedule.identification),
        balances=_table(schedule.balances),
    )


def _table(table: Table) -> Table:
    def cells(row: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(
            cell if index in table.amount_columns else smart_quotes(cell)
            for index, cell in enumerate(row)
        )

    return dataclasses.replace(
        table,
        caption=smart_quotes(table.caption),
        columns=tuple(smart_quotes(column) for column in table.columns),
        rows=tuple(cells(row) for row in table.rows),
        total=None if table.total is None else cells(table.total),
    )


def _wire(wire: WireInstructions) -> WireInstructions:
    return dataclasses.replace(
        wire,
        title=smart_quotes(wire.title),
        caption=smart_quotes(wire.caption),
        stated=tuple(
            dataclasses.replace(line, value=smart_quotes(line.value)) for line in wire.stated
        ),
        blanks=tuple(
            dataclasses.replace(blank, hint=smart_quotes(blank.hint)) for blank in wire.blanks
        ),
    )


def typeset_servicing(document: ServicingDocument) -> ServicingDocument:
    """A payoff letter, statement or UCC-3 with typographic quotes; amount cells untouched."""
    return dataclasses.replace(
        document,
        title=smart_quotes(document.title),
        parts=tuple(_servicing_part(part) for part in document.parts),
    )


def _servicing_part(part: Part) -> Part:
    q = smart_quotes
    if isinstance(part, Heading | Paragraph):
        return dataclasses.replace(part, text=q(part.text))
    if isinstance(part, Lines):
        return Lines(tuple(q(line) for line in part.lines))
    if isinstance(part, Fields):
        return Fields(
            caption=q(part.caption),
            fields=tuple(Field(q(item.label), q(item.value)) for item in part.fields),
        )
    if isinstance(part, Table):
        return _table(part)
    return _signature(part)

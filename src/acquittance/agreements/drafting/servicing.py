"""The documents a servicer sends (payoff letter, statement, UCC-3) in one structured form.

Each is drafted as the agreement is: a pure context, a template of the clause
library rendered in the sandbox (`templates/letters/payoff.j2`,
`templates/statements/statement.j2`, `templates/filings/ucc3.j2`, which
counsel may overlay with `--templates DIR`), and the same writers for md,
html, docx and pdf. The template decides the order and the wording; it writes
each part as a block that starts with a marker line ``@@ KIND [ARGUMENT]``:

| marker | part |
| --- | --- |
| ``@@ title`` | the document's title (once) |
| ``@@ heading`` | a section heading |
| ``@@ paragraph`` | prose; a blank line starts another paragraph |
| ``@@ lines`` | lines kept as lines (a date line, an address) |
| ``@@ fields CAPTION`` | a group of labelled fields; the ``field`` blocks after it belong to it |
| ``@@ field LABEL`` | one field; its text is the value, and an empty one prints `[●]` |
| ``@@ table NAME`` | a table built from the records; the text, if any, is its caption |
| ``@@ signature ROLE`` | the signature block of a party (``lender``, ``holder``, ...) |

Tables and signature blocks come from the records, never from template text,
so that they cannot disagree with them; a value the records lack is the
placeholder `[●]`, never a guess.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, TypeAlias

from acquittance.agreements.drafting.document import (
    MARKER,
    PLACEHOLDER,
    Block,
    SignatureBlock,
    Table,
    or_placeholder,
    parse_blocks,
)
from acquittance.agreements.drafting.templating import (
    DraftTemplateError,
    environment,
    render_template,
)

PART_KINDS: Final = (
    "title", "heading", "paragraph", "lines", "fields", "field", "table", "signature"
)  # fmt: skip


@dataclass(frozen=True)
class Heading:
    """A section heading."""

    text: str


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of prose."""

    text: str


@dataclass(frozen=True)
class Lines:
    """Lines printed as lines: a letter's date, an address, a reference block."""

    lines: tuple[str, ...]


@dataclass(frozen=True)
class Field:
    """One labelled value: a form's item, a line of payment instructions."""

    label: str
    value: str


@dataclass(frozen=True)
class Fields:
    """A group of fields under a caption (the items of a form, payment instructions)."""

    caption: str
    fields: tuple[Field, ...]


Part: TypeAlias = Heading | Paragraph | Lines | Fields | Table | SignatureBlock


@dataclass(frozen=True)
class ServicingDocument:
    """A payoff letter, statement or UCC-3 as every format renders it."""

    title: str
    parts: tuple[Part, ...]

    @property
    def placeholder_note(self) -> str | None:
        """What the placeholder means, when the document prints one; None when it does not."""
        if not any(PLACEHOLDER in text for text in texts_of(self)):
            return None
        return (
            f"{PLACEHOLDER} marks a field that the records do not hold; it is to be completed "
            "before this document is sent."
        )


def texts_of(document: ServicingDocument) -> tuple[str, ...]:
    """Every text the document prints, in order (for checks and tests)."""
    found: list[str] = [document.title]
    for part in document.parts:
        if isinstance(part, Heading | Paragraph):
            found.append(part.text)
        elif isinstance(part, Lines):
            found.extend(part.lines)
        elif isinstance(part, Fields):
            found.append(part.caption)
            for item in part.fields:
                found.extend((item.label, item.value))
        elif isinstance(part, Table):
            found.extend((part.caption, *part.columns))
            found.extend(cell for row in part.rows for cell in row)
            found.extend(part.total or ())
        else:
            found.extend((part.defined_name, part.party_name))
    return tuple(found)


def compose_servicing(
    template: str,
    variables: Mapping[str, object],
    *,
    currency: str,
    tables: Mapping[str, Table],
    signatures: Mapping[str, SignatureBlock],
    templates_dir: Path | None = None,
) -> ServicingDocument:
    """Render `template` in the sandbox and assemble its blocks with the records' tables."""
    env = environment(templates_dir, currency=currency)
    text = render_template(env, template, dict(variables))
    blocks = parse_blocks(text, template=template)
    return _assemble(blocks, template=template, tables=tables, signatures=signatures)


def _assemble(
    blocks: list[Block],
    *,
    template: str,
    tables: Mapping[str, Table],
    signatures: Mapping[str, SignatureBlock],
) -> ServicingDocument:
    titles = [block for block in blocks if block.kind == "title"]
    if len(titles) != 1:
        count = len(titles)
        raise DraftTemplateError(template, f"expected one {MARKER} title block, found {count}")
    parts: list[Part] = []
    group: Fields | None = None
    for block in blocks:
        where = f"{template} (output line {block.line_number})"
        if block.kind not in PART_KINDS:
            raise DraftTemplateError(where, f"unknown block {MARKER} {block.kind}")
        if block.kind == "field":
            if group is None:
                raise DraftTemplateError(where, f"{MARKER} field outside a {MARKER} fields group")
            item = Field(label=block.argument, value=or_placeholder(" ".join(block.paragraphs)))
            group = dataclasses.replace(group, fields=(*group.fields, item))
            parts[-1] = group
            continue
        found = _parts(block, where=where, tables=tables, signatures=signatures)
        parts.extend(found)
        group = found[0] if len(found) == 1 and isinstance(found[0], Fields) else None
    return ServicingDocument(title=" ".join(titles[0].paragraphs), parts=tuple(parts))


def _parts(
    block: Block,
    *,
    where: str,
    tables: Mapping[str, Table],
    signatures: Mapping[str, SignatureBlock],
) -> tuple[Part, ...]:
    """The parts one block stands for: none for the title, which the document holds itself."""
    if block.kind == "title":
        return ()
    if block.kind == "paragraph":
        return tuple(Paragraph(text) for text in block.paragraphs)
    if block.kind == "heading":
        return (Heading(" ".join(block.paragraphs)),)
    if block.kind == "lines":
        return (Lines(tuple(block.lines)),)
    if block.kind == "fields":
        return (Fields(caption=block.argument, fields=()),)
    return (_record_part(block, where=where, tables=tables, signatures=signatures),)


def _record_part(
    block: Block,
    *,
    where: str,
    tables: Mapping[str, Table],
    signatures: Mapping[str, SignatureBlock],
) -> Part:
    """A table or signature block, built from the records, that the template places."""
    if block.kind == "table":
        if block.argument not in tables:
            raise DraftTemplateError(
                where, f"no table {block.argument!r}; this document has {_names(tables)}"
            )
        table = tables[block.argument]
        caption = " ".join(block.paragraphs)
        return dataclasses.replace(table, caption=caption) if caption else table
    assert block.kind == "signature", block.kind
    if block.argument not in signatures:
        raise DraftTemplateError(
            where, f"no signature {block.argument!r}; this document has {_names(signatures)}"
        )
    return signatures[block.argument]


def _names(found: Mapping[str, object]) -> str:
    return ", ".join(sorted(found)) or "none"

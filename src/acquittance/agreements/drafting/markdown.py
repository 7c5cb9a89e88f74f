"""The agreement as Markdown: plain text a person or the reader can take in directly."""

from __future__ import annotations

from acquittance.agreements.drafting.document import Document, Schedule, WireInstructions

SIGNATURE_LINE = "By: ______________________________"


def render_markdown(document: Document) -> str:
    """Markdown text of the document; the same document always gives the same text."""
    parts = [
        f"# {document.title.upper()}",
        document.preamble,
        f"**{document.recitals_heading}**",
        *document.recitals,
        document.lead_in,
        _clauses(document),
        document.witness,
        *_signatures(document),
        _schedule(document.exhibit_a),
    ]
    if document.exhibit_b is not None:
        parts.append(_wire(document.exhibit_b))
    return "\n\n".join(parts) + "\n"


def _clauses(document: Document) -> str:
    lines: list[str] = []
    for number, clause in enumerate(document.clauses, start=1):
        lines.append(f"{number}. {clause.text}")
        # Indented under the numbered item so that Markdown keeps them in the clause.
        lines.extend(f"\n    {paragraph}" for paragraph in clause.subparagraphs)
        lines.append("")
    return "\n".join(lines).rstrip()


def _signatures(document: Document) -> list[str]:
    blocks = []
    for block in document.signatures:
        lines = [f'"{block.defined_name}"  ', f"{block.party_name}", ""]
        people = block.signatories or ()
        if not people:
            lines += [SIGNATURE_LINE + "  ", "Name:  ", "Title:"]
        for person in people:
            lines += [SIGNATURE_LINE + "  ", f"{person.name}, {person.title}", ""]
        blocks.append("\n".join(lines).rstrip())
    return blocks


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _schedule(schedule: Schedule) -> str:
    align = [
        "---:" if index >= schedule.amount_columns_from else "---"
        for index in range(len(schedule.columns))
    ]
    rows = [schedule.columns, tuple(align), *schedule.rows]
    table = [f"| {' | '.join(_cell(cell) for cell in row)} |" for row in rows]
    # Only the label is bold: a figure stays bare so that it reads the same as elsewhere.
    label, *rest = schedule.total
    table.append(f"| {' | '.join([f'**{label}**', *rest])} |")
    return "\n".join(
        [
            "---",
            f"## {schedule.label.upper()}",
            f"### {schedule.title}",
            "",
            schedule.caption,
            "",
            *table,
        ]
    )


def _wire(wire: WireInstructions) -> str:
    lines = ["---", f"## {wire.label.upper()}", f"### {wire.title}", "", wire.caption, ""]
    for blank in wire.blanks:
        lines.append(f"- {blank.label}: ______________________________ ({blank.hint})")
    return "\n".join(lines)

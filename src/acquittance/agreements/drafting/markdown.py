"""The agreement as Markdown: plain text a person or the reader can take in directly.

Every text of the document is escaped for Markdown (`escape_markdown`), so that
a party's name, a maker or a title holding `*`, `_`, `[`, `<`, a backtick or a
leading `#` prints as those characters and never becomes emphasis, a link, raw
HTML or a heading. The escaping is minimal: the text of an ordinary agreement
(the reference case's, for one) comes out unchanged, so the reader reads a
Markdown draft as it reads the same words in any other format.
"""

from __future__ import annotations

import re
from typing import Final

from acquittance.agreements.drafting.document import (
    PLACEHOLDER,
    Document,
    Schedule,
    SignatureBlock,
    Table,
    WireInstructions,
)
from acquittance.agreements.drafting.servicing import (
    Fields,
    Heading,
    Lines,
    Paragraph,
    Part,
    ServicingDocument,
)

RULE: Final = "______________________________"

#: Characters that start Markdown (CommonMark and GitHub's tables and strikethrough)
#: wherever they are: code, emphasis, links, raw HTML, strikethrough, escapes.
_ANYWHERE = re.compile(r"[\\`*\[\]<~]")
#: An underscore opens or closes emphasis only at a word's edge ("snake_case" is safe).
_EDGE_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
#: "&amp;", "&#123;": an entity Markdown would decode; a lone "&" stays as it is.
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
#: What makes a line a heading, quote, list item or rule when it starts the line.
_LINE_START = re.compile(r"^[#>+=-]")
#: "2002." or "3)" at a line's start would begin an ordered list.
_LIST_NUMBER = re.compile(r"^(\d+)([.)])")
#: The escaped placeholder, where putting it back cannot make a link or a definition.
_ESCAPED_PLACEHOLDER = re.compile(re.escape("\\[" + PLACEHOLDER[1:-1] + "\\]") + r"(?![(\[:])")


def escape_markdown(text: str, *, in_table: bool = False) -> str:
    """`text` as Markdown that shows exactly these characters.

    Whitespace (line breaks included) becomes single spaces: user text can never
    end a paragraph or start a block of its own.
    """
    text = " ".join(text.split())
    text = _ANYWHERE.sub(lambda m: "\\" + m.group(0), text)
    text = _EDGE_UNDERSCORE.sub(r"\\_", text)
    text = _ENTITY.sub(r"\\&", text)
    text = _LINE_START.sub(lambda m: "\\" + m.group(0), text)
    text = _LIST_NUMBER.sub(r"\1\\\2", text)
    if text.endswith("#") and not text.endswith("\\#"):
        # A heading drops a closing run of "#"; escaped, it stays text.
        text = text[:-1] + "\\#"
    if in_table:
        text = text.replace("|", "\\|")
    # The placeholder of a missing field reads as itself rather than as escaped brackets:
    # "[●]" links nowhere unless a "(" or "[" follows it or a definition names it.
    return _ESCAPED_PLACEHOLDER.sub(PLACEHOLDER, text)


md = escape_markdown


def render_markdown(document: Document) -> str:
    """Markdown text of the document; the same document always gives the same text."""
    parts = [
        f"# {md(document.title.upper())}",
        md(document.preamble),
        f"**{md(document.recitals_heading)}**",
        *(md(recital) for recital in document.recitals),
        md(document.lead_in),
        _clauses(document),
        md(document.witness),
        *(_signature(block) for block in document.signatures),
        _schedule(document.exhibit_a),
    ]
    if document.exhibit_b is not None:
        parts.append(_wire(document.exhibit_b))
    return "\n\n".join(parts) + "\n"


def _clauses(document: Document) -> str:
    lines: list[str] = []
    for number, clause in enumerate(document.clauses, start=1):
        lines.append(f"{number}. {md(clause.text)}")
        # Indented under the numbered item so that Markdown keeps them in the clause.
        lines.extend(f"\n    {md(paragraph)}" for paragraph in clause.subparagraphs)
        lines.append("")
    return "\n".join(lines).rstrip()


def _signature(block: SignatureBlock) -> str:
    # Two trailing spaces end a line inside the paragraph (a hard line break).
    # A letter's block has no defined name: the agreement's parties are "Berg" and "Valence".
    lines = [f'"{md(block.defined_name)}"  '] if block.defined_name else []
    lines.append(md(block.party_name))
    for person in block.lines():
        lines.append("")
        fields = [f"{label}: {md(value) if value else RULE}" for label, value in person]
        lines.append("  \n".join(fields))
    return "\n".join(lines)


def _table(table: Table) -> list[str]:
    align = [
        "---:" if index in table.amount_columns else "---" for index in range(len(table.columns))
    ]
    rows = [
        [md(cell, in_table=True) for cell in table.columns],
        align,
        *([md(cell, in_table=True) for cell in row] for row in table.rows),
    ]
    lines = [f"| {' | '.join(row)} |" for row in rows]
    if table.total is not None:
        # Only the label is bold: a figure stays bare so that it reads the same as elsewhere.
        label, *rest = (md(cell, in_table=True) for cell in table.total)
        lines.append(f"| {' | '.join([f'**{label}**', *rest])} |")
    return [f"**{md(table.caption)}**", "", *lines]


def _schedule(schedule: Schedule) -> str:
    lines = [
        "---",
        f"## {md(schedule.label.upper())}",
        f"### {md(schedule.title)}",
        "",
        md(schedule.caption),
    ]
    for table in schedule.tables:
        lines += ["", *_table(table)]
    if schedule.placeholder_note is not None:
        lines += ["", md(schedule.placeholder_note)]
    return "\n".join(lines)


def _wire(wire: WireInstructions) -> str:
    lines = [
        "---",
        f"## {md(wire.label.upper())}",
        f"### {md(wire.title)}",
        "",
        md(wire.caption),
        "",
    ]
    for stated in wire.stated:
        lines.append(f"- {md(stated.label)}: {md(stated.value)}")
    for blank in wire.blanks:
        lines.append(f"- {md(blank.label)}: {RULE} ({md(blank.hint)})")
    return "\n".join(lines)


def render_servicing_markdown(document: ServicingDocument) -> str:
    """Markdown text of a payoff letter, statement or UCC-3; the same document, the same text."""
    parts = [f"# {md(document.title)}"]
    for part in document.parts:
        parts.append(_servicing_part(part))
    if document.placeholder_note is not None:
        parts.append(f"*{md(document.placeholder_note)}*")
    return "\n\n".join(parts) + "\n"


def _servicing_part(part: Part) -> str:
    if isinstance(part, Heading):
        return f"## {md(part.text)}"
    if isinstance(part, Paragraph):
        return md(part.text)
    if isinstance(part, Lines):
        # Two trailing spaces end a line inside the paragraph (a hard line break).
        return "  \n".join(md(line) for line in part.lines)
    if isinstance(part, Fields):
        lines = [f"**{md(part.caption)}**", ""] if part.caption else []
        lines += [f"- {md(item.label)}: {md(item.value)}" for item in part.fields]
        return "\n".join(lines)
    if isinstance(part, Table):
        return "\n".join(_table(part))
    return _signature(part)

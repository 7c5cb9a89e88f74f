"""The head of a letter: who writes, to whom, and what it is about.

A letter has no preamble; its head says who it is between. Above the date line
stands the sender's letterhead ("LASALLE BANK NATIONAL ASSOCIATION"); below it
the addressees, each a block of name and address lines ("Ascent Funding, Inc." /
"3100 Burnett Plaza"), then a reference line ("Re: $225,000.00 loan from HWFP,
Inc. ("HWFP") to ...") and the salutation. An "Attn:" or "c/o" line names a
person or an agent, not a party; so does a person's name over a title line.
The first paragraphs may name the parties with their roles ("First Fidelity Bank,
N.A. (Lender)").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from acquittance.agreements.reading.segments import DATE_PATTERN

LETTER_HEAD_CHARS_MAX: Final = 3000
BODY_CHARS_MAX: Final = 1500

_SALUTATION = re.compile(
    r"^[ \t|]*(?:Dear\s[^\n]{0,60}|Ladies\s+and\s+Gentlemen|Gentlemen|Gentlepersons|Sirs"
    r"|Dear\s+Sirs?(?:\s+and\s+Mesdames)?|To\s+Whom\s+It\s+May\s+Concern)\s*[:,]",
    re.MULTILINE | re.IGNORECASE,
)
_REFERENCE = re.compile(r"^[ \t|]*(?:Re|RE|Subject)\s*:", re.MULTILINE)


@dataclass(frozen=True)
class LetterHead:
    """Where a letter's salutation is, and where its reference line starts (if any)."""

    salutation: int
    body_start: int
    reference: int | None


def letter_head(text: str) -> LetterHead | None:
    """The letter's head, or None when the text does not read as a letter."""
    salutation = _SALUTATION.search(text, 0, LETTER_HEAD_CHARS_MAX)
    if salutation is None:
        return None
    reference = _REFERENCE.search(text, 0, salutation.start())
    return LetterHead(salutation.start(), salutation.end(), reference.end() if reference else None)


_SKIP_LINE = re.compile(
    r"^\s*(?:Attn|Attention|c/o|care\s+of|By\s+(?:Fax|Facsimile|E-?mail|Hand|Courier|Overnight)"
    r"|Via|Tel|Telephone|Fax|Facsimile|E-?mail|www\.|https?:|Phone|Direct|Cc|Re|RE)\b",
    re.IGNORECASE,
)
_ADDRESS_LINE = re.compile(
    r"^\s*(?:\d|P\.?\s?O\.?\s+Box|Suite|Floor|One\s|Two\s|[A-Z][a-z]+,\s+[A-Z]{2}\b"
    r"|[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*,\s+(?:[A-Z][a-z]+|[A-Z]{2})\s+\d)",
)


def letter_spans(text: str, head: LetterHead) -> list[tuple[int, int]]:
    """Names in a letter's head and in the first paragraphs that give them a role."""
    from acquittance.agreements.reading.parties import ENTITY, defined_name_spans, preamble_spans

    top_end = head.reference - 4 if head.reference is not None else head.salutation
    spans = []
    line_start = 0
    lines = text[:top_end].split("\n")
    for index, line in enumerate(lines):
        offset, line_start = line_start, line_start + len(line) + 1
        stripped = line.strip(" \t|")
        if not stripped or _SKIP_LINE.match(stripped) or len(stripped) > 90:
            continue
        entity = ENTITY.search(line)
        if entity is not None and len(entity.group("name")) >= len(stripped.rstrip(".,")) - 2:
            spans.append((offset + entity.start("name"), offset + entity.end("name")))
            continue
        following = lines[index + 1].strip() if index + 1 < len(lines) else ""
        previous = lines[index - 1].strip(" \t|") if index else ""
        # An addressee's name heads its block: after a blank line, the date line or a
        # "By Facsimile" line, and over an address.
        heads_block = (
            not previous
            or bool(DATE_PATTERN.search(previous))
            or bool(re.match(r"(?i)(?:by|via)\s", previous))
        )
        if heads_block and _ADDRESS_LINE.match(following) and _name_line(stripped):
            at = offset + line.index(stripped)
            spans.append((at, at + len(stripped)))
    if head.reference is not None:
        # The reference line lists parties as a preamble does ("among (i) X and (ii) Y").
        spans += preamble_spans(text, head.reference, head.salutation)
    body_end = min(len(text), head.body_start + BODY_CHARS_MAX)
    spans += defined_name_spans(text, head.body_start, body_end, roles_only=True)
    return spans


def _name_line(line: str) -> bool:
    """A line that can be an addressee's name: capitalised words, no title, no sentence."""
    words = line.split()
    if not 2 <= len(words) <= 8 or line.endswith((".", ":", ";")) or words[0][:1].isdigit():
        return False
    if re.search(
        r"\b(?:President|Officer|Director|Manager|Secretary|Treasurer|Counsel|Esq|Partner"
        r"|Vice|Chief|Attorney|Member|Trustee)\b",
        line,
    ):
        return False
    return all(w[:1].isupper() or w[:1].isdigit() or w in ("&", "and", "of", "the") for w in words)

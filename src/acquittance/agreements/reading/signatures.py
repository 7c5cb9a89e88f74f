"""Signature blocks: who signs, with what title, for which party.

Filed text often sets two parties' blocks side by side on the same lines:

    "Berg"                          "Valence"
    Berg & Berg Enterprises, LLC    Valence Technology, Inc.
    By:   /S/ CARL E. BERG          By:   /S/ KEVIN W. MISCHNICK
       ---------------------           ----------------------
       Carl E. Berg, Managing Member   Kevin W. Mischnick, VP of Finance

so the signature part is first cut into columns at the start of each "By:"
of a line with several, then each column is read top down: a party line, "By:",
then "Name:"/"Title:" lines or a "Name, Title" line under the rule.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from acquittance.agreements.reading.model import Party, Signatory

SIGNATURE_LINES_MAX: Final = 400
_BY = re.compile(r"\bBy\s*:", re.IGNORECASE)
_RULE = re.compile(r"^[\s_\-=.]*$")
_SIGNED = re.compile(r"^\s*(?:/s/|/S/|s/)\s*", re.IGNORECASE)
_NAME_LINE = re.compile(r"^\s*(?:Name|Printed\s+Name|Print\s+Name)\s*:\s*(?P<v>.*)$", re.IGNORECASE)
_TITLE_LINE = re.compile(r"^\s*(?:Title|Its)\s*:\s*(?P<v>.*)$", re.IGNORECASE)


@dataclass
class _Block:
    party: str | None
    start: int
    end: int
    by: str = ""
    name: str = ""
    title: str = ""
    lines: list[str] = field(default_factory=list)


def find_signatories(text: str, *, body_end: int, parties: Sequence[Party]) -> list[Signatory]:
    """Signatories of the signature part (after "IN WITNESS WHEREOF", else the last "By:")."""
    start = _signature_start(text, body_end)
    if start is None:
        return []
    lines = _lines(text, start, body_end)[:SIGNATURE_LINES_MAX]
    splits = _column_splits(lines)
    blocks: list[_Block] = []
    for column in range(len(splits)):
        blocks += _read_column(_column(lines, splits, column), parties)
    return [b for b in (_signatory(block) for block in blocks) if b is not None]


def _signature_start(text: str, body_end: int) -> int | None:
    witness = list(re.finditer(r"IN\s+WITNESS\s+WHEREOF", text[:body_end], re.IGNORECASE))
    if witness:
        return witness[-1].start()
    bys = list(_BY.finditer(text, 0, body_end))
    if not bys:
        return None
    first = bys[0].start()
    return text.rfind("\n\n", 0, first) + 1 if "\n\n" in text[:first] else max(0, first - 500)


def _lines(text: str, start: int, end: int) -> list[tuple[int, str]]:
    result, position = [], start
    for line in text[start:end].splitlines(keepends=True):
        result.append((position, line.rstrip("\r\n")))
        position += len(line)
    return result


def _column_splits(lines: Sequence[tuple[int, str]]) -> list[int]:
    """Character columns where side-by-side blocks start, from lines with several "By:"."""
    for _, line in lines:
        found = [m.start() for m in _BY.finditer(line)]
        if len(found) >= 2:
            return [0, *found[1:]]
    return [0]


def _column(
    lines: Sequence[tuple[int, str]], splits: Sequence[int], index: int
) -> list[tuple[int, str]]:
    begin = splits[index]
    finish = splits[index + 1] if index + 1 < len(splits) else None
    result = []
    for offset, line in lines:
        piece = line[begin:finish] if finish is not None else line[begin:]
        # Text that starts a little left of the split still belongs to the right column.
        if index and begin > 0 and len(line) > begin and line[begin - 1] not in " \t":
            start = line.rfind("  ", 0, begin)
            piece = line[start + 2 if start >= 0 else begin : finish]
            begin_at = start + 2 if start >= 0 else begin
        else:
            begin_at = begin
        if finish is not None and len(line) > finish and line[finish - 1] not in " \t":
            cut = line.rfind("  ", begin_at, finish)
            piece = line[begin_at : cut if cut > begin_at else finish]
        result.append((offset + begin_at, piece))
    return result


def _read_column(lines: Sequence[tuple[int, str]], parties: Sequence[Party]) -> list[_Block]:
    blocks: list[_Block] = []
    party: str | None = None
    current: _Block | None = None
    for offset, raw in lines:
        line = raw.strip().strip("|").strip()
        if not line or _RULE.match(line):
            continue
        named = _party_named(line, parties)
        by = _BY.search(line)
        if by and line[: by.start()].strip() == "":
            current = _Block(party, offset, offset + len(raw), by=_clean(line[by.end() :]))
            blocks.append(current)
        elif named and not (
            current and current.by and not current.name and not _NAME_LINE.match(line)
        ):
            party, current = named, None
        elif current is not None:
            _fill(current, line, offset + len(raw))
    return blocks


def _fill(block: _Block, line: str, end: int) -> None:
    name, title = _NAME_LINE.match(line), _TITLE_LINE.match(line)
    if name:
        block.name = _clean(name.group("v"))
    elif title:
        block.title = _clean(title.group("v"))
    elif not block.name and not block.lines:
        person, _, role = line.partition(",")
        block.name, block.title = _clean(person), block.title or _clean(role)
    else:
        block.lines.append(line)
        return
    block.end = end


def _clean(value: str) -> str:
    value = _SIGNED.sub("", value.strip())
    return " ".join(value.strip(" _\t").split())


def _party_named(line: str, parties: Sequence[Party]) -> str | None:
    plain = re.sub(r"[\"\u201c\u201d:]", "", line).strip()
    for party in parties:
        if _key(plain) in (_key(party.name), _key(party.short_name or "")) and _key(plain):
            return party.name
    suffix = r"\b(?:Inc|LLC|L\.L\.C|Corporation|Corp|Ltd|Company|L\.P|LLP|N\.A)\b\.?"
    if re.search(suffix, plain, re.IGNORECASE) and len(plain) <= 100:
        return plain
    return None


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _signatory(block: _Block) -> Signatory | None:
    name = block.name or _title_case(block.by)
    if not name or len(name) > 80 or not re.search(r"[A-Za-z]", name):
        return None
    return Signatory(name, block.title or None, block.party, block.start, block.end)


def _title_case(value: str) -> str:
    return value.title() if value.isupper() else value

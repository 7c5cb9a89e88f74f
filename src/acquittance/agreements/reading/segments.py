"""The layout of an agreement: its units (numbered paragraphs), sentences and attachments.

A unit is what a clause kind and an amount's role are judged on: a numbered
paragraph ("1.", "(a)", "Section 2"), a recital ("Whereas, ..."), or, in an
unnumbered document, a paragraph. Attachments are the exhibits and schedules
after the body, found by their headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final

MONTHS: Final = {
    name: index
    for index, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
# "1st", "31st", and as OCR spaces them, "1s t", "26t h".
_DAY = (
    r"(?:[0-3]?\d)(?![\d.]\d|,\d{3}(?!\d))"
    r"(?:\s?(?:st|nd|rd|th)\b|s\s+t\b|n\s+d\b|r\s+d\b|t\s+h\b)?"
)
_YEAR = r"(?:19|20)\d\d(?!\d)"
DATE_PATTERN: Final = re.compile(
    rf"(?P<mdy>(?P<m1>{_MONTH})\s+(?P<d1>{_DAY})(?:\s?,\s*|\s+)(?P<y1>{_YEAR}))"
    rf"|(?P<dmy>(?:the\s+)?(?P<d2>{_DAY})\s+(?:day\s+of\s+|of\s+)?(?:-{{2,}}\s+)?(?P<m2>{_MONTH})\s?,?\s+"
    rf"(?:in\s+the\s+year\s+)?(?P<y2>{_YEAR}))"
    rf"|(?P<iso>(?P<y3>{_YEAR})-(?P<m3>[01]\d)-(?P<d3>[0-3]\d))"
    r"|(?P<num>(?<![\d/.-])(?P<m4>[01]?\d)(?P<sep>[/-])(?P<d4>[0-3]?\d)(?P=sep)"
    r"(?P<y4>(?:19|20)?\d\d)(?![\d/-]))",
    re.IGNORECASE,
)


def parse_date(match: re.Match[str]) -> date | None:
    """The date a DATE_PATTERN match names, or None when it is no calendar date."""
    groups = match.groupdict()
    try:
        if groups["mdy"]:
            month = MONTHS[groups["m1"].lower().rstrip(".")]
            return date(int(groups["y1"]), month, _day(groups["d1"]))
        if groups["dmy"]:
            month = MONTHS[groups["m2"].lower().rstrip(".")]
            return date(int(groups["y2"]), month, _day(groups["d2"]))
        if groups["iso"]:
            return date(int(groups["y3"]), int(groups["m3"]), int(groups["d3"]))
        year = int(groups["y4"])
        year = year + (2000 if year < 50 else 1900) if year < 100 else year
        return date(year, int(groups["m4"]), int(groups["d4"]))
    except (ValueError, KeyError):
        return None


def _day(text: str) -> int:
    return int(re.sub(r"\D", "", text))


@dataclass(frozen=True)
class Unit:
    """A paragraph-level piece of the agreement: `text[start:end]`."""

    start: int
    end: int
    numbered: bool


_UNIT_START = re.compile(
    r"^[ \t]*(?:\d{1,3}\.(?:\d{1,3}\.?)*[ \t)]|\(?[a-z]{1,4}\)[ \t]|\([A-Z]{1,3}\)[ \t]"
    r"|(?:Section|SECTION|Article|ARTICLE)[ \t]+[\dIVX]+|WHEREAS|Whereas|NOW,? THEREFORE"
    r"|Now,? [Tt]herefore|IN WITNESS WHEREOF|In [Ww]itness [Ww]hereof)"
)


def units(text: str, *, start: int = 0, end: int | None = None) -> list[Unit]:
    """Units of `text[start:end]`: blocks split at blank lines and at numbered lines."""
    stop = len(text) if end is None else end
    boundaries: list[tuple[int, bool]] = []
    position = start
    after_blank = True
    for line in text[start:stop].splitlines(keepends=True):
        if not line.strip():
            after_blank = True
        else:
            numbered = bool(_UNIT_START.match(line))
            if after_blank or numbered:
                boundaries.append((position, numbered))
            after_blank = False
        position += len(line)
    result = []
    for index, (begin, numbered) in enumerate(boundaries):
        finish = boundaries[index + 1][0] if index + 1 < len(boundaries) else stop
        trimmed = text[begin:finish].rstrip()
        lead = len(trimmed) - len(trimmed.lstrip())
        result.append(Unit(begin + lead, begin + len(trimmed), numbered))
    return [unit for unit in result if unit.end > unit.start]


# A sentence ends at ";" or at "." followed by space and a capital or quote, unless the
# word before the stop is a common abbreviation in names ("Inc.", "Co.", "No.").
_ABBREVIATIONS = frozenset(
    [
        "inc",
        "co",
        "corp",
        "ltd",
        "no",
        "nos",
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "sec",
        "u.s",
        "l.l.c",
        "l.p",
        "n.a",
        "s.a",
        "b.v",
        "jr",
        "sr",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "p.c",
        "llc",
        "lp",
        "plc",
        "gmbh",
        "ag",
    ]
)
_STOP = re.compile(r"[.;:](?=\s+[\"'\u201c(A-Z0-9]|\s*$)|\n[ \t]*\n")


def sentence_bounds(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences of `text[start:end]` as (start, end) spans."""
    spans: list[tuple[int, int]] = []
    begin = start
    for match in _STOP.finditer(text, start, end):
        if match.group().startswith(".") and _abbreviation_before(text, match.start()):
            continue
        spans.append((begin, match.end()))
        begin = match.end()
    if begin < end:
        spans.append((begin, end))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _abbreviation_before(text: str, stop: int) -> bool:
    word = re.search(r"([A-Za-z.]+)$", text[max(0, stop - 12) : stop])
    return bool(word) and word.group(1).lower().strip(".") in _ABBREVIATIONS if word else False


_ATTACHMENT_HEADING = re.compile(
    r"^[ \t#*_|]*(?P<label>(?:EXHIBIT|Exhibit|SCHEDULE|Schedule|ANNEX|Annex|APPENDIX|Appendix)"
    r"[ \t]+(?P<letter>[A-Z0-9]{1,3}(?:[.-]\d{1,3})?))\b[ \t*_]*(?:[-:\u2013\u2014.][^\n]*)?$",
    re.MULTILINE,
)
_WITNESS = re.compile(r"IN WITNESS WHEREOF|In [Ww]itness [Ww]hereof|\bBy:\s")


@dataclass(frozen=True)
class Attachment:
    """An exhibit or schedule heading after the body, and the text it covers."""

    label: str  # "Exhibit A"
    start: int
    end: int
    heading_end: int


def attachments(text: str) -> list[Attachment]:
    """Exhibit and schedule headings standing alone on a line after the signature part.

    A heading at the very top (the SEC's "EXHIBIT 10.1") labels the filing, not an
    attachment, so only headings after the first signature or witness line count; in a
    document without either, only headings in its last two thirds.
    """
    witness = _WITNESS.search(text)
    floor = witness.start() if witness else len(text) // 3
    # "EXHIBIT 10.74" numbers the filing (and repeats as a running header); an
    # agreement's own attachments are lettered or numbered plainly ("Exhibit A", "1").
    found = [
        m
        for m in _ATTACHMENT_HEADING.finditer(text)
        if m.start() > floor and not is_filing_number(m.group("letter"))
    ]
    result = []
    for index, match in enumerate(found):
        finish = found[index + 1].start() if index + 1 < len(found) else len(text)
        label = normalise_label(match.group("label"))
        result.append(Attachment(label, match.start("label"), finish, match.end()))
    return result


def is_filing_number(letter: str) -> bool:
    """Whether an exhibit label is an SEC filing's exhibit number ("10.74", "99.1")."""
    return bool(re.fullmatch(r"\d{1,3}\.\d{1,3}", letter))


def normalise_label(label: str) -> str:
    kind, _, letter = label.partition(" ")
    return f"{kind.capitalize()} {letter.strip().upper()}"

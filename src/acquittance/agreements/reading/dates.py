"""The agreement's date: when it takes effect, else when it was made.

CUAD's definition, which the reader follows: the effective date where the text
gives one, else the agreement date. Every statement of either is a candidate,
ranked by how directly it dates this agreement:

0. the defined "Effective Date" ("the "Effective Date" means March 1, 2020",
   "March 1, 2020 (the "Effective Date")");
1. this agreement said to take effect ("effective as of", "made effective",
   "shall become effective on");
2. the term said to begin ("commencing on", "shall commence on");
3. the preamble's date ("dated as of", "made and entered into this 5th day of");
4. a letter's date line at the top, or a "Dated:" line.

Dates of other instruments ("the Loan Agreement dated February 24, 2001") are
not this agreement's. Two statements of this agreement's effective date that
disagree are a discrepancy, never resolved silently.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from acquittance.agreements.reading.model import Discrepancy
from acquittance.agreements.reading.segments import DATE_PATTERN, parse_date

PREAMBLE_CHARS_MAX: Final = 6000
DEFINITIONS_CHARS_MAX: Final = 60_000
TERM_CHARS_MAX: Final = 30_000
CANDIDATES_MAX: Final = 200


@dataclass(frozen=True)
class DateStatement:
    """A date the text gives this agreement, how directly (rank 0 best), and where."""

    value: date
    rank: int
    start: int
    end: int


def find_effective_dates(text: str) -> list[DateStatement]:
    """This agreement's date statements, the one to report first (best rank, earliest)."""
    found = [
        *_defined(text[:DEFINITIONS_CHARS_MAX]),
        *_cued(text),
        *_letter_date(text),
    ]
    found = [d for d in found if d is not None][:CANDIDATES_MAX]
    return sorted(found, key=lambda d: (d.rank, d.start))


def effective_date_conflicts(statements: Sequence[DateStatement]) -> list[Discrepancy]:
    """Statements of this agreement's effective date (ranks 0 and 1) that disagree."""
    effective = sorted((s for s in statements if s.rank <= 1), key=lambda s: s.start)
    if not effective:
        return []
    first = effective[0]
    return [
        Discrepancy(
            "effective_date_conflict",
            f"the agreement is said to take effect on {other.value.isoformat()} here but on "
            f"{first.value.isoformat()} earlier in the text",
            other.start,
            other.end,
        )
        for other in effective[1:]
        if other.value != first.value
    ][:10]


_EFFECTIVE_DEFINED = re.compile(
    r"[\"\u201c]Effective\s+Date[\"\u201d]\s*(?:shall\s+mean|means|shall\s+be|is|:|="
    r"|(?:of\s+this\s+Agreement\s+)?shall\s+be)\s*(?:the\s+date\s+of\s+)?"
    r"|\bEffective\s+Date\s*(?::|of\s+this\s+Agreement\s*(?:\([^()]{0,60}\)\s*)?is)\s*",
    re.IGNORECASE,
)
_EFFECTIVE_LABEL = re.compile(
    r"\(\s*(?:the\s+|this\s+|hereinafter\s+(?:the\s+)?|herein\s+called\s+the\s+)?"
    r"[\"\u201c]?Effective\s*Date[\"\u201d]?\s*\)",
    re.IGNORECASE,
)


def _defined(text: str) -> list[DateStatement]:
    found = []
    for match in _EFFECTIVE_DEFINED.finditer(text):
        when = DATE_PATTERN.match(text, match.end())
        found.append(_statement(when, 0))
    for label in _EFFECTIVE_LABEL.finditer(text):
        # "June 15, 2019 (the "Effective Date")": the date just before the label.
        floor = max(0, label.start() - 80)
        dates = list(DATE_PATTERN.finditer(text, floor, label.start()))
        if dates and not text[dates[-1].end() : label.start()].strip(" \t\n,"):
            found.append(_statement(dates[-1], 0))
    return [d for d in found if d is not None]


# Cues before a date, and the rank of what they say.
_CUES: Final = (
    (
        1,
        re.compile(
            r"\b(?:(?:made|become|becomes|shall\s+be|is|be|are|deemed)\s+)?effective"
            r"(?:\s+(?:as\s+(?:of|at|from)|on|from|upon|this|the|date|for\s+all\s+purposes\s+as\s+of))*\s+",
            re.IGNORECASE,
        ),
    ),
    (
        2,
        re.compile(
            r"\b(?:commenc(?:e|es|ing|ed)|beginning|begin|begins|start(?:s|ing)?)"
            r"(?:\s+(?:on|as\s+of|from|upon|with|effective))*(?:\s+(?:the|this))?\s+",
            re.IGNORECASE,
        ),
    ),
    (
        3,
        re.compile(
            r"\b(?:dated|made|entered\s+into|executed|concluded|signed)"
            r"(?:\s+(?:and\s+(?:entered\s+into|made)|for\s+reference|as\s+of|as\s+at|on|this|the))*\s+"
            r"|\bas\s+of\s+(?:the\s+)?|\bdate\s+of\s+this\s+Agreement\s+is\s+",
            re.IGNORECASE,
        ),
    ),
)


def _cued(text: str) -> list[DateStatement]:
    head = text[:PREAMBLE_CHARS_MAX]
    found = []
    for rank, cue in _CUES:
        limit = TERM_CHARS_MAX if rank == 2 else PREAMBLE_CHARS_MAX
        for match in cue.finditer(text, 0, min(len(text), limit)):
            when = DATE_PATTERN.match(text, match.end())
            if when is None or _dates_another_instrument(head, match, text):
                continue
            if rank == 2 and not _term_of_this_agreement(text, match.start()):
                continue
            statement = _statement(when, rank)
            if statement is not None:
                found.append(statement)
            if len(found) >= CANDIDATES_MAX:
                return found
    return found


def _term_of_this_agreement(text: str, at: int) -> bool:
    # "The Term of this Agreement shall commence on", "this Agreement shall commence on":
    # a term that begins; not a payment schedule that begins.
    before = text[max(0, at - 120) : at]
    return bool(
        re.search(
            r"\b(?:term|agreement|engagement|appointment|license)\b[^.;]{0,80}$", before, re.I
        )
    )


_INSTRUMENT = re.compile(
    r"(?P<name>(?:[A-Z][A-Za-z&\-]*[ \t\n]+){0,5}?(?:Agreement|Note|Notes|Indenture|Lease|Guaranty|"
    r"Guarantee|Mortgage|Deed of Trust|Amendment|Contract|Plan|Policy|Order))\b"
)


def _dates_another_instrument(head: str, cue: re.Match[str], text: str) -> bool:
    # "the Loan Agreement dated as of May 2, 2017" dates the loan, not this agreement.
    words = cue.group().lower()
    if not words.startswith(("dated", "effective", "executed", "entered", "made", "signed")):
        return False
    window_start = max(0, cue.start() - 120)
    window = text[window_start : cue.start()]
    cut = max(window.rfind(". "), window.rfind(";"))
    instruments = [
        m
        for m in _INSTRUMENT.finditer(text, window_start + cut + 1, cue.start())
        if text[max(0, m.start() - 1) : m.start()] not in ('"', "\u201c", "'")
    ]
    if not instruments:
        return False
    instrument = instruments[-1]
    if cue.start() - instrument.end() > 40:
        return False
    if re.search(r"\bthis\b", instrument.group("name"), re.IGNORECASE):
        return False
    before = text[max(0, instrument.start() - 80) : instrument.start()]
    gap = text[instrument.end() : cue.start()]
    # "This ... Agreement (this "Agreement"), dated as of": the agreement's own name.
    return not (
        re.search(r"\b[Tt]his\s+(?:(?:[A-Z][\w-]*|for|of|and|in|to|the)\s+){0,8}$", before)
        or re.search(r"\(\s*(?:this|the)\s+[\"\u201c]", gap, re.IGNORECASE)
    )


_DATE_LINE = re.compile(r"^[ \t]*(?:(?:Dated|Date)\s*:?\s*)?(?P<rest>.{0,60})$", re.MULTILINE)
LETTER_HEAD_CHARS_MAX: Final = 1500


def _letter_date(text: str) -> list[DateStatement]:
    """A date standing alone on a line at the top ("November 25, 2003"), or "Dated: ..."."""
    found = []
    head_end = _salutation_end(text)
    for line in _DATE_LINE.finditer(text, 0, head_end):
        when = DATE_PATTERN.search(line.group("rest"))
        if when is None or re.match(r"\s*(?:Source|Page)\b", line.group("rest"), re.I):
            continue
        around = line.group("rest")[: when.start()] + line.group("rest")[when.end() :]
        if len(around.strip(" ,.\t")) > 30:
            continue  # a sentence that mentions a date, not a date line
        at = line.start("rest") + when.start()
        statement = _statement(DATE_PATTERN.match(text, at), 4)
        if statement is not None:
            found.append(statement)
            break
    for dated in re.finditer(r"^[ \t]*Dated\s*:\s*", text, re.MULTILINE):
        statement = _statement(DATE_PATTERN.match(text, dated.end()), 4)
        if statement is not None:
            found.append(statement)
    return found


_SALUTATION = re.compile(
    r"^[ \t]*(?:Dear\s[^\n]{0,60}|Ladies\s+and\s+Gentlemen|Gentlemen|Gentlepersons|Sirs"
    r"|To\s+Whom\s+It\s+May\s+Concern)\s*[:,]",
    re.MULTILINE | re.IGNORECASE,
)


def _salutation_end(text: str) -> int:
    salutation = _SALUTATION.search(text, 0, LETTER_HEAD_CHARS_MAX * 2)
    return salutation.start() if salutation else min(len(text), LETTER_HEAD_CHARS_MAX)


def _statement(match: re.Match[str] | None, rank: int) -> DateStatement | None:
    if match is None:
        return None
    value = parse_date(match)
    if value is None:
        return None
    return DateStatement(value, rank, match.start(), match.end())

"""The agreement's heading facts: title, effective date, parties and other instruments.

The preamble ("made and entered into effective March 31, 2002 by and between A
("Short"), a California limited liability company and B ...") carries most of
them; the reader looks there first and falls back to the first pages.
"""

from __future__ import annotations

import re
from typing import Final

from acquittance.agreements.reading.model import Party, ReferencedAgreement
from acquittance.agreements.reading.segments import DATE_PATTERN, parse_date

PREAMBLE_CHARS_MAX: Final = 6000
PARTIES_MAX: Final = 12

_SUFFIX_WORDS: Final = (
    r"Inc\.?|Incorporated|L\.?L\.?C\.?|Ltd\.?|Limited|Corp\.?|Corporation|Company|Co\.|"
    r"L\.?P\.?|L\.?L\.?P\.?|N\.A\.|P\.?L\.?C\.?|plc|GmbH|S\.A\.|B\.V\.|AG|Trust|Bank|"
    r"Partners|Holdings|Association|LLC|LP|LLP|S\.r\.l\.|S\.p\.A\.|ACA|FLCA"
)
# Names in capitals ("KESTREL FOODS, INC.") carry their suffix in capitals too.
_SUFFIX = rf"(?:{_SUFFIX_WORDS}|{_SUFFIX_WORDS.upper()})"
_NAME_WORD = r"(?:[A-Z][A-Za-z0-9'.\-]*|&|and|of|the|de|du|la|[A-Z]\.)"
_ENTITY = re.compile(
    rf"(?<![A-Za-z])(?P<name>[A-Z][A-Za-z0-9'.\-&]*(?:,?[ \t\n]+{_NAME_WORD}){{0,8}}?"
    rf",?[ \t\n]+{_SUFFIX}(?:,?[ \t\n]+{_SUFFIX})*)(?![A-Za-z])"
)
_SHORT = re.compile(
    r"\(\s*(?:the\s+|hereinafter\s+(?:referred\s+to\s+as\s+)?(?:the\s+)?|collectively,?\s+)?"
    r"[\"\u201c\u201d']+(?P<short>[^\"\u201c\u201d'()]{1,40})[\"\u201c\u201d']+\s*\)"
)
_ENTITY_TYPES = (
    "limited liability company",
    "limited liability partnership",
    "limited partnership",
    "general partnership",
    "national banking association",
    "banking corporation",
    "business trust",
    "statutory trust",
    "professional corporation",
    "corporation",
    "partnership",
    "company",
    "trust",
    "bank",
    "individual",
)
_TYPES_ALTERNATION = "|".join(t.replace(" ", r"[ \t\n]+") for t in _ENTITY_TYPES)
_TYPE_PATTERN = re.compile(
    r"\ban?\s+(?P<jurisdiction>(?:[A-Z][a-z]+\.?\s+){0,3}?)"
    rf"(?P<type>{_TYPES_ALTERNATION})\b"
    r"(?:[ \t\n]+(?:organized|incorporated|formed|existing)[^.;()]{0,60}?"
    r"(?:laws\s+of\s+(?:the\s+)?(?:State\s+of\s+)?)(?P<law>[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2}))?"
)
_BETWEEN = re.compile(r"\b(?:by\s+and\s+)?(?:between|among)\b", re.IGNORECASE)
_ROLE_WORDS: Final = {
    "lender": "lender",
    "borrower": "borrower",
    "secured party": "secured_party",
    "debtor": "debtor",
    "assignor": "assignor",
    "assignee": "assignee",
    "releasor": "releasor",
    "releasee": "releasee",
    "pledgor": "debtor",
    "pledgee": "secured_party",
    "creditor": "lender",
    "holder": "lender",
    "guarantor": "guarantor",
}


def find_parties(text: str) -> list[Party]:
    """Parties named in the preamble: name, short name, entity type and jurisdiction."""
    head_end = _preamble_end(text)
    between = _BETWEEN.search(text, 0, head_end)
    origin = between.start() if between else 0
    spans = _name_spans(text, origin, head_end)
    parties: list[Party] = []
    for index, (start, end) in enumerate(spans[:PARTIES_MAX]):
        limit = spans[index + 1][0] if index + 1 < len(spans) else head_end
        party = _party(text, start, end, min(limit, end + 200))
        if not any(_same_name(party.name, other.name) for other in parties):
            parties.append(party)
    return parties


# A party without a corporate suffix is known by what the preamble says of it: "THOMAS R.
# HOLLIS, an individual", "Foxglove Dairy Cooperative, a Pennsylvania cooperative
# corporation", or "Jane Doe ("Lender")".
_PERSON_WORD = r"(?:[A-Z][A-Za-z'\-]+|[A-Z]\.|de|van|von|del|la)"
_ROLE_ALTERNATION = (
    "Lender|Borrower|Secured Party|Debtor|Assignor|Assignee|Releasor|Releasee|Pledgor|Pledgee"
    "|Creditor|Holder|Guarantor|Obligor|Seller|Buyer|Purchaser|Maker|Payee"
)
_DESCRIBED = re.compile(
    rf"(?<![A-Za-z.])(?P<name>[A-Z][A-Za-z'\-]+(?:[ \t\n]+{_PERSON_WORD}){{1,5}})"
    rf"(?:[ \t\n]*\([^()]{{1,40}}\))?"
    rf"(?:,[ \t\n]+an?[ \t\n]+(?:[A-Za-z.]+[ \t\n]+){{0,4}}?"
    rf"(?:individual|cooperative|{_TYPES_ALTERNATION})\b"
    rf"|[ \t\n]*\(\s*(?:the\s+)?[\"\u201c](?:{_ROLE_ALTERNATION})[\"\u201d]\s*\))"
)
# "incorporated in the Cayman Islands ("Creditor")": a place, not a party; parties are
# listed after "between", "and", a comma or a number, never after a preposition.
_OBJECT_BEFORE = re.compile(
    r"(?:\b(?:the|in|under|to|at|from|with|for)|(?<!favor)(?<!favour)[ \t\n]of)[ \t\n]+$",
    re.IGNORECASE,
)
_NOT_A_NAME = re.compile(r"^(?:This|The|THIS|THE|Section|SECTION|Effective|WHEREAS|Whereas)\b")


def _name_spans(text: str, origin: int, head_end: int) -> list[tuple[int, int]]:
    """(start, end) of each party name, by suffix or by description, in order, no overlaps."""
    spans = [
        (m.start("name"), m.end("name"))
        for m in _ENTITY.finditer(text, origin, head_end)
        if _plausible_name(m.group("name"))
    ]
    spans += [
        (m.start("name"), m.end("name"))
        for m in _DESCRIBED.finditer(text, origin, head_end)
        if _plausible_name(m.group("name"))
        and not _NOT_A_NAME.match(m.group("name"))
        and not _OBJECT_BEFORE.search(text, max(0, m.start() - 12), m.start())
    ]
    kept: list[tuple[int, int]] = []
    for start, end in sorted(_without_lead(text, s, e) for s, e in spans):
        if not kept or start >= kept[-1][1]:
            kept.append((start, end))
    return kept


# "BY AND BETWEEN ASTELLAS PHARMA INC.": a name in capitals may run on from the words
# that introduce it.
_LEAD = re.compile(r"(?:(?:BY|AND|BETWEEN|AMONG)[ \t\n]+)+")


# "... IF PUBLICLY DISCLOSED. Zogenix Inc.": a sentence ending inside a run of capitals.
_SENTENCE_END = re.compile(r"[A-Za-z]{4,}\.[ \t\n]+(?=[A-Z])")


def _without_lead(text: str, start: int, end: int) -> tuple[int, int]:
    ends = [m.end() for m in _SENTENCE_END.finditer(text, start, end)]
    start = ends[-1] if ends else start
    lead = _LEAD.match(text, start, end)
    return (lead.end(), end) if lead and lead.end() < end else (start, end)


def _preamble_end(text: str) -> int:
    stop = _PREAMBLE_STOP.search(text[:PREAMBLE_CHARS_MAX])
    return stop.start() if stop else min(len(text), PREAMBLE_CHARS_MAX // 2)


# Where the preamble ends: recitals, or the first heading of the body.
_PREAMBLE_STOP = re.compile(
    r"\bRECITALS\b|\bWHEREAS\b|\bWhereas\b|\bW I T N E S S|\bWITNESSETH\b"
    r"|^[ \t]*(?:\d{1,2}\.?[ \t]+)?(?:BACKGROUND|Background|PRELIMINARY[ \t]+STATEMENTS?"
    r"|Preliminary[ \t]+Statements?|Recitals|DEFINITIONS|ARTICLE[ \t]+(?:I|1)\b"
    r"|(?:Section|SECTION|Article)[ \t]+(?:1|I)\b|NOW,?[ \t]+THEREFORE|Now,?[ \t]+[Tt]herefore)",
    re.MULTILINE,
)


def _plausible_name(name: str) -> bool:
    words = name.replace(",", " ").split()
    return len(words) >= 2 and words[0].lower() not in ("the", "and", "of", "this", "such")


def _same_name(left: str, right: str) -> bool:
    return _key(left) == _key(right)


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _party(text: str, start: int, end: int, limit: int) -> Party:
    name = " ".join(text[start:end].split())
    window = text[end:limit]
    short = _SHORT.search(window)
    entity = _TYPE_PATTERN.search(window)
    short_name = " ".join(short.group("short").split()) if short else None
    entity_type = " ".join(entity.group("type").split()) if entity else None
    jurisdiction = None
    if entity:
        found = entity.group("law") or entity.group("jurisdiction") or ""
        jurisdiction = " ".join(found.split()) or None
    role = _ROLE_WORDS.get((short_name or "").lower())
    return Party(name, short_name, entity_type, jurisdiction, role, start, end)


_INSTRUMENT = re.compile(
    r"(?P<name>(?:[A-Z][A-Za-z&\-]*[ \t\n]+){0,5}?(?:Agreement|Note|Notes|Indenture|Lease|Guaranty|"
    r"Guarantee|Mortgage|Deed of Trust|Amendment|Contract))\b"
)
_DATED = re.compile(r"\bdated(?:\s+as\s+of)?\s+", re.IGNORECASE)


def find_referenced(text: str, *, title: str | None) -> list[ReferencedAgreement]:
    """Other instruments named with a date: "the Loan Agreement ... dated February 24, 2001"."""
    found: list[ReferencedAgreement] = []
    for dated in _DATED.finditer(text):
        when = DATE_PATTERN.match(text, dated.end())
        if not when:
            continue
        instrument = _instrument_before(text, dated.start())
        if instrument is None or _is_self(instrument.group("name"), title):
            continue
        name = " ".join(instrument.group("name").split())
        found.append(
            ReferencedAgreement(name, parse_date(when), instrument.start("name"), when.end())
        )
        if len(found) >= 200:
            break
    return found


def _instrument_before(text: str, at: int) -> re.Match[str] | None:
    # The instrument named last before "dated" in the same sentence, skipping
    # parenthesised definitions and "entered into between A and B".
    window_start = max(0, at - 200)
    window = text[window_start:at]
    cut = max(window.rfind(". "), window.rfind(";"))
    matches = list(_INSTRUMENT.finditer(text, window_start + cut + 1, at))
    matches = [m for m in matches if not _inside_quotes(text, m.start(), window_start)]
    return matches[-1] if matches else None


def _inside_quotes(text: str, at: int, floor: int) -> bool:
    before = text[floor:at]
    return before.count('"') % 2 == 1 or before.count("\u201c") > before.count("\u201d")


def _is_self(name: str, title: str | None) -> bool:
    words = name.split()
    if words and words[0].lower() in ("this", "the") and len(words) == 2:
        return words[0].lower() == "this"
    return bool(title) and _key(name) == _key(title or "") and name.lower().startswith("this")

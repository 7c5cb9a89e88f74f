"""The parties: who the agreement is between, as CUAD defines them.

The preamble names them ("made ... by and between A ("Short"), a California
limited liability company, and B ..."): by an entity suffix ("Inc.", "LLC"), by
the short name the preamble defines for them, by a description ("an
individual"), or by a role ("Lender"). A letter names them in its head: the
sender's letterhead, the addressees, the parties its reference line defines,
and those its first paragraphs give a role ("First Fidelity Bank, N.A.
(Lender)"); its signatory's company is one too. A document with neither (a joint
filing agreement "the undersigned hereby agree") is between those who sign it.
Former names ("formerly ...", "f/k/a ...") and a party's agent ("c/o ...") are no
parties, and neither is a phrase that only describes ("a Delaware corporation").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Final

from acquittance.agreements.reading import letters
from acquittance.agreements.reading.model import Party, ReferencedAgreement
from acquittance.agreements.reading.names import (
    SUFFIX,
    is_abbreviation,
    leading_name,
    names_someone,
    one_party,
    trailing_name,
    words_set,
)
from acquittance.agreements.reading.segments import DATE_PATTERN, parse_date

PREAMBLE_CHARS_MAX: Final = 6000
PARTIES_MAX: Final = 80
LETTER_PREAMBLE_CHARS_MAX: Final = 600
SIGNATURE_CHARS_MAX: Final = 12_000

# Letters as names spell them, accented ones included ("VÄRDE", "LECLANCHÉ").
_UP = "A-Z\u00c0-\u00d6\u00d8-\u00de"
_LETTER = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff"
_NAME_WORD = (
    rf"(?:[{_UP}0-9][{_LETTER}0-9'.\-]*|[a-z][A-Z][{_LETTER}0-9'.\-]*|&|and|of|the|de|du|la"
    rf"|[A-Z]\.|\([{_UP}][{_LETTER}]+\))"
)
# Words of a name are a space or one line end apart, never a blank line.
_GAP = r"(?:[ \t]+(?:\n[ \t]*)?|\n[ \t]*)"  # one way only to split a gap: no backtracking
_ENTITY = (
    rf"(?<![{_LETTER}0-9])(?P<name>(?:[{_UP}0-9]|[a-z](?=[A-Z]))[{_LETTER}0-9'.\-&]*"
    rf"(?:,?{_GAP}{_NAME_WORD}){{0,8}}{{lazy}}"
    rf",?{_GAP}{SUFFIX}(?:,?{_GAP}{SUFFIX})*)(?![{_LETTER}])"
)
# In a preamble the shortest name ("A Inc." of "A Inc. and B LLC"); on a signature
# line the whole name ("VÄRDE INVESTMENT PARTNERS (OFFSHORE) MASTER, L.P.").
ENTITY: Final = re.compile(_ENTITY.replace("{lazy}", "?"))
_ENTITY_LINE: Final = re.compile(_ENTITY.replace("{lazy}", ""))
_SHORT = re.compile(
    r"\(\s*(?:the\s+|hereinafter\s+(?:referred\s+to\s+as\s+)?(?:the\s+)?|collectively,?\s+)?"
    r"[\"\u201c\u201d']+(?P<short>[^\"\u201c\u201d'()]{1,40})[\"\u201c\u201d']+"
    # ("Excite@Home" or "Excite"): the first of several.
    r"(?:\s*(?:,|or|and)\s*(?:the\s+)?[\"\u201c\u201d'][^\"\u201c\u201d'()]{1,40}[\"\u201c\u201d'])*\s*\)"
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
_BETWEEN = re.compile(r"\b(?:by\s+and\s+)?(?:between|among)\b\s*:?", re.IGNORECASE)
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
    """The agreement's parties: name, short name, entity type, jurisdiction, role."""
    spans: list[tuple[int, int]] = []
    preamble = _preamble(text)
    if preamble is not None:
        spans += preamble_spans(text, *preamble)
    letter = letters.letter_head(text)
    if letter is not None:
        # A letter's "between" in its reference line, or one deep in its body, is no
        # preamble; one right after the salutation ("This letter agreement is made
        # between ...") is.
        if preamble is not None and not (
            letter.body_start <= preamble[0] <= letter.body_start + LETTER_PREAMBLE_CHARS_MAX
        ):
            spans = []
        spans += letters.letter_spans(text, letter)
        spans += _signature_spans(text)
    if preamble is not None and _SIGNERS_NAMED_BELOW.search(text, *preamble):
        # "... and each of the persons set forth on the signature page hereto", "the
        # undersigned hereby agree": the parties are (also) those who sign.
        spans += _signature_spans(text)
    if preamble is not None and letter is None and len(_kept(text, spans)) < 2:
        # "... between the Company and the Holder. WHEREAS, Alpha Inc., a Delaware
        # corporation (the "Company") ...": the parties the preamble names by short
        # names the recitals define.
        spans += _recital_spans(text, preamble)
    if not spans:
        spans = _signature_spans(text)
    return _parties(text, _kept(text, spans))


_SIGNERS_NAMED_BELOW = re.compile(
    r"\bsignature\s+pages?\b|\bthe\s+undersigned\b|\bsignatories\s+(?:hereto|below)\b",
    re.IGNORECASE,
)
RECITALS_CHARS_MAX: Final = 4000
_RECITALS_END = re.compile(r"NOW,?\s+THEREFORE|Now,?\s+[Tt]herefore|agree\s+as\s+follows")


def _recital_spans(text: str, preamble: tuple[int, int]) -> list[tuple[int, int]]:
    start = preamble[1]
    stop = _RECITALS_END.search(text, start, start + RECITALS_CHARS_MAX)
    end = stop.start() if stop else min(len(text), start + RECITALS_CHARS_MAX)
    named = text[preamble[0] : preamble[1]]
    return list(defined_name_spans(text, start, end, terms=named))


def _parties(text: str, spans: Sequence[tuple[int, int]]) -> list[Party]:
    parties: list[Party] = []
    for index, (start, end) in enumerate(spans):
        limit = (
            spans[index + 1][0]
            if index + 1 < len(spans) and spans[index + 1][0] > end
            else end + 200
        )
        party = _party(text, start, end, min(limit, end + 200))
        same = next((p for p in parties if one_party(p.name, party.name)), None)
        if same is None:
            parties.append(party)
        elif len(party.name) > len(same.name) and party.start > same.end:
            continue  # the first naming is the party's; a later, longer one repeats it
        if len(parties) >= PARTIES_MAX:
            break
    return parties


_FORMER = re.compile(
    r"(?:\bformerly(?:\s+known\s+as)?|\bf/k/a|\bfka|\bpreviously\s+known\s+as|\bc/o|\bcare\s+of"
    r"|\bdoing\s+business\s+as|\bd/b/a|\bdba|\ba\.?k\.?a\.?|\balso\s+known\s+as"
    r"|\bsuccessor\s+to|\bsubsidiary\s+of|\bdivision\s+of|\baffiliate\s+of)[\s,(]*$",
    re.IGNORECASE,
)


def _kept(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans that name someone, without former names and agents, overlaps merged."""
    candidates = []
    for start, end in spans:
        start, end = _trimmed(text, start, end)
        name = text[start:end]
        if end <= start or not names_someone(name) or len(name.split()) > 14:
            continue
        if _FORMER.search(text, max(0, start - 40), start):
            continue
        candidates.append((start, end))
    kept: list[tuple[int, int]] = []
    for start, end in sorted(candidates, key=lambda s: (s[0], -s[1])):
        if kept and start < kept[-1][1]:
            if end - start > kept[-1][1] - kept[-1][0]:
                kept[-1] = (start, end)  # the longer reading of overlapping names
            continue
        kept.append((start, end))
    return kept


# "BY AND BETWEEN ASTELLAS PHARMA INC.", "Title: Authorized Signatory HPS ...": words
# that run into a name in capitals.
_LEAD = re.compile(
    r"(?:(?:BY|AND|BETWEEN|AMONG|Authorized|Signatory|Title|Name|President|Director|Manager"
    r"|Member|Partner|Officer|Chief|Executive|Secretary|Treasurer|Its|By|For|On|Behalf|Of)"
    r"[ \t\n:]+)+"
)
# "... IF PUBLICLY DISCLOSED. Zogenix Inc.": a sentence ending inside a run of capitals.
_SENTENCE_IN_NAME = re.compile(r"[A-Za-z]{4,}\.[ \t\n]+(?=[A-Z])")


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    ends = [m.end() for m in _SENTENCE_IN_NAME.finditer(text, start, end)]
    start = ends[-1] if ends else start
    lead = _LEAD.match(text, start, end)
    if lead and lead.end() < end:
        start = lead.end()
    # "Director of Asia-Pacific Operations, AND MINDA INDUSTRIES LIMITED": two names.
    joined = [m.end() for m in re.finditer(r",\s+(?:AND|and)\s+", text[start:end])]
    if joined:
        start += joined[-1]
    while True:
        connector = re.match(r"(?i:and|of|the)\s+", text[start:end])
        if connector is None:
            break
        start += connector.end()
    while end > start and text[end - 1] in ",;: \t\n":
        end -= 1
    return start, end


# Where the preamble ends: recitals, or the first heading of the body.
_PREAMBLE_STOP = re.compile(
    r"\bRECITALS\b|\bWHEREAS\b|\bWhereas\b|\bW I T N E S S|\bWITNESSETH\b|\bBACKGROUND\b"
    r"|^[ \t]*(?:\d{1,2}\.?[ \t]+)?(?:Background|PRELIMINARY[ \t]+STATEMENTS?"
    r"|Preliminary[ \t]+Statements?|Recitals|DEFINITIONS|ARTICLE[ \t]+(?:I|1)\b"
    r"|(?:Section|SECTION|Article)[ \t]+(?:1|I)\b|NOW,?[ \t]+THEREFORE|Now,?[ \t]+[Tt]herefore)"
    r"|\bNOW,?\s+THEREFORE\b|\bIN\s+CONSIDERATION\s+OF\b|\bagree\s+as\s+follows\b",
    re.MULTILINE,
)
_SELF_START = re.compile(
    r"\b(?:This|THIS)\s+[^.;]{0,200}?\b(?:made|entered\s+into|dated|executed|effective)\b"
)


def _preamble(text: str) -> tuple[int, int] | None:
    """(start, end) of the preamble's list of parties, or None when there is none."""
    head = text[:PREAMBLE_CHARS_MAX]
    stop = _PREAMBLE_STOP.search(head)
    limit = stop.start() if stop else len(head)
    between = _BETWEEN.search(head, 0, limit)
    made = _SELF_START.search(head, 0, limit) if between is None else None
    if between is not None:
        origin = between.end()
    elif made is not None:
        origin = made.end()
    elif _DEFINED_AFTER.search(head, 0, min(limit, UNCUED_PREAMBLE_CHARS_MAX)):
        origin = 0  # "Aduro Biotech, Inc. ... ("Aduro") and IREYA B.V ... agree to ..."
    else:
        return None
    end = _sentence_end(text, origin, limit)
    for _ in range(3):
        # The list may run on past a full stop: an address ending "Port Vila.", then
        # "-- AND -- AGAPE ...", or "Party B: ...".
        following = _sentence_end(text, end + 1, limit)
        if following <= end or not _MORE_PARTIES.search(text, end, following):
            break
        end = following
    return origin, min(limit, end)


UNCUED_PREAMBLE_CHARS_MAX: Final = 2500
_MORE_PARTIES = re.compile(
    r"\bAND\b|\bParty\s+[A-Z2-9]\s*:|^\W*(?:and\b|\(\d\)|\d\.)"
    r"|\(\s*(?:the\s+|hereinafter[^\"\u201c)]{0,30})?[\"\u201c'\u2018](?!Part)",
    re.MULTILINE,
)


def _sentence_end(text: str, start: int, limit: int) -> int:
    """Where the sentence that runs through `start` ends; a list of parties numbered
    "(1) ... . (2) ..." or run on with "AND" is one sentence."""
    for stop in re.finditer(r"\.(?=[\s\"\u201d)]+[A-Z])", text[:limit]):
        if stop.start() < start:
            continue
        word = re.search(r"[\w.'&/-]+$", text[max(0, stop.start() - 20) : stop.start() + 1])
        if word and (is_abbreviation(word.group()) or re.fullmatch(r"\d{1,3}\.", word.group())):
            continue
        if re.match(r"[\s\"\u201d)]+(?:\(\d\)|\(?[a-z]\)|AND\b|and\b|&|\d\.)", text[stop.end() :]):
            continue
        return stop.end()
    return limit


# A defined short name after a party's name: ("Berg"), (the "Borrower"),
# (hereinafter referred to as "COOL TECH"), ('the Manufacturer'), or "NAME, as Lender".
_DEFINED_AFTER = re.compile(
    r"\(\s*(?:(?:the|a|an)\s+|hereinafter\s+(?:(?:referred\s+to|called)\s+(?:as\s+)?)?(?:the\s+)?"
    r"|herein\s+(?:called|referred\s+to\s+as)\s+(?:the\s+)?|collectively,?\s+(?:the\s+)?"
    r"|individually\s+and\s+collectively,?\s+)?[\"\u201c\u201d'\u2018\u2019]+"
    r"(?P<term>[^\"\u201c\u201d'\u2018\u2019()]{1,40})[\"\u201c\u201d'\u2018\u2019]+[^()]{0,60}\)"
    r"|\((?P<acronym>[A-Z][A-Z0-9&.\-]{1,10}(?:\s[A-Z0-9&.\-]{1,10}){0,2})\)"
    r"|\(\s*(?:the\s+)?(?P<bare>Lender|Borrower|Agent|Holder|Creditor|Debtor|Payee|Maker|Guarantor"
    r"|Secured\s+Party|Company|Seller|Buyer|Purchaser|Assignor|Assignee|Obligor)\s*\)"
    r"|,?\s+as\s+(?:the\s+)?(?P<role>(?:Administrative\s+|Collateral\s+)?(?:Lender|Lenders|Borrower"
    r"|Agent|Servicer|Custodian|Trustee|Holder|Issuer|Guarantor|Seller|Purchaser|Buyer|Licensor"
    r"|Licensee|Assignor|Assignee|Debtor|Creditor|Secured\s+Party))\b"
)
# Short names that name a document, a date or a thing, not a party.
_NOT_A_PARTY_TERM = re.compile(
    r"agreement|amendment|contract|date|plan|propert|premises|product|service|territory|loan"
    r"|note|notes|parties|party|term|effective|closing|transaction|shares|stock|securities"
    r"|assets|business|license|facility|project|site|program|exhibit|schedule|recitals|price"
    r"|proceeds|offering|amount|fee|rate|interest|period|payment|account|collateral|property",
    re.IGNORECASE,
)


def preamble_spans(text: str, origin: int, end: int) -> list[tuple[int, int]]:
    """Names in the preamble: by suffix, by description, and before a defined short name."""
    spans = [
        (m.start("name"), m.end("name"))
        for m in ENTITY.finditer(text, origin, end)
        # Not inside ("Patridge LLC") or (together with Patridge and Patridge LLC, ...).
        if text[max(0, m.start() - 1) : m.start()] not in _QUOTES
        and not _in_parentheses(text, m.start())
    ]
    spans += [
        (m.start("name"), m.end("name"))
        for m in _DESCRIBED.finditer(text, origin, end)
        if not _NOT_A_NAME.match(m.group("name"))
        and not _OBJECT_BEFORE.search(text, max(0, m.start() - 12), m.start())
    ]
    spans += list(defined_name_spans(text, origin, end))
    return spans


def _in_parentheses(text: str, at: int) -> bool:
    """Whether `at` is inside a parenthesis opened shortly before (one left open by a typo
    far before does not count)."""
    opened = text.rfind("(", max(0, at - PARENTHESIS_CHARS_MAX), at)
    return opened >= 0 and text.find(")", opened, at) < 0


PARENTHESIS_CHARS_MAX: Final = 120


def defined_name_spans(
    text: str, origin: int, end: int, *, roles_only: bool = False, terms: str | None = None
) -> Iterator[tuple[int, int]]:
    """Names given a short name or a role: "Diversinet Corp. ("Diversinet")", "TOM WATSON
    ("CONSULTANT")", "California Bank & Trust, as Lender"."""
    floor = origin
    for defined in _DEFINED_AFTER.finditer(text, origin, end):
        term = (
            defined.group("term")
            or defined.group("role")
            or defined.group("bare")
            or defined.group("acronym")
            or ""
        )
        chunk_start, floor = floor, defined.end()
        if _NOT_A_PARTY_TERM.search(term) and not (defined.group("role") or defined.group("bare")):
            continue
        if roles_only and not (
            defined.group("role") or defined.group("bare") or term.lower() in _ROLE_TERMS
        ):
            continue
        if defined.group("acronym") and roles_only:
            continue
        if terms is not None and not re.search(rf"\b{re.escape(term)}\b", terms):
            continue  # a name the recitals define that the preamble does not use
        found = _name_in_chunk(text, chunk_start, defined.start())
        if found is not None:
            yield found


_QUOTES: Final = ('"', "\u201c", "\u201d", "'", "\u2018", "\u2019")
_ROLE_TERMS: Final = words_set(
    "lender borrower agent holder company creditor debtor seller buyer purchaser guarantor payee"
    " payor maker investor subscriber consultant customer supplier licensor licensee secured party"
    " obligor mortgagee mortgagor assignor assignee bank"
)
_SEPARATOR = re.compile(
    r"(?:,?\s+and\s+|;\s*(?:and\s+)?|\bbetween\s+|\bamong\s+|\(\d\)\s*|\bAND:?\s+)"
)


def _named_enough(name: str, rest: str) -> bool:
    """A one-word name ("Hedgebrook", "Software") names a party only when the text says what
    it is (", a Nevada corporation") or it is spelt as a name is ("FreeCook", "GWG")."""
    if len(name.split()) > 1 or re.search(rf"{SUFFIX}$", name):
        return True
    if re.search(r"[a-z][A-Z]|\d|^[A-Z]{2,6}$", name):
        return True
    return bool(_TYPE_PATTERN.search(rest[:120]))


def _name_in_chunk(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The party name a chunk before a defined term holds: the first name found reading
    from the chunk's start, then from after each "and", ";" or "(2)" in it."""
    starts = [start, *(m.end() for m in _SEPARATOR.finditer(text, start, end))]
    for at in starts:
        found = leading_name(text[at:end])
        if found is None:
            continue
        name = text[at + found[0] : at + found[1]]
        if names_someone(name) and _named_enough(name, text[at + found[1] : end]):
            return at + found[0], at + found[1]
    # "between professional golfer TOM WATSON ("CONSULTANT")": the name right before.
    last = trailing_name(text[start:end])
    if last is not None and names_someone(text[start + last[0] : start + last[1]]):
        return start + last[0], start + last[1]
    return None


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


_SIGNATURE_START = re.compile(
    r"IN\s+WITNESS\s+WHEREOF|In\s+evidence\s+whereof|\bundersigned\b|\bBy\s*:|/s/", re.IGNORECASE
)
_WITNESS = re.compile(r"IN\s+WITNESS\s+WHEREOF|In\s+evidence\s+whereof", re.IGNORECASE)
# Words of a signatory's name, title or date that run into the name of what they sign for.
_BEFORE_SIGNING_NAME = re.compile(
    r".*\b(?:Officer|President|Director|Manager|Member|Partner|Counsel|Secretary|Treasurer"
    r"|Signatory|Attorney(?:-in-Fact)?|Trustee|(?:19|20)\d\d)\b[.,:]?\s+",
    re.DOTALL,
)
# "For and on behalf of ABS Telecom plc", a name at the start of a line, or after a run
# of spaces or a colon in text whose lines were run together.
_SIGNING_NAME_BEFORE = re.compile(
    r"(?:^|\n|\s{2,}|(?<!By):\s*|behalf\s+of\s+|/s/[^\n]{0,40}\s|\d{4}\.\s+)$", re.I
)


# What may follow a signature block's name on its line: nothing, the signer ("By:",
# "/s/", "Name:"), or the capacity it signs in (", as servicer", ", its General Partner").
_BLOCK_NAME_AFTER = re.compile(
    r"\s*(?:,?\s*(?:as|its)\s+[\w ,&-]{1,50}?)?[\s.,;:]*(?:$|By\b|/s/|Name\b|\||\[|\(|\")",
    re.IGNORECASE,
)
_ON_BEHALF = re.compile(
    r"\b(?:for\s+and\s+)?on\s+behalf\s+of\s*:?\s+(?P<name>[A-Z0-9][^\n,;:]{1,80}?)\s*$", re.I
)


def _signature_spans(text: str) -> list[tuple[int, int]]:
    """Entities that sign: the names in the signature part that stand as a block's name."""
    start = (
        _WITNESS.search(text)
        or _SIGNATURE_START.search(text, len(text) // 3)
        or _SIGNATURE_START.search(text)
    )
    if start is None:
        return []
    floor = max(0, start.start() - 200)
    stop = min(len(text), floor + SIGNATURE_CHARS_MAX)
    spans: list[tuple[int, int]] = []
    # Line by line (and piece by piece where lines were run together): a block's name
    # never runs over a line end.
    on_behalf = False
    for piece in re.finditer(r"[^\n]+?(?=\n|\s{3,}|$)", text[floor:stop]):
        if not piece.group().strip() or re.fullmatch(r"\s*[-_=.]+\s*", piece.group()):
            continue  # blank columns and rules between a block's lines
        if on_behalf and re.match(r"\s*[A-Z0-9]", piece.group()) and len(piece.group()) <= 80:
            # "For and on behalf of      BC TEL": the name in the next column.
            at = floor + piece.start()
            stripped = piece.group().strip()
            start_at = at + piece.group().index(stripped)
            spans.append((start_at, start_at + len(stripped)))
            on_behalf = False
            continue
        on_behalf = bool(re.search(r"\bbehalf\s+of\s*:?\s*$", piece.group(), re.IGNORECASE))
        behalf = _ON_BEHALF.search(piece.group())
        if behalf is not None:
            # "For and on behalf of BC TEL": the block's name, with or without a suffix.
            at = floor + piece.start()
            spans.append((at + behalf.start("name"), at + behalf.end("name")))
            continue
        for match in _ENTITY_LINE.finditer(piece.group()):
            at = floor + piece.start()
            before = text[max(0, at + match.start() - 40) : at + match.start()]
            if re.search(r"\bBy\s*:\s*$", before, re.I):
                continue  # "By: Värde Partners, Inc., its General Partner" signs for it
            name_start = at + match.start("name")
            # "Thomas Sipp Chief Financial Officer SCULPTOR MANAGEMENT, INC.": what it signs for.
            lead = _BEFORE_SIGNING_NAME.match(match.group("name"))
            cut = lead.end() if lead is not None and lead.end() < len(match.group("name")) else 0
            name = match.group("name")[cut:]
            if name.upper() != name and not _BLOCK_NAME_AFTER.match(piece.group(), match.end()):
                continue  # "If CO agrees ...": a name in a sentence, not a block's name
            if cut:
                spans.append((name_start + cut, at + match.end("name")))
            elif _SIGNING_NAME_BEFORE.search(before) or _LEAD.match(match.group()):
                spans.append((name_start, at + match.end("name")))
        if len(spans) >= PARTIES_MAX * 2:
            break
    return spans


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


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


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

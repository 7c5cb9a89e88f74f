"""Clause kinds of the agreement's units, from the legal phrases that mark them.

One unit may do several things (the reference's paragraph 6 releases claims and
waives California Civil Code section 1542), so it may give several kinds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from acquittance.agreements.reading.model import Clause
from acquittance.agreements.reading.segments import Unit

_I = re.IGNORECASE
RULES: Final[tuple[tuple[str, re.Pattern[str]], ...]] = (
    (
        "assignment",
        re.compile(
            r"\bhereby\s+(?:sells,\s+)?(?:assigns|transfers|conveys)\b|\bassignment\s+of\s+the\s+notes?\b",
            _I,
        ),
    ),
    (
        "payment",
        re.compile(
            r"\b(?:agrees?\s+to|shall|will)\s+pay\b|\bwire\s+transfer\b|\bpayment\s+of\s+\$", _I
        ),
    ),
    (
        "discharge",
        re.compile(
            r"\b(?:fully\s+paid|paid\s+in\s+full|payment\s+in\s+full|discharged|satisfied\s+in\s+full|full\s+satisfaction|partial\s+satisfaction)\b",
            _I,
        ),
    ),
    (
        "termination",
        re.compile(
            r"\b(?:is|are)\s+hereby\s+terminated\b|\bshall\s+terminate\b|\btermination\s+of\s+(?:this|the)\b|\bmay\s+terminate\b",
            _I,
        ),
    ),
    (
        "assumption",
        re.compile(
            r"\bhereby\s+assumes?\b|\bassumes?\s+(?:any\s+and\s+all|all)\s+(?:of\s+)?(?:the\s+)?(?:obligations|liabilities)",
            _I,
        ),
    ),
    (
        "lien_release",
        re.compile(
            r"\bsecurity\s+interests?\b[^.]{0,200}\b(?:extinguished|released|terminated)\b|\brelease\s+of\s+(?:all\s+)?(?:liens?|security\s+interests?)\b|\bfinancing\s+statements?\b|\bUCC-3\b|\btermination\s+statements?\b",
            _I,
        ),
    ),
    (
        "representations_and_warranties",
        re.compile(r"\brepresents?\s+and\s+warrants?\b|\brepresentations\s+and\s+warranties\b", _I),
    ),
    (
        "release_of_claims",
        re.compile(
            r"\b(?:hereby\s+)?(?:fully\s+)?releases?\s+(?:and\s+(?:forever\s+)?discharges?\s+)?(?:any\s+and\s+)?all\s+claims\b|\bgeneral\s+release\b|\brelease\s+of\s+(?:all\s+)?claims\b|\breleases?,\s+acquits?\b",
            _I,
        ),
    ),
    ("statutory_waiver", re.compile(r"\bCivil\s+Code\s+Section\s+1542\b|\bSection\s+1542\b", _I)),
    (
        "successors_and_assigns",
        re.compile(
            r"\bsuccessors\s+and\s+(?:permitted\s+)?assigns\b|\binure\s+to\s+the\s+benefit\b", _I
        ),
    ),
    (
        "further_assurances",
        re.compile(r"\bfurther\s+(?:instruments|assurances|documents|acts)\b", _I),
    ),
    ("time_of_essence", re.compile(r"\btime\s+(?:is|shall\s+be)\s+of\s+the\s+essence\b", _I)),
    (
        "governing_law",
        re.compile(
            r"\bgoverned\s+by\b[^.]{0,80}\blaws?\b|\bgoverning\s+law\b|\bconstrued\s+(?:and\s+enforced\s+)?in\s+accordance\s+with\s+the\s+laws\b",
            _I,
        ),
    ),
    (
        "amendment",
        re.compile(
            r"\b(?:modification|amendment|amended|modified|waiver)s?\b[^.]{0,160}\b(?:in\s+writing|written\s+instrument|signed\s+by)\b",
            _I,
        ),
    ),
    (
        "entire_agreement",
        re.compile(
            r"\bentire\s+agreement\b|\bcomplete\s+agreement\b|\bsupersedes?\b[^.]{0,80}\b(?:prior|previous)\b",
            _I,
        ),
    ),
    (
        "counterparts",
        re.compile(
            r"\bcounterparts?\b|\bfacsimile\b[^.]{0,80}\bsignature|\bexecuted\s+by\s+facsimile\b|\belectronic\s+signatures?\b",
            _I,
        ),
    ),
    (
        "notices",
        re.compile(
            r"\bnotices?\b[^.]{0,120}\b(?:shall|must)\s+be\s+(?:given|in\s+writing|sent|delivered|deemed)\b|^\W*\d*\.?\s*notices\b",
            _I | re.MULTILINE,
        ),
    ),
    (
        "severability",
        re.compile(
            r"\bseverab|\bheld\s+(?:to\s+be\s+)?(?:invalid|illegal|unenforceable)\b|\binvalid,\s+illegal\s+or\s+unenforceable\b",
            _I,
        ),
    ),
    (
        "confidentiality",
        re.compile(
            r"\bconfidential(?:ity)?\s+(?:information|treatment|obligations?)\b|\bkeep\s+confidential\b|\bshall\s+(?:hold|keep)\b[^.]{0,60}\bconfiden",
            _I,
        ),
    ),
    ("indemnification", re.compile(r"\bindemnif(?:y|ies|ication)\b|\bhold\s+harmless\b", _I)),
)
# Cheap literal tests that every match of a rule implies; they spare the regexes most units.
_KEYWORDS: Final = {
    "assignment": ("assign", "transfer", "convey"),
    "payment": ("pay", "wire"),
    "discharge": ("paid", "payment", "discharg", "satisf"),
    "termination": ("terminat",),
    "assumption": ("assum",),
    "lien_release": (
        "security interest",
        "lien",
        "financing statement",
        "ucc-3",
        "termination statement",
    ),
    "representations_and_warranties": ("represent",),
    "release_of_claims": ("release",),
    "statutory_waiver": ("1542",),
    "successors_and_assigns": ("successors", "inure"),
    "further_assurances": ("further",),
    "time_of_essence": ("essence",),
    "governing_law": ("govern", "construed"),
    "amendment": ("modif", "amend", "waiver"),
    "entire_agreement": ("entire agreement", "complete agreement", "supersede"),
    "counterparts": ("counterpart", "facsimile", "electronic signature"),
    "notices": ("notice",),
    "severability": ("severab", "invalid", "unenforceable", "illegal"),
    "confidentiality": ("confiden",),
    "indemnification": ("indemnif", "hold harmless"),
}
_ALL_KEYWORDS: Final = frozenset(word for words in _KEYWORDS.values() for word in words)
_KEYWORD_SETS: Final = tuple((kind, pattern, _KEYWORDS[kind]) for kind, pattern in RULES)
# How far before its keyword a rule's match may begin ("shall keep ... confidential").
KEYWORD_LEAD_MAX: Final = 100
_LAW = re.compile(
    r"\b(?:laws?\s+of\s+(?:the\s+)?(?:State\s+of\s+|Commonwealth\s+of\s+|Province\s+of\s+)?"
    r"(?P<a>[A-Z][a-z]+(?:\s+[A-Z][a-z]+){0,2})|(?P<b>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\s+law\b)"
)
UNIT_CHARS_MAX: Final = 20_000


def find_clauses(text: str, units: Sequence[Unit]) -> list[Clause]:
    """Clauses of the body's units; numbered units when the document numbers them."""
    operative = [u for u in units if not _RECITAL.match(text, u.start)]
    numbered = _top_level(operative, text)
    chosen = numbered if len(numbered) >= 3 else operative
    found: list[Clause] = []
    for unit in chosen:
        body = text[unit.start : min(unit.end, unit.start + UNIT_CHARS_MAX)]
        # Each keyword looked up once says which rules can match at all, and from where.
        lowered = body.lower()
        first = {word: at for word in _ALL_KEYWORDS if (at := lowered.find(word)) >= 0}
        if not first:
            continue
        for kind, pattern, words in _KEYWORD_SETS:
            starts = [first[word] for word in words if word in first]
            if starts and pattern.search(body, max(0, min(starts) - KEYWORD_LEAD_MAX)):
                found.append(Clause(kind, unit.start, unit.end, _jurisdiction(kind, body)))
    return found


_RECITAL = re.compile(r"WHEREAS|Whereas|RECITALS?|Recitals?|NOW,?\s+THEREFORE|Now,?\s+[Tt]herefore")
_SUB = re.compile(r"[ \t]*\(?(?:[a-z]{1,4}|[A-Z]{1,3})\)")


def _top_level(numbered: Sequence[Unit], text: str) -> list[Unit]:
    """Sub-paragraphs ("(a)") and continued paragraphs join the numbered paragraph above."""
    merged: list[Unit] = []
    for unit in numbered:
        top = unit.numbered and not _SUB.match(text, unit.start)
        if top:
            merged.append(unit)
        elif merged:
            merged[-1] = Unit(merged[-1].start, unit.end, True)
    return merged


def _jurisdiction(kind: str, body: str) -> str | None:
    if kind == "statutory_waiver" and re.search(r"California", body):
        return "California"
    if kind != "governing_law":
        return None
    law = _LAW.search(body)
    if not law:
        return None
    name = law.group("a") or law.group("b")
    return None if name in ("Its", "The", "Such", "Applicable") else name

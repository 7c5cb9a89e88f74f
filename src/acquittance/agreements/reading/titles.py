"""The document's name, as its heading gives it ("CO-BRANDING AND ADVERTISING AGREEMENT").

CUAD's definition: the name of the contract as the document states it, usually
its heading. Text extracted from filings often runs the heading into the next
line with a few spaces between ("STRATEGIC ALLIANCE AGREEMENT    This Strategic
Alliance Agreement ..."), or after a legend in capitals ("... IF PUBLICLY
DISCLOSED. SUPPLY AGREEMENT This ..."), so the top of the text is cut into
pieces at line ends, at runs of spaces and at the end of such sentences. The name
is the first run of capitalised words that ends in a kind of instrument
(agreement, contract, amendment ...) at the start of a piece; failing that, the
name the preamble gives ("This Strategic Alliance Agreement ...").

What a filing puts around the name is left out: the exhibit label ("Exhibit
10.1"), drafting marks ("Execution Version"), a page number, a date, a company
name before it ("CORIO INC. LICENSE AND HOSTING AGREEMENT"), and what follows it
("... BETWEEN X AND Y", "... DATED MAY 1, 2005", "Page 1 of 7").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from acquittance.agreements.reading.names import words_set
from acquittance.agreements.reading.segments import DATE_PATTERN

TITLE_HEAD_CHARS_MAX: Final = 5000
TITLE_WORDS_MAX: Final = 16
PIECES_MAX: Final = 60

_NOUN = (
    r"AGREEMENTS?|CONTRACT|AMENDMENT|ADDENDUM|LETTER|INDENTURE|LEASE|NOTE|ASSIGNMENT|RELEASE"
    r"|PLAN|LICEN[CS]E|GUARANT(?:Y|EE)|MEMORANDUM|TERMS|STATEMENT|CERTIFICATE|PROTOCOL"
    r"|UNDERSTANDING|ARRANGEMENT|DEED|CHARTER|CONSENT|WAIVER|SUPPLEMENT|COMMITMENT"
    r"|INSTRUMENT|UNDERTAKING"
)
_NOUN_WORD = re.compile(rf"^(?:{_NOUN})$", re.IGNORECASE)
# Nouns a number or letter may follow: "ADDENDUM I", "AMENDMENT 3".
_NUMBERED_NOUN = re.compile(r"^(?:AMENDMENT|ADDENDUM|SUPPLEMENT|SCHEDULE)$", re.IGNORECASE)
_CONNECTOR = re.compile(r"^(?:and|of|for|to|the|&|-|–|—|a|an|re|/)$", re.IGNORECASE)
_CONTINUES = re.compile(r"^(?:FOR|OF|ON|REGARDING)$", re.IGNORECASE)
_CONTINUATION_STOP = re.compile(r"^(?:TO|BY|BETWEEN|AMONG|WITH|AND)$", re.IGNORECASE)
_STOP = re.compile(
    r"^(?:BETWEEN|AMONG|BY|DATED|MADE|ENTERED|EFFECTIVE|THIS|WITH|PAGE|TABLE|NUMBER:?|NO\.?:"
    r"|NO:|REF\.?|EXECUTION|DRAFT|WHEREAS|RECITALS|IN|AS|IS|ON|UNDER|SOURCE:?|-{2,}|_{2,})$",
    re.IGNORECASE,
)
_NUMBERING = re.compile(r"^(?:NO\.?|NUMBER|N°|#)$", re.IGNORECASE)
_PIECE_SPLIT = re.compile(
    r"\n|[ \t\u00a0]{3,}| {2,}(?=[A-Z\"\u201c(])|(?<=[A-Za-z]{4}\.)\s+(?=[A-Z])|-{3,}|_{3,}|={3,}"
)
_LEAD_JUNK = re.compile(
    r"^(?:(?:EXHIBIT|Exhibit|EX-|Ex\.?|APPENDIX|Appendix|ATTACHMENT|Attachment|ANNEX|Annex)"
    r"\s*[\w.()\-\u2018\u2019']{1,12}\s+|\*+\s*|\[[^\]]{0,40}\]\s*"
    r"|(?:(?:EXECUTION|Execution|FINAL|Final|CONFORMED|Conformed|REDACTED|Redacted)\s+)?"
    r"(?:COPY|Copy|VERSION|Version)\s+|(?:Page|PAGE)\s+\d+(?:\s+of\s+\d+)?\s*"
    r"|\((?:TRANSLATION|Translation|English\s+Translation)\)\s*|(?:THIS|This)\s+(?=[A-Z])"
    r"|(?:CONFIDENTIAL|Confidential)(?:\s+TREATMENT\s+REQUESTED)?\s*|\d{1,3}\s+(?=[A-Z]))+"
)
_SUFFIX_END = re.compile(
    r"(?:\b(?:INC|INCORPORATED|CORP|CORPORATION|LLC|L\.L\.C|LTD|LIMITED|LP|L\.P|PLC|GMBH|AG|CO"
    r"|S\.A|N\.V|B\.V|LLP)\.?,?)$",
    re.IGNORECASE,
)
_LABEL = re.compile(r"^(?:EXHIBIT|APPENDIX|ATTACHMENT|ANNEX|SCHEDULE)$", re.IGNORECASE)
_TOKEN = re.compile(r"[^\s]+")


def find_title(text: str) -> str | None:
    """The document's name from its heading, or None when the top of the text has none."""
    pieces = [p.strip(" \t#*_|") for p in _PIECE_SPLIT.split(text[:TITLE_HEAD_CHARS_MAX])]
    pieces = [p for p in pieces if p][:PIECES_MAX]
    for index, piece in enumerate(pieces):
        if re.match(r"(?i)^this\b", piece):
            continue  # a preamble: its own name is the fallback below
        if _ATTACHED_TO.match(piece):
            continue  # "Attachment B to Master Franchise Agreement": what it is attached to
        title = _heading_at(pieces, index)
        if title is not None:
            title = _with_line_above(title, pieces, index, text)
            return _without_brand(_with_amended_name(title, pieces, index), text)
    return _preamble_name(text[:TITLE_HEAD_CHARS_MAX])


def _without_brand(title: str, text: str) -> str:
    """ "EL POLLO LOCO® FRANCHISE DEVELOPMENT AGREEMENT" over "This Franchise Development
    Agreement ...": the heading without the brand or company before the name the
    preamble gives the agreement."""
    named = _preamble_name(text[:TITLE_HEAD_CHARS_MAX])
    if named is None:
        return title
    words, short = title.split(), named.split()
    if len(short) < 2 or len(short) >= len(words):
        return title
    tail, prefix = words[-len(short) :], words[: -len(short)]
    if [w.lower().strip(",") for w in tail] != [w.lower().strip(",") for w in short]:
        return title
    if all(w.lower().strip(",") in _QUALIFIERS for w in prefix):
        return title  # "EXCLUSIVE", "FORM OF", "AMENDED AND RESTATED" belong to the name
    return " ".join(tail)


def without_party_names(title: str | None, names: Sequence[str]) -> str | None:
    """ "PCQUOTE - CO-BRANDING AGREEMENT", "E-CENTIVES - EXCITE@HOME CO-BRANDING
    AGREEMENT": the heading without the parties' names set before the name with a dash."""
    if title is None or not re.search(r"\s[-–—]\s", title):
        return title
    keys = {_joined_key(n) for n in names} - {""}
    words = title.split()
    at, dashed = 0, False
    dashes = ("-", "–", "—")
    while at < len(words) - 2:
        if words[at] in dashes:
            at, dashed = at + 1, True
            continue
        width = next(
            (
                w
                for w in range(4, 0, -1)
                if not _dashes_in(words[at : at + w], dashes)
                and _joined_key(" ".join(words[at : at + w])) in keys
            ),
            0,
        )
        if width == 0 or at + width >= len(words):
            break
        at += width
    rest = words[at:]
    if not dashed or len(rest) < 2 or not _NOUN_WORD.match(rest[-1].strip(",")):
        return title
    return " ".join(rest)


def _dashes_in(words: Sequence[str], dashes: Sequence[str]) -> bool:
    return any(word in dashes for word in words)


def _joined_key(name: str) -> str:
    """A name's letters and digits, its entity form left out: "PC QUOTE, INC." -> "pcquote"."""
    bare = _SUFFIX_END.sub("", name.strip(" ,.")).strip(" ,")
    return re.sub(r"[^a-z0-9@]", "", bare.lower())


_QUALIFIERS: Final = words_set(
    "exclusive non-exclusive nonexclusive master form of amended and restated first second"
    " third fourth fifth sixth revised global joint mutual general limited"
)


def _heading_at(pieces: list[str], index: int) -> str | None:
    """The name at the start of `pieces[index]`, read on into the next pieces where a
    heading is broken over lines ("SETTLEMENT" / "AGREEMENT", "ADDENDUM TO" / "...",
    "SERVICE AGREEMENT" / "FOR" / "TRANSFER AGENT SERVICES")."""
    joined = pieces[index]
    title = _name_at_start(joined)
    for following in pieces[index + 1 : index + 4]:
        dangling = re.search(r"\b(?:TO|OF|FOR|AND|&)$", joined.rstrip(" ,"))
        continued = title is not None and bool(_CONTINUES.match(following.split()[0]))
        if not _is_capitals(joined) or len(joined) > 120 or joined.endswith((",", ".", ";")):
            break
        if title is not None and not dangling and not continued:
            break
        qualifiers = all(w.lower().strip(",") in _QUALIFIERS for w in joined.split())
        if title is None and not dangling and not qualifiers and not _completes(following):
            break  # "ZEBRA® PARTNERCONNECT PROGRAM" over a name: a line of its own
        joined = f"{joined} {following}"
        title = _name_at_start(joined) or title
    return title


def _with_line_above(title: str, pieces: list[str], index: int, text: str) -> str:
    """ "BROKER DEALER" over "MARKETING AND SERVICING AGREEMENT" where the preamble says
    "This Broker Dealer Marketing and Servicing Agreement": one heading on two lines."""
    if index == 0 or not _is_capitals(pieces[index - 1]):
        return title
    named = _preamble_name(text[:TITLE_HEAD_CHARS_MAX])
    joined = f"{pieces[index - 1]} {title}"
    if named is None:
        return title
    if _plain(joined).startswith(_plain(named)) and not _plain(title).startswith(_plain(named)):
        return joined
    return title


def _plain(name: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", name.lower()).split())


def _completes(piece: str) -> bool:
    """ "AGREEMENT", "AND RELEASE": the rest of a heading broken over lines, not a name
    of its own."""
    words = [w.strip(",;") for w in piece.split()]
    return bool(words) and (
        bool(_CONNECTOR.match(words[0]))
        or (
            all(_NOUN_WORD.match(w) or _CONNECTOR.match(w) for w in words)
            and bool(_NOUN_WORD.match(words[-1]))
        )
    )


def _with_amended_name(title: str, pieces: list[str], index: int) -> str:
    """ "AMENDMENT NO. 1" over "Wireless Content License Agreement Number 12965": the
    amendment is named with the agreement it amends."""
    if not re.fullmatch(r"(?i)amendment\s+(?:no\.?|number)\s*\S{1,5}", title):
        return title
    for following in pieces[index + 1 : index + 3]:
        amended = _name_at_start(re.sub(r"(?i)^to\s+", "", following))
        if amended is not None:
            return f"{title} {amended}"
    # "Reference is hereby made to that certain fully executed Wireless Content License
    # Agreement Number 12965 dated ...": the agreement the first sentences amend.
    for following in pieces[index + 1 : index + 4]:
        certain = _THAT_CERTAIN.search(following[:400])
        if certain is not None:
            amended = _name_at_start(following[certain.end() :])
            if amended is not None and amended.split()[0][0].isupper():
                return f"{title} {amended}"
    return title


_THAT_CERTAIN = re.compile(
    r"\b(?:made\s+to|amends)\s+(?:that\s+certain|the)\s+(?:fully\s+executed\s+)?"
)


_ATTACHED_TO = re.compile(
    r"^(?:EXHIBIT|Exhibit|ATTACHMENT|Attachment|ANNEX|Annex|APPENDIX|Appendix|SCHEDULE|Schedule)"
    r"\s+[\w.()\-]{1,6}\s+(?:to|TO)\s+\S"
)
# "SCHEDULE TO Software License, Customization and Maintenance Agreement".
_PART_TO = re.compile(r"^(?P<part>(?:SCHEDULE|ADDENDUM|AMENDMENT|SUPPLEMENT)\s+TO)\s+(?=\S)")
# "Maintenance and support contract": a short heading in sentence case.
_SENTENCE_CASE_NAME = re.compile(rf"^[A-Z][a-z]+(?:[ \t]+[a-z][a-z-]*){{1,5}}[ \t]+(?i:{_NOUN})$")


def _name_at_start(piece: str) -> str | None:
    """The instrument's name at the start of a piece, without what a filing adds around it."""
    piece = _without_lead(piece)
    if _SENTENCE_CASE_NAME.match(piece):
        return piece
    tokens = _TOKEN.findall(piece)[:40]
    name = _name_tokens(tokens)
    part = _PART_TO.match(piece)
    if name is None and part is not None:
        rest = _name_at_start(piece[part.end() :])
        return None if rest is None else f"{part.group('part')} {rest}"
    if name is None:
        return None
    words = _deduplicated(_without_company(name))
    if not words or (len(words) == 1 and len(tokens) > 1):
        return None  # a lone "AGREEMENT" is a heading only when it stands alone
    if len(words) <= 3 and re.fullmatch(
        r"(?i)(?:agreement|contract)\s+(?:no\.?|number|#)\s*\S+", " ".join(words)
    ):
        return None  # "Agreement Number 12965", "Contract No. 017": a reference, not a name
    return " ".join(words).strip(" ,-")


def _without_lead(piece: str) -> str:
    piece = _LEAD_JUNK.sub("", piece).strip(" -:,.")
    date = DATE_PATTERN.match(piece)
    if date is not None:
        piece = piece[date.end() :].strip(" -:,.")
    return piece


def _name_tokens(tokens: list[str]) -> list[str] | None:
    """The leading run of capitalised words, cut after the last instrument noun in it.

    The run ends at a word that is not capitalised (in a heading in capitals, at a
    word not in capitals) or at a word that starts what follows a name ("BETWEEN",
    "DATED", "Page"). After its last noun the name keeps a number ("NO. 2"), a
    short parenthetical ("(WQHT HD2)") and an object ("FOR TRANSFER AGENT SERVICES").
    """
    if not tokens:
        return None
    capitals = _is_capitals(tokens[0])
    run: list[str] = []
    for token in tokens[: TITLE_WORDS_MAX + 8]:
        word = token.strip(",;:\"'\u201c\u201d")
        if (run and _STOP.match(word)) or not _name_word(token, capitals):
            break
        run.append(token)
    nouns = [i for i, t in enumerate(run) if _NOUN_WORD.match(t.strip(",;()"))]
    if not nouns or len(run) > TITLE_WORDS_MAX + 4 or run[nouns[-1]].endswith(":"):
        return None  # "Note:", "Terms:" label a field
    last = nouns[-1]
    rest = run[last + 1 :]
    if len(rest) > 1 and _CONTINUES.match(rest[0].strip(",")):
        kept = []
        for token in rest:
            if _CONTINUATION_STOP.match(token.strip(",")):
                break
            kept.append(token.rstrip(",;:"))
        return [*run[: last + 1], *kept]
    ending = _name_end(tokens, last + 1, run[last])
    if ending is None:
        return None
    return [*run[: last + 1], *ending]


def _name_end(tokens: list[str], at: int, noun: str) -> list[str] | None:
    """What belongs to the name after its last noun; None when the name is a label."""
    rest = tokens[at : at + 6]
    if not rest:
        return []
    first = rest[0].strip(",;")
    if re.fullmatch(r"(?i)(?:no\.?|number|n°)\s*:|no:|number:", first):
        return None  # "Contract No.: 151315UD0081", "Agreement Number: CW251207"
    if _NUMBERING.match(first) and len(rest) > 1 and re.match(r"^[\w.]{1,6}$", rest[1]):
        return [rest[0], rest[1].rstrip(",;:")]
    if _NUMBERING.match(first) and len(rest) > 1 and re.search(r"\d.*[/\-]|[/\-].*\d", rest[1]):
        return None  # "TELKOM CONTRACT No. 076C/01": a reference line, not the name
    if _NUMBERED_NOUN.match(noun.strip(",")) and re.fullmatch(r"[IVX]{1,4}|\d{1,2}|[A-Z]", first):
        return [first]
    if first.startswith("("):
        return _short_parenthetical(rest) or []
    return []


def _short_parenthetical(rest: list[str]) -> list[str] | None:
    """ "(WQHT HD2)", "(Non-exclusive/Exclusive)": a qualifier of the name, not a
    definition ("(the "Agreement")"), a date, a number or a draft mark."""
    words: list[str] = []
    for token in rest[:5]:
        words.append(token)
        if token.endswith(")"):
            inner = " ".join(words)
            if re.search(
                r"[\"\u201c\u201d':]|\b(?:the|this|no|between|copy|draft|version)\b|(?:19|20)\d\d",
                inner,
                re.IGNORECASE,
            ):
                return None
            return words
    return None


def _is_capitals(token: str) -> bool:
    letters = [c for c in token if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _name_word(token: str, capitals: bool) -> bool:
    word = token.strip(",;:\"'\u201c\u201d")
    if not word:
        return False
    if _CONNECTOR.match(word):
        return True
    if capitals:
        return _is_capitals(word) or bool(re.fullmatch(r"[\d.&/®™-]+|N°|n°", word))
    # "e-business Hosting Agreement": a lower-case prefix joined by a hyphen.
    return (
        word[0].isupper()
        or word[0].isdigit()
        or word[0] in "®&"
        or bool(re.match(r"^[a-z]-[A-Za-z]", word))
    )


def _without_company(words: list[str]) -> list[str]:
    """The name without a company name or label before it: "BIOPURE CORPORATION AGENCY
    AGREEMENT", "... EXHIBIT 1 JOINT FILING STATEMENT"."""
    cut = 0
    for index, word in enumerate(words[:-1]):
        later_noun = any(_NOUN_WORD.match(w.strip(",")) for w in words[index + 1 :])
        if later_noun and _SUFFIX_END.search(word) and index + 1 < len(words) - 0:
            cut = index + 1
        elif later_noun and _LABEL.match(word) and index + 2 < len(words):
            cut = index + 2
    rest = words[cut:]
    while rest and rest[0].lower() in ("and", "&", "-", "the", "to"):
        rest = rest[1:]
    return rest


def _deduplicated(words: list[str]) -> list[str]:
    """ "SERVICES AGREEMENT SERVICES AGREEMENT": a heading repeated is said once."""
    half = len(words) // 2
    if (
        half
        and len(words) % 2 == 0
        and [w.lower() for w in words[:half]] == [w.lower().rstrip(",") for w in words[half:]]
    ):
        return words[:half]
    return words


_PREAMBLE_NAME = re.compile(
    r"\b(?:This|THIS)\s+(?P<name>(?:[A-Z][\w&/-]*[ \t\n]+|(?:and|of|for|to|the|on)[ \t\n]+){0,10}?"
    rf"(?:{_NOUN}))\b",
    re.IGNORECASE,
)


def _preamble_name(head: str) -> str | None:
    """ "This Strategic Alliance Agreement (the "Agreement") is made ...": the name it gives."""
    found = _PREAMBLE_NAME.search(head)
    if found is None:
        return None
    words = found.group("name").split()
    if len(words) < 2 or not all(w[0].isupper() or _CONNECTOR.match(w) for w in words):
        return None
    return " ".join(words)

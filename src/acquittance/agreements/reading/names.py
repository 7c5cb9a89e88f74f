"""The shape of a party's name: where it starts and ends, and whether it names anyone.

A name runs from its first capitalised word over the words a name may hold
("Berg & Berg Enterprises, LLC", "Baidu Online Network Technology (Beijing) Co.,
Ltd.", "2TheMart.com, Inc.", "Trust Advisors to the Seller Trusts") and stops
where its description starts (", a Delaware corporation", ", having its principal
place of business", "located at"). A phrase made only of a place and an entity
type ("Delaware Corporation", "A Texas Corporation") names no one.
"""

from __future__ import annotations

import re
from typing import Final


def words_set(text: str) -> frozenset[str]:
    """The words of `text` as a set (tables of words are written as one string)."""
    return frozenset(text.split())


SUFFIX_WORDS: Final = (
    r"Inc\.?|Incorporated|L\.?L\.?C\.?|Ltd\.?|Limited|Corp\.?|Corporation|Company|Companies|Co\.?"
    r"|L\.?P\.?|L\.?L\.?P\.?|N\.A\.?|P\.?L\.?C\.?|plc|GmbH|S\.A\.S\.?|S\.A\.?|S/A|B\.V\.?|N\.V\.?"
    r"|AG|A/S|AB|Oy|S\.?R\.?L\.?|S\.r\.l\.|S\.p\.A\.|SpA|Pte\.?|Pty\.?|K\.K\.|SE|G\.I\.E\.?"
    r"|Trust|Bank|Partners|Holdings|Association|Fund|LLC|LP|LLP|ILP|ACA|FLCA|FSB|SA|NV|BV|SRL|SAS"
)
# Names in capitals ("KESTREL FOODS, INC.") carry their suffix in capitals too.
SUFFIX: Final = rf"(?:{SUFFIX_WORDS}|{SUFFIX_WORDS.upper()})"
# Suffixes that are also ordinary nouns: "the Company", "Investor and Company".
_WEAK_SUFFIXES: Final = frozenset(
    ["company", "companies", "trust", "bank", "partners", "holdings", "association", "fund", "co"]
)
# Words the scorer and a reader alike leave out when they compare two names.
_LEGAL_WORDS: Final = words_set(
    "inc incorporated llc l c ltd limited corp corporation company co companies lp llp plc sa s a"
    " ag gmbh nv bv n v b pte pty na n ab as spa srl sas se kg oy dba d the of and fsb ilp gie"
    " trust bank partners holdings association fund group"
)
# Words that describe an entity without naming it.
_GENERIC_WORDS: Final = words_set(
    "a an registered professional holding investment group year limited liability general"
    " business statutory national banking federal public private stock cooperative"
    " mutual nonprofit non profit benefit state commonwealth province republic county city"
    " company corporation partnership trust bank association fund chartered federally"
    " agricultural credit insurance operating management capital subsidiary parent affiliate"
    " agent party parties new people peoples republic owner franchise distributor consultant"
    " customer supplier vendor licensee licensor contractor client buyer seller purchaser"
    " administrator manufacturer reseller software identification term terms"
)
# Places an entity is organised in: a name made of these and entity words is a description.
_PLACES: Final = words_set(
    "alabama alaska arizona arkansas california colorado connecticut delaware florida georgia"
    " hawaii idaho illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts"
    " michigan minnesota mississippi missouri montana nebraska nevada hampshire jersey mexico"
    " york carolina dakota ohio oklahoma oregon pennsylvania rhode island tennessee texas utah"
    " vermont virginia washington west wisconsin wyoming north south new district columbia"
    " puerto rico guam canada canadian ontario quebec alberta british bc bvi virgin islands cayman"
    " bermuda england wales scotland uk united kingdom states us usa america american hong kong"
    " prc china chinese japan japanese germany german france french italy italian spain"
    " netherlands dutch switzerland swiss israel israeli india indian singapore australia"
    " ireland irish luxembourg belgium sweden swedish norway denmark finland korea korean taiwan"
    " brazil brazilian cyprus malta jersey guernsey marshall panama liberia nv de ca ny tx fl"
)
_ABBREVIATIONS: Final = words_set(
    "inc ltd co corp llc l.l.c lp l.p n.a s.a b.v n.v p.c plc no nos st mr mrs ms dr jr sr u.s"
    " e.g i.e etc vs s.p.a s.r.l pte pty ave blvd ste fl rd dept int'l s.a.s g.i.e"
)
_TOKEN: Final = re.compile(r"\S+")
# Words a name may hold besides capitalised ones.
_CONNECTORS: Final = frozenset(
    [
        "&",
        "and",
        "of",
        "the",
        "de",
        "du",
        "la",
        "le",
        "von",
        "van",
        "der",
        "del",
        "des",
        "di",
        "da",
        "y",
        "et",
        "for",
        "to",
        "on",
        "in",
        "at",
    ]
)
# Where a name's description starts.
_DESCRIPTION: Final = re.compile(
    r"^(?:a|an|having|with|whose|which|who|located|organized|organised|incorporated|existing"
    r"|formed|doing|acting|its|residing|an?\s|through|by|on|as|in|at|being|currently|hereinafter"
    r"|herein|together|individually|collectively|party|solely|and/or)$",
    re.IGNORECASE,
)


def tokens(name: str) -> set[str]:
    """The distinctive words of a name, in lower case (legal words left out)."""
    folded = re.sub(r"[^a-z0-9]+", " ", name.lower().replace("&", " and "))
    return {t for t in folded.split() if t not in _LEGAL_WORDS}


def same_party(left: str, right: str) -> bool:
    """Two names of one party: the distinctive words of one are all among the other's."""
    a, b = tokens(left), tokens(right)
    return bool(a and b) and (a <= b or b <= a)


_FORM_WORDS: Final = words_set(
    "inc incorporated llc ltd limited corp corporation company co lp llp plc sa ag gmbh nv bv"
    " the of and pte pty na ab as spa srl sas se kg oy"
)


def one_party(left: str, right: str) -> bool:
    """Two spellings of one name: the same words, entity forms left out ("Acme, Inc." and
    "ACME INC"); "X, L.P." and "X G.P., LLC" are two parties."""
    return _form_free(left) == _form_free(right) and bool(_form_free(left))


def _form_free(name: str) -> frozenset[str]:
    joined = re.sub(r"\b(\w)\.(?=\w\b)", r"\1", name.lower())  # "G.P." -> "GP."
    return frozenset(w for w in re.findall(r"\w+", joined) if w not in _FORM_WORDS)


def names_someone(name: str) -> bool:
    """Whether `name` names an entity or person, not only a place and an entity type,
    an address, a heading or a sentence."""
    if _NOT_A_NAME.search(name):
        return False
    if _ADDRESS.search(name) and (name[:1].isdigit() or not re.search(rf"{SUFFIX}\W*$", name)):
        return False  # "222 Milwaukee Street", but "Main & Second Street, LLC" is a name
    words = re.sub(r"[^a-z0-9]+", " ", name.lower().replace("&", " and ")).split()
    distinctive = [
        w
        for w in words
        if w not in _LEGAL_WORDS and w not in _GENERIC_WORDS and not re.fullmatch(r"\d{1,2}", w)
    ]
    if not any(re.search(r"[a-z]", w) for w in distinctive):
        return False  # "11718 SE": numbers only
    if len(words) == 1 and len(words[0]) <= 2:
        return False
    of_a_place = re.match(r"(?i)(?:the\s+)?(?:bank|trust|university|college)\s+of\b", name)
    if not of_a_place and all(w in _PLACES for w in distinctive):
        return False  # "Delaware Corporation", "People's Republic of China"; not "Bank of America"
    last = words[-1] if words else ""
    if last in _WEAK_SUFFIXES:
        # "Investor and Company", "DAMAGE TO BANK": the noun, not a name, unless a
        # capitalised name word comes right before it.
        before = re.findall(r"[\w.'&-]+", name)[-2:-1]
        if not before or not before[0][:1].isupper() or before[0].lower() in _CONNECTORS:
            return False
    return True


# Addresses, headings, dates and sentences are no names.
_ADDRESS: Final = re.compile(
    r"\b(?:Street|St\.|Avenue|Ave\.?|Road|Rd\.|Suite|Floor|Boulevard|Blvd\.?|Drive|Lane|Plaza"
    r"|Building|Box|Highway|AVE|STE|STREET|ROAD|SUITE)\b|,\s*[A-Z]{2}$"
)
_NOT_A_NAME: Final = re.compile(
    r"\b(?:Suite|Floor|Box|Highway|ARTICLE|Article|SECTION|Section|This|THIS|Agreement|AGREEMENT"
    r"|CONFIDENTIAL|Confidential|Exhibit|EXHIBIT|Schedule|SCHEDULE|WHEREAS|Page|Gentlemen|Ladies"
    r"|Dear|Sirs|Commission|Shares?|SHARES?|Stock|STOCK|Conditions|Schedules|Dollars|DOLLARS"
    r"|Attachment|ATTACHMENT|Annex|ANNEX|Appendix|APPENDIX|PROPRIETARY|President|PRESIDENT|Chief"
    r"|Officer|Secretary|Treasurer|Address|ADDRESS)\b"
    r"|\d/\d|\b\d+\.\d+\b|\d+-\d+-\d+"
    r"|\b[A-Z]{2}\s+\d{5}\b|\b\d{5}(?:-\d{4})?\b|\b[A-Z]\d[A-Z]\s?\d[A-Z]\d\b|\d,\d{3}"
    r"|\b(?:January|February|March|April|June|July|August|September|October|November|December)"
    r"\s+\d|\b(?:19|20)\d\d\b"
)


def trailing_name(chunk: str) -> tuple[int, int] | None:
    """(start, end) within `chunk` of the run of capitalised words that ends it."""
    found = list(_TOKEN.finditer(chunk.rstrip(" ,")))
    words: list[re.Match[str]] = []
    for token in reversed(found[-8:]):
        word = token.group()
        before_suffix = bool(words) and bool(re.fullmatch(SUFFIX, words[0].group().strip(",")))
        if (
            words
            and word.endswith((",", ";", ":", ")"))
            and not re.fullmatch(r"\(\w+\)", word)
            and not (word.endswith(",") and before_suffix)
        ):
            break
        if not _name_word(word, first=False) or word.strip(",").lower() in ("a", "an"):
            break
        words.insert(0, token)
    while words and words[0].group().strip(",;:").lower() in _CONNECTORS:
        words.pop(0)
    if len(words) < 2:
        return None
    return words[0].start(), words[-1].start() + len(words[-1].group().rstrip(",;:"))


def leading_name(chunk: str) -> tuple[int, int] | None:
    """(start, end) within `chunk` of the name it starts with, or None when it has none.

    Leading words that introduce a party ("and", "between", "(2)") are skipped; the
    name stops at its description (", a Delaware corporation", "having its office")
    or at a word that cannot be part of a name.
    """
    found = list(_TOKEN.finditer(chunk))
    index = 0
    while index < len(found) and _introduces(found[index].group()):
        index += 1
    words: list[re.Match[str]] = []
    for token in found[index : index + 24]:
        word = token.group()
        bare = word.strip(",;:\"'\u201c\u201d")
        if words and words[-1].group().endswith(",") and _DESCRIPTION.match(bare):
            break
        if words and _DESCRIPTION.match(bare) and not bare[:1].isupper():
            break
        if not _name_word(word, first=not words):
            break
        words.append(token)
        if word.endswith((";", ":")):
            break
    while words and words[-1].group().strip(",;:").lower() in _CONNECTORS:
        words.pop()
    if not words:
        return None
    return words[0].start(), words[-1].start() + len(words[-1].group().rstrip(",;:"))


def _introduces(word: str) -> bool:
    bare = word.strip(",;:")
    if not bare.strip("\"'\u201c\u201d()-"):
        return True  # punctuation left between names
    return bool(
        re.fullmatch(
            r"(?i)and|or|between|among|by|with|the|and/or|from|to|of|for|whereas|recitals?"
            r"|\(?\d{1,2}[.)]|\([a-z]\)",
            bare,
        )
    )


def _name_word(word: str, *, first: bool) -> bool:
    bare = word.strip(",;:\"'\u201c\u201d")
    if not bare:
        return False
    if re.fullmatch(r"\([A-Z][\w.&' -]{0,30}\)", bare):
        return not first  # "Baidu Online Network Technology (Beijing) Co., Ltd."
    if bare.lower() in _CONNECTORS:
        return not first
    if bare[0].isupper() or bare[0].isdigit() or re.match(r"[a-z][A-Z]", bare):
        return "(" not in bare and ")" not in bare
    # "deltathree.com, Inc.", "i-Escrow", "e-centives": lower-case names of the web.
    return bool(re.fullmatch(r"[a-z][\w-]*\.(?:com|net|org|io)|[a-z]-[A-Za-z][\w-]*", bare))


def is_abbreviation(word: str) -> bool:
    """Whether a word ending in "." is an abbreviation ("Inc.", "N.A.") or an initial."""
    bare = word.lower().rstrip(".").lstrip("(\"'")
    return (
        bare in _ABBREVIATIONS
        or bool(re.fullmatch(r"[a-z]", bare))
        or bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]?", bare))
    )

"""The agreement's date: when it takes effect, else when it was made.

CUAD's definition, which the reader follows: the effective date where the text
gives one, else the agreement date. Every statement of either is a candidate,
ranked by how directly it dates this agreement:

0. the defined "Effective Date" ("the "Effective Date" means March 1, 2020",
   "March 1, 2020 (the "Effective Date")", "EFFECTIVE DATE means 18 May 2000");
1. this agreement said to take effect ("effective as of", "made effective",
   "This letter agreement will be effective as of July 1, 2018");
2. its term said to begin ("The Term of this Agreement shall commence on", a
   defined "Commencement Date");
3. the agreement's own date ("dated as of", "made and entered into this 5th day
   of", "This Agreement is dated April 29, 2010");
4. a letter's date line or a date standing alone under the heading, "Dated:", or
   the witness clause ("executed ... this 7th day of April, 2020");
5. the signature blocks' dates ("Date: 1/27/2020"), the latest of them.

Dates of other instruments ("the Loan Agreement dated February 24, 2001", "a
letter dated November 30, 2007") are not this agreement's. Two statements of this
agreement's effective date that disagree are a discrepancy, never resolved
silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

from acquittance.agreements.reading.model import Discrepancy
from acquittance.agreements.reading.segments import DATE_PATTERN, parse_date

PREAMBLE_CHARS_MAX: Final = 6000
DEFINITIONS_CHARS_MAX: Final = 60_000
TERM_CHARS_MAX: Final = 30_000
SELF_STATEMENT_CHARS_MAX: Final = 200_000
CANDIDATES_MAX: Final = 200
_I = re.IGNORECASE


@dataclass(frozen=True)
class DateStatement:
    """A date the text gives this agreement, how directly (rank 0 best), and where."""

    value: date
    rank: int
    start: int
    end: int


def find_effective_dates(text: str, *, body_end: int | None = None) -> list[DateStatement]:
    """This agreement's date statements, the one to report first (best rank, earliest);
    `body_end`, where the attachments start."""
    body_end = len(text) if body_end is None else body_end
    # Cues are found as plain words first (in a copy lower-cased letter for letter, so
    # offsets stay those of the text), and only there is a pattern tried.
    head = text[:SELF_STATEMENT_CHARS_MAX]
    lowered = head.lower()
    if len(lowered) != len(head):  # a letter that lower-cases to two ("İ"): keep offsets
        lowered = head.translate(_ASCII_LOWER)
    found = [
        *_defined(text, lowered),
        *_cued(text, body_end),
        *_self_statements(text, lowered),
        *_date_lines(text, lowered),
        *_signature_dates(text, lowered),
    ][:CANDIDATES_MAX]
    # One statement read by two cues counts once, at its best rank.
    best: dict[int, DateStatement] = {}
    for statement in found:
        if statement.start not in best or statement.rank < best[statement.start].rank:
            best[statement.start] = statement
    return sorted(best.values(), key=lambda d: (d.rank, d.start))


_ASCII_LOWER: Final = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _positions(lowered: str, words: Sequence[str], limit: int) -> list[int]:
    """Where any of `words` starts in `lowered[:limit]`, in order."""
    found: list[int] = []
    for word in words:
        at = lowered.find(word, 0, limit)
        while at >= 0 and len(found) < CANDIDATES_MAX:
            found.append(at)
            at = lowered.find(word, at + len(word), limit)
    return sorted(found)


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


# "the "Effective Date" means", "EFFECTIVE DATE means", "Effective Date: ",
# "The Effective Date of this Reseller Agreement shall be:"; a time of day may come
# between ("means 12:01 a.m. Eastern Standard Time on March 3, 2003").
_DEFINED_DATE = re.compile(
    r"[\"\u201c]?(?P<what>Effective|Commencement)\s+Date[\"\u201d]?"
    r"(?:\s+(?:of|for)\s+this\s+(?:\w+\s+){0,3}?(?:Agreement|Amendment|Contract))?"
    r"(?:\s*\([^()]{0,60}\))?"
    r"\s*(?P<verb>shall\s+mean|means|shall\s+be|will\s+be|is|:|=|(?=[0-9A-Z]))\s*:?\s*",
    _I,
)
DEFINITION_GAP_CHARS_MAX: Final = 60
UNQUOTED_LABEL_CHARS_MAX: Final = 25_000


def _date_soon(text: str, at: int) -> re.Match[str] | None:
    """The date a definition gives, right away or after a time of day ("means 12:01 a.m.
    Eastern Standard Time on March 3, 2003"), within the same sentence."""
    found = DATE_PATTERN.search(text, at, at + DEFINITION_GAP_CHARS_MAX + 40)
    if found is None or found.start() - at > DEFINITION_GAP_CHARS_MAX:
        return None
    gap = re.sub(r"(?i)\b[ap]\.m\.", "", text[at : found.start()])
    if re.search(r"[;\"\u201c\u201d]|\.\s|\n\s*\n", gap):
        return None
    return found


_DATE_LABEL = re.compile(
    r"\(\s*(?:the\s+|this\s+|hereinafter\s+(?:the\s+)?|herein\s+called\s+the\s+)?"
    r"[\"\u201c]?(?P<what>Effective|Commencement)\s*Date[\"\u201d]?\s*\)",
    _I,
)


def _defined(text: str, lowered: str) -> Iterator[DateStatement]:
    head = text[:DEFINITIONS_CHARS_MAX]
    words = _positions(lowered, ("effective", "commencement"), DEFINITIONS_CHARS_MAX)
    for at in words:
        match = _DEFINED_DATE.match(head, at)
        if match is None:
            continue
        quoted = head[at - 1 : at] in '"\u201c'
        deep = match.start() > min(UNQUOTED_LABEL_CHARS_MAX, len(text) * 0.6)
        if not quoted and deep and "mean" not in match.group().lower():
            continue  # "Effective Date: ..." in a form attached at the end
        rank = 0 if match.group("what").lower() == "effective" else 2
        if match.group("verb"):
            yield from _statement(_date_soon(head, match.end()), rank)
        else:  # "Commencement Date July 1, 2017": the date right after the label
            yield from _statement(DATE_PATTERN.match(head, match.end()), rank)
    labels = (_DATE_LABEL.search(head, max(0, at - 30), at + 40) for at in words)
    for label in {m.start(): m for m in labels if m is not None}.values():
        # "June 15, 2019 (the "Effective Date")": the date just before the label.
        floor = max(0, label.start() - 80)
        dates = list(DATE_PATTERN.finditer(head, floor, label.start()))
        if dates and not head[dates[-1].end() : label.start()].strip(" \t\n,"):
            rank = 0 if label.group("what").lower() == "effective" else 2
            yield from _statement(dates[-1], rank)


_EFFECTIVE_CUE = re.compile(
    r"\b(?:(?:made|become|becomes|shall\s+be|is|be|are|deemed)\s+)?effective"
    r"(?:\s+(?:as\s+(?:of|at|from)|on|from|upon|this|the|date|day\s+of|for\s+all\s+purposes\s+as\s+of))*"
    r"\s+",
    _I,
)
_COMMENCE_CUE = re.compile(
    r"\b(?:commenc(?:e|es|ing|ed)|beginning|begin|begins)"
    r"(?:\s+(?:on|as\s+of|from|upon|with|effective))*(?:\s+(?:the|this))?\s+",
    _I,
)
_MADE_CUE = re.compile(
    r"\b(?:dated|made|entered\s+into|executed|concluded|signed)"
    r"(?:\s+(?:and\s+(?:entered\s+into|made|executed|signed|delivered|effective)|for\s+reference"
    r"|as\s+of|as\s+at|as|on|this|the|effective(?:\s+as\s+of)?|in\s+(?:duplicate|triplicate)"
    r"|in\s+[A-Z][\w-]+(?:\s+[A-Z][\w-]+)?(?=\s+on\b)))*(?:\s+|(?<=of)(?=\d))"
    r"|\bas\s+of\s*(?:the\s+)?|\bdate\s+of\s+this\s+Agreement\s+is\s+"
    r"|\bthis\s+(?=[0-3]?\d\s?(?:st|nd|rd|th)?\s+day\s+of\b)",
    _I,
)


def _cued(text: str, body_end: int) -> Iterator[DateStatement]:
    # The term begins in the body, not in a form attached to it.
    cues = ((1, _EFFECTIVE_CUE, PREAMBLE_CHARS_MAX), (2, _COMMENCE_CUE, TERM_CHARS_MAX))
    for rank, cue, limit in (*cues, (3, _MADE_CUE, PREAMBLE_CHARS_MAX)):
        end = min(len(text), limit, body_end) if rank == 2 else min(len(text), limit)
        for match in cue.finditer(text, 0, end):
            when = DATE_PATTERN.match(text, match.end())
            if when is None or _dates_another_instrument(text, match):
                continue
            if rank == 2 and not _term_begins(text, match):
                continue
            yield from _statement(when, rank)


_TERM_SUBJECT = re.compile(
    r"\b(?:agreement|contract|term|joint\s+venture|engagement|appointment|license|services)"
    r"(?:\s+of\s+this\s+\w+)?\s*(?:shall|will|is\s+to)?\s*$",
    _I,
)


def _term_begins(text: str, cue: re.Match[str]) -> bool:
    """ "The Term of this Agreement shall commence on", "The Joint Venture shall commence
    on", "The Term ... for three years commencing": a term that begins, not a payment
    period or another instrument."""
    before = text[max(0, cue.start() - 400) : cue.start()]
    sentence = re.split(r"[.;:]\s", before)[-1]
    if _TERM_SUBJECT.search(sentence):
        return True
    # "The term of this Agreement for the Hosted Site shall commence upon ..."
    return bool(re.search(r"\bterm\b(?:\s+[\w-]+){0,8}?\s+(?:shall|will|is)\b", sentence, _I))


# "This Agreement is dated April 29, 2010", "This letter agreement will be effective
# as of July 1, 2018": the agreement dating itself, anywhere in the text.
_SELF_STATEMENT = re.compile(
    r"this\s+(?:letter\s+)?(?:agreement|amendment|contract)\s+(?:is|was|has\s+been|shall\s+be"
    r"|will\s+be|becomes|shall\s+become)\s+(?P<how>effective|dated|made|executed|signed"
    r"|entered\s+into)(?:\s+(?:as\s+of|on|this|the|and\s+effective))*\s+",
    _I,
)
_WITNESS = re.compile(
    r"(?:IN\s+WITNESS\s+WHEREOF|In\s+evidence\s+whereof|(?:THUS\s+)?DONE\s+AND\s+SIGNED)\b",
    _I,
)
WITNESS_CHARS_MAX: Final = 400


def _self_statements(text: str, lowered: str) -> Iterator[DateStatement]:
    limit = min(len(text), SELF_STATEMENT_CHARS_MAX)
    for at in _positions(lowered, ("this",), limit):
        match = _SELF_STATEMENT.match(text, at)
        if match is not None:
            rank = 1 if match.group("how").lower() == "effective" else 3
            yield from _statement(DATE_PATTERN.match(text, match.end()), rank)
    for at in _positions(
        lowered, ("in witness", "in evidence", "done and signed", "thus done"), limit
    ):
        match = _WITNESS.match(text, at)
        if match is None:
            continue
        # "IN WITNESS WHEREOF ... executed this Agreement on the 1st day of June, 2006":
        # the first date of the clause, before its full stop.
        clause_end = text.find(". ", match.end(), match.end() + WITNESS_CHARS_MAX)
        stop = clause_end if clause_end >= 0 else min(len(text), match.end() + WITNESS_CHARS_MAX)
        yield from _statement(DATE_PATTERN.search(text, match.end(), stop), 4)


_INSTRUMENT = re.compile(
    r"(?P<name>(?:[A-Z][\w&\-]*,?\s+(?:(?:[A-Z][\w&\-]*,?|and|of|&)\s+){0,7}?)?"
    r"(?i:agreement|note|notes|indenture|lease|guaranty|guarantee|mortgage|deed\s+of\s+trust"
    r"|amendment|contract|plan|policy|order|letter|assignment|license))\b"
)
# A sentence ends at ";", a blank line, or a full stop after a word (not "ref." or "No.").
_SENTENCE_END = re.compile(r";|\n\s*\n|[a-z]{4,}[.]\s+(?=[A-Z])|[)\]][.]\s+(?=[A-Z])")
# Words that name another instrument before its name: "the Loan Agreement", "that
# certain Promissory Note", "a letter"; the agreement itself is "this" one, or its
# bare heading.
_ANOTHER = re.compile(
    r"(?:\b(?:the|that\s+certain|those\s+certain|certain|a|an|said|such|each|any|its|their"
    r"|which|prior|original|existing|by)|\bre:)\s+(?:[a-z][\w-]*\s+){0,3}$",
    _I,
)


def _dates_another_instrument(text: str, cue: re.Match[str]) -> bool:
    """Whether the date after `cue` dates an instrument other than this agreement."""
    words = cue.group().lower()
    if not words.startswith(("dated", "effective", "executed", "entered", "made", "signed")):
        return False
    window_start = max(0, cue.start() - 160)
    ends = [m.end() for m in _SENTENCE_END.finditer(text, window_start, cue.start())]
    floor = ends[-1] if ends else window_start
    mentions = [
        m
        for m in _INSTRUMENT.finditer(text, floor, cue.start())
        if text[max(0, m.start() - 1) : m.start()] not in ('"', "\u201c", "'")
    ]
    self_named = list(
        re.finditer(r"\bthis\s+(?:[\w-]+\s+){0,6}?[\w-]+", text[floor : cue.start()], _I)
    )
    if not mentions:
        return False
    nearest = mentions[-1]
    if self_named and floor + self_named[-1].end() >= nearest.end():
        return False  # "... Agreement. This Amendment is made": this one, named last
    if cue.start() - nearest.end() > 60 or re.search(r"\bthis\b", nearest.group("name"), _I):
        return False
    article = text[max(0, nearest.start() - 40) : nearest.start()]
    gap = text[nearest.end() : cue.start()]
    if re.search(
        r"\(\s*this\s+[\"\u201c]|\(\s*(?:the\s+)?[\"\u201c](?:Agreement|Amendment|Letter)[\"\u201d]",
        gap,
    ):
        return False  # "This ... Agreement (this "Agreement"), dated as of": its own name
    return bool(_ANOTHER.search(article))


_PIECE_SPLIT = re.compile(r"\n|[ \t\u00a0]{3,}")
_SALUTATION = re.compile(
    r"^[ \t]*(?:Dear\s[^\n]{0,60}|Ladies\s+and\s+Gentlemen|Gentlemen|Gentlepersons|Sirs"
    r"|To\s+Whom\s+It\s+May\s+Concern)\s*[:,]|\bThis\s|\bTHIS\s|\bWHEREAS\b",
    re.MULTILINE,
)
LETTER_HEAD_CHARS_MAX: Final = 1500


def _date_lines(text: str, lowered: str) -> Iterator[DateStatement]:
    """A date standing alone at the top ("November 25, 2003", "AGENCY AGREEMENT   May
    25, 2016"), before the salutation or the preamble, and "Dated:" lines anywhere."""
    stop = _SALUTATION.search(text, 0, LETTER_HEAD_CHARS_MAX * 2)
    head_end = stop.start() if stop else min(len(text), LETTER_HEAD_CHARS_MAX)
    # In a letter (one with a salutation) the date line is the letter's date.
    rank = (
        2
        if stop is not None and not stop.group().lstrip().lower().startswith(("this", "whereas"))
        else 4
    )
    position = 0
    for piece in _PIECE_SPLIT.split(text[:head_end]):
        start = text.find(piece, position) if piece else position
        position = start + len(piece)
        found = _alone(piece)
        if found is not None:
            yield from _statement(DATE_PATTERN.match(text, start + found), rank)
            break
    heading = _HEADING_DATE.search(text, 0, head_end)
    if heading is not None:
        # "Exhibit 1.3 AGENCY AGREEMENT May 21, 2015 Tribute ...": the date under the heading.
        yield from _statement(DATE_PATTERN.match(text, heading.end()), rank)
    dateline = _DATELINE.search(text, 0, LETTER_HEAD_CHARS_MAX * 2)
    if dateline is not None:
        # "Bridgewater, NJ -- February 18, 1999 -- United National Bancorp announced ...".
        yield from _statement(DATE_PATTERN.match(text, dateline.end()), 2)
    for at in _positions(lowered, ("dated",), SELF_STATEMENT_CHARS_MAX):
        dated = _DATED_LABEL.match(text, at)
        if dated is not None:
            yield from _statement(DATE_PATTERN.match(text, dated.end()), 4)


_DATED_LABEL = re.compile(r"Dated\s*:\s*", _I)
# A news release's dateline: a place, a dash, the date, a dash.
_DATELINE = re.compile(
    rf"(?m)^[ \t]*[A-Z][A-Za-z.]+(?:[ \t]+[A-Z][A-Za-z.]+){{0,3}},[ \t]+[A-Z][A-Za-z.]+"
    rf"[ \t]*(?:--|—|–)[ \t]*(?=(?:{DATE_PATTERN.pattern})[ \t]*(?:--|—|–|/))"
)
_HEADING_DATE = re.compile(
    r"\b(?:AGREEMENT|LETTER|CONTRACT|AMENDMENT|ADDENDUM)\s+(?=[A-Z][a-z]+\.?\s+\d)"
)


def _alone(piece: str) -> int | None:
    """Where a date that stands alone in `piece` starts ("Dated: ...", "Chicago, ...")."""
    when = DATE_PATTERN.search(piece)
    if when is None or re.match(r"\s*(?:Source|Page|Filed|Printed)\b", piece, _I):
        return None
    before, after = piece[: when.start()], piece[when.end() :]
    lead = re.sub(r"(?i)^\s*(?:dated|date|as\s+of)\s*:?", "", before)
    if len(lead.strip(" ,.-\t")) > 40 or len(after.strip(" ,.\t")) > 3:
        return None
    if lead.strip() and not re.search(r"(?:,|-|:)\s*$", lead):
        return None  # words that run into the date are a sentence, not a date line
    return when.start()


# "IN WITNESS WHEREOF", "By:", "/s/"; each alternative behind its first letter, so the
# pattern is tried only where one of those letters stands.
_SIGNATURE_START = re.compile(
    r"[IiBb/](?:(?<=[Ii])(?i:n\s+witness\s+whereof)|(?<=/)[sS]/|(?<=[Bb])(?<!\w[Bb])[yY]\s*:)"
)
# "Date: 1/27/2020", "Hamburg, November 19th, 2012", "4/24/2018 04/25/2018 Date Date".
_SIGNED_DATE = re.compile(
    r"[D,](?:(?<=D)(?<!\wD)ated?\b(?P<colon>\s*:{1,2}(?:\s*Dated?\s*:)?)?\s*"
    r"|(?<=[a-z],)\s*(?=(?:January|February|March|April|May|June|July|August|September"
    r"|October|November|December)\b))"
)
_FIELD_BEFORE = re.compile(r"(\w+)\s+$")
# A form's own dates are not signature dates: "Open Date:", "Termination Date:".
_FIELD_DATES = frozenset(
    [
        "open",
        "renovation",
        "termination",
        "expiration",
        "start",
        "end",
        "due",
        "birth",
        "closing",
        "effective",
        "commencement",
        "maturity",
        "issue",
        "purchase",
        "delivery",
        "ship",
        "invoice",
        "filing",
        "payment",
        "completion",
        "release",
        "order",
        "target",
        "expiry",
    ]
)
SIGNATURE_CHARS_MAX: Final = 20_000
# A label in a row of labels ("Date Date", "Date" at a line's end): a form's column.
_LABEL_COLUMN = re.compile(r"[ \t]*(?:Dated?\b|\n|$|Source\b|\|)")
_DATE_BEFORE = re.compile(rf"(?:{DATE_PATTERN.pattern})\s+$", _I)
_DATE_ON_RULE = re.compile(rf"(?:{DATE_PATTERN.pattern})(?=[ \t]*-?[ \t]*[-_]{{4,}})", _I)


# "effective on the date of signed acceptance", "effective as of the later of the two
# signature dates below", "effective on the day after the date of last signature".
_SIGNED_EFFECTIVE = re.compile(
    r"effective\s+(?:as\s+of|on|upon|beginning\s+on)\s+(?:[^.;]{0,40}?\s)?"
    r"the\s+(?:later\s+of\s+the\s+(?:two\s+)?|last\s+|latest\s+)?"
    r"(?:date\s+of\s+(?:the\s+)?(?:last\s+)?(?:signed\s+acceptance|signature|execution)"
    r"|signature\s+dates?)",
    _I,
)
SIGNED_EFFECTIVE_CHARS_MAX: Final = 15_000


def _signature_dates(text: str, lowered: str) -> Iterator[DateStatement]:
    """The dates of the signature blocks ("Date: 1/27/2020"), the latest of them; the
    effective date itself where the text makes it the date of signing."""
    for latest in _signed_dates(text):
        yield latest
        at = lowered.find("effective", 0, SIGNED_EFFECTIVE_CHARS_MAX)
        while at >= 0:
            made = _SIGNED_EFFECTIVE.match(text, at)
            if made is not None:
                after = re.search(r"\bday\s+after\b", text[made.start() : made.end()], _I)
                value = latest.value + timedelta(days=1) if after else latest.value
                yield DateStatement(value, 1, latest.start, latest.end)
                return
            at = lowered.find("effective", at + 1, SIGNED_EFFECTIVE_CHARS_MAX)


def _signed_dates(text: str) -> Iterator[DateStatement]:
    start = _SIGNATURE_START.search(text)
    if start is None:
        return
    found: list[DateStatement] = []
    # The signature part, and the end of the text where signature pages are filed.
    floor = max(0, start.start() - 300)
    regions = [(floor, min(len(text), floor + SIGNATURE_CHARS_MAX))]
    if len(text) - SIGNATURE_CHARS_MAX > regions[0][1]:
        regions.append((len(text) - SIGNATURE_CHARS_MAX, len(text)))
    labels = (m for a, b in regions for m in _SIGNED_DATE.finditer(text, a, b))
    for label in labels:
        if len(found) >= 20:
            break
        field = _FIELD_BEFORE.search(text, max(0, label.start() - 20), label.start())
        if field is not None and field.group(1).lower() in _FIELD_DATES:
            continue
        if label.group().startswith(("Date", "date")) and label.group("colon") is None:
            if not _LABEL_COLUMN.match(text, label.end()):
                continue  # "Date" in a sentence
            # "4/24/2018 Date": the date over its label.
            before = _DATE_BEFORE.search(text, max(0, label.start() - 30), label.start())
            if before is None:
                # "/s/ J. Doe   9/9/97 - --------   Acme Inc.   Date": the date on the
                # signature rule, the labels under it read into the same line.
                line = text.rfind("\n", max(0, label.start() - 200), label.start()) + 1
                line = max(line, label.start() - 200)
                before = _DATE_ON_RULE.search(text, line, label.start())
            found += list(_statement(before, 5))
            continue
        found += list(_following_dates(text, label.end()))
    if found:
        yield max(found, key=lambda d: (d.value, -d.start))


def _following_dates(text: str, at: int) -> Iterator[DateStatement]:
    """ "Date: Date: 3-29-2016 3-31-16": the dates that follow a label, one after another."""
    for _ in range(4):
        statement = list(_statement(DATE_PATTERN.match(text, at), 5))
        if not statement:
            return
        yield statement[0]
        at = statement[0].end
        at += len(text[at : at + 40]) - len(text[at : at + 40].lstrip())


def _statement(match: re.Match[str] | None, rank: int) -> Iterator[DateStatement]:
    if match is None:
        return
    value = parse_date(match)
    if value is not None:
        yield DateStatement(value, rank, match.start(), match.end())

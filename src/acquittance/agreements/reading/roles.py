"""What each figure is for, judged from the sentence it sits in.

The reader first works out who owes whom (the debtor pledged or assigns, owes
the loan, releases nothing; the creditor took the pledge, accepts, releases),
then which defined terms name the debt ("the Loan", with its outstanding
balance) and which name what satisfies it (notes pledged as collateral or
assigned to the creditor). A figure takes its side from the instrument it
describes and its component (principal, interest, total) from the words just
before it. Payments take their direction from payer and payee. Whatever fits
none of these stays `other`: a role is never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from acquittance.agreements.reading.amounts import Figure
from acquittance.agreements.reading.model import Party
from acquittance.agreements.reading.segments import sentence_bounds


@dataclass(frozen=True)
class Sides:
    """Which parties owe (debtor) and are owed (creditor), as alias patterns."""

    debtor: Party | None
    creditor: Party | None
    debtor_alias: str | None
    creditor_alias: str | None


def alias_pattern(party: Party) -> str:
    """A regex alternation matching the party's name or short name as whole words."""
    names = {party.name, re.sub(r",?\s+(Inc|LLC|Ltd|Corp)\.?$", "", party.name)}
    if party.short_name:
        names.add(party.short_name)
    escaped = sorted(
        (re.escape(n).replace(r"\ ", r"\s+") for n in names if n), key=len, reverse=True
    )
    return r"(?:the\s+)?(?:" + "|".join(escaped) + r")(?![A-Za-z])"


# Cues around a party's name: those before it end where the name starts, those after it
# start where the name ends. Matching them only around the name's occurrences keeps
# the work proportional to how often the parties are named.
_CREDITOR_BEFORE = re.compile(
    r"(?:pledged\s+(?:as\s+(?:collateral|security)\s+)?to|(?:owed|owing|payable|indebted)\s+to"
    r"|security\s+interests?\s+(?:of|in\s+favor\s+of)|loans?\s+(?:made\s+)?by"
    r"|(?:assigns?|transfers?|conveys?)\s+to|in\s+favor\s+of)\s+$",
    re.IGNORECASE,
)
_CREDITOR_AFTER = re.compile(
    r"^(?:'s\s+security\s+interest|\s+(?:hereby\s+)?(?:releases|acknowledges|accepts)"
    r"|\s+(?:has\s+)?(?:agreed|agrees)\s+to\s+accept"
    r"|\s+(?:has\s+)?(?:made|extended|advanced)\s+(?:a\s+|the\s+)?loan)",
    re.IGNORECASE,
)
_DEBTOR_BEFORE = re.compile(
    r"(?:obligations\s+of|loans?\s+(?:made\s+)?to|assets\s+of)\s+$", re.IGNORECASE
)
_DEBTOR_AFTER = re.compile(
    r"^(?:\s+owns\b|\s+(?:desires|agrees|has\s+agreed)\s+to\s+assign|\s+hereby\s+assigns"
    r"|'s\s+obligations|'s\s+assignment|\s+(?:is|are)\s+indebted|\s+owes\b"
    r"|\s+(?:has\s+)?borrowed|\s+(?:has\s+)?pledged)",
    re.IGNORECASE,
)
_CREDITOR_ROLES = frozenset(["lender", "secured_party", "assignee", "releasor"])
_DEBTOR_ROLES = frozenset(["borrower", "debtor", "assignor", "releasee"])
SIDES_TEXT_MAX = 150_000


def find_sides(text: str, parties: Sequence[Party]) -> Sides:
    """The debtor and the creditor among the parties, when the text says so."""
    scores = []
    for party in parties[:6]:
        alias = alias_pattern(party)
        creditor, debtor = _cue_counts(text[:SIDES_TEXT_MAX], alias)
        creditor += 3 * (party.role in _CREDITOR_ROLES)
        debtor += 3 * (party.role in _DEBTOR_ROLES)
        scores.append((party, alias, creditor - debtor))
    if len(scores) < 2:
        return Sides(None, None, None, None)
    ranked = sorted(scores, key=lambda item: item[2])
    low, high = ranked[0], ranked[-1]
    if high[2] <= 0 and low[2] >= 0:
        return Sides(None, None, None, None)
    if high[2] == low[2]:
        return Sides(None, None, None, None)
    return Sides(low[0], high[0], low[1], high[1])


def _cue_counts(text: str, alias: str) -> tuple[int, int]:
    creditor = debtor = 0
    for found in re.finditer(alias, text):
        before = text[max(0, found.start() - 60) : found.start()]
        after = text[found.end() : found.end() + 60]
        creditor += bool(_CREDITOR_BEFORE.search(before)) + bool(_CREDITOR_AFTER.match(after))
        debtor += bool(_DEBTOR_BEFORE.search(before)) + bool(_DEBTOR_AFTER.match(after))
    return creditor, debtor


def party_roles(parties: Sequence[Party], sides: Sides, text: str) -> list[Party]:
    """Parties with a role filled in from the sides, where the short name gave none."""
    from dataclasses import replace

    loan = bool(re.search(r"\b(?:loan|borrow)", text[:200_000], re.IGNORECASE))
    result = []
    for party in parties:
        role = party.role
        if role is None and party is sides.creditor:
            role = "lender" if loan else "secured_party"
        elif role is None and party is sides.debtor:
            role = "borrower" if loan else "debtor"
        result.append(replace(party, role=role))
    return result


_DEFINED = re.compile(
    r"\(\s*(?:collectively,?\s+|together,?\s+)?(?:the|this|such)?\s*[\"\u201c](?P<term>[^\"\u201d]{1,60})[\"\u201d]"
    r"[^()]{0,40}\)"
)
_DEBT_WORDS = re.compile(
    r"\b(?:outstanding\s+(?:principal\s+)?balance|borrowings?|indebted(?:ness)?|loan|owed|owes|owing"
    r"|debt|obligations?\s+under|advances?|credit\s+facility|payoff)\b",
    re.IGNORECASE,
)
_ASSET_WORDS = re.compile(
    r"\b(?:notes?\s+receivable|receivables?|owns|holds|collateral|pledged|mortgage\s+notes"
    r"|security\s+for|security\s+interests?\s+in|secured\s+by|(?:mortgage|lien)\s+(?:on|upon)"
    r"|charge\s+over)\b",
    re.IGNORECASE,
)


def term_sides(text: str, *, body_end: int, sides: Sides | None = None) -> dict[str, str]:
    """Defined terms that name the debt ("debt") or what satisfies it ("collateral")."""
    result: dict[str, str] = {}
    previous_end = 0
    for match in _DEFINED.finditer(text, 0, body_end):
        term = match.group("term").strip()
        window = text[max(previous_end, match.start() - 400) : match.start()]
        window = window[max(window.rfind(";"), window.rfind(". ")) + 1 :]
        previous_end = match.end()
        side = _payable_to(window, sides) or _side_of_words(window, term)
        if side and term not in result:
            result[term] = side
        if len(result) > 200:
            break
    for term in list(result):
        if result[term] == "asset" and _is_pledged_or_assigned(text[:body_end], term):
            result[term] = "collateral"
    return result


def _payable_to(window: str, sides: Sides | None) -> str | None:
    """ "a promissory note ... payable to Payee (the "Note")": owed to the creditor, a debt;
    payable to the debtor, something the debtor owns."""
    if sides is None or sides.creditor_alias is None or sides.debtor_alias is None:
        return None
    last = None
    for found in re.finditer(r"\b(?:payable|issued)\s+to\s+(?:the\s+order\s+of\s+)?", window):
        last = found
    if last is None or len(window) - last.end() > 120:
        return None
    rest = window[last.end() :]
    if re.match(sides.creditor_alias, rest):
        return "debt"
    if re.match(sides.debtor_alias, rest):
        return "asset"
    return None


def _side_of_words(window: str, term: str) -> str | None:
    if re.search(r"\b(?:Loan|Debt|Indebtedness|Obligations|Advances?)\b", term):
        return "debt"
    if re.search(r"\bCollateral\b|\bPledged\b", term):
        return "collateral"
    debt = [m.end() for m in _DEBT_WORDS.finditer(window)]
    asset = [m.end() for m in _ASSET_WORDS.finditer(window)]
    if not debt and not asset:
        return None
    # The cue nearest the definition describes the defined thing.
    return "debt" if max(debt, default=-1) > max(asset, default=-1) else "asset"


def _is_pledged_or_assigned(text: str, term: str) -> bool:
    # Look only around the term's uses: "the Notes have been pledged", "assigns ... the
    # Notes", "the Notes ... as collateral", "security interest in the Notes".
    before_cue = re.compile(
        r"(?:pledge[sd]?|assigns?|transfers?|conveys?|security\s+interest\s+in)\b[^.;]{0,120}$"
    )
    after_cue = re.compile(
        r"^\s+(?:has|have)\s+been\s+(?:pledged|assigned|delivered)|^[^.;]{0,60}\bas\s+(?:collateral|security)"
        # "accepts the Equipment in partial satisfaction of the Obligations"
        r"|^[^.;]{0,60}?\bin\s+(?:partial\s+|full\s+)?satisfaction\s+of\b"
    )
    for found in re.finditer(rf"\bthe\s+{re.escape(term)}\b", text):
        before = text[max(0, found.start() - 160) : found.start()]
        after = text[found.end() : found.end() + 80]
        if before_cue.search(before) or after_cue.search(after):
            return True
    return False


_REMAINING_AFTER = re.compile(
    r"^[^.;$]{0,60}?\b(?:remains?|shall\s+remain|will\s+remain)\s+(?:outstanding|due|owing|unpaid)",
    re.IGNORECASE,
)
_REMAINING_BEFORE = re.compile(
    r"\b(?:remaining\s+(?:principal\s+|unpaid\s+)?balance|balance\s+remaining|deficiency"
    r"|remain(?:s|ing)?\s+outstanding|shall\s+remain\s+(?:due|owing))\b[^$]{0,40}$",
    re.IGNORECASE,
)
_PAY_BEFORE = re.compile(
    r"\b(?P<verb>pay|pays|paying|paid\s+to|payment\s+(?:of|to|in\s+the\s+amount\s+of)"
    r"|remit|remits|wire|wires)\b"
    r"[^$;]{0,100}$",
    re.IGNORECASE,
)
_SURPLUS = re.compile(r"\b(?:surplus|excess|overage)\b", re.IGNORECASE)
_FEE = re.compile(r"\bfees?\b|\bcharge\b|\bcommission\b", re.IGNORECASE)
# A fee is a figure the word "fee" names ("an amendment fee of $18,750", "legal fees of
# USD 4,800"), not one that follows a list mentioning fees ("principal, interest and fees,
# is $X"); it comes before payment, since fees are paid too.
_FEE_HEAD = re.compile(
    r"\b(?:fees?|charges?|commission)\b(?:\s+(?:of|in\s+the\s+(?:amount|sum)\s+of|equal\s+to"
    r"|totaling|totalling|in\s+an\s+amount\s+(?:of|equal\s+to)))?\s*[:(]?\s*$",
    re.IGNORECASE,
)
# "the Obligations, including principal, interest and fees, is $X": fees in a balance.
_BALANCE_LIST = re.compile(r"\b(?:principal|interest)\b[^$.;]{0,30}\bfees\b", re.IGNORECASE)
# "$1,350,000.00 in unpaid principal and $27,675.00 in accrued interest": the component
# named right after a figure is its own, whatever the words before it said.
# "Note No. 1, $750,000.00 principal and $22,500.00 interest" names them the same way.
_COMPONENT_AFTER = re.compile(
    r"\s*(?:(?:in|of)\s+(?:(?:unpaid|outstanding|accrued|and|past\s+due)\s+){0,4})?"
    r"(?P<c>principal|interest)\b",
    re.IGNORECASE,
)
# A daily accrual ("$187.50 per diem") is a rate, not a balance.
_PER_DAY = re.compile(r"^\s*(?:per\s+(?:diem|day)|a\s+day|each\s+day|daily)\b", re.IGNORECASE)
_PER_DAY_BEFORE = re.compile(r"\b(?:per\s+diem|daily)\b[^$.;]{0,40}$", re.IGNORECASE)
# A sum one side only asserts ("Contractor contends that Owner owes $112,400") is no debt.
_ASSERTED = re.compile(
    r"\b(?:contends?|alleges?|alleged(?:ly)?|asserts?|asserted|claims?\s+that|purported(?:ly)?"
    r"|disputed)\b",
    re.IGNORECASE,
)
# "the Obligations are reduced by $X": a credit against the debt, not the debt itself.
_CREDIT = re.compile(
    r"\b(?:reduced|credited(?:\s+against\s+[^$.;]{0,40}?)?)\s+(?:by|in\s+the\s+amount\s+of|with)\s*$",
    re.IGNORECASE,
)
# "principal and interest" or "principal, interest and fees" names the whole balance, and
# "principal balance" its principal: each is matched before its words could be alone.
_COMPONENT = re.compile(
    r"\b(?P<both>principal(?:,|\s+and|\s+plus)\s+(?:accrued\s+)?interest|interest(?:,|\s+and)\s+principal)\b"
    r"|\b(?P<interest>interest)\b"
    r"|\b(?P<principal>principal(?:\s+(?:balance|amount|sum))?|face\s+(?:amount|value))\b"
    r"|\b(?P<total>total|aggregate|together|sum\s+of|in\s+all|totaling|totalling|balance)\b"
    r"|\b(?P<value>value|valued|fair\s+market|agreed\s+value)\b",
    re.IGNORECASE,
)
_DEBT_EVIDENCE = re.compile(
    r"\b(?:outstanding|owed|owing|owes|unpaid|accrued|indebted(?:ness)?|balance|payoff"
    r"|due\s+and\s+payable)\b",
    re.IGNORECASE,
)
_NOT_CURRENT = re.compile(
    r"\b(?:original(?:ly)?|up\s+to|maximum|not\s+to\s+exceed|committed|commitment|limit)\b[^$]{0,60}$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Context:
    """The text around one figure: its sentence, before it (since the last figure), after it."""

    sentence: str
    before: str
    since_figure: str
    after: str
    lead: str = ""  # for an item of a list, the words that introduce the list
    column: str = ""  # for a figure in a table row, the header of its column


def contexts(
    text: str, units: Sequence[tuple[int, int]], figures: Sequence[Figure]
) -> list[Context]:
    """The context of each figure, in the order of `figures`."""
    result = []
    for index, figure in enumerate(figures):
        sentence_start, sentence_end = _sentence_of(text, units, figure.start)
        previous_end = figures[index - 1].end if index else 0
        since = max(sentence_start, previous_end)
        # Words before the figure ("Five Thousand Dollars ($5,000)") belong to it; words
        # after it do not end what comes before it.
        words_before = figure.words_start is not None and figure.words_start < figure.start
        first = figure.words_start if words_before and figure.words_start else figure.start
        if figure.phrase_start is not None:
            first = min(first, figure.phrase_start)
        result.append(
            Context(
                sentence=text[sentence_start:sentence_end],
                before=text[sentence_start:first],
                since_figure=text[since:first] if since <= first else "",
                after=text[_end_of_words(figure) : sentence_end],
                lead=_lead_in(text, sentence_start),
                column=_column_header(text, figure.start),
            )
        )
    return result


_LIST_ITEM = re.compile(r"\s*\(?(?:[ivx]{1,4}|[a-z]|\d{1,2})\)\s")
LEAD_IN_CHARS_MAX = 1500
# An item ends with ";", "; and" or "; or"; a table row is a line with cells.
_ITEM_END = re.compile(r";(?:\s+(?:and|or))?\s*$")
_TABLE_LINE = re.compile(r"^[^\n|]*\|[^\n]*$", re.MULTILINE)


def _lead_in(text: str, sentence_start: int) -> str:
    """ "the following notes (the "Pledged Notes"): (i) ...; (ii) ...": the words before the
    colon say what each item is, when the item itself does not. An item is a numbered
    entry, anything right after the colon or after an earlier item's ";", or a table row."""
    floor = max(0, sentence_start - LEAD_IN_CHARS_MAX)
    head = text[floor:sentence_start].rstrip()
    line_end = text.find("\n", sentence_start, sentence_start + 400)
    row = text[sentence_start : line_end if line_end >= 0 else sentence_start + 400]
    is_row = "|" in row
    if not (
        _LIST_ITEM.match(text, sentence_start)
        or head.endswith(":")
        or _ITEM_END.search(head)
        or is_row
    ):
        return ""
    colon = text.rfind(":", floor, sentence_start)
    if colon < 0:
        return ""
    between = text[colon + 1 : sentence_start]
    if between.strip() and not _only_items(between):
        return ""
    begin = max(text.rfind(". ", floor, colon), text.rfind("\n\n", floor, colon), floor)
    return text[begin:colon]


def _only_items(between: str) -> bool:
    """Whether `between` (after a colon) holds only earlier items of the same list."""
    if _LIST_ITEM.match(between):
        return True
    rest = _TABLE_LINE.sub("", between)
    if not rest.strip():
        return True  # rows of a table (a header and earlier rows)
    return (
        "\n\n" not in rest
        and bool(_ITEM_END.search(rest.rstrip()))
        and not re.search(r"[a-z0-9)]\.\s+[A-Z]", rest)
    )


def _column_header(text: str, at: int) -> str:
    """In a table row ("Note No. 1 | $410,000.00 | $16,400.00"), the header cell above."""
    line_start = text.rfind("\n", max(0, at - 400), at) + 1
    line_end = text.find("\n", at, at + 400)
    line = text[line_start : line_end if line_end >= 0 else at + 400]
    if "|" not in line:
        return ""
    cell = text[line_start:at].count("|")
    floor = max(0, line_start - 1200)
    for header in reversed(list(_TABLE_LINE.finditer(text, floor, line_start))):
        cells = [c.strip() for c in header.group().split("|")]
        if not any(re.search(r"\d", c) for c in cells):
            return cells[cell] if cell < len(cells) else ""
    return ""


def _end_of_words(figure: Figure) -> int:
    # "$150,000.00 (One Hundred Fifty Thousand Dollars) in partial satisfaction": what the
    # sentence says of the figure starts after its words.
    words_after = figure.words_start is not None and figure.words_start > figure.start
    return max(figure.end, figure.words_end or 0) if words_after else figure.end


def _sentence_of(text: str, units: Sequence[tuple[int, int]], at: int) -> tuple[int, int]:
    for start, end in units:
        if start <= at < end:
            for s, e in sentence_bounds(text, start, end):
                if s <= at < e:
                    return s, e
            return start, end
    return max(0, at - 300), min(len(text), at + 300)


def role_of(context: Context, *, sides: Sides, terms: dict[str, str]) -> str:
    """The role of one figure from its context (see the module docstring)."""
    if _REMAINING_AFTER.search(context.after) or _REMAINING_BEFORE.search(context.since_figure):
        return "remaining_debt"
    if (
        _NOT_CURRENT.search(context.since_figure)
        or _ASSERTED.search(context.before)
        or _PER_DAY.search(context.after)
        or _PER_DAY_BEFORE.search(context.since_figure)
    ):
        return "other"
    if _FEE_HEAD.search(context.since_figure[-80:]):
        return "fee"
    paid = _PAY_BEFORE.search(context.since_figure) or _PAY_BEFORE.search(context.before[-160:])
    if paid:
        return _payment_role(context, paid, sides)
    if _FEE.search(context.since_figure[-80:]) and not _BALANCE_LIST.search(context.since_figure):
        return "fee"
    side = _side(context, terms)
    if side == "debt" and _CREDIT.search(context.since_figure[-80:]):
        side = "collateral" if _names_collateral(context.sentence, terms) else None
    if side is None and _AGREED_VALUE.search(context.since_figure[-100:]):
        # "the parties agree that the value of the Vessel is $X": what is valued is what
        # satisfies the debt; a debt is owed, never valued.
        side = "collateral"
    if side is None or (
        side == "debt"
        and not _DEBT_EVIDENCE.search(context.sentence)
        and not _DEBT_EVIDENCE.search(context.lead)
    ):
        # A debt is a balance owed now; a loan's size or a price named in passing is not.
        return "other"
    named_after = _COMPONENT_AFTER.match(context.after)
    component = named_after.group("c").lower() if named_after else _component(context.since_figure)
    if component is None and context.column:
        component = _component(context.column)
    if component == "total" and _balance_beside_interest(context):
        component = "principal"
    if side == "debt":
        return {"principal": "debt_principal", "interest": "debt_interest"}.get(
            component or "", "debt_total"
        )
    return {"principal": "collateral_principal", "interest": "collateral_interest"}.get(
        component or "", "collateral_value"
    )


_AGREED_VALUE = re.compile(
    r"\b(?:(?:fair\s+market|agreed|appraised)\s+value|valued|value\s+of\s+(?:the\s+)?[A-Z][\w-]*"
    r"(?:\s+[A-Z][\w-]*){0,3}\s+(?:is|was|as|at|to\s+be)|(?:has|have)\s+(?:a|an\s+agreed)\s+value)"
    r"\b[^$.;]{0,40}$",
    re.IGNORECASE,
)
# "The unpaid balance of the Credit Line is $X, and accrued interest ... is $Y": a balance
# stated beside its interest is the principal balance.
_INTEREST_BESIDE = re.compile(
    r"^[^.;]{0,40}?\b(?:and|plus)\b[^.;$]{0,60}\binterest\b[^.;$]{0,60}(?:\$|USD|EUR|€)"
)


def _balance_beside_interest(context: Context) -> bool:
    last = list(_COMPONENT.finditer(context.since_figure[-120:]))
    if not last or last[-1].group("total") is None or last[-1].group().lower() != "balance":
        return False
    return bool(_INTEREST_BESIDE.search(context.after))


def _names_collateral(sentence: str, terms: dict[str, str]) -> bool:
    named = (t for t, side in terms.items() if side == "collateral")
    return bool(re.search(r"\bcollateral\b", sentence, re.IGNORECASE)) or any(
        re.search(rf"\bthe\s+{re.escape(term)}\b", sentence) for term in named
    )


def _component(before: str) -> str | None:
    found = list(_COMPONENT.finditer(before[-120:]))
    if not found:
        return None
    last = found[-1]
    if last.group("both"):
        return "total"
    return next(name for name in ("interest", "principal", "total", "value") if last.group(name))


def _side(context: Context, terms: dict[str, str]) -> str | None:
    term = _DEFINED.search(context.after)
    if term and terms.get(term.group("term").strip()) in ("debt", "collateral"):
        return terms[term.group("term").strip()]
    owner = re.match(r"\s*(?:of|on|under|owing\s+under)\s+the\s+([A-Z][A-Za-z]+)", context.after)
    if owner and terms.get(owner.group(1)) in ("debt", "collateral"):
        return terms[owner.group(1)]
    found = _side_from_words(context.before, terms)
    if found is None and context.lead:
        return _side_from_words(context.lead, terms)
    return found


# The debt a pledge secures ("pledged as collateral for the Loan, having a principal
# amount of $X") is named in passing; the figure belongs to what was pledged.
_SECURED_BEFORE = re.compile(
    r"\b(?:(?:collateral|security)\s+for|secur(?:e|es|ing))\s+(?:the\s+|all\s+|its\s+)?$",
    re.IGNORECASE,
)
_DEBT_TERMS = re.compile(r"\b(?:Obligations|Indebtedness|Liabilities)\b")
_COLLATERAL_WORDS = re.compile(r"\b(?:collateral|pledged)\b", re.IGNORECASE)


def _side_from_words(before: str, terms: dict[str, str]) -> str | None:
    cues: list[tuple[int, int, str]] = []
    for term, side in terms.items():
        if side in ("debt", "collateral"):
            for found in re.finditer(rf"\bthe\s+{re.escape(term)}\b", before):
                cues.append((found.end(), found.start(), side))
    for pattern in (_DEBT_WORDS, _DEBT_TERMS):
        cues += [(m.end(), m.start(), "debt") for m in pattern.finditer(before)]
    cues += [(m.end(), m.start(), "collateral") for m in _COLLATERAL_WORDS.finditer(before)]
    cues = [
        (end, start, side)
        for end, start, side in cues
        if side != "debt" or not _SECURED_BEFORE.search(before, max(0, start - 40), start)
    ]
    if not cues:
        return None
    return max(cues)[2]


def _payment_role(context: Context, paid: re.Match[str], sides: Sides) -> str:
    if sides.debtor_alias is None or sides.creditor_alias is None:
        return "fee" if _FEE.search(context.sentence) else "other"
    verb_at = context.before.rfind(paid.group("verb"))
    after_verb = context.before[max(verb_at, 0) :]
    if re.search(rf"\b(?:to|unto)\s+{sides.creditor_alias}", after_verb, re.IGNORECASE):
        return "cash_to_creditor"
    if re.search(rf"\b(?:to|unto)\s+{sides.debtor_alias}", after_verb, re.IGNORECASE):
        return "cash_to_debtor"
    named_after = _direction_after(context.after, sides)
    if named_after is not None:
        return named_after
    payer = _last_party(context.before[: max(verb_at, 0)], sides)
    if payer == "debtor":
        return "cash_to_creditor"
    if payer == "creditor":
        return "cash_to_debtor"
    return "fee" if _FEE.search(context.sentence) else "other"


def _direction_after(after: str, sides: Sides) -> str | None:
    """ "$X shall be made by Borrower to Lender": payee, else payer, named after the figure."""
    clause = re.match(r"[^.;$]{0,100}", after)
    words = clause.group() if clause else ""
    if re.search(rf"\b(?:to|unto)\s+{sides.creditor_alias}", words, re.IGNORECASE):
        return "cash_to_creditor"
    if re.search(rf"\b(?:to|unto)\s+{sides.debtor_alias}", words, re.IGNORECASE):
        return "cash_to_debtor"
    if re.search(rf"\bby\s+{sides.debtor_alias}", words, re.IGNORECASE):
        return "cash_to_creditor"
    if re.search(rf"\bby\s+{sides.creditor_alias}", words, re.IGNORECASE):
        return "cash_to_debtor"
    return None


def _last_party(subject: str, sides: Sides) -> str | None:
    spots = [(m.start(), "debtor") for m in re.finditer(sides.debtor_alias or "(?!)", subject)] + [
        (m.start(), "creditor") for m in re.finditer(sides.creditor_alias or "(?!)", subject)
    ]
    return max(spots)[1] if spots else None

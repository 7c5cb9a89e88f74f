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
    r"\b(?:outstanding\s+(?:principal\s+)?balance|borrowings?|indebtedness|loan|owed|owes|owing"
    r"|debt|obligations?\s+under|advances?|credit\s+facility|payoff)\b",
    re.IGNORECASE,
)
_ASSET_WORDS = re.compile(
    r"\b(?:notes?\s+receivable|receivables?|owns|holds|collateral|pledged|mortgage\s+notes"
    r"|security\s+for)\b",
    re.IGNORECASE,
)


def term_sides(text: str, *, body_end: int) -> dict[str, str]:
    """Defined terms that name the debt ("debt") or what satisfies it ("collateral")."""
    result: dict[str, str] = {}
    previous_end = 0
    for match in _DEFINED.finditer(text, 0, body_end):
        term = match.group("term").strip()
        window = text[max(previous_end, match.start() - 400) : match.start()]
        window = window[max(window.rfind(";"), window.rfind(". ")) + 1 :]
        previous_end = match.end()
        side = _side_of_words(window, term)
        if side and term not in result:
            result[term] = side
        if len(result) > 200:
            break
    for term in list(result):
        if result[term] == "asset" and _is_pledged_or_assigned(text[:body_end], term):
            result[term] = "collateral"
    return result


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
    r"\b(?P<verb>pay|pays|paying|paid\s+to|payment\s+(?:of|to)|remit|remits|wire|wires)\b"
    r"[^$;]{0,100}$",
    re.IGNORECASE,
)
_SURPLUS = re.compile(r"\b(?:surplus|excess|overage)\b", re.IGNORECASE)
_FEE = re.compile(r"\bfees?\b|\bcharge\b|\bcommission\b", re.IGNORECASE)
_COMPONENT = re.compile(
    r"\b(?P<interest>interest)\b|\b(?P<principal>principal)\b"
    r"|\b(?P<total>total|aggregate|together|sum\s+of|in\s+all|totaling|totalling|balance)\b"
    r"|\b(?P<value>value|valued|fair\s+market|agreed\s+value)\b",
    re.IGNORECASE,
)
_DEBT_EVIDENCE = re.compile(
    r"\b(?:outstanding|owed|owing|unpaid|accrued|indebtedness|balance|payoff"
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


def contexts(
    text: str, units: Sequence[tuple[int, int]], figures: Sequence[Figure]
) -> list[Context]:
    """The context of each figure, in the order of `figures`."""
    result = []
    for index, figure in enumerate(figures):
        sentence_start, sentence_end = _sentence_of(text, units, figure.start)
        previous_end = figures[index - 1].end if index else 0
        since = max(sentence_start, previous_end)
        first = figure.words_start if figure.words_start is not None else figure.start
        result.append(
            Context(
                sentence=text[sentence_start:sentence_end],
                before=text[sentence_start:first],
                since_figure=text[since:first] if since <= first else "",
                after=text[figure.end : sentence_end],
            )
        )
    return result


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
    if _NOT_CURRENT.search(context.since_figure):
        return "other"
    paid = _PAY_BEFORE.search(context.since_figure) or _PAY_BEFORE.search(context.before[-160:])
    if paid:
        return _payment_role(context, paid, sides)
    if _FEE.search(context.since_figure[-80:]):
        return "fee"
    side = _side(context, terms)
    if side is None or (side == "debt" and not _DEBT_EVIDENCE.search(context.sentence)):
        # A debt is a balance owed now; a loan's size or a price named in passing is not.
        return "other"
    component = _component(context.since_figure)
    if side == "debt":
        return {"principal": "debt_principal", "interest": "debt_interest"}.get(
            component or "", "debt_total"
        )
    return {"principal": "collateral_principal", "interest": "collateral_interest"}.get(
        component or "", "collateral_value"
    )


def _component(before: str) -> str | None:
    found = list(_COMPONENT.finditer(before[-120:]))
    if not found:
        return None
    last = found[-1]
    return next(name for name in ("interest", "principal", "total", "value") if last.group(name))


def _side(context: Context, terms: dict[str, str]) -> str | None:
    term = _DEFINED.search(context.after)
    if term and terms.get(term.group("term").strip()) in ("debt", "collateral"):
        return terms[term.group("term").strip()]
    owner = re.match(r"\s*(?:of|on|under|owing\s+under)\s+the\s+([A-Z][A-Za-z]+)", context.after)
    if owner and terms.get(owner.group(1)) in ("debt", "collateral"):
        return terms[owner.group(1)]
    return _side_from_words(context.before, terms)


def _side_from_words(before: str, terms: dict[str, str]) -> str | None:
    cues: list[tuple[int, str]] = []
    for term, side in terms.items():
        if side in ("debt", "collateral"):
            for found in re.finditer(rf"\bthe\s+{re.escape(term)}\b", before):
                cues.append((found.end(), side))
    cues += [(m.end(), "debt") for m in _DEBT_WORDS.finditer(before)]
    cues += [(m.end(), "collateral") for m in re.finditer(r"\b(?:collateral|pledged)\b", before)]
    if not cues:
        return None
    return max(cues)[1]


def _payment_role(context: Context, paid: re.Match[str], sides: Sides) -> str:
    if sides.debtor_alias is None or sides.creditor_alias is None:
        return "fee" if _FEE.search(context.sentence) else "other"
    verb_at = context.before.rfind(paid.group("verb"))
    after_verb = context.before[max(verb_at, 0) :]
    if re.search(rf"\b(?:to|unto)\s+{sides.creditor_alias}", after_verb, re.IGNORECASE):
        return "cash_to_creditor"
    if re.search(rf"\b(?:to|unto)\s+{sides.debtor_alias}", after_verb, re.IGNORECASE):
        return "cash_to_debtor"
    payer = _last_party(context.before[: max(verb_at, 0)], sides)
    if payer == "debtor":
        return "cash_to_creditor"
    if payer == "creditor":
        return "cash_to_debtor"
    return "fee" if _FEE.search(context.sentence) else "other"


def _last_party(subject: str, sides: Sides) -> str | None:
    spots = [(m.start(), "debtor") for m in re.finditer(sides.debtor_alias or "(?!)", subject)] + [
        (m.start(), "creditor") for m in re.finditer(sides.creditor_alias or "(?!)", subject)
    ]
    return max(spots)[1] if spots else None

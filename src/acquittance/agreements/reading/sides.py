"""Who owes whom, and which defined terms name the debt and what satisfies it.

The debtor pledged or assigns, owes the loan and releases nothing; the creditor
took the pledge, accepts and releases. Each party is scored by the cues around
its names; the lowest score is the debtor, the highest the creditor, and a tie
decides nothing. Defined terms ("the Loan", "the Pledged Notes") take their side
from the words before their definition.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from acquittance.agreements.reading.model import Party


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
    r"|loan\s+(?:\([^()]{0,40}\)\s+)?from"
    r"|(?:assigns?|transfers?|conveys?)\s+to|in\s+favor\s+of)\s+$",
    re.IGNORECASE,
)
_CREDITOR_AFTER = re.compile(
    r"^(?:'s\s+security\s+interest|\s+(?:hereby\s+)?(?:releases|acknowledges|accepts)"
    r"|\s+(?:has\s+)?(?:agreed|agrees)\s+to\s+accept|\s+(?:shall|will)\s+accept"
    r"|,?\s+(?:is\s+)?the\s+(?:owner\s+and\s+)?holder\s+of|\s+\(\s*(?:the\s+)?[\"\u201c]?(?:Lender|Creditor|Holder|Payee|Secured\s+Party)[\"\u201d]?\s*\)"
    r"|\s+(?:has\s+)?(?:made|extended|advanced)\s+(?:a\s+|the\s+)?loan)",
    re.IGNORECASE,
)
_DEBTOR_BEFORE = re.compile(
    r"(?:obligations\s+of|loans?\s+(?:made\s+)?to|assets\s+of|executed\s+by|issued\s+by"
    r"|indebtedness\s+of|\)\s+to)\s+$",
    re.IGNORECASE,
)
_DEBTOR_AFTER = re.compile(
    r"^(?:\s+owns\b|\s+(?:desires|agrees|has\s+agreed)\s+to\s+assign|\s+hereby\s+assigns"
    r"|'s\s+obligations|'s\s+assignment|\s+(?:is|are)\s+indebted|\s+owes\b"
    r"|\s+(?:has\s+)?borrowed|\s+(?:has\s+)?pledged"
    r"|\s+\(\s*(?:the\s+)?[\"\u201c]?(?:Borrower|Debtor|Obligor|Maker|Pledgor)[\"\u201d]?\s*\))",
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


_THE_BEFORE = re.compile(r"\bthe\s+$", re.IGNORECASE)
_BEFORE_LAST_WORDS = ("to", "of", "by", "from")


def _cue_counts(text: str, alias: str) -> tuple[int, int]:
    # The name is searched without its optional "the" (a pattern that starts with an
    # optional word is slow to search), which is then looked for before it.
    creditor = debtor = 0
    for found in re.finditer(alias.replace(r"(?:the\s+)?", "", 1), text):
        start = found.start()
        the = _THE_BEFORE.search(text, max(0, start - 6), start)
        if the is not None:
            start = the.start()
        before = text[max(0, start - 60) : start]
        after = text[found.end() : found.end() + 60]
        creditor += bool(_CREDITOR_AFTER.match(after))
        debtor += bool(_DEBTOR_AFTER.match(after))
        # Every cue before a name ends in one of these words; most names follow none.
        if before.rstrip().lower().endswith(_BEFORE_LAST_WORDS):
            creditor += bool(_CREDITOR_BEFORE.search(before))
            debtor += bool(_DEBTOR_BEFORE.search(before))
    return creditor, debtor


def party_roles(parties: Sequence[Party], sides: Sides, text: str) -> list[Party]:
    """Parties with a role filled in from the sides, where the short name gave none."""
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


DEFINED = re.compile(
    r"\(\s*(?:collectively,?\s+|together,?\s+)?(?:the|this|such)?\s*[\"\u201c](?P<term>[^\"\u201d]{1,60})[\"\u201d]"
    r"[^()]{0,40}\)"
)
_DEBT_WORDS = re.compile(
    r"\b(?:outstanding\s+(?:principal\s+)?balance|borrowings?|indebted(?:ness)?|loan|loaned|lent"
    r"|borrowed|owed|owes|owing"
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
    for match in DEFINED.finditer(text, 0, body_end):
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

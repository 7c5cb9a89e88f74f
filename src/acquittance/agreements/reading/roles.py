"""What each figure is for: the rules of `rules.py` applied to the figure's context.

`decide` returns the role and the names of the rules that gave it, so that a test
can check each rule by its example. A figure no rule places is `unknown`: a role
is never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from acquittance.agreements.reading.context import Context
from acquittance.agreements.reading.rules import (
    BALANCE_EVIDENCE,
    COMPONENT_RULES,
    DIRECTION_RULES,
    FIGURE_MARK,
    FIGURE_RULES,
    OWED_RULES,
    SIDE_RULES,
    Rule,
)
from acquittance.agreements.reading.sides import DEFINED, Sides


@dataclass(frozen=True)
class Decision:
    """A figure's role and the rules that decided it, in the order they applied."""

    role: str
    rules: tuple[str, ...] = ()


_COMPONENT_AFTER, _COMPONENT_BEFORE = COMPONENT_RULES
# "The unpaid balance of the Credit Line is $X, and accrued interest ... is $Y": a
# balance stated beside its interest is the principal balance.
_INTEREST_BESIDE = re.compile(
    r"^[^.;]{0,40}?\b(?:and|plus)\b[^.;$]{0,60}\binterest\b[^.;$]{0,60}(?:\$|USD|EUR|\u20ac)",
    re.IGNORECASE,
)


def decide(context: Context, *, sides: Sides, terms: dict[str, str]) -> Decision:
    """The role of one figure (see rules.py for the order of the stages)."""
    for rule in FIGURE_RULES:
        if not _matches(rule, context):
            continue
        if rule.role == "cash":
            return _payment(context, sides, rule)
        if rule.role == "credit":
            side = "collateral" if _names_collateral(context.sentence, terms) else None
            return _balance(context, terms, side, (rule.name,))
        if rule.role == "collateral_value":
            side_found = _side(context, terms)
            if side_found is None:
                return Decision("collateral_value", (rule.name,))
            continue
        return Decision(rule.role, (rule.name,))
    return _balance(context, terms, None, ())


def _matches(rule: Rule, context: Context) -> bool:
    scope = rule.scope
    if scope == "after":
        return rule.pattern.match(context.after) is not None
    text = {
        "since": context.since_figure,
        "tail": context.since_figure[-80:],
        "before": context.before,
        "sentence": context.sentence,
    }[scope]
    return rule.pattern.search(text) is not None


def _payment(context: Context, sides: Sides, rule: Rule) -> Decision:
    if sides.debtor_alias is None or sides.creditor_alias is None:
        return Decision("unknown", (rule.name,))
    clause = context.before + FIGURE_MARK + context.after
    for direction in DIRECTION_RULES:
        to_creditor, to_debtor = _oriented(direction.pattern.pattern, sides)
        found_creditor = to_creditor.search(clause) is not None
        found_debtor = to_debtor.search(clause) is not None
        if found_creditor != found_debtor:
            role = "cash_to_creditor" if found_creditor else "cash_to_debtor"
            return Decision(role, (rule.name, direction.name))
    return Decision("unknown", (rule.name,))


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _oriented(pattern: str, sides: Sides) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The pattern with the debtor paying the creditor, and with the creditor paying."""
    debtor, creditor = sides.debtor_alias or "(?!)", sides.creditor_alias or "(?!)"
    to_creditor = pattern.replace("{payer}", debtor).replace("{payee}", creditor)
    to_debtor = pattern.replace("{payer}", creditor).replace("{payee}", debtor)
    return _compiled(to_creditor), _compiled(to_debtor)


def _balance(
    context: Context, terms: dict[str, str], side: str | None, used: tuple[str, ...]
) -> Decision:
    """A balance: debt or collateral from the instrument named, then its component."""
    found = (side, ()) if side is not None else _side_with_rule(context, terms)
    side, named = found
    used = (*used, *named)
    if side is None:
        return Decision("unknown", used)
    if side == "debt" and not (
        BALANCE_EVIDENCE.search(context.sentence) or BALANCE_EVIDENCE.search(context.lead)
    ):
        # A debt is a balance owed now; a loan's size or a price named in passing is not.
        return Decision("other", used)
    component, component_rule = _component(context)
    if component_rule:
        used = (*used, component_rule)
    if side == "debt":
        role = {"principal": "debt_principal", "interest": "debt_interest"}.get(
            component or "", "debt_total"
        )
    else:
        role = {"principal": "collateral_principal", "interest": "collateral_interest"}.get(
            component or "", "collateral_value"
        )
    return Decision(role, used)


def _component(context: Context) -> tuple[str | None, str]:
    named_after = _COMPONENT_AFTER.pattern.match(context.after)
    if named_after:
        return named_after.group("c").lower(), _COMPONENT_AFTER.name
    component = _component_of(context.since_figure)
    if component is None and context.column:
        component = _component_of(context.column)
    if component == "balance" and _INTEREST_BESIDE.search(context.after):
        return "principal", _COMPONENT_BEFORE.name
    if component in ("balance", "sum"):
        component = "total"
    return component, _COMPONENT_BEFORE.name if component else ""


def _component_of(before: str) -> str | None:
    found = list(_COMPONENT_BEFORE.pattern.finditer(before[-120:]))
    if not found:
        return None
    last = found[-1]
    if last.group("sum") and last.group().lower() == "balance":
        return "balance"
    return next(
        name for name in ("total", "interest", "principal", "sum", "value") if last.group(name)
    )


def _side(context: Context, terms: dict[str, str]) -> str | None:
    return _side_with_rule(context, terms)[0]


def _side_with_rule(context: Context, terms: dict[str, str]) -> tuple[str | None, tuple[str, ...]]:
    term = DEFINED.search(context.after)
    if term and terms.get(term.group("term").strip()) in ("debt", "collateral"):
        return terms[term.group("term").strip()], ("defined_term_after",)
    owner = re.match(r"\s*(?:of|on|under|owing\s+under)\s+the\s+([A-Z][A-Za-z]+)", context.after)
    if owner and terms.get(owner.group(1)) in ("debt", "collateral"):
        return terms[owner.group(1)], ("instrument_after",)
    for words in (context.before, context.lead):
        found = _side_from_words(words, terms)
        if found[0] is not None:
            return found
    for words in (context.before, context.lead):
        for rule in OWED_RULES:
            if rule.pattern.search(words):
                return rule.role, (rule.name,)
    return None, ()


def _side_from_words(before: str, terms: dict[str, str]) -> tuple[str | None, tuple[str, ...]]:
    # (end, length, side, rule): the cue ending nearest the figure decides, a longer
    # cue winning a tie.
    cues: list[tuple[int, int, str, str]] = []
    named = _terms_pattern(tuple(sorted(t for t, side in terms.items() if side in _SIDES)))
    if named is not None:
        for found in named.finditer(before):
            side = terms[found.group("term")]
            cues.append((found.end(), found.end() - found.start(), side, "defined_term"))
    for rule in SIDE_RULES:
        for found in rule.pattern.finditer(before):
            cues.append((found.end(), found.end() - found.start(), rule.role, rule.name))
    if not cues:
        return None, ()
    _, _, side, name = max(cues)
    return side, (name,)


_SIDES = ("debt", "collateral")


@lru_cache(maxsize=64)
def _terms_pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for "the <term>" of every defined term that names a side."""
    if not terms:
        return None
    longest_first = sorted(terms, key=len, reverse=True)
    return re.compile(r"\bthe\s+(?P<term>" + "|".join(map(re.escape, longest_first)) + r")\b")


def _names_collateral(sentence: str, terms: dict[str, str]) -> bool:
    named = (t for t, side in terms.items() if side == "collateral")
    return bool(re.search(r"\bcollateral\b", sentence, re.IGNORECASE)) or any(
        re.search(rf"\bthe\s+{re.escape(term)}\b", sentence) for term in named
    )

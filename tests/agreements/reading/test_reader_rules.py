"""Every role rule's example gets the rule's role, decided by that rule.

The rules are data (agreements/reading/rules.py); each carries an example
sentence. Here each example is read as the first clause of a short agreement
between a lender and a borrower, and the figure the rule is about must get the
role the rule gives, with the rule among those that decided it. A rule whose
example no longer gets its role fails here.
"""

from __future__ import annotations

import pytest

from acquittance.agreements.reading import AMOUNT_ROLES, rules
from acquittance.agreements.reading.analysis import explain

PREAMBLE = (
    "SETTLEMENT AGREEMENT\n\n"
    "This Settlement Agreement is made as of March 1, 2020 by and between Alder Lending "
    'LLC, a Delaware limited liability company ("Lender"), and Birch Borrowing Inc., a '
    'Delaware corporation ("Borrower").\n\n1. '
)
ALL_RULES = (
    *rules.FIGURE_RULES,
    *rules.DIRECTION_RULES,
    *rules.SIDE_RULES,
    *rules.OWED_RULES,
    *rules.COMPONENT_RULES,
)


def test_rule_names_are_unique_and_every_rule_has_an_example() -> None:
    names = [rule.name for rule in ALL_RULES]
    assert len(names) == len(set(names))
    for rule in ALL_RULES:
        assert "$" in rule.example or "USD" in rule.example, rule.name
        assert rule.expected in AMOUNT_ROLES, rule.name


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.name)
def test_rule_example_gets_the_rule_role(rule: rules.Rule) -> None:
    text = PREAMBLE + rule.example
    explained = [e for e in explain(text) if e.start >= len(PREAMBLE)]
    chosen = [e for e in explained if not rule.figure or e.text == rule.figure]
    assert chosen, f"no figure {rule.figure or ''} read in the example"
    decision = chosen[0].decision
    assert decision.role == rule.expected
    assert rule.name in decision.rules

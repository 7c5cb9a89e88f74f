"""`read --import` writes its deal file with tomli-w: any text survives, amounts stay exact."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from typing import Any

from acquittance.agreements.importing import deal_text
from acquittance.core.instruments import OpeningBalance
from acquittance.deals.parse import parse_deal

#: Text that would end a hand-quoted TOML string, start a table or break a comment.
HOSTILE = 'Quill "the \\ Builder"\n[[loans]]\nid = "x'


def reading(**changes: Any) -> dict[str, Any]:
    """A reading as `read --json` gives it, with the figures a settlement needs."""
    document: dict[str, Any] = {
        "title": "Settlement Agreement",
        "effective_date": "2024-06-30",
        "parties": [
            {"name": "Harbor Lane Capital LLC", "short_name": "Harbor", "role": "lender"},
            {"name": "Quill Street Homes, Inc.", "short_name": "Quill", "role": "borrower"},
        ],
        "amounts": [
            {"value": "1234567.89", "currency": "USD", "role": "debt_principal"},
            {"value": "0.10", "currency": "USD", "role": "debt_interest"},
            {"value": "1000000.00", "currency": "USD", "role": "collateral_principal"},
            {"value": "99999.99", "currency": "USD", "role": "collateral_interest"},
        ],
        "signatories": [{"name": "Dana Ortiz", "title": "CFO", "party": "Harbor"}],
        "clauses": [{"kind": "governing_law", "jurisdiction": "New York"}],
    }
    document.update(changes)
    return document


def test_amounts_are_written_as_exact_decimals() -> None:
    text = deal_text(reading(), source="agreement.txt")
    assert "principal = 1234567.89" in text and "interest = 0.10" in text
    deal = parse_deal(text)
    (opening,) = deal.loans[0].events
    assert isinstance(opening, OpeningBalance)
    assert (str(opening.principal), str(opening.interest)) == ("1234567.89", "0.10")
    (collateral,) = deal.notes[0].events
    assert isinstance(collateral, OpeningBalance)
    assert (str(collateral.principal), str(collateral.interest)) == ("1000000.00", "99999.99")
    # The file itself holds the exact figure, not a float's nearest neighbour.
    raw = tomllib.loads(text, parse_float=Decimal)
    assert raw["loans"][0]["events"][0]["principal"] == Decimal("1234567.89")


def test_text_from_the_agreement_is_quoted_whatever_it_holds() -> None:
    parties = [
        {"name": HOSTILE, "short_name": "Harbor", "role": "lender", "entity_type": HOSTILE},
        {"name": "Quill Street Homes, Inc.", "short_name": "Quill", "role": "borrower"},
    ]
    text = deal_text(
        reading(parties=parties, title=HOSTILE), source="odd\nname.txt", rate='7%"\n[x]'
    )
    document = tomllib.loads(text, parse_float=Decimal)
    assert document["deal"]["title"] == HOSTILE
    assert document["parties"][0]["entity_type"] == HOSTILE
    assert document["loans"][0]["annual_rate"] == '7%"\n[x]'
    assert len(document["loans"]) == 1
    assert text.splitlines()[0] == "# Imported from odd name.txt by `acquittance read --import`."


def test_what_the_agreement_does_not_state_is_marked_beside_its_value() -> None:
    text = deal_text(reading(), source="agreement.txt", rate="7%")
    assert 'annual_rate = "7%"  # given on the command line' in text
    assert 'day_count = "ACT/360"  # not stated in the agreement' in text
    assert parse_deal(text).loans[0].governing_law == "New York"

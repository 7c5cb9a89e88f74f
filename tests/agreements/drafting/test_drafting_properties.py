"""Properties of every draft: its figures, its law, and its exhibits follow the settlement."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from drafting_factories import context_of, reference_quote, text_of
from hypothesis import given, settings
from hypothesis import strategies as st

from acquittance.agreements.drafting import compose, render
from acquittance.core.money import CENT
from acquittance.core.settlement_types import CashLeg, Quote, SatisfactionKind

LAWS = ("California", "Delaware", "New York", "Texas", "Nevada")


def cents(low: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low, high).map(lambda whole: (Decimal(whole) * CENT).quantize(CENT))


@st.composite
def quotes(draw: st.DrawFn) -> Quote:
    """The reference notes against a debt that is more, equal, less, or only partly paid."""
    quote = reference_quote()
    carrying = quote.collateral_value
    shape = draw(st.sampled_from(["to_lender", "none", "to_borrower", "partial"]))
    zero = Decimal("0.00")
    cash, remaining, owed = CashLeg(zero, None, None), zero, carrying
    if shape == "to_lender":
        amount = draw(cents(1, 10**10))
        cash, owed = CashLeg(amount, "valence", "berg"), carrying + amount
    elif shape == "to_borrower":
        amount = draw(cents(1, int(carrying / CENT) - 1))
        cash, owed = CashLeg(amount, "berg", "valence"), carrying - amount
    elif shape == "partial":
        remaining = draw(cents(1, 10**10))
        owed = carrying + remaining
    interest = draw(cents(0, int(owed / CENT)))
    return replace(
        quote,
        owed_principal=owed - interest,
        owed_interest=interest,
        cash=cash,
        remaining_debt=remaining,
        satisfaction=SatisfactionKind.PARTIAL if remaining else SatisfactionKind.FULL,
    )


def figure(amount: Decimal) -> str:
    return f"${amount:,.2f}"


@settings(max_examples=60, deadline=None)
@given(quote=quotes(), law=st.sampled_from(LAWS))
def test_markdown_states_every_figure_the_settlement_has(quote: Quote, law: str) -> None:
    context = context_of(quote, governing_law=law)
    text = text_of(render(context, "md"), "md")
    body = text.split("EXHIBIT A")[0]
    for amount in (quote.owed_principal, quote.owed_interest):
        assert figure(amount) in body
    for amount in (quote.collateral_principal, quote.collateral_interest):
        assert figure(amount) in body
    if quote.cash.amount:
        assert figure(quote.cash.amount) in body
    if quote.remaining_debt:
        assert f"remaining balance of {figure(quote.remaining_debt)}" in body
    assert ("Section 1542" in text) == (law == "California")
    assert ("Exhibit B" in text) == bool(quote.cash.amount)
    assert ("discharged" in text) == (quote.satisfaction is SatisfactionKind.FULL)


@settings(max_examples=30, deadline=None)
@given(quote=quotes())
def test_exhibit_a_total_row_adds_up(quote: Quote) -> None:
    schedule = compose(context_of(quote)).exhibit_a
    total = schedule.balances.total
    assert total is not None
    assert total[1] == figure(quote.collateral_principal)
    assert total[2] == figure(quote.collateral_interest)
    assert total[3] == figure(quote.collateral_carrying_amount)
    assert len(schedule.balances.rows) == len(quote.collateral)
    assert len(schedule.identification.rows) == len(quote.collateral)

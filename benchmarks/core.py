"""Positions for a whole book: the core path, the book engine, and a float peer."""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from acquittance.core.accrual import position
from acquittance.core.daycount import CONVENTIONS
from acquittance.core.instruments import Loan, OpeningBalance, Payment, Position, RateChange, Terms
from acquittance.portfolio import book_positions

AS_OF = date(2025, 6, 30)
CONVENTION_NAMES = tuple(CONVENTIONS)


def synthetic_loans(count: int, *, seed: int = 7) -> list[Loan]:
    """Loans with an opening balance, a payment and a rate change, over every convention."""
    rng = random.Random(seed)
    loans = []
    for index in range(count):
        opened = date(2020, 1, 1) + timedelta(days=rng.randrange(0, 1500))
        principal = Decimal(rng.randrange(10_000_00, 5_000_000_00)) / 100
        rate = Decimal(rng.randrange(200, 1200)) / 10000
        events = (
            OpeningBalance(opened, principal, Decimal("0.00")),
            Payment(opened + timedelta(days=90), (principal / 20).quantize(Decimal("0.01"))),
            RateChange(opened + timedelta(days=180), rate + Decimal("0.005")),
        )
        terms = Terms(rate, CONVENTION_NAMES[index % len(CONVENTION_NAMES)], "USD")
        loans.append(Loan(f"loan-{index}", "lender", "borrower", terms, events))
    return loans


def _positions(loans: list[Loan]) -> list[Position]:
    return [position(loan, AS_OF) for loan in loans]


def _float_baseline(loans: list[Loan]) -> float:
    """What a spreadsheet does: one float product per loan, no events, no conventions."""
    total = 0.0
    for loan in loans:
        opening = loan.events[0]
        assert isinstance(opening, OpeningBalance)
        days = (AS_OF - opening.date).days
        total += float(opening.principal) * float(loan.terms.annual_rate) * days / 360
    return total


def _figures(held: list[Position]) -> list[tuple[Decimal, Decimal, Fraction]]:
    return [(p.principal, p.interest, p.interest_exact) for p in held]


def positions_per_second(count: int) -> dict[str, float]:
    """The core path, the book engine from loan values (checked equal to it), the float peer."""
    loans = synthetic_loans(count)
    started = time.perf_counter()
    core = _positions(loans)
    serial = count / (time.perf_counter() - started)
    rates = {"serial": serial}
    started = time.perf_counter()
    book = book_positions(loans, AS_OF)
    rates["book"] = count / (time.perf_counter() - started)
    if _figures(book) != _figures(core):
        raise AssertionError("book_positions differs from the core")
    started = time.perf_counter()
    _float_baseline(loans)
    rates["float_baseline"] = count / (time.perf_counter() - started)
    return rates

"""The engine is accrual.position, figure for figure and error for error, on random books.

Random books cover every day-count convention (and aliases), every compounding
rule, every rounding mode and every event kind, on month ends, February ends
and leap days. Most rates have at most six places, so most instruments go
through the kernel; the others (seven places, strings) and the broken ones go
through the core, and both must give the core's figures.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from acquittance.core.accrual import position
from acquittance.core.daycount import ALIASES, CONVENTIONS
from acquittance.core.errors import AcquittanceError
from acquittance.core.instruments import (
    Advance,
    Compounding,
    Discharge,
    Event,
    Loan,
    Note,
    OpeningBalance,
    Payment,
    Position,
    RateChange,
    Satisfaction,
    Terms,
)
from acquittance.core.money import ROUNDING_MODES
from acquittance.portfolio import book_columns, book_positions
from acquittance.portfolio.columns import book_of, instrument_at
from acquittance.portfolio.engine import positions

#: Dates where the conventions disagree: month ends, February ends, leap days, year ends.
SPECIAL_DATES = (
    date(2023, 2, 28),
    date(2024, 2, 28),
    date(2024, 2, 29),
    date(2024, 1, 31),
    date(2024, 3, 31),
    date(2024, 4, 30),
    date(2024, 12, 31),
    date(2025, 1, 1),
    date(2025, 8, 31),
    date(2028, 2, 29),
    date(2100, 2, 28),
)

dates = st.one_of(
    st.sampled_from(SPECIAL_DATES),
    st.dates(min_value=date(2019, 1, 1), max_value=date(2030, 12, 31)),
)
gaps = st.one_of(
    st.just(0), st.integers(1, 40), st.integers(25, 400), st.sampled_from((29, 30, 31, 365))
)
cents = st.one_of(st.integers(0, 100), st.integers(0, 10**7), st.integers(0, 10**11))


def money(value: int, places: int = 2) -> Decimal:
    """cents as a Decimal, written with `places` decimals (the core allows any whole cents)."""
    return (Decimal(value) / 100).quantize(Decimal(1).scaleb(-places))


amounts = st.builds(money, cents, st.sampled_from((2, 2, 2, 0, 3)))
kernel_rates = st.one_of(
    st.integers(0, 2000).map(lambda bp: Decimal(bp) / 10000),
    st.integers(0, 10**6).map(lambda v: Decimal(v) / 10**6),
)
core_rates = st.one_of(
    st.integers(0, 10**6).map(lambda v: Decimal(v) / 10**7),  # seven places: the core's
    st.sampled_from(("6%", "7.125%", "0.08")),  # strings: parse_rate reads them
)
#: One rate in twenty has no integer column, so that most instruments take the kernel.
rates = st.integers(0, 19).flatmap(lambda pick: core_rates if pick == 0 else kernel_rates)
conventions = st.sampled_from((*CONVENTIONS, *ALIASES))


@st.composite
def events(draw: st.DrawFn) -> tuple[Event, ...]:
    opened = draw(dates)
    first: Event
    if draw(st.booleans()):
        first = OpeningBalance(opened, draw(amounts), draw(amounts))
    else:
        first = Advance(opened, draw(amounts))
    result: list[Event] = [first]
    day = opened
    for _ in range(draw(st.integers(0, 7))):
        day = day + timedelta(days=draw(gaps))
        if draw(st.integers(0, 3)) == 0:
            day = draw(st.sampled_from(SPECIAL_DATES)) if day.year < 2100 else day
            day = max(day, result[-1].date)
        kind = draw(st.sampled_from(("advance", "payment", "payment", "satisfaction", "rate")))
        if kind == "advance":
            result.append(Advance(day, draw(amounts)))
        elif kind == "payment":
            result.append(Payment(day, draw(amounts)))
        elif kind == "satisfaction":
            result.append(Satisfaction(day, draw(amounts), "settlement"))
        else:
            rate = draw(rates)
            result.append(RateChange(day, rate))  # type: ignore[arg-type]
    if draw(st.integers(0, 5)) == 0:
        result.append(Discharge(day + timedelta(days=draw(gaps)), "settlement"))
    return tuple(result)


@st.composite
def instruments(draw: st.DrawFn, index: int = 0) -> Loan | Note:
    terms = Terms(
        draw(rates),  # type: ignore[arg-type]
        draw(conventions),
        "USD",
        draw(st.sampled_from(tuple(Compounding))),
        draw(st.sampled_from(tuple(ROUNDING_MODES))),
    )
    history = draw(events())
    if draw(st.booleans()):
        return Loan(f"loan-{index}", "lender", "borrower", terms, history)
    return Note(f"note-{index}", "maker", "holder", terms, history)


@st.composite
def broken(draw: st.DrawFn) -> Loan | Note:
    """An instrument with one thing wrong (or, sometimes, nothing after all)."""
    instrument = draw(instruments())
    history = list(instrument.events)
    terms = instrument.terms
    flaw = draw(st.integers(0, 9))
    if flaw == 0:
        history[-1] = Payment(history[-1].date, Decimal("-1.00"))
    elif flaw == 1:
        history[-1] = Advance(history[-1].date, Decimal("1.005"))
    elif flaw == 2 and len(history) > 1:
        history[0], history[-1] = history[-1], history[0]
    elif flaw == 3:
        history.append(Payment(history[-1].date - timedelta(days=1), Decimal("1.00")))
    elif flaw == 4:
        history.append(Discharge(history[-1].date, "s"))
        history.append(Payment(history[-1].date, Decimal("1.00")))
    elif flaw == 5:
        terms = Terms(terms.annual_rate, "ACT/999", "USD")
    elif flaw == 6:
        terms = Terms(Decimal("8"), terms.day_count, "USD")
    elif flaw == 7:
        terms = Terms(terms.annual_rate, terms.day_count, "usd")
    elif flaw == 8:
        history = []
    else:
        history.append(Payment(history[-1].date, Decimal("99999999999999.00")))
    return Loan(instrument.id, "lender", "borrower", terms, tuple(history))


def core_or_error(instrument: Loan | Note, as_of: date) -> Position | tuple[str, str]:
    try:
        return position(instrument, as_of)
    except AcquittanceError as error:
        return (error.code, error.message)


def figures(held: Position) -> tuple[Decimal, Decimal, object]:
    # By value: the columns hold cents, so 100 comes back as 100.00 (the same figure).
    return (held.principal, held.interest, held.interest_exact)


def assert_same_as_core(book: list[Loan | Note], as_of: date) -> None:
    expected = [core_or_error(instrument, as_of) for instrument in book]
    errors = [result for result in expected if isinstance(result, tuple)]
    try:
        got = book_positions(book, as_of)
    except AcquittanceError as error:
        assert errors, f"the fast path refused what the core accepts: {error}"
        assert (error.code, error.message) == errors[0]
        return
    assert not errors, f"the core refuses {errors[0]} but the fast path answered"
    for held, core in zip(got, expected, strict=True):
        assert isinstance(core, Position)
        assert figures(held) == figures(core)
        assert (held.instrument_id, held.as_of, held.currency, held.rounding) == (
            core.instrument_id,
            core.as_of,
            core.currency,
            core.rounding,
        )


def as_of_for(instrument: Loan | Note, shift: int) -> date:
    anchor = instrument.events[-1].date if instrument.events else date(2024, 1, 1)
    return anchor + timedelta(days=shift)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instruments(), st.integers(-500, 900))
def test_one_instrument_is_the_core_to_the_bit(instrument: Loan | Note, shift: int) -> None:
    assert_same_as_core([instrument], as_of_for(instrument, shift))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instruments(), st.sampled_from(SPECIAL_DATES))
def test_on_month_ends_and_leap_days(instrument: Loan | Note, as_of: date) -> None:
    assert_same_as_core([instrument], as_of)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(instruments(), min_size=1, max_size=6), st.integers(-100, 900))
def test_a_book_is_the_core_in_book_order(book: list[Loan | Note], shift: int) -> None:
    assert_same_as_core(book, as_of_for(book[0], shift))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(instruments(), broken()), min_size=1, max_size=4), st.integers(0, 400))
def test_errors_are_the_cores_first_error(book: list[Loan | Note], shift: int) -> None:
    assert_same_as_core(book, date(2024, 6, 30) + timedelta(days=shift))


@settings(max_examples=300, deadline=None)
@given(instruments(), st.integers(0, 900))
def test_valid_books_in_integer_columns_take_the_kernel(
    instrument: Loan | Note, shift: int
) -> None:
    """Only what has no integer column (strings, a seventh place) and refusals go to the core."""
    as_of = as_of_for(instrument, shift)
    if isinstance(core_or_error(instrument, as_of), tuple):
        return
    rates = [instrument.terms.annual_rate] + [
        event.annual_rate for event in instrument.events if isinstance(event, RateChange)
    ]
    amounts = [
        getattr(event, name, 0)
        for event in instrument.events
        for name in ("amount", "principal", "interest")
    ]
    columns = book_columns([instrument], as_of)
    in_columns = all(isinstance(r, Decimal) and r == round(r, 6) for r in rates)
    if not in_columns:
        return
    years = (as_of - instrument.events[0].date).days / 365
    compounds = instrument.terms.compounding is not Compounding.SIMPLE
    inside_bound = (  # far inside the overflow bound (portfolio/kernel.py)
        max(amounts, default=0) < 10**8
        and years < (10 if compounds else 40)
        and (not compounds or max(rates) <= Decimal("0.25"))
    )
    if inside_bound:
        assert columns.core_path == ()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(instruments(), broken()), min_size=1, max_size=8), st.integers(-300, 900))
def test_every_row_is_the_core_or_its_error_and_reads_back_whole(
    book: list[Loan | Note], shift: int
) -> None:
    as_of = as_of_for(book[0], shift)
    columns = book_of(book)
    found = positions(columns, as_of, exact=True, instrument_of=book.__getitem__)
    assert found.exact is not None
    for row, instrument in enumerate(book):
        back = instrument_at(columns, row)
        assert (back.id, back.terms, back.events) == (
            instrument.id,
            instrument.terms,
            instrument.events,
        )
        expected = core_or_error(instrument, as_of)
        if isinstance(expected, tuple):
            assert found.errors[row].code == expected[0]
            assert found.errors[row].message == expected[1]
            continue
        assert row not in found.errors
        assert (found.principal(row), found.interest(row), found.exact[row]) == figures(expected)

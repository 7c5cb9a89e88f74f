"""Exact money: `Decimal` amounts with an explicit currency, and the one rounding point.

No float ever becomes money here: `to_decimal` refuses floats, and amounts are
carried exactly (as `Decimal` or, for accrued interest, as `Fraction`) until
`round_money` turns them into reportable cents. That function is the single
rounding point of the product; its mode defaults to half-up, and an instrument's
terms may name another.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import (
    ROUND_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
    InvalidOperation,
    localcontext,
)
from fractions import Fraction
from typing import Final

from acquittance.core.conventions import ROUNDING_RULES, round_quotient
from acquittance.core.errors import InputError

CENT: Final = Decimal("0.01")
ZERO: Final = Decimal("0.00")

#: Rounding modes an instrument's terms may name (the convention table's), mapped to
#: `decimal` modes for amounts already in `Decimal`.
ROUNDING_MODES: Final[dict[str, str]] = {
    "half-up": ROUND_HALF_UP,
    "half-even": ROUND_HALF_EVEN,
    "down": ROUND_DOWN,
    "up": ROUND_UP,
}
DEFAULT_ROUNDING: Final = "half-up"
assert set(ROUNDING_MODES) == set(ROUNDING_RULES), "a rounding mode the table does not describe"
#: Amounts at or above this are refused: far past any real balance, and below the
#: point where the default decimal context could no longer quantize to the cent.
AMOUNT_MAX: Final = Decimal(10) ** 18


def to_decimal(value: object, *, field: str = "amount") -> Decimal:
    """Build a Decimal from a string, int or Decimal; refuse floats and junk."""
    if isinstance(value, (bool, float)):
        raise InputError(
            "FLOAT_AMOUNT",
            f"{field} {value!r} is a binary float; write it as a decimal string such as "
            f'"{value}" so that no cent is lost',
        )
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        result = _parse_amount_text(value, field=field)
    else:
        raise _not_a_number(field, value)
    if not result.is_finite():
        raise InputError("INVALID_AMOUNT", f"{field} {value!r} is not a finite number")
    if abs(result) >= AMOUNT_MAX:
        raise InputError(
            "AMOUNT_TOO_LARGE",
            f"{field} {value!r} is beyond the largest amount kept ({AMOUNT_MAX:,})",
        )
    return result


def _parse_amount_text(value: str, *, field: str) -> Decimal:
    """Decimal text, ungrouped (17500000.00) or grouped by thousands (17,500,000.00).

    Grouping is strict: one separator (a comma, or an underscore as in Python and
    TOML), a first group of one to three digits and then groups of exactly three,
    before the decimal point only. "1,7,5", "12,34" and "1,,000" are refused, not
    read as 175, 1234 and 1000. Digits are ASCII only (Decimal alone would also
    take other scripts' digits).
    """
    text = value.strip()
    if not text.isascii():
        raise _not_a_number(field, value)
    for separator in (",", "_"):
        if separator in text:
            text = _ungrouped(text, separator, field=field, value=value)
    try:
        return Decimal(text)
    except InvalidOperation:
        raise _not_a_number(field, value) from None


def _ungrouped(text: str, separator: str, *, field: str, value: str) -> str:
    sign = text[0] if text[:1] in ("+", "-") else ""
    whole, point, fraction = text[len(sign) :].partition(".")
    groups = whole.split(separator)
    well_grouped = (
        1 <= len(groups[0]) <= 3
        and all(len(group) == 3 for group in groups[1:])
        and all(group.isdigit() for group in groups)
        and (not point or fraction.isdigit())
    )
    if not well_grouped:
        raise InputError(
            "INVALID_AMOUNT",
            f"{field} {value!r} is not grouped by thousands; write it like 17,500,000.00 "
            "or without separators, 17500000.00",
        )
    return sign + "".join(groups) + point + fraction


def _not_a_number(field: str, value: object) -> InputError:
    return InputError(
        "INVALID_AMOUNT", f"{field} {value!r} is not a number; write it like 17500000.00"
    )


def round_money(
    value: Decimal | Fraction | int, *, rounding: str = DEFAULT_ROUNDING, quantum: Decimal = CENT
) -> Decimal:
    """The rounding point: an exact value to the quantum (the cent) in the named mode."""
    if rounding not in ROUNDING_MODES:
        raise InputError(
            "UNKNOWN_ROUNDING",
            f"rounding mode {rounding!r} is not known; use one of {', '.join(ROUNDING_MODES)}",
        )
    mode = ROUNDING_MODES[rounding]
    if isinstance(value, Fraction):
        # Exact: scale to whole quanta, then round the one remaining fraction.
        places = _decimal_places(quantum)
        if places is not None:
            # A quantum of 10**-places: whole quanta are the digits, the exponent is -places.
            scale = 10**places
            whole = round_quotient(value.numerator * scale, value.denominator, rounding)
            if abs(whole) < _EXACT_DIGITS_MAX:
                return Decimal(whole).scaleb(-places)
        else:
            scaled = value / Fraction(quantum)
            whole = round_quotient(scaled.numerator, scaled.denominator, rounding)
        with localcontext() as context:
            context.prec = _precision_for(len(str(abs(whole))), quantum)
            return (Decimal(whole) * quantum).quantize(quantum)
    exact = Decimal(value)
    with localcontext() as context:
        context.prec = _precision_for(max(exact.adjusted() + 1, 1) + 1, quantum)
        return exact.quantize(quantum, rounding=mode)


#: Whole numbers below this are exact in the default context's 28 digits.
_EXACT_DIGITS_MAX: Final = 10**27


def _decimal_places(quantum: Decimal) -> int | None:
    """n for a quantum written exactly 10**-n (the cent, 0.01: 2), else None.

    By how the quantum is written, not only its value: 0.010 rounds to the
    cent but shows three places, so it takes the general path.
    """
    if quantum is CENT:
        return 2
    sign, digits, exponent = quantum.as_tuple()
    if (sign, digits) != (0, (1,)) or not isinstance(exponent, int) or exponent > 0:
        return None
    return -exponent


def _precision_for(whole_digits: int, quantum: Decimal) -> int:
    """Digits enough to hold a result exactly at `quantum`: quantize raises past the
    context's precision (28 by default), which 200 years of interest shown to 20
    places (an explanation's quantum) would pass."""
    places = max(-quantum.as_tuple().exponent, 0)  # type: ignore[operator]
    return max(28, whole_digits + places + len(quantum.as_tuple().digits) + 1)


def fraction_of(value: Decimal) -> Fraction:
    """The exact Fraction of a Decimal (Decimals are exact; this loses nothing)."""
    return Fraction(value)


# Every leg of every entry names its currency, and a book uses few: a code once found
# valid is valid for good.
_CHECKED_CURRENCIES: set[str] = set()
_CHECKED_CURRENCIES_MAX: Final = 1_000


def check_currency(code: str) -> str:
    """A currency is a three-letter ISO 4217 code, upper case."""
    if type(code) is str and code in _CHECKED_CURRENCIES:
        return code
    if not (isinstance(code, str) and len(code) == 3 and code.isalpha() and code.isupper()):
        raise InputError(
            "INVALID_CURRENCY", f"currency {code!r} is not a three-letter ISO code such as USD"
        )
    if type(code) is str and len(_CHECKED_CURRENCIES) < _CHECKED_CURRENCIES_MAX:
        _CHECKED_CURRENCIES.add(code)
    return code


@dataclass(frozen=True, order=True)
class Money:
    """An amount of one currency. Arithmetic across currencies is refused."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            object.__setattr__(self, "amount", to_decimal(self.amount))
        check_currency(self.currency)

    @classmethod
    def of(cls, amount: object, currency: str) -> Money:
        return cls(to_decimal(amount), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(ZERO, currency)

    def _same(self, other: Money) -> None:
        if self.currency != other.currency:
            raise InputError(
                "CURRENCY_MISMATCH",
                f"cannot combine {self.currency} with {other.currency}; "
                "every amount of one loan or settlement must be in one currency",
            )

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def is_zero(self) -> bool:
        return self.amount == 0

    def __str__(self) -> str:
        return f"{format_amount(self.amount)} {self.currency}"


def format_amount(amount: Decimal) -> str:
    """17500000.00 -> '17,500,000.00' (for people; JSON carries plain strings)."""
    return f"{amount.quantize(CENT, rounding=ROUND_HALF_UP):,}"


def amount_text(amount: Decimal) -> str:
    """The decimal string used in JSON and storage: two places, no grouping."""
    return str(amount.quantize(CENT, rounding=ROUND_HALF_UP))

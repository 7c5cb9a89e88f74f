"""Amounts in words, both ways, in the forms legal agreements use.

`amount_to_words(Decimal("17500000.00"))` gives
"Seventeen Million Five Hundred Thousand and 00/100 Dollars"; `words_to_amount`
reads that back, and also "... and No/100 Dollars", "one hundred and five",
"forty-one cents" and "twelve point five". General-purpose libraries misread
these forms (see DESIGN.md, Notes from the field), so the grammar is ours: it is
strict, and anything that is not wholly a number phrase gives None rather than
a guess, because a wrong number here would silently hide a discrepancy.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Final

from acquittance.core.errors import InputError

_UNITS: Final = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS: Final = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_SCALES: Final = (("trillion", 10**12), ("billion", 10**9), ("million", 10**6), ("thousand", 1000))

_UNIT_VALUE: Final = {word: index for index, word in enumerate(_UNITS)}
_TENS_VALUE: Final = {word: 20 + 10 * index for index, word in enumerate(_TENS)}
_SCALE_VALUE: Final = dict(_SCALES)
_TENS_VALUE["fourty"] = 40  # a common misspelling in filed agreements

#: The largest amount either direction handles: below one quadrillion.
AMOUNT_MAX: Final = Decimal(10**15) - Decimal("0.01")
#: Longest phrase `words_to_amount` will look at; number phrases are short.
PHRASE_LENGTH_MAX: Final = 400

# Words that may surround a number phrase without changing its value.
_NOISE: Final = frozenset(
    [
        "dollars",
        "dollar",
        "u.s.",
        "us",
        "united",
        "states",
        "of",
        "america",
        "lawful",
        "money",
        "usd",
        "only",
        "exactly",
        "the",
        "sum",
    ]
)
_FRACTION: Final = re.compile(r"^([0-9]{1,2}|no|xx|zero)/100$")


def amount_to_words(amount: Decimal, *, currency_word: str = "Dollars") -> str:
    """Decimal("17500000.00") -> "Seventeen Million Five Hundred Thousand and 00/100 Dollars"."""
    cents_total = _whole_cents(amount)
    dollars, cents = divmod(cents_total, 100)
    words = _integer_words(dollars) if dollars else "Zero"
    suffix = f" {currency_word}" if currency_word else ""
    return f"{words} and {cents:02d}/100{suffix}"


def _whole_cents(amount: Decimal) -> int:
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise InputError("INVALID_AMOUNT", f"{amount!r} is not a decimal amount such as 155388.68")
    if amount < 0 or amount > AMOUNT_MAX:
        raise InputError(
            "AMOUNT_OUT_OF_RANGE",
            f"{amount} cannot be written in words; use an amount from 0.00 to {AMOUNT_MAX}",
        )
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise InputError(
            "INVALID_AMOUNT",
            f"{amount} has fractions of a cent; round it to the cent before writing it in words",
        )
    return int(cents)


def _integer_words(value: int) -> str:
    parts: list[str] = []
    for name, scale in _SCALES:
        group, value = divmod(value, scale)
        if group:
            parts.append(f"{_group_words(group)} {name.capitalize()}")
    if value:
        parts.append(_group_words(value))
    return " ".join(parts)


def _group_words(value: int) -> str:
    """1..999 -> "Three Hundred Eighty-Eight" (no "and": the cents own that word)."""
    hundreds, rest = divmod(value, 100)
    parts = [f"{_UNITS[hundreds].capitalize()} Hundred"] if hundreds else []
    if rest >= 20:
        tens, unit = divmod(rest, 10)
        word = _TENS[tens - 2].capitalize()
        parts.append(f"{word}-{_UNITS[unit].capitalize()}" if unit else word)
    elif rest:
        parts.append(_UNITS[rest].capitalize())
    return " ".join(parts)


def words_to_amount(text: str) -> Decimal | None:
    """The value of a number phrase in words, or None when the text is not one.

    Accepts "Seventeen Million Five Hundred Thousand and 00/100 Dollars",
    "... and No/100 Dollars", "Five Thousand Dollars", "one hundred and five",
    "forty-one cents", "twelve point five"; a figure in parentheses after the
    words is not part of the phrase and makes the answer None.
    """
    if not isinstance(text, str) or not text.strip() or len(text) > PHRASE_LENGTH_MAX:
        return None
    tokens = _tokens(text)
    if not tokens:
        return None
    integer_tokens, cents = _split_cents(tokens)
    if cents is None:
        return None
    integer_tokens = [t for t in integer_tokens if t not in _NOISE]
    if not integer_tokens:
        return None
    value = _parse_decimal_words(integer_tokens)
    if value is None:
        return None
    total = value + cents
    return total if total <= AMOUNT_MAX else None


def _tokens(text: str) -> list[str]:
    cleaned = text.lower().replace("-", " ").replace("\u2010", " ").replace("\u2011", " ")
    cleaned = re.sub(r"[,;:()\"'\u201c\u201d]", " ", cleaned)
    cleaned = re.sub(r"\s*/\s*", "/", cleaned)
    return [t.rstrip(".") if t != "u.s." else t for t in cleaned.split() if t.strip(".")]


def _split_cents(tokens: list[str]) -> tuple[list[str], Decimal | None]:
    """Separate "and 41/100" or "and forty-one cents" from the whole amount."""
    tokens = list(tokens)
    while tokens and tokens[-1] in _NOISE:
        tokens.pop()
    if len(tokens) >= 2 and tokens[-1] in ("cents", "cent") and _FRACTION.match(tokens[-2]):
        tokens.pop()  # "... Dollars and 58/100 Cents": the fraction already says cents
    if tokens and _FRACTION.match(tokens[-1]):
        fraction = tokens.pop()
        numerator = fraction.split("/")[0]
        cents = Decimal(0) if not _is_digits(numerator) else Decimal(int(numerator)) / 100
        return _drop_trailing_and(tokens), cents
    if tokens and tokens[-1] in ("cents", "cent"):
        return _split_spoken_cents(tokens[:-1])
    return tokens, Decimal(0)


def _split_spoken_cents(tokens: list[str]) -> tuple[list[str], Decimal | None]:
    # "... dollars and forty-one cents": the cents are the words after the last "and"
    # or "dollars"; with neither, the whole phrase is cents ("forty-one cents").
    cut = max(
        (i for i, t in enumerate(tokens) if t in ("and", "dollars", "dollar")),
        default=-1,
    )
    cent_words = tokens[cut + 1 :]
    if cent_words == ["no"]:
        cents_whole: int | None = 0
    elif len(cent_words) == 1 and _is_digits(cent_words[0]):
        cents_whole = int(cent_words[0])
    else:
        cents_whole = _parse_integer_words(cent_words)
    if cents_whole is None or cents_whole > 99:
        return tokens, None
    head = _drop_trailing_and(tokens[: max(cut, 0)]) if cut >= 0 else ["zero"]
    return head or ["zero"], Decimal(cents_whole) / 100


def _drop_trailing_and(tokens: list[str]) -> list[str]:
    while tokens and tokens[-1] in ("and", "dollars", "dollar"):
        tokens = tokens[:-1]
    return tokens


def _parse_decimal_words(tokens: list[str]) -> Decimal | None:
    """Whole words, optionally "point" and digit words ("twelve point five")."""
    if "point" not in tokens:
        whole = _parse_integer_words(tokens)
        return None if whole is None else Decimal(whole)
    at = tokens.index("point")
    whole = _parse_integer_words(tokens[:at]) if at else 0
    digits = [_UNIT_VALUE.get(t) for t in tokens[at + 1 :]]
    if whole is None or not digits or any(d is None or d > 9 for d in digits):
        return None
    return Decimal(f"{whole}." + "".join(str(d) for d in digits))


def _parse_integer_words(tokens: list[str]) -> int | None:
    """Scaled groups in descending order: "seventeen million five hundred thousand"."""
    if not tokens:
        return None
    total, group, last_scale = 0, [], 10**18
    for token in tokens:
        scale = _SCALE_VALUE.get(token)
        if scale is None:
            group.append(token)
            continue
        value = _parse_group(group)
        if value is None or value == 0 or scale >= last_scale:
            return None
        total, group, last_scale = total + value * scale, [], scale
    if group:
        value = _parse_group(group)
        if value is None:
            return None
        total += value
    return total


def _parse_group(tokens: list[str]) -> int | None:
    """A number below 1000 (or "twenty-five hundred"): hundreds, optional "and", the rest."""
    tokens = [t for t in tokens if t != "a"] if tokens[:1] == ["a"] else tokens
    if "hundred" in tokens:
        at = tokens.index("hundred")
        multiplier = _parse_below_hundred(tokens[:at]) if at else 1
        rest_tokens = tokens[at + 1 :]
        if rest_tokens[:1] == ["and"]:
            rest_tokens = rest_tokens[1:]
        rest = _parse_below_hundred(rest_tokens) if rest_tokens else 0
        if multiplier is None or multiplier == 0 or rest is None:
            return None
        return multiplier * 100 + rest
    return _parse_below_hundred(tokens)


def _parse_below_hundred(tokens: list[str]) -> int | None:
    if len(tokens) == 1 and _is_digits(tokens[0]) and len(tokens[0]) <= 2:
        return int(tokens[0])
    if len(tokens) == 1:
        return _UNIT_VALUE.get(tokens[0], _TENS_VALUE.get(tokens[0]))
    if len(tokens) == 2 and tokens[0] in _TENS_VALUE:
        unit = _UNIT_VALUE.get(tokens[1])
        if unit is not None and 1 <= unit <= 9:
            return _TENS_VALUE[tokens[0]] + unit
    return None


def _is_digits(token: str) -> bool:
    # ASCII only: str.isdigit() also accepts superscripts that int() refuses.
    return token.isascii() and token.isdigit()

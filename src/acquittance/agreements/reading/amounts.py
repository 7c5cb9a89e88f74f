"""Money figures and percentages in the text, with the words that accompany them.

A figure is "$17,500,000.00", "US$ 5,000", "USD 1,000.50", "$5 million" or
"EUR 100"; its `text` is exactly what the document says at its offsets. When
words precede a figure in parentheses ("Five Thousand Dollars ($5,000)") or
follow it ("$5,000 (five thousand dollars)"), their value is kept as `words`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final

from acquittance.agreements.numwords import words_to_amount

#: Most figures one document may yield; a bound on work, far above any agreement.
FIGURES_MAX: Final = 5000

_SYMBOLS: Final = {"$": "USD", "US$": "USD", "U.S.$": "USD", "€": "EUR", "£": "GBP"}
_CODES: Final = ("USD", "EUR", "GBP", "CAD", "AUD", "CHF", "JPY")
# "2,000,000.00", European "2.000.000,00" (a decimal comma, or two dot groups), "2000000.00".
_NUMBER = (
    r"\d{1,3}(?:,\d{3})+(?:\.\d{1,2})?(?![\d])"
    r"|\d{1,3}(?:\.\d{3})+,\d{2}(?![\d,.]\d)|\d{1,3}(?:\.\d{3}){2,}(?![\d,.]\d)"
    r"|\d+(?:\.\d{1,2})?(?![\d,]\d)"
)
_SCALE = r"(?:\s+(?P<scale{n}>million|billion|thousand))?"
FIGURE: Final = re.compile(
    rf"(?P<symbol>U\.S\.\s?\$|US\$|\$|€|£)\s?(?P<n1>{_NUMBER}){_SCALE.format(n=1)}"
    rf"|\b(?P<code>{'|'.join(_CODES)})\s?(?P<n2>{_NUMBER}){_SCALE.format(n=2)}",
)
_SCALES: Final = {"thousand": 1000, "million": 10**6, "billion": 10**9}
_WORD = (
    r"(?:[A-Za-z]+(?:-[A-Za-z]+)?|[0-9]{1,2}/100|No/100|no/100|U\.S\.)"  # a number word or cents
)
_WORD_TOKEN = re.compile(_WORD)
_WORDS_AFTER = re.compile(rf"^\s*\(\s*((?:{_WORD}[ \t\n,]+)*{_WORD})[ \t\n]*\)")
PERCENT: Final = re.compile(
    r"(?<![\d.])(?P<n>\d{1,3}(?:\.\d{1,4})?)\s?(?:%|percent\b|per\s+cent\b)", re.IGNORECASE
)


@dataclass(frozen=True)
class Figure:
    """A money figure found in the text, before any role is given to it."""

    value: Decimal
    currency: str
    start: int
    end: int
    words: Decimal | None
    words_start: int | None
    words_end: int | None
    # Where an amount-in-words phrase before "(figure)" starts, even one too garbled
    # to read ("Seventy~Seven"): the sentence before it is the figure's context.
    phrase_start: int | None = None


def figures(text: str) -> list[Figure]:
    """Every money figure in `text`, in order (at most FIGURES_MAX)."""
    found: list[Figure] = []
    for match in FIGURE.finditer(text):
        figure = _figure(text, match)
        if figure is not None:
            found.append(figure)
        if len(found) >= FIGURES_MAX:
            break
    return found


def _figure(text: str, match: re.Match[str]) -> Figure | None:
    number = _plain_number(match.group("n1") or match.group("n2") or "")
    try:
        value = Decimal(number)
    except InvalidOperation:
        return None
    scale = match.group("scale1") or match.group("scale2")
    if scale:
        # "$1.2 million" says 1,200,000 exactly, in the cents every amount is given in.
        value = (value * _SCALES[scale.lower()]).quantize(Decimal("0.01"))
    symbol = match.group("symbol")
    currency = _SYMBOLS.get(re.sub(r"\s", "", symbol), "USD") if symbol else match.group("code")
    words, words_start, words_end = _accompanying_words(text, match.start(), match.end())
    phrase_start = _number_phrase_start(text, match.start())
    tail_only = (
        words is not None
        and words_start is not None
        and phrase_start is not None
        and phrase_start < words_start < match.start()
    )
    if tail_only:
        # Only the tail of a longer, unreadable number phrase parsed: not its words.
        words, words_start, words_end = None, None, None
    return Figure(
        value, currency, match.start(), match.end(), words, words_start, words_end, phrase_start
    )


_NUMBER_ROOT = re.compile(
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|teen|twenty|thirty"
    r"|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion)",
    re.IGNORECASE,
)
_PHRASE_GLUE = re.compile(r"(?:and|dollars?|u\.s\.|no/100|\d{1,2}/100)[,]?", re.IGNORECASE)


def _number_phrase_start(text: str, start: int) -> int | None:
    """Start of the run of number words just before "(" at the figure, if there is one."""
    chunk = text[max(0, start - 300) : start]
    head = chunk.rstrip()
    if not head.endswith("("):
        return None
    tokens = list(re.finditer(r"\S+", head[:-1]))
    first = len(tokens)
    while first > 0:
        token = tokens[first - 1].group()
        if not (_NUMBER_ROOT.search(token) or _PHRASE_GLUE.fullmatch(token)):
            break
        first -= 1
    if first == len(tokens) or not any(_NUMBER_ROOT.search(t.group()) for t in tokens[first:]):
        return None
    return start - len(chunk) + tokens[first].start()


def _plain_number(number: str) -> str:
    """ "2.000.000,00" -> "2000000.00", "2,000,000.00" -> "2000000.00"."""
    if re.fullmatch(r"[\d.]+,\d{2}|\d{1,3}(?:\.\d{3}){2,}", number):
        return number.replace(".", "").replace(",", ".")
    return number.replace(",", "")


def _accompanying_words(
    text: str, start: int, end: int
) -> tuple[Decimal | None, int | None, int | None]:
    before = _words_before(text, start)
    closes = re.match(r"\s*\)", text[end : end + 5])
    if before is not None and closes:
        words_start, phrase = before
        found = _longest_number_suffix(phrase)
        if found is not None:
            value, offset = found
            return value, words_start + offset, words_start + len(phrase.rstrip(" ,\n\t"))
    after = _WORDS_AFTER.match(text[end : end + 300])
    if after:
        words = words_to_amount(after.group(1))
        if words is not None:
            return words, end + after.start(1), end + after.end(1)
    return None, None, None


def _words_before(text: str, start: int) -> tuple[int, str] | None:
    """(offset, phrase) of the word tokens just before "(" that opens at the figure."""
    chunk = text[max(0, start - 300) : start]
    stripped = chunk.rstrip()
    if not stripped.endswith("("):
        return None
    head = stripped[:-1].rstrip()
    tokens = list(re.finditer(r"\S+", head))
    first = len(tokens)
    while first > 0 and _WORD_TOKEN.fullmatch(tokens[first - 1].group().rstrip(",")):
        first -= 1
    if first == len(tokens):
        return None
    begin = tokens[first].start()
    return start - len(chunk) + begin, head[begin:]


def _longest_number_suffix(phrase: str) -> tuple[Decimal, int] | None:
    """The longest tail of `phrase` that is a number phrase ("the sum of Five Thousand Dollars")."""
    starts = [m.start() for m in re.finditer(r"\S+", phrase)]
    for offset in starts:
        tail = phrase[offset:].rstrip(" ,\n\t")
        value = words_to_amount(tail)
        if value is not None and _has_number_word(tail):
            return value, offset
    return None


def _has_number_word(phrase: str) -> bool:
    # "Dollars ($5,000)" alone is no number phrase, whatever the noise words allow.
    return bool(
        re.search(
            r"\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen"
            r"|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million"
            r"|billion|trillion)\b",
            phrase,
            re.IGNORECASE,
        )
    )


@dataclass(frozen=True)
class Percent:
    value: Decimal
    start: int
    end: int


def percents(text: str) -> list[Percent]:
    """Percentages ("6.5%", "10 percent"), at most FIGURES_MAX."""
    found = []
    for match in PERCENT.finditer(text):
        found.append(Percent(Decimal(match.group("n")), match.start(), match.end()))
        if len(found) >= FIGURES_MAX:
            break
    return found

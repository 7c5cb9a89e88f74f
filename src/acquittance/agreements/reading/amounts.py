"""Money figures and percentages in the text, with the words that accompany them.

A figure is "$17,500,000.00", "US$ 5,000", "USD 1,000.50", "$5 million" or
"EUR 100"; its `text` is exactly what the document says at its offsets. When
words precede a figure in parentheses ("Five Thousand Dollars ($5,000)") or
follow it ("$5,000 (five thousand dollars)"), their value is kept as `words`.

A figure needs a currency: a symbol, a code or, for an amount written only in
words, the currency's name ("Five Thousand Dollars"). What only looks like one
is left out: a citation ("Civil Code $1542", as OCR reads "§1542"), an exhibit
number, and digits spaced apart by OCR ("$ 1 2 3"), which no reading can trust.
Decimals are kept as written: "$0.001" is 0.001, never 0.00.
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
    r"|\d+(?:\.\d{1,9})?(?![\d,]\d)"
)
_SCALE = r"(?:\s+(?P<scale{n}>million|billion|thousand))?"
# Each pattern opens with a look-ahead for its possible first characters: the search
# then skips the text that cannot start a match instead of trying every position.
FIGURE: Final = re.compile(
    rf"(?=[U$€£{''.join(sorted({code[0] for code in _CODES}))}])"
    rf"(?:(?P<symbol>U\.S\.\s?\$|US\$|\$|€|£)\s?(?P<n1>{_NUMBER}){_SCALE.format(n=1)}"
    rf"|\b(?P<code>{'|'.join(_CODES)})\s?(?P<n2>{_NUMBER}){_SCALE.format(n=2)})",
)
_SCALES: Final = {"thousand": 1000, "million": 10**6, "billion": 10**9}
_WORD = (
    r"(?:[A-Za-z]+(?:-[A-Za-z]+)?|[0-9]{1,2}/100|No/100|no/100|U\.S\.)"  # a number word or cents
)
_WORD_TOKEN = re.compile(_WORD)
_WORDS_AFTER = re.compile(rf"^\s*\(\s*((?:{_WORD}[ \t\n,]+)*{_WORD})[ \t\n]*\)")
PERCENT: Final = re.compile(
    r"(?=\d)(?<![\d.])(?P<n>\d{1,3}(?:\.\d{1,4})?)\s?(?:%|percent\b|per\s+cent\b)", re.IGNORECASE
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
        if _not_money(text, match):
            continue
        figure = _figure(text, match)
        if figure is not None:
            found.append(figure)
        if len(found) >= FIGURES_MAX:
            break
    found += _amounts_in_words(text, found)
    return sorted(found, key=lambda f: f.start)[:FIGURES_MAX]


# "Civil Code $1542", "11 U.S.C. $1159", "Rule $240.14a-8": OCR reads "§" as "$".
_CITATION_BEFORE = re.compile(
    r"(?:\b(?:code|u\.\s?s\.\s?c|c\.\s?f\.\s?r|section|sections|sec|rule|rules|article|title"
    r"|chapter|act|statutes?|regulations?|exhibit|schedule|annex|appendix|no|nos)\.?|§|\$|#)"
    r"[ \t]*$",
    re.IGNORECASE,
)
_CITATION_AFTER = re.compile(
    r"^(?:\([a-z0-9]{1,3}\)|\.\d|-\d|[A-Za-z]{1,2}-\d|\s+of\s+the\s+[A-Z][\w ]{0,30}Code)"
)
# Digits a space apart ("$ 1 2 3 4", "$12 345 678" from a bad scan) or a group that
# runs on past the figure: the figure's true digits are unknown.
_SPACED_AFTER = re.compile(r"^[ \u00a0]\d")


def _not_money(text: str, match: re.Match[str]) -> bool:
    """Whether a match only looks like money: a citation, an exhibit number, spaced digits."""
    before = text[max(0, match.start() - 24) : match.start()]
    after = text[match.end() : match.end() + 40]
    if match.group("symbol") == "$" and (
        _CITATION_BEFORE.search(before) or _CITATION_AFTER.match(after)
    ):
        return True
    return (
        bool(_SPACED_AFTER.match(after)) and not match.group("scale1") and not match.group("scale2")
    )


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
        if not (_NUMBER_ROOT.match(token) or _PHRASE_GLUE.fullmatch(token)):
            break
        first -= 1
    if first == len(tokens) or not any(_NUMBER_ROOT.match(t.group()) for t in tokens[first:]):
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


# An amount written only in words names its currency: "Five Thousand Dollars",
# "two million euros". Words followed by a figure in parentheses, or in parentheses
# after one, are that figure's words and not an amount of their own.
_CURRENCY_WORD = re.compile(
    r"\b(?:(?:U\.\s?S\.\s?|United\s+States\s+)?(?P<usd>dollars?)|(?P<eur>euros?)"
    r"|(?P<gbp>pounds?\s+sterling))\b",
    re.IGNORECASE,
)
_FIGURE_NEXT = re.compile(r"^[ \t\n]*(?:\(|\[)?[ \t]*(?:U\.S\.\s?\$|US\$|\$|€|£|USD|EUR|GBP)")
_FRACTION_TAIL = re.compile(r"^[ \t]+and[ \t]+(?:\d{1,2}|no)/100\b", re.IGNORECASE)
WORDS_PHRASE_CHARS_MAX: Final = 240


def _amounts_in_words(text: str, found: list[Figure]) -> list[Figure]:
    """Amounts written only in words, outside the words that accompany a figure."""
    claimed = [
        (
            min(f.start, f.words_start or f.start, f.phrase_start or f.start),
            max(f.end, f.words_end or 0),
        )
        for f in found
    ]
    result: list[Figure] = []
    lowered = text.lower()
    for cue in ("dollar", "euro", "sterling"):
        at = lowered.find(cue)
        while at >= 0 and len(result) < FIGURES_MAX:
            figure = _words_figure(text, at, claimed)
            if figure is not None:
                result.append(figure)
                claimed.append((figure.start, figure.end))
            at = lowered.find(cue, at + len(cue))
    return result


def _words_figure(text: str, at: int, claimed: list[tuple[int, int]]) -> Figure | None:
    currency = _CURRENCY_WORD.match(text, max(0, at - 16), at + 20) or _currency_at(text, at)
    if currency is None:
        return None
    end = currency.end()
    if any(start <= at < stop for start, stop in claimed) or _FIGURE_NEXT.match(
        text[end : end + 12]
    ):
        return None
    head = text[max(0, currency.start() - WORDS_PHRASE_CHARS_MAX) : currency.start()]
    last = head.rsplit(None, 1)[-1] if head.strip() else ""
    if not (_NUMBER_ROOT.match(last) or re.fullmatch(r"(?:\d{1,2}|no|xx)/100", last, re.I)):
        return None  # most "dollars" in a contract follow no number word at all
    found = _longest_number_suffix(head.rstrip() + " " + currency.group())
    if found is None:
        return None
    value, offset = found
    start = max(0, currency.start() - WORDS_PHRASE_CHARS_MAX) + offset
    if text[start - 1 : start] == "(" or any(s <= start < e for s, e in claimed):
        return None  # "$5,000 (five thousand dollars)": the figure's own words
    code = "EUR" if currency.group("eur") else "GBP" if currency.group("gbp") else "USD"
    return Figure(value, code, start, end, None, None, None)


def _currency_at(text: str, at: int) -> re.Match[str] | None:
    # The cue may sit inside "U.S. Dollars": the name starts a little before it.
    for back in (0, 5, 6, 14):
        found = _CURRENCY_WORD.match(text, max(0, at - back))
        if found is not None and found.start() <= at < found.end():
            return found
    return None

"""The text around each figure that its role is judged on.

A figure's context is its sentence, the words before it (all of them, and those
since the previous figure), the words after it, and, for an item of a list or a
row of a table, the words that introduce the list or head the column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from acquittance.agreements.reading.amounts import Figure
from acquittance.agreements.reading.segments import sentence_bounds


@dataclass(frozen=True)
class Context:
    """The text around one figure: its sentence, before it (since the last figure), after it."""

    sentence: str
    before: str
    since_figure: str
    after: str
    lead: str = ""  # for an item of a list, the words that introduce the list
    column: str = ""  # for a figure in a table row, the header of its column


def contexts(
    text: str, units: Sequence[tuple[int, int]], figures: Sequence[Figure]
) -> list[Context]:
    """The context of each figure, in the order of `figures`."""
    result = []
    for index, figure in enumerate(figures):
        sentence_start, sentence_end = _sentence_of(text, units, figure.start)
        previous_end = figures[index - 1].end if index else 0
        since = max(sentence_start, previous_end)
        # Words before the figure ("Five Thousand Dollars ($5,000)") belong to it; words
        # after it do not end what comes before it.
        words_before = figure.words_start is not None and figure.words_start < figure.start
        first = figure.words_start if words_before and figure.words_start else figure.start
        if figure.phrase_start is not None:
            first = min(first, figure.phrase_start)
        result.append(
            Context(
                sentence=text[sentence_start:sentence_end],
                before=text[sentence_start:first],
                since_figure=text[since:first] if since <= first else "",
                after=text[_end_of_words(figure) : sentence_end],
                lead=_lead_in(text, sentence_start),
                column=_column_header(text, figure.start),
            )
        )
    return result


_LIST_ITEM = re.compile(r"\s*\(?(?:[ivx]{1,4}|[a-z]|\d{1,2})\)\s")
LEAD_IN_CHARS_MAX = 1500
# An item ends with ";", "; and" or "; or"; a table row is a line with cells.
_ITEM_END = re.compile(r";(?:\s+(?:and|or))?\s*$")
_TABLE_LINE = re.compile(r"^[^\n|]*\|[^\n]*$", re.MULTILINE)


def _lead_in(text: str, sentence_start: int) -> str:
    """ "the following notes (the "Pledged Notes"): (i) ...; (ii) ...": the words before the
    colon say what each item is, when the item itself does not. An item is a numbered
    entry, anything right after the colon or after an earlier item's ";", or a table row."""
    floor = max(0, sentence_start - LEAD_IN_CHARS_MAX)
    head = text[floor:sentence_start].rstrip()
    line_end = text.find("\n", sentence_start, sentence_start + 400)
    row = text[sentence_start : line_end if line_end >= 0 else sentence_start + 400]
    is_row = "|" in row
    if not (
        _LIST_ITEM.match(text, sentence_start)
        or head.endswith(":")
        or _ITEM_END.search(head)
        or is_row
    ):
        return ""
    colon = text.rfind(":", floor, sentence_start)
    if colon < 0:
        return ""
    between = text[colon + 1 : sentence_start]
    if between.strip() and not _only_items(between):
        return ""
    begin = max(text.rfind(". ", floor, colon), text.rfind("\n\n", floor, colon), floor)
    return text[begin:colon]


def _only_items(between: str) -> bool:
    """Whether `between` (after a colon) holds only earlier items of the same list."""
    if _LIST_ITEM.match(between):
        return True
    rest = _TABLE_LINE.sub("", between)
    if not rest.strip():
        return True  # rows of a table (a header and earlier rows)
    return (
        "\n\n" not in rest
        and bool(_ITEM_END.search(rest.rstrip()))
        and not re.search(r"[a-z0-9)]\.\s+[A-Z]", rest)
    )


def _column_header(text: str, at: int) -> str:
    """In a table row ("Note No. 1 | $410,000.00 | $16,400.00"), the header cell above."""
    line_start = text.rfind("\n", max(0, at - 400), at) + 1
    line_end = text.find("\n", at, at + 400)
    line = text[line_start : line_end if line_end >= 0 else at + 400]
    if "|" not in line:
        return ""
    cell = text[line_start:at].count("|")
    floor = max(0, line_start - 1200)
    for header in reversed(list(_TABLE_LINE.finditer(text, floor, line_start))):
        cells = [c.strip() for c in header.group().split("|")]
        if not any(re.search(r"\d", c) for c in cells):
            return cells[cell] if cell < len(cells) else ""
    return ""


def _end_of_words(figure: Figure) -> int:
    # "$150,000.00 (One Hundred Fifty Thousand Dollars) in partial satisfaction": what the
    # sentence says of the figure starts after its words.
    words_after = figure.words_start is not None and figure.words_start > figure.start
    return max(figure.end, figure.words_end or 0) if words_after else figure.end


def _sentence_of(text: str, units: Sequence[tuple[int, int]], at: int) -> tuple[int, int]:
    for start, end in units:
        if start <= at < end:
            for s, e in sentence_bounds(text, start, end):
                if s <= at < e:
                    return s, e
            return start, end
    return max(0, at - 300), min(len(text), at + 300)

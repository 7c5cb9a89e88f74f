"""Stated totals and the parts listed beside them.

"$1,408,047.34 (the Payoff Amount) consisting of: $1,400,000 in principal,
$4,758.45 in accrued interest, $1,288.89 in fees and $2,000.00 in costs" states a
total and its parts; so does "$1,350,000.00 in principal and $27,675.00 in
interest, for a total of $1,377,675.00". The parts are the figures of the same
sentence (or list) on the other side of the cue, in the same currency.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from acquittance.agreements.reading.model import Amount

PARTS_MAX: Final = 12
LIST_CHARS_MAX: Final = 1200

# A total followed by its parts.
_PARTS_FOLLOW = re.compile(
    r"^[^.;$]{0,80}?\b(?:consisting\s+of|comprised\s+of|comprising|made\s+up\s+of|composed\s+of"
    r"|broken\s+down\s+as\s+follows|itemi[sz]ed\s+as\s+follows|as\s+follows)\b\s*:?",
    re.IGNORECASE,
)
# Parts followed by their total.
_TOTAL_FOLLOWS = re.compile(
    r"\b(?:for\s+a\s+total\s+(?:amount\s+)?of|for\s+an\s+aggregate\s+(?:amount\s+)?of"
    r"|totall?ing|in\s+the\s+aggregate\s+(?:amount\s+)?of|(?:a|the)\s+(?:grand\s+)?total\s+of"
    r"|which\s+(?:total|equal)s?|together\s+totall?ing)\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class StatedTotal:
    amount: Amount
    parts: tuple[Amount, ...]

    @property
    def parts_sum(self) -> Decimal:
        return sum((p.value for p in self.parts), Decimal(0))


def stated_totals(text: str, amounts: Sequence[Amount]) -> list[StatedTotal]:
    """Every total the text states with at least two parts beside it."""
    body = sorted((a for a in amounts if a.schedule is None), key=lambda a: a.start)
    found = []
    for index, amount in enumerate(body):
        after = text[amount.end : amount.end + 200]
        if _PARTS_FOLLOW.match(after):
            parts = _following_parts(text, body[index + 1 :], amount)
            if len(parts) >= 2:
                found.append(StatedTotal(amount, tuple(parts)))
        elif index >= 2 and _TOTAL_FOLLOWS.search(text[max(0, amount.start - 60) : amount.start]):
            parts = _preceding_parts(text, body[:index], amount)
            if len(parts) >= 2:
                found.append(StatedTotal(amount, tuple(parts)))
    return found


def _following_parts(text: str, rest: Sequence[Amount], total: Amount) -> list[Amount]:
    parts: list[Amount] = []
    previous_end = total.end
    for amount in rest[:PARTS_MAX]:
        gap = text[previous_end : amount.start]
        if amount.start - total.end > LIST_CHARS_MAX or _list_ends(gap, first=not parts):
            break
        if amount.currency == total.currency:
            parts.append(amount)
        previous_end = amount.end
    return parts


def _list_ends(gap: str, *, first: bool) -> bool:
    # A list runs on through commas, "and", line breaks and item labels; a full stop
    # followed by a new sentence ("Please note that ...") or a blank line ends it.
    if "\n\n" in gap.strip("\n") and not first:
        return True
    return bool(re.search(r"[a-z0-9)\]]\.\s+[A-Z]", gap))


def _preceding_parts(text: str, before: Sequence[Amount], total: Amount) -> list[Amount]:
    parts: list[Amount] = []
    next_start = total.start
    for amount in reversed(before[-PARTS_MAX:]):
        gap = text[amount.end : next_start]
        if total.start - amount.end > LIST_CHARS_MAX or _list_ends(gap, first=not parts):
            break
        if amount.currency == total.currency:
            parts.insert(0, amount)
        next_start = amount.start
    return parts

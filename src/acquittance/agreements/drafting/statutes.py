"""Statutory text an agreement quotes, with the dates each wording is in force.

A release that waives California Civil Code section 1542 quotes the section;
the quote must be the wording in force when the agreement is made. Section
1542 was amended effective January 1, 2019 to reach a "releasing party" and a
"released party" as well as a creditor and a debtor; an agreement dated before
then quotes the earlier wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final


@dataclass(frozen=True)
class Wording:
    """One wording of a statute and the first day it is in force (None: before any other)."""

    in_force_from: date | None
    text: str


#: California Civil Code section 1542, oldest wording first.
CIVIL_CODE_1542: Final = (
    Wording(
        in_force_from=None,
        text=(
            "A general release does not extend to claims which the creditor does not know or "
            "suspect to exist in his or her favor at the time of executing the release, which "
            "if known by him or her must have materially affected his or her settlement with "
            "the debtor."
        ),
    ),
    Wording(
        in_force_from=date(2019, 1, 1),
        text=(
            "A general release does not extend to claims that the creditor or releasing party "
            "does not know or suspect to exist in his or her favor at the time of executing "
            "the release and that, if known by him or her, would have materially affected his "
            "or her settlement with the debtor or released party."
        ),
    ),
)


def wording_on(wordings: tuple[Wording, ...], day: date) -> str:
    """The wording in force on `day`: the latest one that starts on or before it."""
    in_force = [w for w in wordings if w.in_force_from is None or w.in_force_from <= day]
    assert in_force, "the first wording of a statute has no start date"
    return max(in_force, key=lambda w: w.in_force_from or date.min).text


def civil_code_1542(day: date) -> str:
    """The text of California Civil Code section 1542 in force on `day`."""
    return wording_on(CIVIL_CODE_1542, day)

"""The dates acquittance keeps: one supported range, checked where a date comes in.

A loan's history, a quote's date and every deadline derived from them must lie
between `DATE_MIN` and `DATE_MAX`. The bounds are generous on both sides: the
earliest covers any history a lender still services (and the 1900 leap-year
quirk of spreadsheets is not ours to inherit), and the latest leaves room past
any real maturity, a 100-year bond issued today included. Every date the
product derives from a supported one (a quote good for 30 days, a termination
statement due in 20, a level-payment schedule of up to 100 years) then stays
far from `datetime.date.max`, so arithmetic never overflows on a date a user
could give.

Faces and deal files call `check_date` (or `parse_date`) on every date they
take in; the core calls `add_days` for date arithmetic, so that a date past
the calendar's end is a coded error (DATE_OUT_OF_RANGE), never an
OverflowError.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from typing import Final

from acquittance.core.errors import InputError

#: The earliest date acquittance accepts, inclusive.
DATE_MIN: Final = date(1900, 1, 1)
#: The latest date acquittance accepts, inclusive.
DATE_MAX: Final = date(2199, 12, 31)


def iso_text(day: date) -> str:
    """`day.isoformat()`, remembered for plain dates: a closing writes the same few dates
    dozens of times, and formatting one costs several times a lookup."""
    return _iso_of_date(day) if type(day) is date else day.isoformat()


@lru_cache(maxsize=4096)
def _iso_of_date(day: date) -> str:
    return day.isoformat()


def out_of_range(field: str, value: object) -> InputError:
    """DATE_OUT_OF_RANGE for `value` (a date, or where a computation led)."""
    return InputError(
        "DATE_OUT_OF_RANGE",
        f"{field} {value} is outside the dates acquittance keeps; give a date from "
        f"{DATE_MIN.isoformat()} to {DATE_MAX.isoformat()}",
    )


def check_date(value: date, *, field: str = "date") -> date:
    """`value` itself when it lies in the supported range; else DATE_OUT_OF_RANGE."""
    if not DATE_MIN <= value <= DATE_MAX:
        raise out_of_range(field, value.isoformat())
    return value


def _is_iso_calendar_date(text: str) -> bool:
    # Only YYYY-MM-DD: `date.fromisoformat` also takes 20020331 and 2002-W13-7.
    digits = text[:4] + text[5:7] + text[8:]
    return len(text) == 10 and text[4] == text[7] == "-" and digits.isascii() and digits.isdigit()


def parse_date(text: str, *, field: str = "date") -> date:
    """An ISO date (YYYY-MM-DD) in the supported range; INVALID_DATE or DATE_OUT_OF_RANGE."""
    candidate = text.strip() if isinstance(text, str) else ""
    try:
        if not _is_iso_calendar_date(candidate):
            raise ValueError(candidate)
        value = date.fromisoformat(candidate)
    except ValueError:
        raise InputError(
            "INVALID_DATE", f"{field} {text!r} is not a date; write it as YYYY-MM-DD"
        ) from None
    return check_date(value, field=field)


def add_days(start: date, days: int) -> date:
    """`start` moved by `days`; DATE_OUT_OF_RANGE, not OverflowError, past the calendar."""
    try:
        return start + timedelta(days=days)
    except OverflowError:
        moved = "after" if days >= 0 else "before"
        raise out_of_range(f"{abs(days)} days {moved}", start.isoformat()) from None

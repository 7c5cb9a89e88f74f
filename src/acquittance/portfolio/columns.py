"""A book as columns: terms and events of many instruments in flat integer arrays.

The layout is compressed sparse rows: one entry per instrument in the
instrument arrays, and the events of instrument `i` at
`events_offsets[i]:events_offsets[i + 1]` in the event arrays, in date order.
What the kernel reads (`KERNEL_FIELDS`) is small integers:

| array | dtype | what |
| --- | --- | --- |
| `day_count` | int8 | index into `conventions.DAY_COUNTS`; -1 for a name the core refuses |
| `compounding` | int8 | index into `COMPOUNDINGS`; -1 for an unknown one |
| `rounding` | int8 | index into `ROUNDINGS`; -1 for an unknown one |
| `annual_rate` | int64 | the rate x `RATE_SCALE`, exactly |
| `opening_interest` | int64 | the opening balance's interest, in cents |
| `exact_only` | bool | some value has no exact integer column: the core computes it |
| `events_offsets` | int64 | where each instrument's events start (one entry more) |
| `event_date` | int32 | days since 1970-01-01 |
| `event_kind` | int8 | index into `EVENT_CODES` (`OTHER_KIND`: a kind without columns) |
| `event_value` | int64 | cents (opening, advance, payment, satisfaction), or rate x `RATE_SCALE` |

The rest keeps the book whole: ids, parties, currencies, and `details`, a
JSON text (null for almost every instrument) with every value that has no
integer column: a day-count alias as written, a settlement id, an amount or
rate the integer columns cannot hold exactly. `instrument_at(book, i)` gives
back the `Loan` or `Note` with the same terms and events, value for value.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from acquittance.core.conventions import (
    COMPOUNDING_MONTHS,
    DAY_COUNTS,
    EVENT_EFFECTS,
    ROUNDING_RULES,
)
from acquittance.core.daycount import canonical_convention
from acquittance.core.errors import AcquittanceError
from acquittance.core.instruments import (
    EVENT_KINDS,
    Compounding,
    Event,
    Loan,
    Note,
    OpeningBalance,
    Terms,
)
from acquittance.core.money import check_currency

#: Rates are kept as integers in millionths (a hundredth of a basis point): 8.25 % is 82,500.
RATE_SCALE: Final = 10**6
#: Amounts at or above this many cents (about 46 quadrillion) have no int64 column here.
CENTS_MAX: Final = 2**62
DAY_COUNT_NAMES: Final = tuple(entry.name for entry in DAY_COUNTS)
COMPOUNDINGS: Final = tuple(COMPOUNDING_MONTHS)
ROUNDINGS: Final = tuple(ROUNDING_RULES)
#: Event kinds with integer columns, by code; `OTHER_KIND` stands for any other kind.
EVENT_CODES: Final = tuple(EVENT_EFFECTS)
OTHER_KIND: Final = 127
#: The field of each event kind that goes to `event_value`; None: the kind has none.
VALUE_FIELDS: Final[dict[str, str | None]] = {
    "opening": "principal",
    "advance": "amount",
    "payment": "amount",
    "satisfaction": "amount",
    "rate_change": "annual_rate",
    "discharge": None,
}
KERNEL_FIELDS: Final = (
    "day_count",
    "compounding",
    "rounding",
    "annual_rate",
    "opening_interest",
    "exact_only",
    "events_offsets",
    "event_date",
    "event_kind",
    "event_value",
)
_EPOCH_ORDINAL: Final = date(1970, 1, 1).toordinal()
_EVENT_TYPES: Final = {kind: event_type for event_type, kind in EVENT_KINDS.items()}
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Book:
    """Instruments as columns (see the module's table). Arrays are never written to."""

    ids: Sequence[str]
    kinds: Sequence[str]  # "loan" or "note"
    parties: Sequence[str]  # a loan's lender, a note's holder
    counterparties: Sequence[str]  # a loan's borrower, a note's maker
    currencies: Sequence[str]
    details: Sequence[str | None]
    day_count: npt.NDArray[np.int8]
    compounding: npt.NDArray[np.int8]
    rounding: npt.NDArray[np.int8]
    annual_rate: IntArray
    opening_interest: IntArray
    exact_only: npt.NDArray[np.bool_]
    events_offsets: IntArray
    event_date: npt.NDArray[np.int32]
    event_kind: npt.NDArray[np.int8]
    event_value: IntArray

    def __len__(self) -> int:
        return len(self.day_count)

    def kernel_bytes(self) -> int:
        """Bytes of the arrays the kernel reads."""
        return sum(int(getattr(self, name).nbytes) for name in KERNEL_FIELDS)


def day_number(day: date) -> int:
    """Days since 1970-01-01."""
    return day.toordinal() - _EPOCH_ORDINAL


def date_of(days: int) -> date:
    return date.fromordinal(int(days) + _EPOCH_ORDINAL)


def _cents(value: object) -> int | None:
    """Whole cents of a Decimal amount 0 <= value < CENTS_MAX / 100; else None."""
    if type(value) is not Decimal or not value.is_finite():
        return None
    scaled = value * 100
    if scaled != scaled.to_integral_value() or not 0 <= scaled < CENTS_MAX:
        return None
    return int(scaled)


def _scaled_rate(value: object) -> int | None:
    """The rate x RATE_SCALE for a Decimal 0 <= rate <= 1 with at most six places; else None."""
    if type(value) is not Decimal or not value.is_finite() or not 0 <= value <= 1:
        return None
    scaled = value * RATE_SCALE
    return int(scaled) if scaled == scaled.to_integral_value() else None


def _text(value: object) -> list[str]:
    """A value as [type, text], exactly, for `details`."""
    if isinstance(value, Decimal):
        return ["Decimal", str(value)]
    if isinstance(value, bool):
        return ["bool", str(value)]
    if isinstance(value, int):
        return ["int", str(value)]
    if isinstance(value, date):
        return ["date", value.isoformat()]
    if isinstance(value, str):
        return ["str", value]
    if value is None:
        return ["None", ""]
    raise TypeError(f"a {type(value).__name__} has no column in a book")


def _value(typed: list[str]) -> object:
    kind, text = typed
    readers: dict[str, Any] = {
        "Decimal": Decimal,
        "bool": lambda t: t == "True",
        "int": int,
        "date": date.fromisoformat,
        "str": str,
        "None": lambda _: None,
    }
    return readers[kind](text)


class _Encoder:
    """Fills the columns one instrument at a time."""

    def __init__(self) -> None:
        self.text: dict[str, list[Any]] = {
            name: [] for name in ("ids", "kinds", "parties", "counterparties", "currencies")
        }
        self.details: list[str | None] = []
        self.small: dict[str, list[int]] = {
            name: []
            for name in (
                "day_count",
                "compounding",
                "rounding",
                "annual_rate",
                "opening_interest",
                "exact_only",
            )
        }
        self.offsets = [0]
        self.dates: list[int] = []
        self.event_kinds: list[int] = []
        self.values: list[int] = []

    def add(self, instrument: Loan | Note) -> None:
        is_loan = isinstance(instrument, Loan)
        text = self.text
        text["ids"].append(instrument.id)
        text["kinds"].append("loan" if is_loan else "note")
        text["parties"].append(instrument.lender_id if is_loan else instrument.holder_id)  # type: ignore[union-attr]
        text["counterparties"].append(instrument.borrower_id if is_loan else instrument.maker)  # type: ignore[union-attr]
        detail: dict[str, Any] = {}
        exact = self._terms(instrument.terms, detail)
        opening_interest = 0
        events = instrument.events
        for index, event in enumerate(events):
            if index == 0 and type(event) is OpeningBalance:
                cents = _cents(event.interest)
                if cents is None:
                    detail.setdefault("events", {}).setdefault("0", {})["interest"] = _text(
                        event.interest
                    )
                    exact = True
                opening_interest = cents or 0
            exact = self._event(index, event, detail) or exact
        self.offsets.append(self.offsets[-1] + len(events))
        self.small["opening_interest"].append(opening_interest)
        self.small["exact_only"].append(int(exact))
        self.details.append(json.dumps(detail, sort_keys=True) if detail else None)

    def _terms(self, terms: Terms, detail: dict[str, Any]) -> bool:
        exact = False
        small = self.text["currencies"]
        small.append(terms.currency if isinstance(terms.currency, str) else "")
        try:
            check_currency(terms.currency)
            if not isinstance(terms.currency, str):
                raise TypeError
        except (AcquittanceError, TypeError):
            detail.setdefault("terms", {})["currency"] = _text(terms.currency)
            exact = True
        rate = _scaled_rate(terms.annual_rate)
        if rate is None:
            detail.setdefault("terms", {})["annual_rate"] = _text(terms.annual_rate)
            exact = True
        self.small["annual_rate"].append(rate or 0)
        code = -1
        try:
            canonical = canonical_convention(terms.day_count)
            code = DAY_COUNT_NAMES.index(canonical)
        except AcquittanceError:
            exact = True
        if code < 0 or terms.day_count != DAY_COUNT_NAMES[code]:
            detail.setdefault("terms", {})["day_count"] = _text(terms.day_count)
        self.small["day_count"].append(code)
        compounding = (
            COMPOUNDINGS.index(terms.compounding.value)
            if isinstance(terms.compounding, Compounding)
            else -1
        )
        if compounding < 0:
            detail.setdefault("terms", {})["compounding"] = _text(terms.compounding)
            exact = True
        self.small["compounding"].append(compounding)
        rounding = (
            ROUNDINGS.index(terms.rounding)
            if isinstance(terms.rounding, str) and terms.rounding in ROUNDINGS
            else -1
        )
        if rounding < 0:
            detail.setdefault("terms", {})["rounding"] = _text(terms.rounding)
            exact = True
        self.small["rounding"].append(rounding)
        return exact

    def _event(self, index: int, event: Event, detail: dict[str, Any]) -> bool:
        """Append one event; True when some value of it has no integer column."""
        kind = EVENT_KINDS.get(type(event))
        value_field = VALUE_FIELDS.get(kind) if kind else None
        extra: dict[str, Any] = {}
        exact = kind is None or kind not in EVENT_CODES
        if exact:
            extra["kind"] = ["str", kind or type(event).__name__]
        value = 0
        if value_field is not None:
            raw = getattr(event, value_field)
            scaled = _scaled_rate(raw) if kind == "rate_change" else _cents(raw)
            if scaled is None:
                extra[value_field] = _text(raw)
                exact = True
            value = scaled or 0
        for item in fields(event):
            name = item.name
            if name in ("date", value_field) or (name, kind, index) == ("interest", "opening", 0):
                continue
            extra[name] = _text(getattr(event, name))
        if type(event.date) is not date:
            raise TypeError(f"event date {event.date!r} is not a date")
        if extra:
            detail.setdefault("events", {}).setdefault(str(index), {}).update(extra)
        self.dates.append(day_number(event.date))
        self.event_kinds.append(EVENT_CODES.index(kind) if kind in EVENT_CODES else OTHER_KIND)
        self.values.append(value)
        return exact

    def book(self) -> Book:
        small = self.small
        return Book(
            ids=self.text["ids"],
            kinds=self.text["kinds"],
            parties=self.text["parties"],
            counterparties=self.text["counterparties"],
            currencies=self.text["currencies"],
            details=self.details,
            day_count=np.array(small["day_count"], dtype=np.int8),
            compounding=np.array(small["compounding"], dtype=np.int8),
            rounding=np.array(small["rounding"], dtype=np.int8),
            annual_rate=np.array(small["annual_rate"], dtype=np.int64),
            opening_interest=np.array(small["opening_interest"], dtype=np.int64),
            exact_only=np.array(small["exact_only"], dtype=np.bool_),
            events_offsets=np.array(self.offsets, dtype=np.int64),
            event_date=np.array(self.dates, dtype=np.int32),
            event_kind=np.array(self.event_kinds, dtype=np.int8),
            event_value=np.array(self.values, dtype=np.int64),
        )


def book_of(instruments: Iterable[Loan | Note]) -> Book:
    """The columns of a book of loans and notes, in the order given."""
    encoder = _Encoder()
    for instrument in instruments:
        encoder.add(instrument)
    return encoder.book()


def _event_at(book: Book, row: int, index: int, extra: dict[str, Any]) -> Event:
    code = int(book.event_kind[row])
    kind = EVENT_CODES[code] if code != OTHER_KIND else str(_value(extra["kind"]))
    event_type = _EVENT_TYPES[kind]
    values: dict[str, object] = {"date": date_of(book.event_date[row])}
    value_field = VALUE_FIELDS.get(kind)
    if value_field is not None:
        raw = int(book.event_value[row])
        scale = RATE_SCALE if kind == "rate_change" else 100
        values[value_field] = _decimal_of(raw, scale)
    if kind == "opening" and index == 0:
        values["interest"] = None  # filled by the caller
    for name, typed in extra.items():
        if name != "kind":
            values[name] = _value(typed)
    return event_type(**values)  # type: ignore[no-any-return]


def _decimal_of(scaled: int, scale: int) -> Decimal:
    """`scaled / scale` as the Decimal the core's own amounts look like (cents: two places)."""
    places = len(str(scale)) - 1
    return Decimal(scaled).scaleb(-places)


def instrument_at(book: Book, row: int) -> Loan | Note:
    """The loan or note in row `row`: the same id, parties, terms and events, value for value."""
    detail: dict[str, Any] = json.loads(book.details[row] or "{}")
    terms_detail = detail.get("terms", {})
    events_detail = detail.get("events", {})
    terms = Terms(
        annual_rate=_value(terms_detail["annual_rate"])  # type: ignore[arg-type]
        if "annual_rate" in terms_detail
        else _decimal_of(int(book.annual_rate[row]), RATE_SCALE),
        day_count=_value(terms_detail["day_count"])  # type: ignore[arg-type]
        if "day_count" in terms_detail
        else DAY_COUNT_NAMES[int(book.day_count[row])],
        currency=_value(terms_detail["currency"])  # type: ignore[arg-type]
        if "currency" in terms_detail
        else book.currencies[row],
        compounding=_value(terms_detail["compounding"])  # type: ignore[arg-type]
        if "compounding" in terms_detail
        else Compounding(COMPOUNDINGS[int(book.compounding[row])]),
        rounding=_value(terms_detail["rounding"])  # type: ignore[arg-type]
        if "rounding" in terms_detail
        else ROUNDINGS[int(book.rounding[row])],
    )
    low, high = int(book.events_offsets[row]), int(book.events_offsets[row + 1])
    events: list[Event] = []
    for index, at in enumerate(range(low, high)):
        extra = dict(events_detail.get(str(index), {}))
        interest = extra.pop("interest", None) if index == 0 else None
        event = _event_at(book, at, index, extra)
        if isinstance(event, OpeningBalance) and index == 0:
            opened = (
                _value(interest) if interest else _decimal_of(int(book.opening_interest[row]), 100)
            )
            event = OpeningBalance(event.date, event.principal, opened)  # type: ignore[arg-type]
        events.append(event)
    if book.kinds[row] == "loan":
        return Loan(
            book.ids[row], book.parties[row], book.counterparties[row], terms, tuple(events)
        )
    return Note(book.ids[row], book.counterparties[row], book.parties[row], terms, tuple(events))


def window(book: Book, low: int, high: int) -> Book:
    """The instruments from `low` up to `high`, as a book of their own (views, no copies)."""
    offsets = book.events_offsets[low : high + 1]
    first, last = int(offsets[0]), int(offsets[-1])
    return Book(
        ids=book.ids[low:high],
        kinds=book.kinds[low:high],
        parties=book.parties[low:high],
        counterparties=book.counterparties[low:high],
        currencies=book.currencies[low:high],
        details=book.details[low:high],
        day_count=book.day_count[low:high],
        compounding=book.compounding[low:high],
        rounding=book.rounding[low:high],
        annual_rate=book.annual_rate[low:high],
        opening_interest=book.opening_interest[low:high],
        exact_only=book.exact_only[low:high],
        events_offsets=offsets - first,
        event_date=book.event_date[first:last],
        event_kind=book.event_kind[first:last],
        event_value=book.event_value[first:last],
    )

"""Deal files: TOML describing parties, loans, notes, pledges and filings.

A deal file is read with `parse_float=Decimal`, so no amount ever passes
through a binary float. Every error names the file, the line and the field
(`loans[0].events[0].principal`) and keeps the stable code of what was wrong.
Parsing is pure: text in, a `Deal` value or an error out.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any, Final, TypeVar

from acquittance.core.charges import GRACE_DAYS_MAX, check_rule
from acquittance.core.collateral import FinancingStatement, SecurityInterest
from acquittance.core.dates import check_date, parse_date
from acquittance.core.daycount import canonical_convention
from acquittance.core.errors import AcquittanceError, InputError
from acquittance.core.instruments import (
    Advance,
    Charge,
    Compounding,
    DefaultRate,
    Event,
    LateChargeRule,
    LevelPayment,
    Loan,
    Note,
    OpeningBalance,
    Party,
    Payment,
    RateChange,
    Signatory,
    Terms,
)
from acquittance.core.interest import parse_rate
from acquittance.core.money import DEFAULT_ROUNDING, ROUNDING_MODES, check_currency, to_decimal
from acquittance.core.text import DESCRIPTION_LENGTH_MAX, NAME_LENGTH_MAX, check_text
from acquittance.deals import schema
from acquittance.deals.locator import FieldLocator, PathPart, render_path
from acquittance.deals.schema import ID_PATTERN, LEVEL_PAYMENT_COUNT_MAX, NOTE_KIND_LENGTH_MAX

DEAL_FILE_SIZE_MAX_BYTES: Final = 5 * 1024 * 1024
RECORDS_MAX: Final = 100_000
T = TypeVar("T")


@dataclass(frozen=True)
class Deal:
    """Everything a deal file holds, validated."""

    title: str
    currency: str
    governing_law: str
    parties: tuple[Party, ...]
    loans: tuple[Loan, ...]
    notes: tuple[Note, ...]
    security_interests: tuple[SecurityInterest, ...]

    def party(self, party_id: str) -> Party:
        return next(p for p in self.parties if p.id == party_id)


class _Reader:
    """Walks the parsed document, turning each failure into a located error."""

    def __init__(self, source: str, locator: FieldLocator) -> None:
        self.source = source
        self.locator = locator

    def fail(self, path: Sequence[PathPart], error: AcquittanceError) -> AcquittanceError:
        line = self.locator.line_of(path)
        where = f"{self.source}" + (f" line {line}" if line else "")
        field = render_path(path)
        message = (
            f"{where}, field {field}: {error.message}" if field else f"{where}: {error.message}"
        )
        return type(error)(error.code, message)

    def field(
        self,
        table: Mapping[str, Any],
        path: tuple[PathPart, ...],
        key: str,
        convert: Callable[[Any], T],
        *,
        default: Any = ...,
    ) -> T:
        if key not in table:
            if default is ...:
                raise self.fail(
                    (*path, key),
                    InputError("MISSING_FIELD", f"the required field {key!r} is missing; add it"),
                )
            return default  # type: ignore[no-any-return]
        try:
            return convert(table[key])
        except AcquittanceError as error:
            raise self.fail((*path, key), error) from None

    def known_fields(
        self, table: Mapping[str, Any], path: tuple[PathPart, ...], allowed: frozenset[str]
    ) -> None:
        for key in table:
            if key not in allowed:
                raise self.fail(
                    (*path, key),
                    InputError(
                        "UNKNOWN_FIELD",
                        f"{key!r} is not a field here; the fields are {', '.join(sorted(allowed))}",
                    ),
                )

    def tables(
        self, document: Mapping[str, Any], path: tuple[PathPart, ...], key: str
    ) -> list[dict[str, Any]]:
        value = document.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(
                (*path, key),
                InputError("INVALID_FIELD", f"{key} must be an array of tables ([[{key}]])"),
            )
        if len(value) > RECORDS_MAX:
            raise self.fail(
                (*path, key), InputError("TOO_MANY_RECORDS", f"more than {RECORDS_MAX} {key}")
            )
        return value


def _text(value: Any, *, length_max: int = NAME_LENGTH_MAX) -> str:
    """A non-empty line of printable text (a name, a title), stripped of outer blanks."""
    if not isinstance(value, str) or not value.strip():
        raise InputError("INVALID_FIELD", f"{value!r} must be a non-empty string")
    return check_text(value.strip(), field="the text", length_max=length_max)


#: A note's description is free text: longer than a name, still one printable line.
_description = partial(_text, length_max=DESCRIPTION_LENGTH_MAX)
#: A note's kind ("mortgage") is a short word: the store's kind column holds 40 characters.
_note_kind = partial(_text, length_max=NOTE_KIND_LENGTH_MAX)


def _identifier(value: Any) -> str:
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise InputError(
            "INVALID_ID",
            f"id {value!r} must be a short slug: lower-case letters, digits and hyphens",
        )
    return value


def _date(value: Any) -> date:
    """A TOML date (2002-03-31) or the same as a string, within the supported range."""
    if isinstance(value, date) and not hasattr(value, "hour"):
        return check_date(value, field="the date")
    if isinstance(value, str):
        return parse_date(value, field="the date")
    raise InputError("INVALID_DATE", f"{value!r} is not a date; write it as 2002-03-31")


def _amount(value: Any) -> Decimal:
    amount = to_decimal(value)
    if amount < 0:
        raise InputError("NEGATIVE_AMOUNT", f"{amount} is negative; amounts must be 0 or more")
    if amount != amount.quantize(Decimal("0.01")):
        raise InputError("SUB_CENT_AMOUNT", f"{amount} has fractions of a cent; give whole cents")
    return amount


def _compounding(value: Any) -> Compounding:
    try:
        return Compounding(value)
    except ValueError:
        choices = ", ".join(c.value for c in Compounding)
        raise InputError("INVALID_COMPOUNDING", f"{value!r} is not one of {choices}") from None


def _rounding(value: Any) -> str:
    if value not in ROUNDING_MODES:
        raise InputError("UNKNOWN_ROUNDING", f"{value!r} is not one of {', '.join(ROUNDING_MODES)}")
    return str(value)


_EVENT_FIELDS: Final = schema.event_keys()


def _event(reader: _Reader, table: dict[str, Any], path: tuple[PathPart, ...]) -> Event:
    kind = reader.field(table, path, "kind", _text)
    if kind not in _EVENT_FIELDS:
        raise reader.fail(
            (*path, "kind"),
            InputError(
                "UNKNOWN_EVENT", f"event kind {kind!r} is not one of {', '.join(_EVENT_FIELDS)}"
            ),
        )
    reader.known_fields(table, path, _EVENT_FIELDS[kind])
    when = reader.field(table, path, "date", _date)
    if kind == "opening":
        principal = reader.field(table, path, "principal", _amount)
        interest = reader.field(table, path, "interest", _amount, default=Decimal("0.00"))
        return OpeningBalance(when, principal, interest)
    if kind == "rate_change":
        return RateChange(when, reader.field(table, path, "annual_rate", parse_rate))
    if kind == "default_rate":
        return DefaultRate(when, reader.field(table, path, "annual_rate", parse_rate))
    amount = reader.field(table, path, "amount", _amount)
    if kind == "charge":
        return Charge(when, amount)
    return Advance(when, amount) if kind == "advance" else Payment(when, amount)


def _terms(
    reader: _Reader, table: dict[str, Any], path: tuple[PathPart, ...], currency: str
) -> Terms:
    return Terms(
        annual_rate=reader.field(table, path, "annual_rate", parse_rate),
        day_count=reader.field(table, path, "day_count", canonical_convention),
        currency=reader.field(table, path, "currency", check_currency, default=currency),
        compounding=reader.field(
            table, path, "compounding", _compounding, default=Compounding.SIMPLE
        ),
        rounding=reader.field(table, path, "rounding", _rounding, default=DEFAULT_ROUNDING),
    )


def _events(
    reader: _Reader, table: dict[str, Any], path: tuple[PathPart, ...]
) -> tuple[Event, ...]:
    return tuple(
        _event(reader, event, (*path, "events", index))
        for index, event in enumerate(reader.tables(table, path, "events"))
    )


_PARTY_FIELDS: Final = schema.PARTIES.accepted_keys()
_LOAN_FIELDS: Final = schema.LOANS.accepted_keys()
_NOTE_FIELDS: Final = schema.NOTES.accepted_keys()
_INTEREST_FIELDS: Final = schema.SECURITY_INTERESTS.accepted_keys()
_STATEMENT_FIELDS: Final = schema.FINANCING_STATEMENTS.accepted_keys()


def _inline_keys(value: dict[str, Any], table: schema.Table, what: str) -> None:
    """An inline table's keys against the schema: none unknown, none required missing."""
    accepted = table.accepted_keys()
    for key in value:
        if key not in accepted:
            raise InputError(
                "UNKNOWN_FIELD",
                f"{key!r} is not a field of {what}; the fields are {', '.join(sorted(accepted))}",
            )
    for field in table.fields:
        if field.required and field.key not in value:
            raise InputError(
                "MISSING_FIELD", f"{what} has no {field.key!r}, which is required; add it"
            )


def _signatories(value: Any) -> tuple[Signatory, ...]:
    if not isinstance(value, list):
        raise InputError("INVALID_FIELD", "signatories must be a list of {name, title} tables")
    result = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            raise InputError("INVALID_FIELD", "each signatory is a table with name and title")
        _inline_keys(item, schema.SIGNATORIES, f"signatory {number}")
        result.append(Signatory(_text(item["name"]), _text(item["title"])))
    return tuple(result)


def _party(reader: _Reader, table: dict[str, Any], path: tuple[PathPart, ...]) -> Party:
    reader.known_fields(table, path, _PARTY_FIELDS)
    name = reader.field(table, path, "name", _text)
    return Party(
        id=reader.field(table, path, "id", _identifier),
        name=name,
        short_name=reader.field(table, path, "short_name", _text, default=name),
        entity_type=reader.field(table, path, "entity_type", _text),
        jurisdiction=reader.field(table, path, "jurisdiction", _text),
        signatories=reader.field(table, path, "signatories", _signatories, default=()),
    )


def _loan(
    reader: _Reader, table: dict[str, Any], path: tuple[PathPart, ...], currency: str, law: str
) -> Loan:
    reader.known_fields(table, path, _LOAN_FIELDS)
    loan = Loan(
        id=reader.field(table, path, "id", _identifier),
        lender_id=reader.field(table, path, "lender", _identifier),
        borrower_id=reader.field(table, path, "borrower", _identifier),
        terms=_terms(reader, table, path, currency),
        events=_events(reader, table, path),
        agreement_name=reader.field(table, path, "agreement_name", _text, default="Loan Agreement"),
        agreement_date=reader.field(table, path, "agreement_date", _date, default=None),
        governing_law=reader.field(table, path, "governing_law", _text, default=law),
    )
    spec = reader.field(table, path, "level_payment", _level_payment, default=None)
    try:
        loan = replace(loan, level_payment=_schedule_of(loan, spec))
    except AcquittanceError as error:
        raise reader.fail((*path, "level_payment"), error) from None
    rule = reader.field(table, path, "late_charge", _late_charge, default=None)
    if rule is None:
        return loan
    try:
        check_rule(loan.id, rule, loan.level_payment)
    except AcquittanceError as error:
        raise reader.fail((*path, "late_charge"), error) from None
    return replace(loan, late_charge=rule)


def _late_charge(value: Any) -> LateChargeRule:
    """The late_charge table, checked for its types (`charges.check_rule` checks the rest)."""
    if not isinstance(value, dict):
        raise InputError(
            "INVALID_FIELD", "late_charge is a table with grace_days and a percent or an amount"
        )
    _inline_keys(value, schema.LATE_CHARGE, "late_charge")
    grace = value["grace_days"]
    if not isinstance(grace, int) or isinstance(grace, bool) or not 0 <= grace <= GRACE_DAYS_MAX:
        raise InputError(
            "INVALID_FIELD",
            f"late_charge.grace_days must be a whole number from 0 to {GRACE_DAYS_MAX}",
        )
    percent = parse_rate(value["percent"], field="percent") if "percent" in value else None
    amount = _amount(value["amount"]) if "amount" in value else None
    return LateChargeRule(grace_days=grace, percent=percent, amount=amount)


def _level_payment(value: Any) -> dict[str, Any]:
    """The level_payment table, checked; the amount may be left to the terms."""
    if not isinstance(value, dict):
        raise InputError(
            "INVALID_FIELD", "level_payment is a table with first_due, count and optional amount"
        )
    _inline_keys(value, schema.LEVEL_PAYMENT, "level_payment")
    count = value["count"]
    if (
        not isinstance(count, int)
        or isinstance(count, bool)
        or not 0 < count <= LEVEL_PAYMENT_COUNT_MAX
    ):
        raise InputError(
            "INVALID_FIELD",
            f"level_payment.count must be a whole number from 1 to {LEVEL_PAYMENT_COUNT_MAX}",
        )
    amount = _amount(value["amount"]) if "amount" in value else None
    return {"amount": amount, "first_due": _date(value["first_due"]), "count": count}


def _schedule_of(note: Note | Loan, spec: dict[str, Any] | None) -> LevelPayment | None:
    """A level payment from the deal file; its amount computed from the terms when not given."""
    if spec is None:
        return None
    amount = spec["amount"]
    if amount is None:
        from acquittance.core.schedule import level_payment

        principal = note.original_principal if isinstance(note, Note) else None
        if principal is None:
            opening = note.events[0] if note.events else None
            if isinstance(opening, Advance) and isinstance(note, Loan):
                principal = opening.amount  # a loan opened by its first advance
            elif isinstance(opening, OpeningBalance):
                principal = opening.principal
            else:
                raise InputError(
                    "MISSING_FIELD",
                    "level_payment without an amount needs original_principal or an opening "
                    "balance to compute it from",
                )
        amount = level_payment(
            principal, note.terms.annual_rate, spec["count"], rounding=note.terms.rounding
        )
    return LevelPayment(amount, spec["first_due"], spec["count"])


def _note(
    reader: _Reader, table: dict[str, Any], path: tuple[PathPart, ...], currency: str
) -> Note:
    reader.known_fields(table, path, _NOTE_FIELDS)
    note = Note(
        id=reader.field(table, path, "id", _identifier),
        maker=reader.field(table, path, "maker", _text),
        holder_id=reader.field(table, path, "holder", _identifier),
        terms=_terms(reader, table, path, currency),
        events=_events(reader, table, path),
        kind=reader.field(table, path, "kind", _note_kind, default="mortgage"),
        issue_date=reader.field(table, path, "issue_date", _date, default=None),
        maturity_date=reader.field(table, path, "maturity_date", _date, default=None),
        original_principal=reader.field(table, path, "original_principal", _amount, default=None),
        description=reader.field(table, path, "description", _description, default=""),
    )
    spec = reader.field(table, path, "level_payment", _level_payment, default=None)
    try:
        return replace(note, level_payment=_schedule_of(note, spec))
    except AcquittanceError as error:
        raise reader.fail((*path, "level_payment"), error) from None


def _statement(
    reader: _Reader, table: dict[str, Any], path: tuple[PathPart, ...]
) -> FinancingStatement:
    reader.known_fields(table, path, _STATEMENT_FIELDS)
    return FinancingStatement(
        id=reader.field(table, path, "id", _identifier),
        filing_office=reader.field(table, path, "filing_office", _text),
        file_number=reader.field(table, path, "file_number", _text),
        filed_on=reader.field(table, path, "filed_on", _date),
    )


def _note_ids(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise InputError("INVALID_FIELD", "notes must be a non-empty list of note ids")
    return tuple(_identifier(item) for item in value)


def _interest(
    reader: _Reader, table: dict[str, Any], path: tuple[PathPart, ...]
) -> SecurityInterest:
    reader.known_fields(table, path, _INTEREST_FIELDS)
    statements = tuple(
        _statement(reader, item, (*path, "financing_statements", index))
        for index, item in enumerate(reader.tables(table, path, "financing_statements"))
    )
    return SecurityInterest(
        id=reader.field(table, path, "id", _identifier),
        loan_id=reader.field(table, path, "loan", _identifier),
        secured_party_id=reader.field(table, path, "secured_party", _identifier),
        debtor_id=reader.field(table, path, "debtor", _identifier),
        note_ids=reader.field(table, path, "notes", _note_ids),
        granted_on=reader.field(table, path, "granted_on", _date, default=None),
        financing_statements=statements,
    )


def parse_deal(text: str, *, source: str = "deal file") -> Deal:
    """Parse and validate a deal file's text; every error names the line and field."""
    reader = _Reader(source, FieldLocator(text))
    try:
        document = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise InputError(
            "DEAL_FILE_SYNTAX", f"{source} is not valid TOML: {error}; fix the line it names"
        ) from None
    reader.known_fields(document, (), schema.DOCUMENT.accepted_keys())
    header = document.get("deal", {})
    if not isinstance(header, dict):
        raise reader.fail(("deal",), InputError("INVALID_FIELD", "[deal] must be a table"))
    reader.known_fields(header, ("deal",), schema.DEAL.accepted_keys())
    currency = reader.field(header, ("deal",), "currency", check_currency, default="USD")
    law = reader.field(header, ("deal",), "governing_law", _text, default="")
    deal = Deal(
        title=reader.field(header, ("deal",), "title", _text, default="Settlement Agreement"),
        currency=currency,
        governing_law=law,
        parties=tuple(
            _party(reader, t, ("parties", i))
            for i, t in enumerate(reader.tables(document, (), "parties"))
        ),
        loans=tuple(
            _loan(reader, t, ("loans", i), currency, law)
            for i, t in enumerate(reader.tables(document, (), "loans"))
        ),
        notes=tuple(
            _note(reader, t, ("notes", i), currency)
            for i, t in enumerate(reader.tables(document, (), "notes"))
        ),
        security_interests=tuple(
            _interest(reader, t, ("security_interests", i))
            for i, t in enumerate(reader.tables(document, (), "security_interests"))
        ),
    )
    if not deal.loans:
        raise _empty(source, deal)
    _check_references(reader, deal)
    return deal


def _empty(source: str, deal: Deal) -> InputError:
    """A deal file without a loan is refused: loading it would record no deal at all."""
    defined = [
        f"{len(records)} {kind}"
        for kind, records in (("parties", deal.parties), ("notes", deal.notes))
        if records
    ]
    found = f"defines {' and '.join(defined)} but no loan" if defined else "defines nothing"
    return InputError(
        "EMPTY_DEAL",
        f"{source} {found}; a deal file needs at least one [[loans]] table, with its lender "
        "and borrower in [[parties]] (examples/valence-berg-2002.toml shows the shape)",
    )


def read_deal_file(path: str | Path) -> Deal:
    """Read a deal file from disk (bounded in size) and parse it."""
    file = Path(path)
    try:
        size = file.stat().st_size
        if size > DEAL_FILE_SIZE_MAX_BYTES:
            raise InputError(
                "FILE_TOO_LARGE",
                f"{file} is {size} bytes; deal files are limited to "
                f"{DEAL_FILE_SIZE_MAX_BYTES} bytes",
            )
        raw = file.read_bytes()
    except FileNotFoundError:
        raise InputError("FILE_NOT_FOUND", f"{file} does not exist; check the path") from None
    except IsADirectoryError:
        raise InputError("FILE_NOT_FOUND", f"{file} is a folder; give a deal file") from None
    except PermissionError:
        raise InputError(
            "FILE_NOT_READABLE", f"{file} cannot be read; check its permissions"
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(
            "DEAL_FILE_SYNTAX", f"{file} is not UTF-8 text; save it as UTF-8"
        ) from None
    return parse_deal(text, source=str(file))


def _check_unique(reader: _Reader, kind: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for index, identifier in enumerate(ids):
        if identifier in seen:
            raise reader.fail(
                (kind, index, "id"),
                InputError(
                    "DUPLICATE_ID", f"id {identifier!r} is used twice in {kind}; ids are unique"
                ),
            )
        seen.add(identifier)


def _check_references(reader: _Reader, deal: Deal) -> None:
    """Every id referred to exists, events are in order and pledges are sound."""
    from acquittance.core.accrual import validate_events
    from acquittance.core.collateral import check_pledge

    _check_unique(reader, "parties", [p.id for p in deal.parties])
    _check_unique(reader, "loans", [loan.id for loan in deal.loans])
    _check_unique(reader, "notes", [n.id for n in deal.notes])
    _check_unique(reader, "security_interests", [s.id for s in deal.security_interests])
    parties = {p.id for p in deal.parties}
    loans = {loan.id: loan for loan in deal.loans}
    notes = {n.id: n for n in deal.notes}

    def need(
        path: tuple[PathPart, ...],
        identifier: str,
        known: Mapping[str, object] | set[str],
        what: str,
    ) -> None:
        if identifier not in known:
            raise reader.fail(
                path,
                InputError(
                    f"UNKNOWN_{what.upper().replace(' ', '_')}",
                    f"{what} {identifier!r} is not defined in this file; "
                    f"define it or use one of {', '.join(sorted(known)) or '(none)'}",
                ),
            )

    for i, loan in enumerate(deal.loans):
        need(("loans", i, "lender"), loan.lender_id, parties, "party")
        need(("loans", i, "borrower"), loan.borrower_id, parties, "party")
        if loan.lender_id == loan.borrower_id:
            raise reader.fail(
                ("loans", i, "borrower"),
                InputError("SAME_PARTY", "a loan's lender and borrower must be different parties"),
            )
        _located(reader, ("loans", i, "events"), partial(validate_events, loan.id, loan.events))
    for i, note in enumerate(deal.notes):
        need(("notes", i, "holder"), note.holder_id, parties, "party")
        check_events = partial(validate_events, note.id, note.events, kind="note")
        _located(reader, ("notes", i, "events"), check_events)
    accepted: list[SecurityInterest] = []
    for i, interest in enumerate(deal.security_interests):
        path: tuple[PathPart, ...] = ("security_interests", i)
        need((*path, "loan"), interest.loan_id, loans, "loan")
        need((*path, "secured_party"), interest.secured_party_id, parties, "party")
        need((*path, "debtor"), interest.debtor_id, parties, "party")
        loan = loans[interest.loan_id]
        if (interest.secured_party_id, interest.debtor_id) != (loan.lender_id, loan.borrower_id):
            raise reader.fail(
                path,
                InputError(
                    "PLEDGE_PARTIES_MISMATCH",
                    f"a pledge securing {loan.id} must run from its borrower {loan.borrower_id!r} "
                    f"to its lender {loan.lender_id!r}",
                ),
            )
        for note_id in interest.note_ids:
            need((*path, "notes"), note_id, notes, "note")
            _located(
                reader,
                (*path, "notes"),
                partial(check_pledge, notes[note_id], loan, tuple(accepted)),
            )
        accepted.append(interest)


def _located(reader: _Reader, path: tuple[PathPart, ...], check: Callable[[], object]) -> None:
    try:
        check()
    except AcquittanceError as error:
        raise reader.fail(path, error) from None

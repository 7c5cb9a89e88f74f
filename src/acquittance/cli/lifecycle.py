"""The lifecycle commands: record, payoff, release, reverse, and the events they leave.

Each takes `--key`: the same key again prints the first result and changes
nothing; the key with a different request is refused (IDEMPOTENCY_KEY_REUSED).
"""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from acquittance.cli import views
from acquittance.cli.app import JSON_OPTION, app, emit_json, parse_date
from acquittance.cli.choices import RecordedEvent
from acquittance.cli.toplevel import DB_HELP
from acquittance.core.errors import InputError
from acquittance.core.money import to_decimal

DB_OPTION = typer.Option(None, "--db", help=DB_HELP, metavar="PATH|URL")
KEY_OPTION = typer.Option(
    None,
    "--key",
    help="Idempotency key: the same key again changes nothing.",
    show_default=False,
    metavar="KEY",
)
ON_OPTION = typer.Option(..., "--on", help="The date, YYYY-MM-DD.", metavar="DATE")


def _store(db: str | None) -> Any:
    from acquittance.service import store_at

    return store_at(db)


def _event(kind: str, when: Any, amount: str | None, rate: str | None) -> Any:
    from acquittance.core.instruments import Advance, Payment, RateChange
    from acquittance.core.interest import parse_rate

    if kind == "rate_change":
        if rate is None:
            raise InputError("MISSING_OPTION", "a rate change needs --rate")
        return RateChange(when, parse_rate(rate, field="--rate"))
    if kind in ("advance", "payment"):
        if amount is None:
            raise InputError("MISSING_OPTION", f"an {kind} needs --amount")
        value = to_decimal(amount, field="--amount")
        if value <= 0:
            raise InputError("NEGATIVE_AMOUNT", f"--amount {amount} must be more than 0")
        return Advance(when, value) if kind == "advance" else Payment(when, value)
    if kind in ("charge", "default_rate"):
        from acquittance.cli.accrue import charge_or_default

        return charge_or_default(kind, when, amount=amount, rate=rate)
    raise InputError(
        "UNKNOWN_EVENT",
        f"--kind {kind!r} is not advance, payment, rate_change, charge or default_rate",
    )


def _entries(out: Any, document: dict[str, Any]) -> None:
    for entry in document["entries"]:
        views.entry_table(out, entry)


def _obligations(out: Any, document: dict[str, Any]) -> None:
    for obligation in document["obligations"]:
        out.print(
            f"queued {obligation['kind']} {obligation['id']}, due {obligation['due']}: "
            f"{obligation['description']}"
        )


def _replayed(out: Any, document: dict[str, Any]) -> None:
    if document["replayed"]:
        out.print(f"(the first result under this key, {document['action']}; nothing changed)")


@app.command()
def record(
    instrument_id: str = typer.Argument(..., help="A loan or note id."),
    kind: RecordedEvent = typer.Option(..., "--kind", help="What happened."),
    on: str = typer.Option(..., "--date", help="The event's date, YYYY-MM-DD.", metavar="DATE"),
    amount: str | None = typer.Option(
        None, "--amount", help="Advance or payment amount.", metavar="AMOUNT"
    ),
    rate: str | None = typer.Option(
        None, "--rate", help='New annual rate ("0.07" or "7%").', metavar="RATE"
    ),
    key: str | None = KEY_OPTION,
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Record an advance, payment, rate change, charge or default rate; post it to the books."""
    from acquittance import service
    from acquittance.present.lifecycle import recorded_document

    when = parse_date(on, option="--date")
    event = _event(kind.value, when, amount, rate)
    document = recorded_document(service.record(_store(db), instrument_id, event, key=key))
    if as_json:
        emit_json(document)
        return
    out = views.console()
    late = " (backdated: what follows was recomputed)" if document["backdated"] else ""
    out.print(
        f"recorded {kind} {document['event']} on {instrument_id} dated {when.isoformat()}{late}"
    )
    _replayed(out, document)
    _entries(out, document)
    if document["payoff"] is not None:
        out.print(f"loan {instrument_id} is paid in full and discharged")
        _obligations(out, document["payoff"])


@app.command()
def payoff(
    loan_id: str = typer.Argument(..., help="The loan to pay off."),
    on: str = ON_OPTION,
    amount: str | None = typer.Option(
        None,
        "--amount",
        help="Cash paid; must be the payoff figure (leave out to pay it).",
        metavar="AMOUNT",
    ),
    key: str | None = KEY_OPTION,
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Pay a loan off in cash: discharged, pledge released, UCC-3 termination queued."""
    from acquittance import service
    from acquittance.present.lifecycle import payoff_document

    when = parse_date(on, option="--on")
    paid = None if amount is None else to_decimal(amount, field="--amount")
    document = payoff_document(service.payoff(_store(db), loan_id, on=when, amount=paid, key=key))
    if as_json:
        emit_json(document)
        return
    out = views.console()
    out.print(
        f"loan {loan_id} paid off on {document['date']} with {document['amount']}: discharged"
    )
    _replayed(out, document)
    _entries(out, document)
    for interest in document["released_security_interests"]:
        out.print(f"released security interest {interest}")
    _obligations(out, document)


@app.command()
def release(
    loan_id: str = typer.Argument(..., help="The loan whose pledge the notes leave."),
    notes: list[str] = typer.Option(
        ...,
        "--note",
        help="A note to release (repeat for several).",
        show_default=False,
        metavar="NOTE",
    ),
    on: str = ON_OPTION,
    key: str | None = KEY_OPTION,
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Release named notes from a loan's pledge, and queue the UCC-3 amendment."""
    from acquittance import service
    from acquittance.present.lifecycle import released_document

    when = parse_date(on, option="--on")
    document = released_document(service.release(_store(db), loan_id, notes, on=when, key=key))
    if as_json:
        emit_json(document)
        return
    out = views.console()
    for line in document["released"]:
        out.print(
            f"released note {line['note']} from {line['security_interest']} on {document['date']}"
        )
    _replayed(out, document)
    out.print(f"still pledged to {loan_id}: {', '.join(document['remaining_notes'])}")
    _obligations(out, document)


@app.command()
def reverse(
    instrument_id: str = typer.Argument(..., help="A loan or note id."),
    event: str = typer.Argument(..., help="The event to reverse: 3, #3 or ID#3 (see `events`)."),
    on: str = ON_OPTION,
    reason: str = typer.Option(..., "--reason", help="Why, in a few words.", metavar="TEXT"),
    key: str | None = KEY_OPTION,
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Reverse an event: a new event, later figures recomputed, books corrected on its date."""
    from acquittance import service
    from acquittance.present.lifecycle import reversed_document

    when = parse_date(on, option="--on")
    done = service.reverse(_store(db), instrument_id, event, on=when, reason=reason, key=key)
    document = reversed_document(done)
    if as_json:
        emit_json(document)
        return
    out = views.console()
    undone = document["reversed_event"]
    out.print(
        f"{document['event']} reverses {document['reverses']} ({undone['kind']} of "
        f"{undone['date']}) on {document['date']}: {document['reason']}"
    )
    _replayed(out, document)
    _entries(out, document)


@app.command()
def events(
    instrument_id: str = typer.Argument(..., help="A loan or note id."),
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """A loan's or note's events as recorded, with the references `reverse` takes."""
    from acquittance import service
    from acquittance.present.lifecycle import event_log_document

    document = event_log_document(service.event_log(_store(db), instrument_id))
    if as_json:
        emit_json(document)
        return
    table = Table(title=f"Events of {document['instrument_kind']} {instrument_id}")
    for column in ("event", "kind", "date", "amount", "status"):
        table.add_column(column, no_wrap=column in ("event", "date"))
    for line in document["events"]:
        figure = line.get("amount") or line.get("principal") or line.get("annual_rate") or ""
        status = line["status"]
        if line["reversed_by"]:
            status = f"reversed by {line['reversed_by']}"
        elif line["kind"] == "reversal":
            status = f"reverses #{line['reverses']}: {line['reason']}"
        if line["backdated"]:
            status += " (backdated)"
        table.add_row(line["event"], line["kind"], line["date"], str(figure), status)
    views.console().print(table)

"""How the CLI shows things to people (Rich tables), and the documents behind them."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from acquittance.core.money import format_amount
from acquittance.present.documents import entry_document

_WIDTH_OFF_TERMINAL = 132


def console(*, stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    # Off a terminal Rich assumes 80 columns and would crop figures; give it room.
    width = None if stream.isatty() else _WIDTH_OFF_TERMINAL
    return Console(file=stream, width=width, highlight=False)


def _money(text: str | Decimal | None) -> str:
    if text is None:
        return ""
    return format_amount(Decimal(str(text)))


# --- register -------------------------------------------------------------------------------


def loaded(summary: dict[str, Any], deal_file: Path) -> None:
    out = console()
    out.print(
        f"loaded {deal_file}: {len(summary['parties'])} parties, {len(summary['loans'])} loans, "
        f"{len(summary['notes'])} notes, {len(summary['security_interests'])} security interests, "
        f"{summary['entries']} journal entries"
    )


def register(records: dict[str, list[Any]]) -> None:
    out = console()
    table = Table(title="Parties")
    for column in ("id", "name", "entity type", "jurisdiction"):
        table.add_column(column)
    for p in records["parties"]:
        table.add_row(p.id, p.name, p.entity_type, p.jurisdiction)
    out.print(table)
    loans = Table(title="Loans")
    for column in ("id", "lender", "borrower", "agreement", "rate", "day count", "status"):
        loans.add_column(column)
    for loan in records["loans"]:
        status = f"discharged {loan.discharged_on}" if loan.discharged_on else "outstanding"
        agreement = f"{loan.agreement_name} {loan.agreement_date or ''}".strip()
        loans.add_row(
            loan.id,
            loan.lender_id,
            loan.borrower_id,
            agreement,
            str(loan.terms.annual_rate),
            loan.terms.day_count,
            status,
        )
    out.print(loans)
    notes = Table(title="Notes")
    for column in ("id", "maker", "holder", "kind", "rate", "day count"):
        notes.add_column(column)
    for n in records["notes"]:
        notes.add_row(
            n.id, n.maker, n.holder_id, n.kind, str(n.terms.annual_rate), n.terms.day_count
        )
    out.print(notes)
    pledges = Table(title="Security interests")
    for column in ("id", "loan", "secured party", "debtor", "notes", "status"):
        pledges.add_column(column)
    for s in records["security_interests"]:
        status = f"released {s.released_on}" if s.released_on else "active"
        pledges.add_row(
            s.id, s.loan_id, s.secured_party_id, s.debtor_id, ", ".join(s.note_ids), status
        )
    out.print(pledges)


def position(document: dict[str, Any]) -> None:
    table = Table(
        title=f"{document['instrument']} as of {document['as_of']} ({document['currency']})"
    )
    table.add_column("principal", justify="right")
    table.add_column("accrued interest", justify="right")
    table.add_column("total", justify="right")
    table.add_row(
        _money(document["principal"]), _money(document["interest"]), _money(document["total"])
    )
    console().print(table)


# --- quotes and settlements -----------------------------------------------------------------


def party_names(store: Any, the_quote: Any) -> dict[str, str]:
    from acquittance import service

    names = {}
    for party_id in (the_quote.lender_id, the_quote.borrower_id):
        names[party_id] = service.party(store, party_id).short_name
    return names


def quote(document: dict[str, Any], *, parties: dict[str, str] | None = None) -> None:
    """A quote laid out like an agreement's recitals: owed, assigned, cash."""
    names = parties or {}
    owed, collateral, cash = document["owed"], document["collateral"], document["cash"]
    table = Table(
        title=f"Settlement quote: loan {document['loan']} as of {document['as_of']} "
        f"({document['currency']})"
    )
    table.add_column("")
    table.add_column("principal", justify="right")
    table.add_column("interest", justify="right")
    table.add_column("total", justify="right")
    table.add_row(
        "Owed on the loan",
        _money(owed["principal"]),
        _money(owed["interest"]),
        _money(owed["total"]),
    )
    if owed.get("charges", "0.00") != "0.00":
        table.add_row("  of which fees and late charges", "", "", _money(owed["charges"]))
    for note in collateral["notes"]:
        table.add_row(
            f"  note {note['note']}",
            _money(note["principal"]),
            _money(note["interest"]),
            _money(note["value"]),
        )
    table.add_row(
        "Collateral assigned",
        _money(collateral["principal"]),
        _money(collateral["interest"]),
        _money(collateral["value"]),
    )
    if cash["payer"]:
        payer, payee = (
            names.get(cash["payer"], cash["payer"]),
            names.get(cash["payee"], cash["payee"]),
        )
        table.add_row(f"Cash, {payer} to {payee}", "", "", _money(cash["amount"]))
    else:
        table.add_row("Cash", "", "", _money(cash["amount"]))
    table.add_row("Remaining debt", "", "", _money(document["remaining_debt"]))
    out = console()
    out.print(table)
    out.print(
        f"satisfaction: {document['satisfaction']}; per diem {_money(owed['per_diem'])} "
        f"for each day after {document['as_of']}, good through {owed['good_through']}"
    )
    if collateral["carrying_amount"] != collateral["value"]:
        out.print(
            f"collateral carrying amount {_money(collateral['carrying_amount'])}, taken at "
            f"{_money(collateral['value'])}"
        )


def explanation(explained: dict[str, Any]) -> None:
    """How each figure was computed: periods, day counts, fractions, rates, the one rounding."""
    out = console()
    for held in [explained["loan"], *explained["notes"]]:
        _explain_instrument(out, held)
    diem = explained["per_diem"]
    out.print(
        f"per diem {_money(diem['amount'])}: {diem['rule']}; "
        f"{diem['days']} days to {diem['good_through']} = "
        f"{_money(diem['interest_to_good_through'])}"
    )
    cash = explained["cash"]
    out.print(
        f"owed {_money(cash['owed_total'])} - collateral value {_money(cash['collateral_value'])}"
        f" = {_money(cash['difference'])}; cash {_money(cash['cash']['amount'])} "
        f"({cash['satisfaction']} satisfaction, remaining debt {_money(cash['remaining_debt'])})"
    )
    out.print(f"identity: {cash['identity']}")
    out.print(f"fingerprint of the inputs: {explained['fingerprint']}")


def _explain_instrument(out: Console, held: dict[str, Any]) -> None:
    table = Table(
        title=f"{held['instrument_id']} as of {held['as_of']}: how the interest was computed"
    )
    for column in (
        "from",
        "to",
        "days",
        "day count",
        "year fraction",
        "rate",
        "principal",
        "interest (exact)",
    ):
        table.add_column(
            column, justify="left" if column in ("from", "to", "day count") else "right"
        )
    for period in held["periods"]:
        table.add_row(
            period["start"],
            period["end"],
            str(period["days"]),
            period["day_count"],
            period["year_fraction"],
            period["annual_rate"] + (" default" if period.get("default_interest") else ""),
            _money(period["principal"]),
            period["interest_decimal"],
        )
    table.add_row(
        "brought forward", "", "", "", "", "", "", held["interest_brought_forward_decimal"]
    )
    out.print(table)
    rounding = held["rounding"]
    out.print(
        f"  interest {rounding['exact']} rounded {rounding['mode']} to {_money(rounding['cents'])};"
        f" principal {_money(held['principal'])}, total {_money(held['total'])}"
    )
    if Decimal(held.get("default_interest_decimal", "0")) != 0:
        out.print(
            f"  of the periods' interest, default interest {held['default_interest_decimal']}"
        )
    if held.get("charges", "0.00") != "0.00":
        out.print(f"  fees and late charges unpaid {_money(held['charges'])}, in the total")


def settlement(document: dict[str, Any]) -> None:
    out = console()
    quote(document)
    out.print(
        f"settlement {document['settlement']} closed (key {document['idempotency_key']}); "
        f"loan {document['loan_status']}"
    )
    for entry in document["entries"]:
        entry_table(out, entry)
    if document["obligations"]:
        obligations({"obligations": document["obligations"]})


# --- books ----------------------------------------------------------------------------------


def entry_table(out: Console, entry: dict[str, Any]) -> None:
    table = Table(
        title=f"{entry['party']} · {entry['id']} · {entry['date']} · {entry['kind']}",
        caption=entry["description"],
    )
    table.add_column("account")
    table.add_column("debit", justify="right")
    table.add_column("credit", justify="right")
    debit = credit = Decimal(0)
    for leg in entry["legs"]:
        amount = Decimal(leg["amount"])
        if amount > 0:
            debit += amount
        else:
            credit -= amount
        table.add_row(
            leg["account"],
            _money(amount) if amount > 0 else "",
            _money(-amount) if amount < 0 else "",
        )
    table.add_row("total", _money(debit), _money(credit), style="bold")
    out.print(table)


def journal(who: Any, entries: list[Any]) -> None:

    out = console()
    out.print(f"Journal of {who.name} ({who.id}): {len(entries)} entries")
    for entry in entries:
        entry_table(out, entry_document(entry))


def trial_balance(document: dict[str, Any]) -> None:
    title = f"Trial balance of {document['party']}" + (
        f" as of {document['as_of']}" if document["as_of"] else ""
    )
    table = Table(title=f"{title} ({document['currency']})")
    table.add_column("account")
    table.add_column("name")
    table.add_column("debit", justify="right")
    table.add_column("credit", justify="right")
    for row in document["rows"]:
        debit, credit = Decimal(row["debit"]), Decimal(row["credit"])
        table.add_row(
            row["account"],
            row["name"],
            _money(debit) if debit else "",
            _money(credit) if credit else "",
        )
    table.add_row(
        "total", "", _money(document["total_debit"]), _money(document["total_credit"]), style="bold"
    )
    console().print(table)


def history(document: dict[str, Any]) -> None:
    table = Table(title=f"{document['party']} · {document['account']}")
    rows = document["rows"]
    columns = list(rows[0]) if rows else ["(no postings)"]
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row[c]) for c in columns))
    console().print(table)


def verification(document: dict[str, Any], *, stderr: bool = False) -> None:
    out = console(stderr=stderr)
    if document["ok"]:
        out.print(
            f"journal verified: {document['entries']} entries, every hash, link and head "
            "matches, and the register agrees with its history"
        )
    else:
        out.print(
            f"journal does NOT verify: first bad entry {document['first_bad']} "
            f"({document.get('reason') or 'hash mismatch'}); {document['entries']} entries checked"
        )


# --- obligations ----------------------------------------------------------------------------


def obligations(document: dict[str, Any]) -> None:
    table = Table(title="Obligations")
    for column in ("id", "kind", "who", "due", "amount", "status", "what"):
        table.add_column(
            column,
            justify="right" if column == "amount" else "left",
            overflow="fold",  # ids are long and must be copied whole
            no_wrap=column in ("due", "amount"),
        )
    for o in document["obligations"]:
        table.add_row(
            o["id"],
            o["kind"],
            o["party"],
            o["due"],
            _money(o["amount"]) if o["amount"] else "",
            o["status"],
            o["description"],
        )
    console().print(table)


def schedule(document: dict[str, Any]) -> None:
    table = Table(
        title=f"Amortization schedule of {document['note']}: {_money(document['payment'])} a month"
    )
    for column in ("number", "due", "payment", "interest", "principal", "balance"):
        table.add_column(column, justify="left" if column == "due" else "right")
    for row in document["rows"]:
        table.add_row(
            str(row["number"]),
            row["due"],
            _money(row["payment"]),
            _money(row["interest"]),
            _money(row["principal"]),
            _money(row["balance"]),
        )
    console().print(table)


def saved_quotes(document: dict[str, Any]) -> None:
    table = Table(title="Saved quotes")
    for column in ("quote", "loan", "as of", "owed", "collateral", "cash", "payer"):
        table.add_column(
            column, justify="right" if column in ("owed", "collateral", "cash") else "left"
        )
    for quote in document["quotes"]:
        table.add_row(
            quote["quote_id"],
            quote["loan"],
            quote["as_of"],
            _money(quote["owed"]["total"]),
            _money(quote["collateral"]["value"]),
            _money(quote["cash"]["amount"]),
            quote["cash"]["payer"] or "",
        )
    console().print(table)

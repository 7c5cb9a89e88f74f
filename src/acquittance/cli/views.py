"""How the CLI shows things to people (Rich tables), and the documents behind them."""

from __future__ import annotations

import os
import sys
from decimal import Decimal
from typing import Any, Final

from rich.console import Console
from rich.measure import Measurement
from rich.table import Table

from acquittance.core.money import format_amount
from acquittance.present.documents import entry_document

_WIDTH_OFF_TERMINAL: Final = 132
#: Wide enough to measure any table at the width it would take unhindered.
_WIDTH_UNBOUNDED: Final = 100_000
#: Columns that hold ids (of records, entries, obligations, quotes): never wrapped or cut,
#: so that an id can be copied whole from the table.
ID_COLUMNS: Final = frozenset(
    {
        "id",
        "quote",
        "loan",
        "lender",
        "borrower",
        "holder",
        "secured party",
        "debtor",
        "who",
        "payer",
        "account",
        "entry",
    }
)


def console(*, stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    # Off a terminal Rich assumes 80 columns and would crop figures; give it room,
    # unless COLUMNS says how wide the output is to be.
    width = None if stream.isatty() or "COLUMNS" in os.environ else _WIDTH_OFF_TERMINAL
    return Console(file=stream, width=width, highlight=False)


def add_columns(table: Table, columns: tuple[str, ...], *, right: tuple[str, ...] = ()) -> None:
    """Columns of a table, ids among them kept whole (no wrapping, no folding)."""
    for column in columns:
        table.add_column(
            column,
            justify="right" if column in right else "left",
            no_wrap=column in ID_COLUMNS,
            overflow="ignore" if column in ID_COLUMNS else "fold",
        )


def show(table: Table, out: Console | None = None) -> None:
    """Print a table no narrower than its longest id and its longest word.

    On a narrow terminal Rich would cut or fold an id to fit; an id must stay
    whole to be copied, so the table is then printed at the width it needs and
    the terminal wraps its lines, not the ids.
    """
    target = out or console()
    needed = _width_needed(target, table)
    if needed > target.width:
        target = Console(file=target.file, width=needed, highlight=False)
    target.print(table)


def _width_needed(out: Console, table: Table) -> int:
    """The narrowest width at which no column cuts a word: each column is held to its
    longest word, plus its padding and one rule between columns."""
    longest: list[int] = []
    for column in table.columns:
        # Rich keeps a header on one line when it can, so a header counts whole.
        words = [word for cell in column.cells for word in str(cell).split()]
        longest.append(max(map(len, [*words, str(column.header)]), default=1))
    # Padding and rules, and a little room: Rich shares a squeezed width out unevenly.
    padding = 5 * len(table.columns) + 1
    total = sum(longest) + padding
    unbounded = out.options.update(max_width=_WIDTH_UNBOUNDED)
    return max(total, Measurement.get(out, unbounded, table).minimum)


def _money(text: str | Decimal | None) -> str:
    if text is None:
        return ""
    return format_amount(Decimal(str(text)))


# --- register -------------------------------------------------------------------------------


def loaded(document: dict[str, Any]) -> None:
    out = console()
    out.print(
        f"loaded {document['deal_file']}: {len(document['parties'])} parties, "
        f"{len(document['loans'])} loans, {len(document['notes'])} notes, "
        f"{len(document['security_interests'])} security interests, "
        f"{document['entries_count']} journal entries"
    )


def register(records: dict[str, list[Any]]) -> None:
    out = console()
    table = Table(title="Parties")
    add_columns(table, ("id", "name", "entity type", "jurisdiction"))
    for p in records["parties"]:
        table.add_row(p.id, p.name, p.entity_type, p.jurisdiction)
    show(table, out)
    loans = Table(title="Loans")
    add_columns(loans, ("id", "lender", "borrower", "agreement", "rate", "day count", "status"))
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
    show(loans, out)
    notes = Table(title="Notes")
    add_columns(notes, ("id", "maker", "holder", "kind", "rate", "day count"))
    for n in records["notes"]:
        notes.add_row(
            n.id, n.maker, n.holder_id, n.kind, str(n.terms.annual_rate), n.terms.day_count
        )
    show(notes, out)
    pledges = Table(title="Security interests")
    add_columns(pledges, ("id", "loan", "secured party", "debtor", "notes", "status"))
    for s in records["security_interests"]:
        status = f"released {s.released_on}" if s.released_on else "active"
        pledges.add_row(
            s.id, s.loan_id, s.secured_party_id, s.debtor_id, ", ".join(s.note_ids), status
        )
    show(pledges, out)


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
    show(table)


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
    show(table, out)
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
        title=f"{held['instrument']} as of {held['as_of']}: how the interest was computed"
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
    show(table, out)
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
    add_columns(table, ("account", "debit", "credit"), right=("debit", "credit"))
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
    show(table, out)


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
    add_columns(table, ("account", "name", "debit", "credit"), right=("debit", "credit"))
    for row in document["accounts"]:
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
    show(table)


def history(document: dict[str, Any]) -> None:
    table = Table(title=f"{document['party']} · {document['account']}")
    rows = document["postings"]
    columns = list(rows[0]) if rows else ["(no postings)"]
    add_columns(table, tuple(columns), right=("amount", "balance"))
    for row in rows:
        table.add_row(*(str(row[c]) for c in columns))
    show(table)


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
    add_columns(table, ("id", "kind", "who", "due", "amount", "status", "what"), right=("amount",))
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
    show(table)


def schedule(document: dict[str, Any]) -> None:
    table = Table(
        title=f"Amortization schedule of {document['note']}: {_money(document['payment'])} a month"
    )
    for column in ("number", "due", "payment", "interest", "principal", "balance"):
        table.add_column(column, justify="left" if column == "due" else "right")
    for row in document["installments"]:
        table.add_row(
            str(row["number"]),
            row["due"],
            _money(row["payment"]),
            _money(row["interest"]),
            _money(row["principal"]),
            _money(row["balance"]),
        )
    show(table)


def saved_quotes(document: dict[str, Any]) -> None:
    table = Table(title="Saved quotes")
    add_columns(
        table,
        ("quote", "loan", "as of", "owed", "collateral", "cash", "payer"),
        right=("owed", "collateral", "cash"),
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
    show(table)

"""Late charges assessed by the accrual run, charges in quotes, and a settlement that pays them.

Worked example: the default test deal's loan (1,000,000.00 at 6% ACT/360 from
2020-01-01) with level payments of 10,000.00 due monthly from 2020-02-01 and
a late charge of 5% of the part missed, at least 100.00, after 10 days.
Nothing is paid, so the run through 2020-03-31 charges the payments due on
2020-02-01 (late from 02-12) and 2020-03-01 (late from 03-12): 500.00 each.
The lender books 1,000.00 of fees receivable against late charge income,
the borrower the same late charge expense against fees payable. A quote on
2020-03-31 owes them on their own line; the settlement pays them off.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from service_helpers import DealSpec, balances, deal_text, new_store

from acquittance import service
from acquittance.core.instruments import DefaultRate
from acquittance.deals.parse import parse_deal
from acquittance.present.documents import quote_document
from acquittance.service.accrue import accrue

RULE = """level_payment = { first_due = 2020-02-01, count = 24, amount = 10000.00 }
late_charge = { grace_days = 10, percent = "5%", amount = 100.00 }
"""


def _store(url: str) -> service.Store:
    store = new_store(url)
    text = deal_text(DealSpec()).replace(
        'day_count = "ACT/360"\n', 'day_count = "ACT/360"\n' + RULE, 1
    )
    service.load_deal(store, parse_deal(text, source="test deal"))
    return store


def _fees(found: dict[str, Decimal], prefix: str) -> Decimal:
    return sum((v for k, v in found.items() if k.startswith(prefix)), Decimal(0))


def test_the_run_assesses_each_missed_payment_once_in_both_books(store_url: str) -> None:
    store = _store(store_url)
    run = accrue(store, through=date(2020, 3, 31))
    line = next(line for line in run.lines if line.instrument_id == "loan-a")
    assert line.late_charges == Decimal("1000.00")
    again = accrue(store, through=date(2020, 3, 31))
    assert again.entries_count == 0
    lender, borrower = balances(store, "lender"), balances(store, "borrower")
    assert _fees(lender, "Assets:FeesReceivable:") == Decimal("1000.00")
    assert lender["Income:LateCharges"] == Decimal("-1000.00")
    assert _fees(borrower, "Liabilities:FeesPayable:") == Decimal("-1000.00")
    assert borrower["Expenses:LateCharges"] == Decimal("1000.00")
    assert service.verify(store).ok


def test_a_quote_owes_the_charges_and_a_settlement_pays_them(store_url: str) -> None:
    store = _store(store_url)
    accrue(store, through=date(2020, 3, 31))
    request = service.QuoteRequest(loan_id="loan-a", as_of=date(2020, 3, 31))
    document = quote_document(service.quote(store, request))
    owed = document["owed"]
    assert owed["charges"] == "1000.00"
    total = sum(Decimal(owed[k]) for k in ("principal", "interest", "charges"))
    assert Decimal(owed["total"]) == total
    service.settle(store, request, key="k")
    for party, prefix in (("lender", "Assets:FeesReceivable:"), ("borrower", "Liabilities:Fees")):
        assert _fees(balances(store, party), prefix) == 0
    assert service.verify(store).ok


def test_the_payoff_letter_and_the_statement_show_the_charges(
    sqlite_url: str, tmp_path: Path
) -> None:
    from acquittance.service.documents import Output, payoff_letter, periodic_statement

    store = _store(sqlite_url)
    accrue(store, through=date(2020, 3, 31))
    service.record_event(store, "loan-a", DefaultRate(date(2020, 4, 1), Decimal("0.11")))
    letter = payoff_letter(store, "loan-a", date(2020, 4, 30), Output(tmp_path / "payoff.md"))
    text = (tmp_path / "payoff.md").read_text()
    assert letter.context.charges == Decimal("1000.00")
    assert "Fees and late charges unpaid" in text and "$1,000.00" in text
    periodic_statement(store, "loan-a", date(2020, 1, 1), date(2020, 4, 30),
                       Output(tmp_path / "statement.md"))  # fmt: skip
    statement = (tmp_path / "statement.md").read_text()
    assert "Late charge on the payment due 2020-02-01" in statement
    assert "Default rate of 11% a year from this date" in statement

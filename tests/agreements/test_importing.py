"""`read --import`: an agreement becomes a deal in the register, and its books match its text."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from acquittance import service
from acquittance.agreements.importing import deal_text
from acquittance.agreements.reading import read_file, to_dict
from acquittance.cli import main
from acquittance.core.errors import InputError
from acquittance.deals.parse import parse_deal
from acquittance.present.documents import settlement_document
from acquittance.store.location import sqlite_url_for

FIXTURES = Path(__file__).parent / "fixtures"
REFERENCE_FILE = FIXTURES / "valence-berg-2002-letter-agreement.txt"


def _reference() -> Path:
    return REFERENCE_FILE


def _roles(document: dict[str, object], role: str) -> set[Decimal]:
    amounts = document["amounts"]
    assert isinstance(amounts, list)
    return {Decimal(a["value"]) for a in amounts if a["role"] == role}


def _settle(deal_source: str, tmp_path: Path, as_of: date) -> dict[str, object]:
    url = sqlite_url_for(tmp_path / "imported.db")
    service.initialize(service.Store(url))
    store = service.Store(url)
    deal = parse_deal(deal_source, source="imported")
    service.load_deal(store, deal)
    loan_id = deal.loans[0].id
    request = service.QuoteRequest(loan_id=loan_id, as_of=as_of)
    return settlement_document(service.settle(store, request, key="imp"))


def test_reference_agreement_imports_and_settles_to_its_own_cash(tmp_path: Path) -> None:
    document = to_dict(read_file(_reference()))
    settled = _settle(deal_text(document, source="reference"), tmp_path, date(2002, 3, 31))
    cash = settled["cash"]
    assert isinstance(cash, dict)
    assert {Decimal(cash["amount"])} == _roles(document, "cash_to_creditor")
    assert (cash["payer"], cash["payee"]) == ("valence", "berg")
    legs = sorted(
        Decimal(leg["amount"])
        for entry in settled["entries"]  # type: ignore[attr-defined]
        if entry["kind"] == "settlement" and entry["party"] == "valence"
        for leg in entry["legs"]
    )
    expected = ["-17533226.80", "-951754.93", "-155388.68", "1140370.41", "17500000.00"]
    assert legs == sorted(Decimal(x) for x in expected)


def test_surplus_agreement_imports_with_cash_back_to_the_debtor(tmp_path: Path) -> None:
    document = to_dict(read_file(FIXTURES / "surplus-to-borrower.txt"))
    assert document["reconciliation"]["status"] == "balanced"  # type: ignore[index]
    effective = date.fromisoformat(str(document["effective_date"]))
    settled = _settle(deal_text(document, source="surplus"), tmp_path, effective)
    cash = settled["cash"]
    assert isinstance(cash, dict)
    assert {Decimal(cash["amount"])} == _roles(document, "cash_to_debtor")


def test_agreement_without_payoff_figures_is_refused() -> None:
    document = to_dict(read_file(FIXTURES / "amendment.txt"))
    with pytest.raises(InputError) as refused:
        deal_text(document, source="amendment")
    assert refused.value.code.startswith("IMPORT_NEEDS_")


def test_rate_not_in_the_text_is_marked_not_invented() -> None:
    document = to_dict(read_file(_reference()))
    text = deal_text(document, source="reference")
    assert "not stated in the agreement" in text
    assert 'annual_rate = "7%"  # given on the command line' in deal_text(
        document, source="reference", rate="7%"
    )


def test_cli_import_loads_the_register_and_changes_nothing_on_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "cli.db")
    with pytest.raises(SystemExit):
        main(["init", "--db", db])
    capsys.readouterr()
    with pytest.raises(SystemExit) as done:
        main(["read", str(_reference()), "--import", "--db", db, "--json"])
    assert done.value.code == 0
    loaded = json.loads(capsys.readouterr().out)
    assert loaded["loans"] == ["berg-valence-loan"]
    with pytest.raises(SystemExit) as again:
        main(["read", str(_reference()), "--import", "--db", db, "--json"])
    assert again.value.code == 2
    assert json.loads(capsys.readouterr().out)["error"]["code"] == "DUPLICATE_ID"

"""Hostile names and texts are shown as text, never as markup, on every page they reach."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi import FastAPI
from pages_helpers import csrf_of, post_form, prepared_store, signed_in

from acquittance import service
from acquittance.server.app import create_app
from acquittance.server.pages.books import journal_csv, trial_balance_csv
from acquittance.service import accounts

SCRIPT = "<script>alert(1)</script>"
IMAGE = '<img src=x onerror="alert(2)">'
FORMULA = '=HYPERLINK("http://evil.example","x")'
HOSTILE_DEAL = f"""
[deal]
title = "Hostile {SCRIPT}"
currency = "USD"
governing_law = "California"

[[parties]]
id = "evil-lender"
name = {SCRIPT!r}
short_name = {SCRIPT!r}
entity_type = "limited liability company"
jurisdiction = "California"
signatories = [{{ name = {IMAGE!r}, title = "</td><script>alert(3)</script>" }}]

[[parties]]
id = "evil-borrower"
name = {FORMULA!r}
short_name = {FORMULA!r}
entity_type = "corporation"
jurisdiction = "Delaware"
signatories = [{{ name = "Plain Signer", title = "Officer" }}]

[[loans]]
id = "evil-loan"
lender = "evil-lender"
borrower = "evil-borrower"
annual_rate = "6%"
day_count = "ACT/360"
agreement_name = {IMAGE!r}

[[loans.events]]
kind = "opening"
date = 2020-01-01
principal = 1000000.00
interest = 1000.00

[[notes]]
id = "evil-note"
maker = {IMAGE!r}
holder = "evil-borrower"
annual_rate = "5%"
day_count = "30/360-US"

[[notes.events]]
kind = "opening"
date = 2020-01-01
principal = 600000.00
interest = 500.00

[[security_interests]]
id = "evil-pledge"
loan = "evil-loan"
secured_party = "evil-lender"
debtor = "evil-borrower"
notes = ["evil-note"]
"""
PAGES = (
    "/register?as_of=2020-06-30",
    "/instruments/evil-loan?as_of=2020-06-30",
    "/instruments/evil-note?as_of=2020-06-30",
    "/loans/evil-loan/quote?as_of=2020-06-30",
    "/books",
    "/books/journal",
    "/settlements",
    "/obligations",
    "/check",
)


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """One store for the module: every test here only reads, or adds a proposal of its own."""
    folder: Path = tmp_path_factory.mktemp("hostile")
    store = prepared_store(f"sqlite:///{folder / 'acquittance.db'}", HOSTILE_DEAL)
    accounts.add_user(store, "evil-user", party_id="evil-lender", password="correct horse battery")
    accounts.add_user(
        store, "formula-user", party_id="evil-borrower", password="correct horse battery"
    )
    yield create_app(store)
    store.close()


def _no_live_markup(html: str) -> None:
    assert SCRIPT not in html
    assert "<img" not in html
    assert "<script>alert" not in html
    assert 'onerror="alert' not in html
    # Our own markup has exactly one script: the page's own file, from this server.
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/app.js" defer>']


@pytest.mark.parametrize("path", PAGES)
def test_a_party_named_like_a_script_is_escaped_on_every_page(
    hostile_app: FastAPI, path: str
) -> None:
    client = signed_in(hostile_app, "evil-user")
    page = client.get(path)
    assert page.status_code == 200, page.text
    _no_live_markup(page.text)
    if path.startswith("/register"):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in page.text


def test_hostile_names_are_escaped_through_the_settlement_flow(hostile_app: FastAPI) -> None:
    lender = signed_in(hostile_app, "evil-user")
    quote_page = lender.get("/loans/evil-loan/quote?as_of=2020-06-30").text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', quote_page)
    assert key is not None
    proposed = lender.post(
        "/loans/evil-loan/proposals",
        data={
            "csrf_token": csrf_of(quote_page),
            "as_of": "2020-06-30",
            "idempotency_key": key.group(1),
        },
        follow_redirects=False,
    )
    assert proposed.status_code == 303, proposed.text
    page = lender.get(proposed.headers["location"])
    assert page.status_code == 200
    _no_live_markup(page.text)
    assert "&lt;/td&gt;&lt;script&gt;alert(3)&lt;/script&gt;" in page.text  # the title, as text


def test_text_that_looks_like_a_formula_is_text_in_the_csv_exports() -> None:
    entry = {
        "id": "e-1", "sequence": 1, "date": "2020-01-01", "kind": "opening",
        "description": FORMULA, "reference": "@SUM(A1)",
        "legs": [
            {"account": "+Assets:Cash", "amount": "-155388.68", "currency": "USD"},
            {"account": "Equity:OpeningBalances", "amount": "155388.68", "currency": "USD"},
        ],
        "hash": "ab",
    }  # fmt: skip
    rows = list(csv.reader(io.StringIO(journal_csv({"entries": [entry]}).decode("utf-8"))))
    assert rows[0][0] == "entry"
    assert rows[1][4] == "'" + FORMULA
    assert rows[1][5] == "'@SUM(A1)"
    assert rows[1][6] == "'+Assets:Cash"
    assert rows[1][7] == "-155388.68"  # an amount keeps its sign: it is a number
    balance = {
        "accounts": [
            {"account": "=A1", "name": "-x", "debit": "1.00", "credit": "0.00", "balance": "1.00"}
        ],
        "total_debit": "1.00",
        "total_credit": "1.00",
    }
    rows = list(csv.reader(io.StringIO(trial_balance_csv(balance).decode("utf-8"))))
    assert rows[1][:2] == ["'=A1", "'-x"]
    assert rows[-1] == ["total", "", "1.00", "1.00", ""]


def test_the_csv_exports_are_attachments_that_read_back_whole(hostile_app: FastAPI) -> None:
    client = signed_in(hostile_app, "formula-user")
    journal = client.get("/books/journal.csv")
    assert journal.status_code == 200
    assert journal.headers["content-disposition"] == (
        'attachment; filename="evil-borrower-journal.csv"'
    )
    assert journal.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(journal.text)))
    assert {row["description"] for row in rows} >= {
        'Opening balance of <img src=x onerror="alert(2)"> with <script>alert(1)</script>'
    }
    assert sum(Decimal(row["amount"]) for row in rows) == 0


def test_forms_are_refused_without_their_csrf_token_and_change_nothing(
    hostile_app: FastAPI,
) -> None:
    client = signed_in(hostile_app, "evil-user")
    store: service.Store = hostile_app.state.store
    quotes_before = len(service.saved_quotes(store))
    for action, fields in (
        ("/loans/evil-loan/proposals", {"as_of": "2020-06-30", "idempotency_key": "k-1"}),
        ("/logout", {}),
    ):
        for token in (None, "", "0" * 64):
            data = dict(fields) if token is None else {**fields, "csrf_token": token}
            answer = client.post(action, data=data, follow_redirects=False)
            assert answer.status_code == 403, (action, token)
            assert "CSRF_FAILED" in answer.text
    assert len(service.saved_quotes(store)) == quotes_before
    assert client.get("/settlements").status_code == 200  # still signed in
    good = post_form(client, "/register", "/logout")
    assert good.status_code == 303

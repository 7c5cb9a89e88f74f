"""The register, an instrument's page and a loan's quote, as one party sees them."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from fastapi.testclient import TestClient
from pages_helpers import HARBOR_LOAN, REFERENCE_LOAN

from acquittance import service
from acquittance.core import settlement
from acquittance.present.documents import quote_document
from acquittance.server.pages.rendering import money


def _cells(html: str, testid: str) -> list[str]:
    table = html.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", table, re.S)
    ]


def test_the_register_lists_the_partys_loans_and_notes_with_positions_on_the_date(
    sign_in: Callable[[str], TestClient],
) -> None:
    page = sign_in("berg-user").get("/register?as_of=2002-03-31")
    assert page.status_code == 200
    loans = _cells(page.text, "loans")
    assert REFERENCE_LOAN in loans
    assert loans[-4:-1] == ["17,500,000.00", "1,140,370.41", "18,640,370.41"]
    notes = _cells(page.text, "notes")
    assert {"valence-note-1", "valence-note-2", "valence-note-3"} <= set(notes)
    assert "8,434,250.00" in notes


def test_the_register_shows_nothing_of_another_partys_deal(
    sign_in: Callable[[str], TestClient],
) -> None:
    berg = sign_in("berg-user").get("/register?as_of=2024-06-30").text
    harbor = sign_in("harbor-user").get("/register?as_of=2024-06-30").text
    assert REFERENCE_LOAN in berg and HARBOR_LOAN not in berg
    assert "quill-mortgage" not in berg and "Quill" not in berg
    assert HARBOR_LOAN in harbor and REFERENCE_LOAN not in harbor
    assert "valence" not in harbor.lower()


def test_a_date_before_an_instruments_history_says_so_instead_of_a_figure(
    sign_in: Callable[[str], TestClient],
) -> None:
    page = sign_in("berg-user").get("/register?as_of=2001-01-01")
    assert page.status_code == 200
    assert "BEFORE_HISTORY" not in page.text  # the message, in words, not the code
    assert "2002-03-31" in _cells(page.text, "loans")[-2]


def test_a_malformed_date_is_refused_with_its_code(sign_in: Callable[[str], TestClient]) -> None:
    client = sign_in("berg-user")
    for bad in ("2002-02-30", "yesterday", "9999-01-01"):
        page = client.get(f"/register?as_of={bad}")
        assert page.status_code == 422, bad
        assert "INVALID_DATE" in page.text or "DATE_OUT_OF_RANGE" in page.text


def test_another_partys_instrument_answers_404_exactly_as_an_unknown_id(
    sign_in: Callable[[str], TestClient],
) -> None:
    client = sign_in("harbor-user")
    theirs = client.get(f"/instruments/{REFERENCE_LOAN}?as_of=2002-03-31")
    unknown = client.get("/instruments/no-such-loan?as_of=2002-03-31")
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.text.replace(REFERENCE_LOAN, "ID") == unknown.text.replace("no-such-loan", "ID")
    for path in (
        "/instruments/valence-note-1?as_of=2002-03-31",
        f"/loans/{REFERENCE_LOAN}/quote?as_of=2002-03-31",
    ):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert "17,500,000" not in answer.text and "Valence" not in answer.text


def test_the_instrument_chart_is_inline_svg_drawn_from_the_services_positions(
    sign_in: Callable[[str], TestClient], pages_store: service.Store
) -> None:
    page = sign_in("harbor-user").get(f"/instruments/{HARBOR_LOAN}?as_of=2024-06-30")
    assert page.status_code == 200
    svg = page.text.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert svg.count("<polyline") == 4  # principal, interest, payoff, collateral
    assert "<script" not in svg
    figures = _cells(page.text, "chart-figures")
    rows = [figures[i : i + 5] for i in range(5, len(figures), 5)]
    assert rows[0][0] == "2024-01-01" and rows[-1][0] == "2024-06-30"
    for row in (rows[0], rows[len(rows) // 2], rows[-1]):
        _, held = service.instrument_position(pages_store, HARBOR_LOAN, date.fromisoformat(row[0]))
        assert row[1:4] == [money(held.principal), money(held.interest), money(held.total)]
    # The payment of 2024-03-31 shows as a step: the day before and the day itself are drawn.
    dates = [row[0] for row in rows]
    assert "2024-03-30" in dates and "2024-03-31" in dates


def test_a_loans_page_sets_the_collateral_against_the_payoff(
    sign_in: Callable[[str], TestClient], pages_store: service.Store
) -> None:
    page = sign_in("harbor-user").get(f"/instruments/{HARBOR_LOAN}?as_of=2024-06-30")
    quote = service.quote(pages_store, service.QuoteRequest(HARBOR_LOAN, date(2024, 6, 30)))
    coverage = _cells(page.text, "coverage")
    assert coverage[1] == money(quote.owed_total)
    assert coverage[3] == money(quote.collateral_value)
    ratio = quote.collateral_value * 100 / quote.owed_total
    assert coverage[5] == f"{ratio.quantize(quote.owed_total.__class__('0.01'))} %"
    assert quote.collateral_value > quote.owed_total  # the harbor deal returns a surplus


def test_a_discharged_loan_has_no_quote_and_says_why(
    sign_in: Callable[[str], TestClient], pages_store: service.Store
) -> None:
    service.settle(pages_store, service.QuoteRequest(REFERENCE_LOAN, date(2002, 3, 31)), key="k1")
    page = sign_in("valence-user").get(f"/instruments/{REFERENCE_LOAN}?as_of=2002-06-30")
    assert page.status_code == 200
    assert "discharged" in page.text
    assert 'data-testid="coverage"' not in page.text
    # The notes went to Berg with the pledge released: Valence sees them no more.
    valence = sign_in("valence-user").get("/register?as_of=2002-03-31").text
    assert 'data-testid="notes"' not in valence and "No notes." in valence
    assert sign_in("valence-user").get("/instruments/valence-note-1").status_code == 404
    assert "valence-note-1" in sign_in("berg-user").get("/register?as_of=2002-03-31").text


def test_the_quote_page_shows_the_presenters_figures_in_the_reconciliation(
    sign_in: Callable[[str], TestClient], pages_store: service.Store
) -> None:
    page = sign_in("valence-user").get(f"/loans/{REFERENCE_LOAN}/quote?as_of=2002-03-31")
    assert page.status_code == 200
    quote = service.quote(pages_store, service.QuoteRequest(REFERENCE_LOAN, date(2002, 3, 31)))
    document = quote_document(quote, explanation=settlement.explain(quote))
    cells = _cells(page.text, "reconciliation")
    assert money(document["owed"]["total"]) in cells
    assert money(document["collateral"]["value"]) in cells
    assert cells[cells.index("Plus cash, Valence to Berg") + 3] == "155,388.68"
    assert cells[-1] == money(document["explanation"]["cash"]["difference"])
    assert "Propose this settlement" in page.text

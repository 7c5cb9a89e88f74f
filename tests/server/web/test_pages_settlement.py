"""The two-party settlement through the pages: propose, approve, close; books, downloads."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

from fastapi.testclient import TestClient
from pages_helpers import HARBOR_LOAN, REFERENCE_LOAN, csrf_of, post_form

from acquittance import service
from acquittance.books.entries import EntryKind
from acquittance.server.pages.books import JOURNAL_PAGE_ENTRIES

QUOTE_PAGE = f"/loans/{REFERENCE_LOAN}/quote?as_of=2002-03-31"


def _propose(client: TestClient, *, key: str | None = None) -> str:
    page = client.get(QUOTE_PAGE).text
    found = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    assert found is not None
    answer = client.post(
        f"/loans/{REFERENCE_LOAN}/proposals",
        data={
            "csrf_token": csrf_of(page),
            "as_of": "2002-03-31",
            "idempotency_key": key or found.group(1),
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return str(answer.headers["location"])


def _total_debit(client: TestClient) -> str:
    found = re.search(r'data-testid="total-debit">([^<]+)<', client.get("/books").text)
    assert found is not None
    return found.group(1)


def test_both_parties_carry_the_reference_settlement_to_closed_books(
    sign_in: Callable[[str], TestClient], pages_store: service.Store
) -> None:
    berg, valence = sign_in("berg-user"), sign_in("valence-user")
    before = (_total_debit(berg), _total_debit(valence))
    path = _propose(berg)
    assert path.startswith("/settlements/prp-")
    assert path in berg.get("/settlements").text and path in valence.get("/settlements").text

    early = post_form(valence, path, f"{path}/close")
    assert early.status_code == 409 and "APPROVALS_MISSING" in early.text

    assert post_form(berg, path, f"{path}/approve", signatory="Carl E. Berg").status_code == 303
    page = valence.get(path).text
    assert "Carl E. Berg, Managing Member" in page
    assert "Approve the agreement" in page
    assert post_form(valence, path, f"{path}/approve").status_code == 303
    assert "ready to close" in valence.get(path).text

    closed = post_form(valence, path, f"{path}/close")
    assert (closed.status_code, closed.headers["location"]) == (303, path)
    page = berg.get(path).text
    assert "Status: closed" in page and "Closed as stl-" in page
    assert "17,533,226.80" in page  # Berg's entry: the notes it received
    # A second press of Close shows the closed settlement and closes nothing twice.
    assert post_form(berg, path, f"{path}/close").status_code == 303

    after = (_total_debit(berg), _total_debit(valence))
    assert after != before
    entries = service.journal(pages_store, "berg")[1] + service.journal(pages_store, "valence")[1]
    closings = [e for e in entries if e.kind == EntryKind.SETTLEMENT]
    assert len(closings) == 2
    assert service.verify(pages_store).ok
    trail = re.findall(r"UTC</time>: (\w+) by ([\w-]+)", berg.get(path).text)
    assert trail == [
        ("proposed", "berg-user"),
        ("approved", "berg-user"),
        ("approved", "valence-user"),
        ("closed", "valence-user"),
    ]


def test_the_same_proposal_form_sent_twice_proposes_once(
    sign_in: Callable[[str], TestClient], pages_store: service.Store
) -> None:
    client = sign_in("berg-user")
    first = _propose(client, key="form-key-1")
    again = _propose(client, key="form-key-1")
    assert first == again
    assert len(service.saved_quotes(pages_store)) == 1
    assert _propose(client, key="form-key-2") != first


def test_another_partys_settlement_and_its_agreement_answer_404(
    sign_in: Callable[[str], TestClient],
) -> None:
    path = _propose(sign_in("berg-user"))
    harbor = sign_in("harbor-user")
    for suffix in ("", "/agreement.pdf", "/agreement.docx"):
        assert harbor.get(path + suffix).status_code == 404
    assert post_form(harbor, "/register", f"{path}/approve").status_code == 404
    assert post_form(harbor, "/register", f"{path}/close").status_code == 404


def test_the_agreement_downloads_as_docx_and_pdf(sign_in: Callable[[str], TestClient]) -> None:
    client = sign_in("valence-user")
    path = _propose(client)
    docx = client.get(f"{path}/agreement.docx")
    assert docx.status_code == 200
    assert docx.headers["content-disposition"] == (
        f'attachment; filename="{REFERENCE_LOAN}-agreement.docx"'
    )
    with zipfile.ZipFile(io.BytesIO(docx.content)) as archive:
        body = archive.read("word/document.xml").decode("utf-8")
    assert "155,388.68" in body and "Berg &amp; Berg Enterprises, LLC" in body
    pdf = client.get(f"{path}/agreement.pdf")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert client.get(f"{path}/agreement.exe").status_code == 422


def test_the_responsible_party_marks_its_obligation_done(
    sign_in: Callable[[str], TestClient], pages_store: service.Store
) -> None:
    berg, valence = sign_in("berg-user"), sign_in("valence-user")
    path = _propose(berg)
    post_form(berg, path, f"{path}/approve")
    post_form(valence, path, f"{path}/approve")
    post_form(valence, path, f"{path}/close")
    page = valence.get("/obligations").text
    assert "wire 155388.68 USD to berg" in page
    assert "termination statement" not in page  # Berg's to file, not Valence's
    wire = next(o for o in service.obligations(pages_store) if o.obligation.party_id == "valence")
    action = f"/obligations/{wire.obligation.id}/complete"
    refused = post_form(berg, "/obligations", action, on="2002-03-31")
    assert refused.status_code == 404
    done = post_form(valence, "/obligations", action, on="2002-03-31")
    assert done.status_code == 303
    assert "done 2002-03-31" in valence.get("/obligations").text


def test_the_books_pages_and_the_beancount_export(sign_in: Callable[[str], TestClient]) -> None:
    client = sign_in("berg-user")
    balance = client.get("/books").text
    assert "Assets:LoanReceivable" in balance and "18,640,370.41" in balance
    journal = client.get("/books/journal").text
    assert journal.count('data-testid="entry"') == 1 and "opening" in journal
    history = client.get("/books/account?name=Assets:LoanReceivable:Valence").text
    assert "17,500,000.00" in history.split('data-testid="account-history"')[1]
    export = client.get("/books/export.beancount")
    assert export.headers["content-disposition"] == 'attachment; filename="berg.beancount"'
    from beancount import loader

    _, errors, _ = loader.load_string(export.text)
    assert errors == []
    assert re.search(r"Assets:LoanReceivable:Valence +17500000.00 USD", export.text)
    # The party is the session's: no URL reaches another party's book.
    heading = client.get("/books?party=valence").text.split("<h1>")[1].split("</h1>")[0]
    assert heading == "Books of Berg &amp; Berg Enterprises, LLC"


def test_a_long_journal_is_shown_a_page_at_a_time(
    sign_in: Callable[[str], TestClient], pages_store: service.Store
) -> None:
    from datetime import date, timedelta
    from decimal import Decimal

    from acquittance.core.instruments import Payment

    for day in range(1, 121):
        service.record_event(
            pages_store,
            HARBOR_LOAN,
            Payment(date(2024, 6, 30) + timedelta(days=day), Decimal("1.00")),
        )
    client = sign_in("quill-user")
    entries_count = len(service.journal(pages_store, "quill")[1])
    first = client.get("/books/journal").text
    assert first.count('data-testid="entry"') == JOURNAL_PAGE_ENTRIES
    pages_count = -(-entries_count // JOURNAL_PAGE_ENTRIES)
    assert pages_count > 1
    assert f"Page 1 of {pages_count} ({entries_count} entries)" in first
    on_last = entries_count - (pages_count - 1) * JOURNAL_PAGE_ENTRIES
    last = client.get(f"/books/journal?page={pages_count}").text
    assert last.count('data-testid="entry"') == on_last
    assert 'rel="next"' not in last and 'rel="prev"' in last
    beyond = client.get("/books/journal?page=99").text
    assert beyond.count('data-testid="entry"') == on_last
    assert client.get("/books/journal?page=0").status_code == 422
    csv_rows = client.get("/books/journal.csv").text.splitlines()
    assert len({row.split(",")[0] for row in csv_rows[1:]}) == entries_count

"""The pages in a real browser: headless chromium, two parties, the reference settlement.

Every test here drives Debian's chromium through Playwright against a live
server on loopback (see browser_helpers.py).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from browser_helpers import PAGE_TIMEOUT_MS
from pages_helpers import PASSWORD, REFERENCE_AGREEMENT, REFERENCE_LOAN

from acquittance import service
from acquittance.books.entries import EntryKind

pytestmark = pytest.mark.browser


def _page(browser: Any, base_url: str) -> Any:
    context = browser.new_context(base_url=base_url)
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    return page


def _sign_in(page: Any, name: str, *, next_path: str = "/register") -> None:
    page.goto(f"/login?next={next_path}")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{next_path}")


def _trial_balance(page: Any) -> dict[str, tuple[str, str]]:
    page.goto("/books")
    rows = page.locator('[data-testid="trial-balance"] tbody tr')
    found = {}
    for index in range(rows.count()):
        cells = rows.nth(index).locator("th, td").all_inner_texts()
        if len(cells) == 4:
            found[cells[0]] = (cells[2], cells[3])
    return found


def test_lender_and_borrower_carry_the_reference_settlement_to_their_books(
    browser: Any, live_url: str, pages_store: service.Store
) -> None:
    lender, borrower = _page(browser, live_url), _page(browser, live_url)
    _sign_in(lender, "berg-user")
    _sign_in(borrower, "valence-user")
    assert lender.get_by_test_id("party-name").inner_text() == "Berg"
    assert borrower.get_by_test_id("party-name").inner_text() == "Valence"
    lender_before, borrower_before = _trial_balance(lender), _trial_balance(borrower)
    assert lender_before["Assets:LoanReceivable:Valence"] == ("17,500,000.00", "")

    # The lender quotes the loan on the settlement date from the register.
    lender.goto("/register")
    lender.get_by_label("Positions as of").fill("2002-03-31")
    lender.get_by_role("button", name="Show").click()
    loans = lender.get_by_test_id("loans")
    assert "18,640,370.41" in loans.inner_text()
    loans.get_by_role("link", name="Quote").click()
    reconciliation = lender.get_by_test_id("reconciliation")
    assert lender.get_by_test_id("owed-total").inner_text() == "18,640,370.41"
    assert lender.get_by_test_id("collateral-value").inner_text() == "18,484,981.73"
    assert lender.get_by_test_id("cash-amount").inner_text() == "155,388.68"
    assert "Plus cash, Valence to Berg" in reconciliation.inner_text()
    lender.get_by_role("button", name="Propose this settlement").click()
    lender.wait_for_url(re.compile(r".*/settlements/prp-[0-9a-f]+$"))
    settlement_path = lender.url.removeprefix(live_url)
    assert "waiting for approvals" in lender.get_by_test_id("status").inner_text()

    # The agreement is drafted from the quote: both formats download.
    with lender.expect_download() as pdf:
        lender.get_by_role("link", name="PDF").click()
    assert pdf.value.suggested_filename == f"{REFERENCE_LOAN}-agreement.pdf"
    with open(pdf.value.path(), "rb") as drafted:
        assert drafted.read(5) == b"%PDF-"

    lender.get_by_label("Signing for Berg").select_option("Carl E. Berg")
    lender.get_by_role("button", name="Approve the agreement").click()
    assert "Carl E. Berg, Managing Member" in lender.get_by_test_id("approvals").inner_text()

    # The borrower finds it among its settlements, approves and closes.
    borrower.goto("/settlements")
    borrower.get_by_role("link", name=settlement_path.rsplit("/", 1)[1]).click()
    with borrower.expect_download() as docx:
        borrower.get_by_role("link", name="Word (.docx)").click()
    assert docx.value.suggested_filename.endswith(".docx")
    borrower.get_by_role("button", name="Approve the agreement").click()
    assert "ready to close" in borrower.get_by_test_id("status").inner_text()
    borrower.get_by_role("button", name="Close the settlement").click()
    borrower.wait_for_url(f"**{settlement_path}")
    assert borrower.get_by_test_id("status").inner_text() == "Status: closed"
    assert "155,388.68" in borrower.get_by_test_id("closing-entry").inner_text()

    # Both books moved, once, and agree with the reference case.
    lender_after, borrower_after = _trial_balance(lender), _trial_balance(borrower)
    assert lender_after != lender_before and borrower_after != borrower_before
    assert lender_after["Assets:NotesReceivable"] == ("17,533,226.80", "")
    assert lender_after["Assets:InterestReceivable:Notes"] == ("951,754.93", "")
    assert "Assets:LoanReceivable:Valence" not in lender_after
    assert "Assets:NotesReceivable" not in borrower_after
    lender.goto(settlement_path)
    assert "Status: closed" in lender.get_by_test_id("status").inner_text()
    assert [
        a.split(" by ")[0].split(": ")[-1]
        for a in lender.get_by_test_id("audit-trail").locator("li").all_inner_texts()
    ] == ["proposed", "approved", "approved", "closed"]
    for party_id in ("berg", "valence"):
        entries = service.journal(pages_store, party_id)[1]
        assert sum(1 for e in entries if e.kind == EntryKind.SETTLEMENT) == 1
    assert service.verify(pages_store).ok


def test_signing_in_works_from_the_keyboard_alone(browser: Any, live_url: str) -> None:
    page = _page(browser, live_url)
    page.goto("/login")
    assert page.evaluate("document.activeElement.id") == "name"  # autofocus on the first field
    page.keyboard.type("harbor-user")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/register")
    # The first Tab reaches the skip link, which moves focus to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_the_instrument_chart_draws_in_the_browser(browser: Any, live_url: str) -> None:
    page = _page(browser, live_url)
    _sign_in(page, "harbor-user")
    page.goto("/instruments/harbor-quill-loan?as_of=2024-06-30")
    chart = page.get_by_role("img", name=re.compile("Principal and accrued interest of"))
    box = chart.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 100
    assert page.locator("svg polyline").count() == 4
    assert page.get_by_test_id("coverage-ratio").inner_text().endswith("%")


def test_checking_an_agreement_in_the_browser_marks_its_amounts(
    browser: Any, live_url: str
) -> None:
    page = _page(browser, live_url)
    _sign_in(page, "valence-user", next_path="/check")
    page.get_by_label("Agreement file").set_input_files(str(REFERENCE_AGREEMENT))
    page.get_by_role("button", name="Check").click()
    assert "The figures reconcile" in page.get_by_test_id("verdict").inner_text()
    marks = page.locator("mark[data-role]")
    assert marks.count() >= 5
    assert (
        page.locator('mark[data-role="cash_to_creditor"]')
        .first.inner_text()
        .startswith("$155,388.68")
    )


def test_an_upload_over_the_limit_is_stopped_in_the_page(browser: Any, live_url: str) -> None:
    page = _page(browser, live_url)
    _sign_in(page, "valence-user", next_path="/check")
    limit = int(page.get_by_label("Agreement file").get_attribute("data-limit-bytes"))
    page.get_by_label("Agreement file").set_input_files(
        {"name": "huge.txt", "mimeType": "text/plain", "buffer": b"a" * (limit + 1)}
    )
    page.get_by_role("button", name="Check").click()
    assert page.url.endswith("/check")
    message = page.get_by_label("Agreement file").evaluate("input => input.validationMessage")
    assert "larger than the page accepts" in message

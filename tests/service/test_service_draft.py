"""The settlement agreement from a deal file and from the store: the same records give the
same document, byte for byte, because one builder makes the facts whatever the source."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from service_helpers import REFERENCE_DATE, REFERENCE_DEAL, REFERENCE_LOAN, dump, new_store

from acquittance import service
from acquittance.core.errors import AcquittanceError
from acquittance.core.instruments import Payment
from acquittance.deals.parse import read_deal_file
from acquittance.service.draft import (
    DraftRequest,
    draft_agreement,
    facts_from_deal_file,
    facts_from_store,
    store_history_notice,
)

HARBOR_DEAL = REFERENCE_DEAL.with_name("harbor-mortgage-surplus.toml")
HARBOR_LOAN = "harbor-quill-loan"
HARBOR_DATE = date(2024, 6, 30)


def _store(url: str, *deals: Path) -> service.Store:
    store = new_store(url)
    for deal in deals:
        service.load_deal(store, read_deal_file(deal))
    return store


def _draft(facts: object, path: Path, **options: object) -> bytes:
    draft_agreement(facts, DraftRequest(fmt=None, output=path, **options))  # type: ignore[arg-type]
    return path.read_bytes()


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_reference_deal_file_and_store_give_the_same_agreement(
    sqlite_url: str, tmp_path: Path, fmt: str
) -> None:
    store = _store(sqlite_url, REFERENCE_DEAL)
    from_file = facts_from_deal_file(REFERENCE_DEAL, REFERENCE_DATE, None)
    from_store = facts_from_store(store, REFERENCE_LOAN, REFERENCE_DATE)
    assert from_file.source == "deal_file" and from_store.source == "store"
    assert from_file.quote.owed_total == from_store.quote.owed_total
    assert _draft(from_file, tmp_path / f"file.{fmt}") == _draft(
        from_store, tmp_path / f"store.{fmt}"
    )


@pytest.mark.parametrize("fmt", ["md", "docx"])
def test_harbor_from_the_store_with_its_title_is_the_deal_files_agreement(
    sqlite_url: str, tmp_path: Path, fmt: str
) -> None:
    # The store keeps no deal title: a draft from it takes --title, here the deal's own.
    store = _store(sqlite_url, HARBOR_DEAL)
    from_file = facts_from_deal_file(HARBOR_DEAL, HARBOR_DATE, None)
    from_store = facts_from_store(store, HARBOR_LOAN, HARBOR_DATE)
    assert from_file.title == "Settlement Agreement and Release"
    drafted = _draft(from_file, tmp_path / f"file.{fmt}")
    assert drafted == _draft(
        from_store, tmp_path / f"store.{fmt}", title="Settlement Agreement and Release"
    )


def test_a_closed_settlement_drafts_as_its_deal_file_did(sqlite_url: str, tmp_path: Path) -> None:
    store = _store(sqlite_url, REFERENCE_DEAL, HARBOR_DEAL)
    closed = service.settle(store, service.QuoteRequest(HARBOR_LOAN, HARBOR_DATE), key=None)
    from_file = facts_from_deal_file(HARBOR_DEAL, HARBOR_DATE, None)
    from_settlement = facts_from_store(store, closed.id, None)
    title = {"title": "Settlement Agreement and Release"}
    assert _draft(from_file, tmp_path / "file.md") == _draft(
        from_settlement, tmp_path / "settlement.md", **title
    )


def test_a_deal_file_draft_says_when_the_store_recorded_more(
    sqlite_url: str, tmp_path: Path
) -> None:
    store = _store(sqlite_url, HARBOR_DEAL)
    quiet = store_history_notice(store, facts_from_deal_file(HARBOR_DEAL, HARBOR_DATE, None))
    assert quiet.notices == ()
    service.record_event(store, HARBOR_LOAN, Payment(date(2024, 6, 1), Decimal("25000.00")))
    noticed = store_history_notice(store, facts_from_deal_file(HARBOR_DEAL, HARBOR_DATE, None))
    (notice,) = noticed.notices
    assert "from the file alone" in notice and HARBOR_LOAN in notice
    # The store's draft has the payment; the file's does not.
    from_store = facts_from_store(store, HARBOR_LOAN, HARBOR_DATE)
    assert from_store.quote.owed_total < noticed.quote.owed_total


def test_a_missing_store_adds_no_notice_and_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "books.db"
    facts = facts_from_deal_file(REFERENCE_DEAL, REFERENCE_DATE, None)
    assert store_history_notice(service.Store(f"sqlite:///{missing}"), facts) == facts
    assert not missing.exists()


def test_a_draft_over_its_deal_file_is_refused(tmp_path: Path) -> None:
    deal = tmp_path / "deal.toml"
    deal.write_bytes(REFERENCE_DEAL.read_bytes())
    facts = facts_from_deal_file(deal, REFERENCE_DATE, None)
    for fmt in ("md", None):
        with pytest.raises(AcquittanceError) as refused:
            draft_agreement(facts, DraftRequest(fmt=fmt, output=deal, force=True, inputs=(deal,)))
        assert refused.value.code == "OUTPUT_IS_INPUT"
    assert deal.read_bytes() == REFERENCE_DEAL.read_bytes()


@pytest.mark.parametrize(
    ("name", "fmt", "force", "code"),
    [
        ("a.md", "pdf", False, "FORMAT_MISMATCH"),
        ("a.pdf", "docx", True, "FORMAT_MISMATCH"),
        ("existing.md", None, False, "OUTPUT_EXISTS"),
    ],
)
def test_a_draft_to_the_wrong_file_is_refused_and_writes_nothing(
    sqlite_url: str, tmp_path: Path, name: str, fmt: str | None, force: bool, code: str
) -> None:
    store = _store(sqlite_url, REFERENCE_DEAL)
    (tmp_path / "existing.md").write_text("mine", encoding="utf-8")
    before, files = dump(store.url), sorted(tmp_path.iterdir())
    facts = facts_from_store(store, REFERENCE_LOAN, REFERENCE_DATE)
    with pytest.raises(AcquittanceError) as refused:
        draft_agreement(facts, DraftRequest(fmt=fmt, output=tmp_path / name, force=force))
    assert refused.value.code == code
    assert dump(store.url) == before
    assert sorted(tmp_path.iterdir()) == files
    assert (tmp_path / "existing.md").read_text(encoding="utf-8") == "mine"


def test_the_format_follows_the_extension_when_not_given(tmp_path: Path) -> None:
    facts = facts_from_deal_file(REFERENCE_DEAL, REFERENCE_DATE, None)
    written = draft_agreement(facts, DraftRequest(fmt=None, output=tmp_path / "a.docx"))
    assert written.fmt == "docx" and written.title == "Letter Agreement and Release"
    assert (tmp_path / "a.docx").read_bytes()[:2] == b"PK"

"""Every format carries every figure; text formats are deterministic; files are written whole."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from drafting_factories import context_of, exact_quote, partial_quote, surplus_quote, text_of

from acquittance.agreements.drafting import FORMATS, DraftContext, render, write_draft
from acquittance.core.errors import AcquittanceError

REFERENCE_TEXTS = (
    "$17,533,226.80",
    "$951,754.93",
    "$17,500,000.00",
    "$1,140,370.41",
    "$155,388.68",
    "$18,484,981.73",
    "March 31, 2002",
    "February 24, 2001",
    "Berg & Berg Enterprises, LLC",
    "Valence Technology, Inc.",
    "Name: Carl E. Berg",
    "Title: Managing Member",
    "Name: Kevin W. Mischnick",
    "Title: VP of Finance",
    "Schedule of the Notes",
    "to be completed by Berg",
)


@pytest.mark.parametrize("fmt", FORMATS)
def test_reference_draft_states_every_figure_and_name(
    reference_context: DraftContext, fmt: str
) -> None:
    text = text_of(render(reference_context, fmt), fmt)
    for expected in REFERENCE_TEXTS:
        assert expected in text, expected
    assert "California Civil Code Section 1542" in text


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_partial_draft_has_no_exhibit_b_in_any_format(fmt: str) -> None:
    text = text_of(render(context_of(partial_quote()), fmt), fmt)
    assert "$10,206,120.41" in text
    assert "Exhibit B" not in text
    assert "EXHIBIT B" not in text


def test_surplus_pdf_names_the_borrower_as_payee() -> None:
    text = text_of(render(context_of(surplus_quote()), "pdf"), "pdf")
    assert "Berg agrees to pay to Valence $59,629.59" in text
    assert "to be completed by Valence" in text


@pytest.mark.parametrize("fmt", ["md", "html", "docx"])
def test_same_context_gives_the_same_bytes(reference_context: DraftContext, fmt: str) -> None:
    assert render(reference_context, fmt) == render(reference_context, fmt)


def test_html_is_semantic_and_carries_a_print_stylesheet(reference_context: DraftContext) -> None:
    html = render(reference_context, "html").decode("utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert '<ol class="clauses">' in html
    assert "@page" in html
    assert "<table" in html
    assert "Berg &amp; Berg Enterprises, LLC" in html


def test_html_escapes_party_names() -> None:
    from dataclasses import replace

    context = context_of(exact_quote())
    hostile = replace(context, lender=replace(context.lender, name="<b>Berg</b> & Co"))
    html = render(hostile, "html").decode("utf-8")
    assert "<b>Berg</b>" not in html
    assert "&lt;b&gt;Berg&lt;/b&gt; &amp; Co" in html


def test_docx_uses_word_styles(reference_context: DraftContext) -> None:
    import io

    import docx

    document = docx.Document(io.BytesIO(render(reference_context, "docx")))
    styles = [paragraph.style.name for paragraph in document.paragraphs if paragraph.style]
    assert styles[0] == "Title"
    assert styles.count("List Number") == 13
    assert "Heading 1" in styles
    assert "Heading 2" in styles
    clauses = [p.text for p in document.paragraphs if p.style and p.style.name == "List Number"]
    # Word numbers the clauses itself; the text must read without the number.
    assert clauses[0].startswith("Valence hereby assigns to Berg")
    assert len(document.tables) == 2
    identification, balances = document.tables
    assert identification.rows[0].cells[1].text == "Maker"
    assert balances.rows[-1].cells[0].text == "Total"


def test_pdf_is_a_pdf(reference_context: DraftContext) -> None:
    assert render(reference_context, "pdf").startswith(b"%PDF-")


def test_unknown_format_is_refused(reference_context: DraftContext) -> None:
    with pytest.raises(AcquittanceError) as raised:
        render(reference_context, "rtf")
    assert raised.value.code == "UNKNOWN_FORMAT"
    assert "md, html, docx, pdf" in raised.value.message


def test_write_draft_writes_the_rendered_bytes(
    reference_context: DraftContext, tmp_path: Path
) -> None:
    target = write_draft(reference_context, "md", tmp_path / "agreement.md")
    assert target.read_bytes() == render(reference_context, "md")
    assert [path.name for path in tmp_path.iterdir()] == ["agreement.md"]


def test_write_draft_into_a_missing_folder_is_refused(
    reference_context: DraftContext, tmp_path: Path
) -> None:
    with pytest.raises(AcquittanceError) as raised:
        write_draft(reference_context, "md", tmp_path / "missing" / "agreement.md")
    assert raised.value.code == "OUTPUT_NOT_WRITABLE"
    assert not (tmp_path / "missing").exists()


def test_write_draft_onto_a_folder_is_refused(
    reference_context: DraftContext, tmp_path: Path
) -> None:
    with pytest.raises(AcquittanceError) as raised:
        write_draft(reference_context, "md", tmp_path)
    assert raised.value.code == "OUTPUT_NOT_WRITABLE"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_write_draft_into_a_read_only_folder_is_refused(
    reference_context: DraftContext, tmp_path: Path
) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(AcquittanceError) as raised:
            write_draft(reference_context, "md", folder / "agreement.md")
        assert raised.value.code == "OUTPUT_NOT_WRITABLE"
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o700)


def test_write_draft_with_an_unknown_format_leaves_no_file(
    reference_context: DraftContext, tmp_path: Path
) -> None:
    with pytest.raises(AcquittanceError) as raised:
        write_draft(reference_context, "txt", tmp_path / "agreement.txt")
    assert raised.value.code == "UNKNOWN_FORMAT"
    assert list(tmp_path.iterdir()) == []

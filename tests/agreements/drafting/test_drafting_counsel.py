"""What counsel checks before signing: Exhibit A's fields, section 1542's wording by date,
signature blocks, page numbers, typographic quotes, and Exhibit B's amount and date."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from drafting_factories import LOAN, NOTES, context_of, reference_quote, text_of

from acquittance.agreements.drafting import DraftContext, build_context, compose, render
from acquittance.agreements.drafting.document import PLACEHOLDER, SIGNATURE_FIELDS
from acquittance.agreements.drafting.statutes import civil_code_1542
from acquittance.agreements.drafting.typography import smart_quotes
from acquittance.agreements.reading import read_file, to_dict
from acquittance.core.errors import AcquittanceError
from acquittance.core.instruments import Party, Signatory
from reference_case import BERG, VALENCE

AMENDED_1542 = (
    "A general release does not extend to claims that the creditor or releasing party does "
    "not know or suspect to exist in his or her favor at the time of executing the release and "
    "that, if known by him or her, would have materially affected his or her settlement with "
    "the debtor or released party."
)
EARLIER_1542 = (
    "A general release does not extend to claims which the creditor does not know or suspect "
    "to exist in his or her favor at the time of executing the release, which if known by him "
    "or her must have materially affected his or her settlement with the debtor."
)


def _dated(day: date) -> DraftContext:
    return context_of(replace(reference_quote(), as_of=day, good_through=day))


def _markdown(context: DraftContext) -> str:
    return text_of(render(context, "md"), "md")


# --- California Civil Code section 1542 -------------------------------------------------


@pytest.mark.parametrize(
    ("day", "wording"),
    [
        (date(2002, 3, 31), EARLIER_1542),
        (date(2018, 12, 31), EARLIER_1542),
        (date(2019, 1, 1), AMENDED_1542),
        (date(2024, 6, 30), AMENDED_1542),
    ],
)
def test_section_1542_is_quoted_as_in_force_on_the_agreement_date(day: date, wording: str) -> None:
    assert civil_code_1542(day) == wording
    text = _markdown(_dated(day))
    assert f'which provides as follows: "{wording}"' in text
    other = AMENDED_1542 if wording == EARLIER_1542 else EARLIER_1542
    assert other not in text


def test_section_1542_keeps_its_wording_in_the_signed_formats() -> None:
    text = text_of(render(_dated(date(2019, 1, 1)), "docx"), "docx")
    assert f"\u201c{AMENDED_1542}\u201d" in text


# --- Exhibit A --------------------------------------------------------------------------


def test_exhibit_a_lists_every_identifying_field_of_each_note() -> None:
    identification = compose(context_of(reference_quote())).exhibit_a.identification
    assert identification.columns == (
        "Note",
        "Maker",
        "Holder (Assignor)",
        "Date of Note",
        "Maturity Date",
        "Original Amount",
        "Recording Data",
    )
    first = identification.rows[0]
    assert first[:4] == (
        "1",
        NOTES["valence-note-1"].maker,
        "Valence Technology, Inc.",
        "June 30, 1998",
    )


def test_fields_the_records_lack_are_placeholders_never_values() -> None:
    identification = compose(context_of(reference_quote())).exhibit_a.identification
    # The reference notes have no maturity date, original amount or recording data.
    for row in identification.rows:
        assert row[4:] == (PLACEHOLDER, PLACEHOLDER, PLACEHOLDER)
    schedule = compose(context_of(reference_quote())).exhibit_a
    assert schedule.placeholder_note is not None
    assert PLACEHOLDER in _markdown(context_of(reference_quote()))


def test_a_note_with_all_its_records_fills_every_field_it_has() -> None:
    quote = reference_quote()
    note = replace(
        NOTES["valence-note-1"],
        maturity_date=date(2008, 6, 30),
        original_principal=Decimal("8500000.00"),
    )
    context = build_context(
        quote,
        parties={"berg": BERG, "valence": VALENCE},
        loan=LOAN,
        notes={**NOTES, note.id: note},
        governing_law="California",
    )
    first = compose(context).exhibit_a.identification.rows[0]
    assert first[4:6] == ("June 30, 2008", "$8,500,000.00")
    assert first[6] == PLACEHOLDER  # no record holds recording data yet


def test_a_note_without_maker_or_date_is_never_filled_in() -> None:
    quote = reference_quote()
    line = replace(quote.collateral[0], maker=" ", issue_date=None)
    note = replace(NOTES[line.note_id], maker="", issue_date=None)
    context = build_context(
        replace(quote, collateral=(line, *quote.collateral[1:])),
        parties={"berg": BERG, "valence": VALENCE},
        loan=LOAN,
        notes={**NOTES, note.id: note},
        governing_law="California",
    )
    first = compose(context).exhibit_a.identification.rows[0]
    assert first[1] == PLACEHOLDER
    assert first[3] == PLACEHOLDER


def test_the_assignor_is_the_borrower_even_after_the_notes_changed_hands() -> None:
    after_closing = {key: replace(note, holder_id="berg") for key, note in NOTES.items()}
    context = build_context(
        reference_quote(),
        parties={"berg": BERG, "valence": VALENCE},
        loan=LOAN,
        notes=after_closing,
        governing_law="California",
    )
    holders = {row[2] for row in compose(context).exhibit_a.identification.rows}
    assert holders == {"Valence Technology, Inc."}


def test_a_note_held_by_an_unknown_party_has_no_invented_assignor() -> None:
    elsewhere = {key: replace(note, holder_id="stranger") for key, note in NOTES.items()}
    context = build_context(
        reference_quote(),
        parties={"berg": BERG, "valence": VALENCE},
        loan=LOAN,
        notes=elsewhere,
        governing_law="California",
    )
    holders = {row[2] for row in compose(context).exhibit_a.identification.rows}
    assert holders == {PLACEHOLDER}


def test_exhibit_a_balances_restate_the_recitals_figures() -> None:
    balances = compose(context_of(reference_quote())).exhibit_a.balances
    assert balances.total == ("Total", "$17,533,226.80", "$951,754.93", "$18,484,981.73")
    assert "as of March 31, 2002" in balances.caption


# --- Exhibit B --------------------------------------------------------------------------


def test_exhibit_b_restates_the_amount_the_date_and_who_pays_whom() -> None:
    wire = compose(context_of(reference_quote())).exhibit_b
    assert wire is not None
    stated = {line.label: line.value for line in wire.stated}
    assert stated == {
        "Amount": "$155,388.68",
        "Payment date": "March 31, 2002",
        "Payer": "Valence Technology, Inc.",
        "Payee": "Berg & Berg Enterprises, LLC",
    }


def test_exhibit_b_states_the_amount_in_words_when_asked() -> None:
    wire = compose(context_of(reference_quote(), amounts_in_words=True)).exhibit_b
    assert wire is not None
    assert wire.stated[0].value == (
        "One Hundred Fifty-Five Thousand Three Hundred Eighty-Eight and 68/100 Dollars "
        "($155,388.68)"
    )


@pytest.mark.parametrize("fmt", ["md", "html", "docx", "pdf"])
def test_exhibit_b_shows_the_amount_and_date_in_every_format(fmt: str) -> None:
    text = text_of(render(context_of(reference_quote()), fmt), fmt)
    exhibit_b = text[text.index("EXHIBIT B") :]
    assert "Amount: $155,388.68" in exhibit_b
    assert "Payment date: March 31, 2002" in exhibit_b


# --- Signature blocks -------------------------------------------------------------------


def test_each_signatory_has_by_name_title_and_date_lines() -> None:
    text = _markdown(context_of(reference_quote()))
    assert SIGNATURE_FIELDS == ("By", "Name", "Title", "Date")
    for name, title in (
        ("Carl E. Berg", "Managing Member"),
        ("Kevin W. Mischnick", "VP of Finance"),
    ):
        assert re.search(
            rf"By: _+ Name: {re.escape(name)} Title: {re.escape(title)} Date: _+", text
        ), name


def test_several_signatories_each_get_their_own_lines() -> None:
    context = context_of(reference_quote())
    two = (Signatory("Carl E. Berg", "Managing Member"), Signatory("Jane Roe", "Member"))
    text = _markdown(replace(context, lender=replace(context.lender, signatories=two)))
    assert text.count("By: ") == 3
    assert text.count("Date: ") == 3
    assert "Name: Jane Roe Title: Member" in text


def test_a_party_without_signatories_gets_every_line_blank() -> None:
    context = context_of(reference_quote())
    unsigned = replace(context, borrower=Party(**{**vars(context.borrower), "signatories": ()}))
    text = _markdown(unsigned)
    assert re.search(r"By: _+ Name: _+ Title: _+ Date: _+", text)


@pytest.mark.parametrize("fmt", ["html", "docx"])
def test_signature_lines_in_the_signed_formats(fmt: str) -> None:
    text = text_of(render(context_of(reference_quote()), fmt), fmt)
    for line in ("Name: Carl E. Berg", "Title: Managing Member", "Name: Kevin W. Mischnick"):
        assert line in text
    assert text.count("Date:") == 2


# --- Page numbers -----------------------------------------------------------------------


def test_docx_footer_numbers_the_pages_with_word_fields() -> None:
    import docx

    document = docx.Document(io.BytesIO(render(context_of(reference_quote()), "docx")))
    footer = document.sections[0].footer._element.xml
    assert "PAGE" in footer
    assert "NUMPAGES" in footer
    assert 'w:fldCharType="begin"' in footer
    assert "Page " in document.sections[0].footer.paragraphs[0].text


def test_pdf_pages_are_numbered() -> None:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(render(context_of(reference_quote()), "pdf"))
    try:
        count = len(pdf)
        footers = [
            pdf[i].get_textpage().get_text_range().strip().splitlines()[-1] for i in range(count)
        ]
    finally:
        pdf.close()
    assert count >= 3
    assert footers == [f"Page {n} of {count}" for n in range(1, count + 1)]


# --- Typographic quotes -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("straight", "curly"),
    [
        ('this "Agreement"', "this \u201cAgreement\u201d"),
        ('("Berg")', "(\u201cBerg\u201d)"),
        ("Valence's assignment", "Valence\u2019s assignment"),
        ("the parties' rights", "the parties\u2019 rights"),
        ("'quoted'", "\u2018quoted\u2019"),
        ('"A general release."', "\u201cA general release.\u201d"),
        ("the '90s", "the \u201990s"),
        ("$17,533,226.80", "$17,533,226.80"),
    ],
)
def test_smart_quotes(straight: str, curly: str) -> None:
    assert smart_quotes(straight) == curly


def test_docx_prose_has_typographic_quotes_and_figures_are_untouched() -> None:
    import docx

    document = docx.Document(io.BytesIO(render(context_of(reference_quote()), "docx")))
    prose = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "(this \u201cAgreement\u201d)" in prose
    assert "Valence\u2019s right, title, and interest" in prose
    assert "\u201cBerg\u201d" in prose
    assert '"' not in prose
    assert "'" not in prose
    assert "$155,388.68" in prose


def test_pdf_prose_has_typographic_quotes() -> None:
    text = text_of(render(context_of(reference_quote()), "pdf"), "pdf")
    assert "(this \u201cAgreement\u201d)" in text
    assert "Valence\u2019s" in text
    assert '"' not in text


def test_markdown_keeps_straight_quotes() -> None:
    text = _markdown(context_of(reference_quote()))
    assert '(this "Agreement")' in text
    assert "\u201c" not in text


# --- Text the formats cannot hold -------------------------------------------------------


def test_a_control_character_in_a_name_is_refused() -> None:
    broken = replace(VALENCE, name="Valence\x0bTechnology, Inc.")
    with pytest.raises(AcquittanceError) as raised:
        build_context(
            reference_quote(),
            parties={"berg": BERG, "valence": broken},
            loan=LOAN,
            notes=NOTES,
            governing_law="California",
        )
    assert raised.value.code == "CONTROL_CHARACTER"
    assert "U+000B" in raised.value.message


# --- Still read back balanced -----------------------------------------------------------


@pytest.mark.parametrize("fmt", ["md", "html", "docx", "pdf"])
@pytest.mark.parametrize("day", [date(2018, 12, 31), date(2019, 1, 1)])
def test_a_draft_on_either_side_of_2019_reads_back_balanced(
    fmt: str, day: date, tmp_path: Path
) -> None:
    path = tmp_path / f"agreement.{fmt}"
    path.write_bytes(render(_dated(day), fmt))
    reading = to_dict(read_file(path))
    assert reading["effective_date"] == day.isoformat()
    assert reading["reconciliation"]["status"] == "balanced", reading["reconciliation"]
    assert {s["name"] for s in reading["signatories"]} == {"Carl E. Berg", "Kevin W. Mischnick"}
    assert "statutory_waiver" in {c["kind"] for c in reading["clauses"]}

"""Markdown drafts print the records' text as text: no emphasis, link, HTML or heading from it."""

from __future__ import annotations

from dataclasses import replace

import pytest
from drafting_factories import context_of, reference_quote
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from acquittance.agreements.drafting import DraftContext, render
from acquittance.agreements.drafting.document import PLACEHOLDER
from acquittance.agreements.drafting.markdown import escape_markdown
from acquittance.core.instruments import Signatory


def html_of(markdown: str) -> str:
    """CommonMark with GitHub's tables and strikethrough, as most viewers render it."""
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)


def text_of_html(html: str) -> str:
    import html as html_module
    import re

    return html_module.unescape(re.sub(r"<[^>]+>", "", html))


HOSTILE = (
    "*Acme* Holdings",
    "_Acme_ Holdings",
    "**Acme**",
    "[Acme](https://example.com)",
    "![logo](https://example.com/x.png)",
    "<script>alert(1)</script>",
    "<b>Acme</b>",
    "`Acme`",
    "# Acme",
    "## Acme ##",
    "> Acme",
    "- Acme",
    "+ Acme",
    "1986. Acme",
    "3) Acme",
    "---",
    "===",
    "~~Acme~~",
    "Acme &amp; Sons",
    "Acme &#60;b&#62;",
    "Acme \\*",
    "Acme | Sons",
    "Acme\n\n# Injected",
    "[x]: https://example.com",
    f"{PLACEHOLDER}(https://example.com)",
)


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_renders_as_exactly_itself(text: str) -> None:
    html = html_of(escape_markdown(text))
    for tag in (
        "<em>",
        "<strong>",
        "<a ",
        "<img",
        "<script",
        "<b>",
        "<code>",
        "<h",
        "<s>",
        "<del>",
    ):
        assert tag not in html, (text, html)
    for block in ("<blockquote>", "<ul>", "<ol>", "<hr"):
        assert block not in html, (text, html)
    assert text_of_html(html).strip() == " ".join(text.split())


@pytest.mark.parametrize("text", ["Acme | Sons", "*x*", "<i>"])
def test_escaped_table_cells_stay_in_their_cell(text: str) -> None:
    markdown = f"| a | b |\n| --- | --- |\n| {escape_markdown(text, in_table=True)} | c |\n"
    html = html_of(markdown)
    assert html.count("<td>") == 2
    assert text_of_html(html.split("<td>")[1]).strip() == text


@pytest.mark.parametrize(
    "text",
    [
        "Berg & Berg Enterprises, LLC",
        'This Agreement (this "Agreement") is made effective March 31, 2002.',
        "(a) there are no evidences of indebtedness; and",
        "snake_case_name",
        "$17,533,226.80",
        PLACEHOLDER,
    ],
)
def test_ordinary_agreement_text_is_left_as_it_is(text: str) -> None:
    assert escape_markdown(text) == text


#: Letters, spaces and every ASCII character Markdown gives a meaning to.
MARKDOWN_ALPHABET = "ab1 \\`*_{}[]()#+-.!|<>&;:~=\"'/\n\t"


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet=MARKDOWN_ALPHABET, max_size=30)
    | st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40)
)
def test_any_text_renders_as_one_paragraph_of_itself(text: str) -> None:
    escaped = escape_markdown(text)
    expected = " ".join(text.split())
    if not expected:
        return
    html = html_of(escaped)
    assert html.startswith("<p>"), (text, html)
    assert html.count("<p>") == 1
    assert text_of_html(html).strip() == expected.strip()


def _hostile_context(reference_context: DraftContext) -> DraftContext:
    lender = replace(
        reference_context.lender,
        name="*Berg* & [Berg](https://example.com) <img src=x>",
        signatories=(Signatory("_Carl_ `Berg`", "# Managing Member"),),
    )
    borrower = replace(reference_context.borrower, short_name="Valence*", name="Valence > Inc.")
    notes = tuple(
        replace(row, maker="| Maker | with pipes", holder="<b>holder</b>")
        for row in reference_context.notes
    )
    return replace(reference_context, lender=lender, borrower=borrower, notes=notes)


def test_a_draft_with_hostile_names_renders_no_markup_from_them(
    reference_context: DraftContext,
) -> None:
    markdown = render(_hostile_context(reference_context), "md").decode("utf-8")
    html = html_of(markdown)
    assert "<a " not in html
    assert "<img" not in html
    assert "<em>" not in html
    assert "<code>" not in html
    assert "<b>" not in html
    text = text_of_html(html)
    assert "*Berg* & [Berg](https://example.com) <img src=x>" in text
    assert "Name: _Carl_ `Berg`" in text
    assert "Title: # Managing Member" in text
    assert "| Maker | with pipes" in text
    # Each table keeps its columns: the pipes in the maker's name are text.
    identification = html.split("<table>")[1]
    assert identification.split("</tr>")[1].count("<td") == 7


def test_the_reference_draft_has_no_escapes_in_it() -> None:
    markdown = render(context_of(reference_quote()), "md").decode("utf-8")
    assert "\\" not in markdown

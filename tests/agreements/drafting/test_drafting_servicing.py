"""Payoff letters, statements and UCC-3s as pure drafting: their templates render in the
sandbox and can be overridden by counsel, broken templates are coded errors, records'
text is escaped, statements reconcile for any history, and outputs are checked."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from acquittance.agreements.drafting.output import checked_format
from acquittance.agreements.drafting.payoff import (
    PAYOFF_TEMPLATE,
    PayoffContext,
    build_payoff_context,
    payoff_document,
)
from acquittance.agreements.drafting.render import render_servicing
from acquittance.agreements.drafting.servicing import Fields, texts_of
from acquittance.agreements.drafting.statement import build_statement_context, rate_text
from acquittance.agreements.drafting.ucc3 import Ucc3Kind, build_ucc3_context, ucc3_document
from acquittance.core import settlement
from acquittance.core.accrual import position
from acquittance.core.errors import AcquittanceError
from acquittance.core.instruments import Compounding, Loan, Payment, RateChange
from acquittance.deals.parse import Deal, read_deal_file

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
HARBOR = EXAMPLES / "harbor-mortgage-surplus.toml"
AS_OF = date(2024, 6, 30)


@pytest.fixture(scope="module")
def deal() -> Deal:
    return read_deal_file(HARBOR)


def _payoff(deal: Deal, **lender_fields: str) -> PayoffContext:
    loan = deal.loans[0]
    notes = {note.id: note for note in deal.notes}
    parties = {party.id: party for party in deal.parties}
    parties["harbor"] = replace(parties["harbor"], **lender_fields)  # type: ignore[arg-type]
    quote = settlement.quote(loan, notes, deal.security_interests, AS_OF)
    return build_payoff_context(
        quote, parties=parties, loan=loan, interests=deal.security_interests, notes=notes
    )


def _code(call: object) -> str:
    with pytest.raises(AcquittanceError) as refused:
        call()  # type: ignore[operator]
    return refused.value.code


def test_payoff_letter_fields_without_data_are_placeholders(deal: Deal) -> None:
    document = payoff_document(_payoff(deal))
    (instructions,) = [part for part in document.parts if isinstance(part, Fields)]
    values = {field.label: field.value for field in instructions.fields}
    assert values["Pay to"] == "Harbor Lane Capital LLC"
    assert values["Account number"] == "[●]"
    assert document.placeholder_note is not None


def test_counsel_can_replace_the_payoff_letter(deal: Deal, tmp_path: Path) -> None:
    (tmp_path / "letters").mkdir()
    (tmp_path / "letters" / "payoff.j2").write_text(
        "@@ title\nPayoff Statement\n\n@@ paragraph\nPay {{ total | amount }} by "
        "{{ good_through | long_date }}.\n\n@@ table payoff\n",
        encoding="utf-8",
    )
    document = payoff_document(_payoff(deal), templates_dir=tmp_path)
    text = render_servicing(document, "md", templates_dir=tmp_path).decode("utf-8")
    assert text.startswith("# Payoff Statement")
    assert "Pay $1,213,440.00 by July 10, 2024." in text
    assert "$28,440.00" in text  # the table still comes from the records


@pytest.mark.parametrize(
    ("template", "code"),
    [
        ("@@ title\nX\n@@ sidebar\nno such part\n", "TEMPLATE_ERROR"),
        ("@@ title\nX\n@@ field Bank\n\n", "TEMPLATE_ERROR"),
        ("@@ title\nX\n@@ table nothing\n", "TEMPLATE_ERROR"),
        ("@@ title\nX\n@@ title\nY\n", "TEMPLATE_ERROR"),
        ("@@ title\n{{ lender.__class__ }}\n", "TEMPLATE_UNSAFE"),
        ("@@ title\n{{ no_such_name }}\n", "TEMPLATE_ERROR"),
        ("@@ title\n{% for i in range(90000) %}{% for j in range(90000) %}{% endfor %}"
         "{% endfor %}\n", "TEMPLATE_LIMIT_EXCEEDED"),
    ],
)  # fmt: skip
def test_a_broken_or_unsafe_letter_template_is_a_coded_error(
    deal: Deal, tmp_path: Path, template: str, code: str
) -> None:
    (tmp_path / "letters").mkdir()
    (tmp_path / PAYOFF_TEMPLATE).write_text(template, encoding="utf-8")
    assert _code(lambda: payoff_document(_payoff(deal), templates_dir=tmp_path)) == code


def test_names_from_the_records_are_escaped_in_markdown_and_html(deal: Deal) -> None:
    context = _payoff(deal, name="*Harbor* [Capital](http://x) <b>LLC</b>")
    document = payoff_document(context)
    markdown = render_servicing(document, "md").decode("utf-8")
    assert "\\*Harbor\\* \\[Capital\\](http://x) \\<b>LLC\\</b>" in markdown
    html = render_servicing(document, "html").decode("utf-8")
    assert "<b>LLC</b>" not in html and "&lt;b&gt;LLC&lt;/b&gt;" in html


def test_a_control_character_in_a_name_is_refused(deal: Deal) -> None:
    assert _code(lambda: _payoff(deal, name="Harbor\x07 LLC")) == "CONTROL_CHARACTER"


def test_the_payoff_letter_prints_typographic_quotes_only_where_signed(deal: Deal) -> None:
    document = payoff_document(_payoff(deal))
    assert '("Harbor")' in render_servicing(document, "md").decode("utf-8")
    assert "(\u201cHarbor\u201d)" in render_servicing(document, "html").decode("utf-8")


def test_ucc3_termination_checks_item_2_only(deal: Deal) -> None:
    interest = deal.security_interests[0]
    context = build_ucc3_context(
        interest,
        kind=Ucc3Kind.TERMINATION,
        statement_id=None,
        note_ids=(),
        releasable={},
        parties={party.id: party for party in deal.parties},
        currency="USD",
    )
    texts = texts_of(ucc3_document(context))
    checked = [text for text in texts if text.startswith("[X]")]
    assert len(checked) == 1 and "terminated" in checked[0]


def test_a_ucc3_for_an_interest_with_two_statements_needs_one_named(deal: Deal) -> None:
    interest = deal.security_interests[0]
    (statement,) = interest.financing_statements
    twice = replace(
        interest, financing_statements=(statement, replace(statement, id="second-ucc1"))
    )
    parties = {party.id: party for party in deal.parties}

    def build(statement_id: str | None) -> object:
        return build_ucc3_context(
            twice,
            kind=Ucc3Kind.TERMINATION,
            statement_id=statement_id,
            note_ids=(),
            releasable={},
            parties=parties,
            currency="USD",
        )

    assert _code(lambda: build(None)) == "AMBIGUOUS_FINANCING_STATEMENT"
    assert build("second-ucc1").statement.id == "second-ucc1"  # type: ignore[attr-defined]
    terminated = replace(twice, financing_statements=(replace(statement, terminated_on=AS_OF),))
    assert (
        _code(
            lambda: build_ucc3_context(
                terminated,
                kind=Ucc3Kind.TERMINATION,
                statement_id=None,
                note_ids=(),
                releasable={},
                parties=parties,
                currency="USD",
            )
        )
        == "FINANCING_STATEMENT_TERMINATED"
    )


def test_rates_print_as_people_write_them() -> None:
    assert rate_text(Decimal("0.095")) == "9.5%"
    assert rate_text(Decimal("0.0625")) == "6.25%"
    assert rate_text(Decimal("0.10")) == "10%"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    payments=st.lists(
        st.tuples(st.integers(1, 170), st.integers(1, 5_000_000)), min_size=0, max_size=6
    ),
    compounding=st.sampled_from(list(Compounding)),
    rate_change_day=st.none() | st.integers(1, 170),
    window=st.tuples(st.integers(0, 180), st.integers(0, 180)),
)
def test_any_statement_reconciles_opening_events_and_accrual_to_the_closing(
    payments: list[tuple[int, int]],
    compounding: Compounding,
    rate_change_day: int | None,
    window: tuple[int, int],
) -> None:
    deal = read_deal_file(HARBOR)
    base = deal.loans[0]
    opened = base.events[0]
    events: list[object] = [opened]
    for day, cents in sorted(payments):
        events.append(Payment(opened.date + timedelta(days=day), Decimal(cents) / 100))
    if rate_change_day is not None:
        events.append(RateChange(opened.date + timedelta(days=rate_change_day), Decimal("0.11")))
    events.sort(key=lambda event: event.date)  # type: ignore[attr-defined]
    loan: Loan = replace(
        base, events=tuple(events), terms=replace(base.terms, compounding=compounding)
    )  # type: ignore[arg-type]
    start = opened.date + timedelta(days=min(window))
    end = opened.date + timedelta(days=max(window))
    try:
        context = build_statement_context(
            loan, parties={p.id: p for p in deal.parties}, start=start, end=end
        )
    except AcquittanceError as error:
        assert error.code == "OVERPAYMENT"  # payments drawn larger than what is owed
        return
    closing = position(loan, end)
    assert (context.closing.principal, context.closing.interest) == (
        closing.principal,
        closing.interest,
    )
    assert [row.date for row in context.activity] == [
        event.date  # type: ignore[attr-defined]
        for event in loan.events
        if start <= event.date <= end
    ]


@pytest.mark.parametrize(
    ("fmt", "name", "expected"),
    [
        (None, "a.pdf", "pdf"),
        (None, "a.MD", "md"),
        (None, "a", "md"),
        ("markdown", "a.md", "md"),
        ("docx", "a", "docx"),
        ("md", "a.txt", "md"),
    ],
)
def test_the_format_is_the_one_given_or_the_extensions(
    fmt: str | None, name: str, expected: str
) -> None:
    assert checked_format(fmt, Path(name), allowed=("md", "html", "docx", "pdf")) == expected


@pytest.mark.parametrize(
    ("fmt", "name", "code"),
    [
        ("pdf", "a.md", "FORMAT_MISMATCH"),
        (None, "a.xlsx", "FORMAT_MISMATCH"),
        ("md", "a.docx", "FORMAT_MISMATCH"),
        ("csv", "a.csv", "UNKNOWN_FORMAT"),
    ],
)
def test_a_format_against_the_extension_is_refused(fmt: str | None, name: str, code: str) -> None:
    allowed = ("md", "html", "docx", "pdf")
    assert _code(lambda: checked_format(fmt, Path(name), allowed=allowed)) == code

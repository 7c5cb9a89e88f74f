"""Drafted agreements read back: what the drafter states, the reader finds, in every format.

Hypothesis generates settlements of each shape (full with cash to the lender,
full with no cash, a surplus returned to the borrower, a partial satisfaction)
with random parties, dates and amounts; each is drafted, written to a file,
read with `acquittance.agreements.reading`, and must give back the same parties,
effective date, figures with their roles, and a balanced reconciliation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from acquittance.agreements.drafting import build_context, write_draft
from acquittance.agreements.reading import read_file, to_dict
from acquittance.core.instruments import Loan, Note, Party, Position, Signatory, Terms
from acquittance.core.money import CENT
from acquittance.core.settlement_types import CashLeg, CollateralLine, Quote, SatisfactionKind

STEMS = (
    "Alder", "Birchwood", "Cobalt", "Dunmore", "Everly", "Fairhaven", "Granite", "Halcyon",
    "Ironside", "Juniper", "Kestrel", "Larkspur", "Meridian", "Northgate", "Oakhurst",
    "Pinnacle", "Quarry", "Redfern", "Sterling", "Thornbury", "Upland", "Vantage", "Westbrook",
    "Yarrow", "Zephyr", "Ashford", "Bellweather", "Crestline", "Driftwood", "Emberly",
)  # fmt: skip
SECOND_WORDS = ("Capital", "Holdings", "Partners", "Technology", "Industries", "Lending", "Group")
#: Entity types with the suffix their names carry.
ENTITY_TYPES = (
    ("corporation", "Inc."),
    ("corporation", "Corp."),
    ("limited liability company", "LLC"),
    ("limited partnership", "L.P."),
)
JURISDICTIONS = (
    "California", "Delaware", "New York", "Texas", "Nevada", "Florida", "Illinois",
    "Washington", "Massachusetts", "Colorado",
)  # fmt: skip
PEOPLE = ("Ada Brennan", "Marcus T. Hale", "Priya Raman", "Jonas Weller", "Leah O. Castillo")
TITLES = ("President", "Managing Member", "Chief Financial Officer", "General Partner")
SHAPES = ("full_cash_to_lender", "full_no_cash", "surplus", "partial")
TERMS = Terms(annual_rate=Decimal("0.07"), day_count="ACT/360", currency="USD")


@dataclass(frozen=True)
class Case:
    """One generated settlement and what its agreement must say."""

    quote: Quote
    parties: dict[str, Party]
    loan: Loan
    notes: dict[str, Note]
    governing_law: str
    amounts_in_words: bool

    def expected_amounts(self) -> set[tuple[Decimal, str]]:
        quote = self.quote
        expected = {
            (quote.owed_principal, "debt_principal"),
            (quote.owed_interest, "debt_interest"),
            (quote.collateral_principal, "collateral_principal"),
            (quote.collateral_interest, "collateral_interest"),
        }
        if quote.cash.amount and quote.cash.payee_id == quote.lender_id:
            expected.add((quote.cash.amount, "cash_to_creditor"))
        if quote.cash.amount and quote.cash.payee_id == quote.borrower_id:
            expected.add((quote.cash.amount, "cash_to_debtor"))
        if quote.remaining_debt:
            expected.add((quote.remaining_debt, "remaining_debt"))
        return expected


def cents(low: int, high: int) -> st.SearchStrategy[Decimal]:
    return st.integers(low, high).map(lambda whole: (Decimal(whole) * CENT).quantize(CENT))


@st.composite
def parties(draw: st.DrawFn) -> tuple[Party, Party]:
    stems = draw(st.lists(st.sampled_from(STEMS), min_size=2, max_size=2, unique=True))
    return _party("lender", stems[0], draw), _party("borrower", stems[1], draw)


def _party(party_id: str, stem: str, draw: st.DrawFn) -> Party:
    entity_type, suffix = draw(st.sampled_from(ENTITY_TYPES))
    second = draw(st.sampled_from(SECOND_WORDS))
    name = f"{stem} {second} {suffix}" if suffix == "Corp." else f"{stem} {second}, {suffix}"
    return Party(
        id=party_id,
        name=name,
        entity_type=entity_type,
        jurisdiction=draw(st.sampled_from(JURISDICTIONS)),
        short_name=stem,
        signatories=(Signatory(draw(st.sampled_from(PEOPLE)), draw(st.sampled_from(TITLES))),),
    )


@st.composite
def collateral(draw: st.DrawFn, as_of: date) -> tuple[CollateralLine, ...]:
    count = draw(st.integers(1, 4))
    lines = []
    for index in range(1, count + 1):
        principal = draw(cents(1_000_000, 5_000_000_000))
        interest = draw(cents(0, int(principal / CENT) // 5))
        issued = draw(st.dates(date(1980, 1, 1), as_of))
        lines.append(
            CollateralLine(
                note_id=f"note-{index}",
                maker=f"Obligor {index}",
                issue_date=issued,
                principal=principal,
                interest=interest,
                value=principal + interest,
            )
        )
    return tuple(lines)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    lender, borrower = draw(parties())
    as_of = draw(st.dates(date(1995, 1, 1), date(2035, 12, 31)))
    lines = draw(collateral(as_of))
    shape = draw(st.sampled_from(SHAPES))
    owed_total, cash, remaining = _balance(draw, shape, lines)
    owed_interest = draw(cents(0, int(owed_total / CENT) // 4))
    quote = _quote(lines, as_of, owed_total - owed_interest, owed_interest, cash, remaining)
    loan = Loan(
        id="loan",
        lender_id="lender",
        borrower_id="borrower",
        terms=TERMS,
        agreement_date=draw(st.dates(date(1980, 1, 1), as_of)),
    )
    notes = {
        line.note_id: Note(id=line.note_id, maker=line.maker, holder_id="borrower", terms=TERMS)
        for line in lines
    }
    return Case(
        quote=quote,
        parties={"lender": lender, "borrower": borrower},
        loan=loan,
        notes=notes,
        governing_law=draw(st.sampled_from(JURISDICTIONS)),
        amounts_in_words=draw(st.booleans()),
    )


def _balance(
    draw: st.DrawFn, shape: str, lines: tuple[CollateralLine, ...]
) -> tuple[Decimal, CashLeg, Decimal]:
    """The debt, the cash and the remaining debt that make a quote of this shape balance."""
    carrying = sum((line.value for line in lines), Decimal("0.00"))
    zero = Decimal("0.00")
    if shape == "full_no_cash":
        return carrying, CashLeg(zero, None, None), zero
    if shape == "full_cash_to_lender":
        cash = draw(cents(1, 500_000_000))
        return carrying + cash, CashLeg(cash, "borrower", "lender"), zero
    if shape == "surplus":
        cash = draw(cents(1, int(carrying / CENT) // 2))
        return carrying - cash, CashLeg(cash, "lender", "borrower"), zero
    remaining = draw(cents(1, 5_000_000_000))
    return carrying + remaining, CashLeg(zero, None, None), remaining


def _quote(
    lines: tuple[CollateralLine, ...],
    as_of: date,
    owed_principal: Decimal,
    owed_interest: Decimal,
    cash: CashLeg,
    remaining: Decimal,
) -> Quote:
    position = Position(
        instrument_id="loan",
        as_of=as_of,
        currency="USD",
        principal=owed_principal,
        interest=owed_interest,
        interest_exact=Fraction(owed_interest),
    )
    return Quote(
        loan_id="loan",
        lender_id="lender",
        borrower_id="borrower",
        as_of=as_of,
        currency="USD",
        owed_principal=owed_principal,
        owed_interest=owed_interest,
        per_diem=Decimal("0.00"),
        good_through=as_of,
        collateral=lines,
        cash=cash,
        remaining_debt=remaining,
        satisfaction=SatisfactionKind.PARTIAL if remaining else SatisfactionKind.FULL,
        fingerprint="generated",
        loan_position=position,
        note_positions=(),
    )


def draft_and_read(case: Case, fmt: str, folder: Path) -> dict[str, Any]:
    context = build_context(
        case.quote,
        parties=case.parties,
        loan=case.loan,
        notes=case.notes,
        governing_law=case.governing_law,
        amounts_in_words=case.amounts_in_words,
    )
    path = write_draft(context, fmt, folder / f"agreement.{fmt}")
    return to_dict(read_file(path))


def assert_reads_back(case: Case, reading: dict[str, Any]) -> None:
    assert reading["effective_date"] == case.quote.as_of.isoformat()
    for role, party in (("lender", case.parties["lender"]), ("borrower", case.parties["borrower"])):
        found = [read for read in reading["parties"] if read["name"] == party.name]
        assert found, f"party {party.name!r} not read; read {reading['parties']}"
        assert found[0]["short_name"] == party.short_name
        assert found[0]["entity_type"] == party.entity_type
        assert found[0]["jurisdiction"] == party.jurisdiction
        assert found[0]["role"] == role
    read_amounts = {(Decimal(amount["value"]), amount["role"]) for amount in reading["amounts"]}
    missing = case.expected_amounts() - read_amounts
    assert not missing, f"figures not read with their roles: {sorted(missing)}"
    reconciliation = reading["reconciliation"]
    assert reconciliation["status"] == "balanced", reconciliation
    assert Decimal(reconciliation["difference"]) == 0


COMMON = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
#: Shrinking a slow format's failure takes minutes; its generated example is reported as found.
NO_SHRINK = {**COMMON, "phases": (Phase.explicit, Phase.reuse, Phase.generate)}


@settings(max_examples=80, **COMMON)  # type: ignore[arg-type]
@given(case=cases())
def test_markdown_draft_reads_back(case: Case, tmp_path: Path) -> None:
    assert_reads_back(case, draft_and_read(case, "md", tmp_path))


@settings(max_examples=40, **COMMON)  # type: ignore[arg-type]
@given(case=cases())
def test_html_draft_reads_back(case: Case, tmp_path: Path) -> None:
    assert_reads_back(case, draft_and_read(case, "html", tmp_path))


@settings(max_examples=25, **NO_SHRINK)  # type: ignore[arg-type]
@given(case=cases())
def test_docx_draft_reads_back(case: Case, tmp_path: Path) -> None:
    assert_reads_back(case, draft_and_read(case, "docx", tmp_path))


@settings(max_examples=10, **NO_SHRINK)  # type: ignore[arg-type]
@given(case=cases())
def test_pdf_draft_reads_back(case: Case, tmp_path: Path) -> None:
    # WeasyPrint takes about a second a page layout; a few examples cover the format.
    assert_reads_back(case, draft_and_read(case, "pdf", tmp_path))


def reference_case(*, agreed_value: Decimal | None = None) -> Case:
    """The reference settlement; with an agreed value, the cash is what balances it."""
    lines = (
        CollateralLine("n1", "Obligor 1", date(1998, 6, 30), Decimal("8000000.00"),
                       Decimal("434250.00"), Decimal("8434250.00")),
        CollateralLine("n2", "Obligor 2", date(1999, 1, 15), Decimal("6000000.00"),
                       Decimal("325687.50"), Decimal("6325687.50")),
        CollateralLine("n3", "Obligor 3", date(2000, 3, 1), Decimal("3533226.80"),
                       Decimal("191817.43"), Decimal("3725044.23")),
    )  # fmt: skip
    cash = CashLeg(Decimal("155388.68"), "borrower", "lender")
    if agreed_value is not None:
        carrying = sum((line.value for line in lines), Decimal("0.00"))
        first = replace(lines[0], value=lines[0].value + agreed_value - carrying)
        lines = (first, *lines[1:])
        surplus = agreed_value - Decimal("18640370.41")
        cash = CashLeg(surplus, "lender", "borrower")
    lender = Party(
        "lender", "Berg & Berg Enterprises, LLC", "limited liability company", "California",
        "Berg", (Signatory("Carl E. Berg", "Managing Member"),),
    )  # fmt: skip
    borrower = Party(
        "borrower", "Valence Technology, Inc.", "corporation", "Delaware", "Valence",
        (Signatory("Kevin W. Mischnick", "VP of Finance"),),
    )  # fmt: skip
    quote = _quote(
        lines, date(2002, 3, 31), Decimal("17500000.00"), Decimal("1140370.41"), cash,
        Decimal("0.00"),
    )  # fmt: skip
    return Case(
        quote=quote,
        parties={"lender": lender, "borrower": borrower},
        loan=Loan("loan", "lender", "borrower", TERMS, agreement_date=date(2001, 2, 24)),
        notes={},
        governing_law="California",
        amounts_in_words=False,
    )


@pytest.mark.parametrize("fmt", ["md", "docx", "pdf"])
def test_reference_draft_reads_back_like_the_acceptance_check(fmt: str, tmp_path: Path) -> None:
    """The five reference figures with their roles, as the draft-roundtrip check asks."""
    reading = draft_and_read(reference_case(), fmt, tmp_path)
    assert_reads_back(reference_case(), reading)
    assert {(amount["value"], amount["role"]) for amount in reading["amounts"]} >= {
        ("17500000.00", "debt_principal"),
        ("1140370.41", "debt_interest"),
        ("17533226.80", "collateral_principal"),
        ("951754.93", "collateral_interest"),
        ("155388.68", "cash_to_creditor"),
    }


def test_agreed_value_draft_reads_back_balanced(tmp_path: Path) -> None:
    """Notes taken at 18,700,000.00, above their carrying amount: the surplus goes back."""
    case = reference_case(agreed_value=Decimal("18700000.00"))
    reading = draft_and_read(case, "md", tmp_path)
    values = {(amount["value"], amount["role"]) for amount in reading["amounts"]}
    assert ("18700000.00", "collateral_value") in values
    assert ("59629.59", "cash_to_debtor") in values
    assert reading["reconciliation"]["status"] == "balanced", reading["reconciliation"]

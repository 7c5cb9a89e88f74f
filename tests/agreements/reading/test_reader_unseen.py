"""Agreements the reader was not written against, scored as the outside checks score them.

Each fixture in fixtures/unseen/ is an original settlement, amendment or release
by a different hand: other titles, layouts, date forms, party descriptions and
ways of writing amounts. Its `.expect.json` says what a reader must find, in the
format of the shared acceptance checker (check_read.py); `shortfalls` applies
the same rules here, so these tests need nothing outside the repository.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pytest
from reader_support import FIXTURES

from acquittance.agreements.reading import read_file, to_dict

UNSEEN = FIXTURES / "unseen"
# Fixtures that show a limit not yet lifted: name -> the precise reason.
KNOWN_LIMITS: dict[str, str] = {}


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _dec(value: object) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError):
        return None


def shortfalls(expected: dict[str, Any], actual: dict[str, Any], text: str) -> list[str]:
    """What `actual` (the JSON of `acquittance read`) lacks against `expected` (check_read.py)."""
    short = []
    if (
        expected.get("effective_date")
        and actual.get("effective_date") != expected["effective_date"]
    ):
        short.append(
            f"effective_date {actual.get('effective_date')} != {expected['effective_date']}"
        )
    short += _party_shortfalls(expected, actual)
    short += _amount_shortfalls(expected, actual)
    short += _reconciliation_shortfalls(expected, actual)
    short += _discrepancy_shortfalls(expected, actual, text)
    return short


def _party_shortfalls(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    got = [_norm(p.get("name", "")) for p in actual.get("parties", []) or []]
    return [
        f"party missing: {p['name']}"
        for p in expected.get("parties", [])
        if not any(_norm(p["name"]) in g or g in _norm(p["name"]) for g in got if g)
    ]


def _amount_shortfalls(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    found = [(_dec(a.get("value")), a.get("role")) for a in actual.get("amounts", []) or []]
    got = {v for v, _ in found if v is not None}
    want = {Decimal(a["value"]) for a in expected.get("amounts", [])}
    tolerated = {Decimal(v) for v in expected.get("amounts_tolerated", [])}
    short = []
    if want - got:
        short.append("amounts missing: " + ", ".join(map(str, sorted(want - got))))
    if got - want - tolerated:
        invented = sorted(got - want - tolerated)
        short.append("amounts not in the text's expectation: " + ", ".join(map(str, invented)))
    for amount in expected.get("amounts", []):
        value = Decimal(amount["value"])
        if amount.get("role") and (value, amount["role"]) not in found and value in got:
            roles = sorted({str(r) for v, r in found if v == value})
            short.append(
                f"amount {amount['value']} has role {'/'.join(roles)}, not {amount['role']}"
            )
    return short


def _reconciliation_shortfalls(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    reconciliation = actual.get("reconciliation") or {}
    status = reconciliation.get("status")
    short = []
    want = expected.get("reconciles", "unset")
    want_status = {True: "balanced", False: "unbalanced", None: "not_applicable"}.get(want)
    if want != "unset" and status != want_status:
        short.append(f"reconciliation {status} != {want_status}")
    allowed = expected.get("reconciliation_allowed")
    if allowed and status not in allowed:
        short.append(f"reconciliation {status} not in {allowed}")
    if expected.get("difference") is not None:
        difference = _dec(reconciliation.get("difference"))
        if difference is None or abs(difference) != abs(Decimal(expected["difference"])):
            short.append(
                f"reconciliation difference {reconciliation.get('difference')} "
                f"!= {expected['difference']}"
            )
    return short


def _discrepancy_shortfalls(
    expected: dict[str, Any], actual: dict[str, Any], text: str
) -> list[str]:
    spans = [(d.get("start"), d.get("end")) for d in actual.get("discrepancies", []) or []]
    short = []
    for needle in expected.get("discrepancy_near", []):
        at = text.find(needle)
        if at < 0:
            short.append(f"(checker) text lacks {needle!r}")
            continue
        low, high = at, at + len(needle)
        if not any(
            isinstance(s, int) and isinstance(e, int) and s < high and e > low for s, e in spans
        ):
            short.append(f"no discrepancy flagged at {needle!r}")
    return short


def _agreements() -> list[Path]:
    return sorted(
        p for p in UNSEEN.iterdir() if p.suffix in (".txt", ".html") and _expectation(p).exists()
    )


def _expectation(path: Path) -> Path:
    return path.with_name(path.stem + ".expect.json")


def _case(path: Path) -> Any:
    reason = KNOWN_LIMITS.get(path.name)
    marks = [pytest.mark.xfail(reason=reason, strict=False)] if reason else []
    return pytest.param(path, id=path.name, marks=marks)


def test_every_unseen_agreement_has_an_expectation() -> None:
    agreements = [p for p in UNSEEN.iterdir() if p.suffix in (".txt", ".html")]
    assert len(agreements) >= 14
    assert all(_expectation(p).exists() for p in agreements)


@pytest.mark.parametrize("path", [_case(p) for p in _agreements()])
def test_unseen_agreement_meets_its_expectation(path: Path) -> None:
    reading = read_file(path)
    expected = json.loads(_expectation(path).read_text(encoding="utf-8"))
    # Offsets index the text as read (after HTML extraction), as the CLI's output does.
    assert shortfalls(expected, to_dict(reading), reading.text) == []


@pytest.mark.parametrize("path", _agreements(), ids=lambda p: p.name)
def test_unseen_agreement_offsets_index_the_text(path: Path) -> None:
    reading = read_file(path)
    for amount in reading.amounts:
        assert reading.text[amount.start : amount.end] == amount.text
    for discrepancy in reading.discrepancies:
        assert 0 <= discrepancy.start <= discrepancy.end <= len(reading.text)


def _paragraphs(path: Path) -> list[str]:
    """The agreement's paragraphs, each with its lines joined, as a word processor holds them."""
    text = path.read_text(encoding="utf-8")
    paragraphs = []
    for block in re.split(r"\n[ \t]*\n", text):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        # Signature blocks keep their lines; running text is one paragraph.
        if lines and all(len(line) < 45 for line in lines):
            paragraphs.extend(lines)
        elif lines:
            paragraphs.append(" ".join(lines))
    return paragraphs


# The same agreement as a .docx and a .pdf must score as its text does.
CONVERTED = ["itemized-notes-stated-total.txt", "identical-notes-appraisal.txt"]


@pytest.mark.parametrize("name", CONVERTED)
def test_unseen_agreement_as_docx_scores_the_same(name: str, tmp_path: Path) -> None:
    docx = pytest.importorskip("docx")
    source = UNSEEN / name
    document = docx.Document()
    for paragraph in _paragraphs(source):
        document.add_paragraph(paragraph)
    target = tmp_path / (source.stem + ".docx")
    document.save(str(target))
    reading = read_file(target)
    assert reading.source_format == "docx"
    expected = json.loads(_expectation(source).read_text(encoding="utf-8"))
    assert shortfalls(expected, to_dict(reading), reading.text) == []


@pytest.mark.parametrize("name", CONVERTED)
def test_unseen_agreement_as_pdf_scores_the_same(name: str, tmp_path: Path) -> None:
    weasyprint = pytest.importorskip("weasyprint")
    from html import escape

    source = UNSEEN / name
    body = "\n".join(f"<p>{escape(p)}</p>" for p in _paragraphs(source))
    target = tmp_path / (source.stem + ".pdf")
    weasyprint.HTML(string=f"<html><body>{body}</body></html>").write_pdf(str(target))
    reading = read_file(target)
    assert reading.source_format == "pdf"
    expected = json.loads(_expectation(source).read_text(encoding="utf-8"))
    assert shortfalls(expected, to_dict(reading), reading.text) == []

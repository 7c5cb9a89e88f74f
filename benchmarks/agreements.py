"""Agreements read per second (text and PDF) and drafts per second per format."""

from __future__ import annotations

import tempfile
import time
from datetime import date
from pathlib import Path

from acquittance.agreements.drafting import build_context, render, write_draft
from acquittance.agreements.reading import read_file
from acquittance.core.settlement import quote
from acquittance.deals.parse import read_deal_file

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "cuad"
REFERENCE_DEAL = ROOT / "examples" / "valence-berg-2002.toml"
DRAFT_ROUNDS = {"md": 40, "html": 40, "docx": 20, "pdf": 5}

Row = tuple[str, str, str]


def _reference_context() -> object:
    deal = read_deal_file(REFERENCE_DEAL)
    loan = deal.loans[0]
    notes = {note.id: note for note in deal.notes}
    the_quote = quote(loan, notes, deal.security_interests, date(2002, 3, 31))
    return build_context(
        the_quote,
        parties={p.id: p for p in deal.parties},
        loan=loan,
        notes=notes,
        governing_law=loan.governing_law,
    )


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.1f}/s"


def reading_rows() -> list[Row]:
    rows: list[Row] = []
    if CORPUS.is_dir():
        files = sorted(CORPUS.glob("*.txt"))
        failures = 0
        started = time.perf_counter()
        for path in files:
            try:
                read_file(path)
            except Exception:  # a benchmark counts failures; it does not stop
                failures += 1
        elapsed = time.perf_counter() - started
        rows.append(
            (
                f"agreements read, text: all {len(files)} CUAD contracts, 1 process",
                _rate(len(files), elapsed),
                f"{failures} failures",
            )
        )
    context = _reference_context()
    with tempfile.TemporaryDirectory() as folder:
        pdf = write_draft(context, "pdf", Path(folder) / "reference.pdf")  # type: ignore[arg-type]
        rounds = 20
        started = time.perf_counter()
        for _ in range(rounds):
            read_file(pdf)
        rows.append(
            (
                "agreements read, PDF: the drafted reference (5 pages)",
                _rate(rounds, time.perf_counter() - started),
                "text layer through pypdfium2",
            )
        )
    return rows


def drafting_rows() -> list[Row]:
    context = _reference_context()
    rows: list[Row] = []
    for fmt, rounds in DRAFT_ROUNDS.items():
        started = time.perf_counter()
        for _ in range(rounds):
            render(context, fmt)  # type: ignore[arg-type]
        rows.append(
            (
                f"drafts of the reference agreement, {fmt}",
                _rate(rounds, time.perf_counter() - started),
                "",
            )
        )
    return rows

"""Real contracts (CUAD): the reader never fails, invents no amount, gives no verdict."""

from __future__ import annotations

from pathlib import Path

import pytest
from reader_support import CORPUS

from acquittance.agreements.reading import read_file


def _corpus() -> list[Path]:
    return sorted(CORPUS.glob("*.txt")) if CORPUS.is_dir() else []


def _check(path: Path) -> None:
    reading = read_file(path)
    for amount in reading.amounts:
        assert reading.text[amount.start : amount.end] == amount.text, path.name
    assert reading.reconciliation.status == "not_applicable", path.name
    spans = [(c.start, c.end) for c in reading.clauses]
    spans += [(d.start, d.end) for d in reading.discrepancies]
    for start, end in spans:
        assert 0 <= start <= end <= len(reading.text)


SAMPLE = _corpus()[::5]


@pytest.mark.skipif(not SAMPLE, reason="the shared CUAD corpus is not next to the checkout")
@pytest.mark.parametrize("path", SAMPLE, ids=lambda p: p.name[:40])
def test_corpus_sample_reads_without_verdict(path: Path) -> None:
    _check(path)


@pytest.mark.slow
@pytest.mark.skipif(not _corpus(), reason="the shared CUAD corpus is not next to the checkout")
def test_whole_corpus_reads_without_verdict() -> None:
    for path in _corpus():
        _check(path)

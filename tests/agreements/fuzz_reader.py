"""Coverage-guided fuzzing of the text reader with atheris (not collected by pytest).

    .venv/bin/python tests/agreements/fuzz_reader.py -atheris_runs=20000 [CORPUS_DIR]

Any exception other than an AcquittanceError, or an amount whose text is not at
its offsets, is a finding: save the input under tests/agreements/fixtures/regressions/.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from acquittance.agreements.reading import read_text
    from acquittance.core.errors import AcquittanceError


def test_one_input(data: bytes) -> None:
    text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(len(data))
    try:
        reading = read_text(text)
    except AcquittanceError:
        return
    for amount in reading.amounts:
        if text[amount.start : amount.end] != amount.text:
            raise AssertionError(f"amount {amount.text!r} is not at {amount.start}:{amount.end}")


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()

"""`acquittance settle --batch FILE`: one JSON line per input line on stdout, in input order.

A person at a terminal sees a progress bar on standard error while the lines
close (cli/progress.py); piped or redirected, nothing is drawn. Either way the
run ends with one summary line on standard error: how many lines closed and how
many were refused, and how fast.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from pathlib import Path

from acquittance.cli.progress import progress
from acquittance.present.documents import batch_result_document


def run_batch(db: str | None, path: Path, *, workers: int, as_json: bool = False) -> None:
    from acquittance import service
    from acquittance.service.batch import read_batch, settle_batch

    lines = read_batch(path)
    store = service.store_at(db, connections=max(workers, 1))
    # What start-up made (modules, the deal's parse) lives as long as the command: kept out
    # of the collector's sweeps, which a closing's many small objects would otherwise
    # make walk all of it again and again.
    gc.freeze()
    out = sys.stdout
    refused = 0
    started = time.monotonic()
    try:
        with progress(len(lines), "settling", as_json=as_json) as advance:
            for result in settle_batch(
                store, lines, workers=workers, on_result=lambda _result: advance()
            ):
                refused += result.error is not None
                out.write(json.dumps(batch_result_document(result), ensure_ascii=False))
                out.write("\n")
        out.flush()
    finally:
        store.close()
    elapsed = max(time.monotonic() - started, 1e-9)
    sys.stderr.write(
        f"settled {len(lines)} lines: {len(lines) - refused} closed, {refused} refused "
        f"({len(lines) / elapsed:.0f}/s)\n"
    )

"""`acquittance settle --batch FILE`: one JSON line per input line on stdout, progress on stderr."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Final, TextIO

from acquittance.present.documents import batch_result_document

#: How often progress is written when standard error is not a terminal.
PROGRESS_INTERVAL_SECONDS: Final = 2.0


class _Progress:
    """Counts results and says how far the batch is, on standard error, now and then."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total, self.stream = total, stream
        self.done = self.refused = 0
        self.started = self.shown = time.monotonic()

    def __call__(self, closed: bool) -> None:
        self.done += 1
        self.refused += not closed
        now = time.monotonic()
        if now - self.shown >= PROGRESS_INTERVAL_SECONDS or self.done == self.total:
            self.shown = now
            self._show(now)

    def _show(self, now: float) -> None:
        rate = self.done / max(now - self.started, 1e-9)
        end = "\r" if self.stream.isatty() and self.done < self.total else "\n"
        self.stream.write(
            f"settled {self.done}/{self.total} ({self.refused} refused, {rate:.0f}/s){end}"
        )
        self.stream.flush()


def run_batch(db: str | None, path: Path, *, workers: int) -> None:
    from acquittance import service
    from acquittance.service.batch import read_batch, settle_batch

    lines = read_batch(path)
    store = service.store_at(db, connections=max(workers, 1))
    progress = _Progress(len(lines), sys.stderr)
    out = sys.stdout
    try:
        for result in settle_batch(
            store, lines, workers=workers, on_result=lambda r: progress(r.closed)
        ):
            out.write(json.dumps(batch_result_document(result), ensure_ascii=False))
            out.write("\n")
        out.flush()
    finally:
        store.close()

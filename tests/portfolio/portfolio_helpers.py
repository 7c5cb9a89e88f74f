"""A store with both example deals, and the command line run in this process."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from acquittance import service
from acquittance.cli import main
from acquittance.deals.parse import parse_deal

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DEALS = (EXAMPLES / "valence-berg-2002.toml", EXAMPLES / "harbor-mortgage-surplus.toml")


def loaded_store(url: str) -> service.Store:
    store = service.store_at(url)
    service.initialize(store)
    for deal in DEALS:
        service.load_deal(store, parse_deal(deal.read_text(encoding="utf-8")))
    return store


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> Run:
    capsys.readouterr()
    try:
        main([str(a) for a in args])
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    else:  # pragma: no cover - main always exits
        code = 0
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)

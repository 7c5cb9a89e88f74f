"""`make bench`: measure, then print and write a table with the machine it ran on."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import agreements, closings, core, history, http_load, machine, startup

RESULTS = Path(__file__).resolve().parent / "results.md"
POSITIONS_COUNT = int(os.environ.get("BENCH_POSITIONS", "100000"))

Row = tuple[str, str, str]


def _core_rows() -> list[Row]:
    rates = core.positions_per_second(POSITIONS_COUNT)
    ratio = rates["float_baseline"] / rates["book"]
    speedup = rates["book"] / rates["serial"]
    speedup_parallel = rates["book_parallel"] / rates["serial"]
    return [
        (
            f"positions as of a date, {POSITIONS_COUNT:,} loans, accrual.position, 1 process",
            f"{rates['serial']:,.0f}/s",
            "core path: exact Fraction accrual over events, every convention",
        ),
        (
            f"positions as of a date, {POSITIONS_COUNT:,} loans, book_positions, 1 process",
            f"{rates['book']:,.0f}/s",
            f"{speedup:,.1f}x the core path; integer walk, the same cents bit for bit (checked)",
        ),
        (
            f"positions as of a date, {POSITIONS_COUNT:,} loans, book_positions, 2 processes",
            f"{rates['book_parallel']:,.0f}/s",
            f"{speedup_parallel:,.1f}x the core path; process pool over chunks (checked)",
        ),
        (
            "peer: float one-liner (spreadsheet), same loans",
            f"{rates['float_baseline']:,.0f}/s",
            f"{ratio:,.0f}x faster than book_positions and wrong: ignores events and conventions,"
            " rounds in binary",
        ),
    ]


def _history_rows() -> list[Row]:
    return history.history_rows()


def _agreement_rows() -> list[Row]:
    return agreements.reading_rows() + agreements.drafting_rows()


def render(rows: list[Row]) -> str:
    info = machine.describe()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"# acquittance benchmarks ({stamp})",
        "",
        "Machine: " + "; ".join(f"{k} {v}" for k, v in info.items()),
        "",
        "| what | rate | notes |",
        "| --- | ---: | --- |",
        *(f"| {what} | {rate} | {notes} |" for what, rate, notes in rows),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    rows = (
        startup.startup_rows()
        + _core_rows()
        + _history_rows()
        + closings.rows()
        + http_load.rows()
        + _agreement_rows()
    )
    table = render(rows)
    RESULTS.write_text(table, encoding="utf-8")
    print(table)
    shown = RESULTS.relative_to(Path.cwd()) if RESULTS.is_relative_to(Path.cwd()) else RESULTS
    print(f"written to {shown}")


if __name__ == "__main__":
    main()

"""Command-line start-up: `acquittance --help` and one quote, as a ratio to `python -c pass`,
and beside them the import of the ORM models alone, which bounds every command that opens
the store from below.

Each figure is whole-process wall time, from start to exit, of the installed console
script. The yardstick, the same interpreter doing nothing, runs in the same loop,
alternating with the command (A B A B ...), and the ratio is taken pair by pair, so
that a machine that speeds up or slows down during the run moves both alike. The
median pair is reported; the runs before it warm the file cache.

The project's own modules are run from byte code, as an installed wheel runs them (pip
compiles a wheel's modules when it installs them): the editable install leaves them as
source, and where bytecode is not written (PYTHONDONTWRITEBYTECODE) every run would
compile them again, a cost no installed product pays. `make` byte-compiles `src` when it
installs the project (`python -m compileall -q src`); after editing a module, run that
again before measuring, or the edited module's compilation is in the figures.

    python -m benchmarks.startup        # these rows alone
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_DEAL = ROOT / "examples" / "valence-berg-2002.toml"
REFERENCE_LOAN = "berg-valence-loan"
#: The ORM models: importing them imports SQLAlchemy, its ORM and the dialects they name.
MODELS = "acquittance.store.models"
RUNS = int(os.environ.get("BENCH_STARTUP_RUNS", "21"))
WARMUP_RUNS = 2
#: The goal the start-up is held to, as a multiple of a bare interpreter.
RATIO_GOAL = 3.0

Row = tuple[str, str, str]


def _script() -> Path:
    script = Path(sys.executable).parent / "acquittance"
    if not script.exists():
        raise SystemExit(f"{script} is missing: install the project first (make demo)")
    return script


def _wall_seconds(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    return time.perf_counter() - started


def paired(command: list[str], baseline: list[str], env: dict[str, str]) -> dict[str, float]:
    """Median seconds of each, and the median of the pairwise ratios command / baseline."""
    for _ in range(WARMUP_RUNS):
        _wall_seconds(command, env)
        _wall_seconds(baseline, env)
    seconds: list[float] = []
    base_seconds: list[float] = []
    for _ in range(RUNS):
        seconds.append(_wall_seconds(command, env))
        base_seconds.append(_wall_seconds(baseline, env))
    ratios = [a / b for a, b in zip(seconds, base_seconds, strict=True)]
    return {
        "seconds": statistics.median(seconds),
        "baseline": statistics.median(base_seconds),
        "ratio": statistics.median(ratios),
    }


def _small_store(folder: Path, env: dict[str, str]) -> Path:
    store = folder / "startup.db"
    for args in (["init"], ["load", str(REFERENCE_DEAL)]):
        subprocess.run(
            [str(_script()), *args, "--db", str(store)],
            env=env,
            capture_output=True,
            check=True,
        )
    return store


def startup_rows() -> list[Row]:
    script = str(_script())
    baseline = [sys.executable, "-c", "pass"]
    env = {**os.environ, "COLUMNS": "100"}
    with tempfile.TemporaryDirectory(prefix="acquittance-startup-") as folder:
        store = _small_store(Path(folder), env)
        cases: dict[str, tuple[list[str], str]] = {
            "acquittance --help": ([script, "--help"], f"goal {RATIO_GOAL:.0f}x or less"),
            "acquittance quote LOAN --as-of DATE (reference store, SQLite)": (
                [script, "quote", REFERENCE_LOAN, "--as-of", "2002-03-31", "--db", str(store)],
                f"goal {RATIO_GOAL:.0f}x or less",
            ),
            # What any command that opens the store pays before it reads a row.
            "import of SQLAlchemy, its ORM and the models alone": (
                [sys.executable, "-c", f"import {MODELS}"],
                "the floor of every command that opens the store",
            ),
        }
        rows: list[Row] = []
        for what, (command, goal) in cases.items():
            figures = paired(command, baseline, env)
            rows.append(
                (
                    f"start-up, {what}",
                    f"{figures['ratio']:.1f}x python -c pass",
                    f"{figures['seconds'] * 1000:.0f} ms against {figures['baseline'] * 1000:.0f} "
                    f"ms, median of {RUNS} alternating pairs, whole process; {goal}",
                )
            )
    return rows


def main() -> None:
    for what, rate, notes in startup_rows():
        print(f"| {what} | {rate} | {notes} |")


if __name__ == "__main__":
    main()

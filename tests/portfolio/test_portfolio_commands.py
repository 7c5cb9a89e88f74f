"""The faces of the engine: `book export`, `book positions` and `portfolio overview`, on a
store holding both example deals; their figures are `position`'s and the quote's."""

from __future__ import annotations

import csv
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from portfolio_helpers import loaded_store, run

from acquittance import service
from acquittance.portfolio import distributed
from acquittance.portfolio.columns import instrument_at
from acquittance.portfolio.parquet import read_book

AS_OF = "2024-06-30"


@pytest.fixture
def store_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    loaded_store(url)
    return url


def _position(capsys: pytest.CaptureFixture[str], db: str, instrument: str) -> dict[str, str]:
    result = run(capsys, "position", instrument, "--as-of", AS_OF, "--db", db, "--json")
    assert result.code == 0, result.err
    return result.json()  # type: ignore[no-any-return]


def test_the_exported_book_is_the_stores_loans_and_notes(
    capsys: pytest.CaptureFixture[str], store_db: str, tmp_path: Path
) -> None:
    result = run(capsys, "book", "export", tmp_path / "book.parquet", "--db", store_db, "--json")
    assert result.code == 0, result.err
    assert result.json()["loans"] == 2 and result.json()["notes"] == 5
    book = read_book(tmp_path / "book.parquet")
    records = service.register(service.store_at(store_db))
    expected = {i.id: i for i in [*records["loans"], *records["notes"]]}
    for row in range(len(book)):
        back = instrument_at(book, row)
        assert (back.terms, back.events) == (expected[back.id].terms, expected[back.id].events)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_book_positions_are_the_figures_of_position(
    capsys: pytest.CaptureFixture[str], store_db: str, tmp_path: Path, suffix: str
) -> None:
    output = tmp_path / f"positions{suffix}"
    result = run(
        capsys,
        "book",
        "positions",
        "--as-of",
        AS_OF,
        "--output",
        output,
        "--db",
        store_db,
        "--json",
    )
    assert result.code == 0, result.err
    document = result.json()
    assert (document["rows"], document["core_rows"], document["errors"]) == (7, 0, 0)
    if suffix == ".csv":
        with output.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    else:
        rows = [{k: str(v) for k, v in row.items()} for row in pq.read_table(output).to_pylist()]
    assert len(rows) == 7
    for row in rows:
        single = _position(capsys, store_db, row["id"])
        assert row["principal"] == single["principal"], row
        assert row["interest"] == single["interest"], row
    total = sum((Decimal(row["interest"]) for row in rows), Decimal("0.00"))
    assert document["interest"]["USD"] == str(total)


def test_a_local_dask_cluster_gives_the_same_file(
    capsys: pytest.CaptureFixture[str], store_db: str, tmp_path: Path
) -> None:
    one, two = tmp_path / "one.parquet", tmp_path / "two.parquet"
    assert (
        run(capsys, "book", "positions", "--as-of", AS_OF, "--output", one, "--db", store_db).code
        == 0
    )
    result = run(
        capsys,
        "book",
        "positions",
        "--as-of",
        AS_OF,
        "--output",
        two,
        "--local-workers",
        "2",
        "--db",
        store_db,
        "--json",
    )
    assert result.code == 0, result.err
    assert result.json()["engine"] == "dask local cluster of 2 workers"
    assert pq.read_table(one).equals(pq.read_table(two))


def test_the_overview_of_the_reference_case_shows_the_cash_that_balances_it(
    capsys: pytest.CaptureFixture[str], store_db: str
) -> None:
    result = run(
        capsys, "portfolio", "overview", "--as-of", "2002-03-31", "--db", store_db, "--json"
    )
    assert result.code == 0, result.err
    loans = {row["loan"]: row for row in result.json()["loans"]}
    berg = loans["berg-valence-loan"]
    assert (berg["payoff"], berg["collateral_value"]) == ("18640370.41", "18484981.73")
    assert (berg["shortfall"], berg["surplus"]) == ("155388.68", "0.00")
    assert (berg["coverage"], berg["loan_to_value"]) == ("0.9917", "1.0084")
    assert berg["notes"] == ["valence-note-1", "valence-note-2", "valence-note-3"]
    assert loans["harbor-quill-loan"]["status"] == "not yet open"


def test_the_overview_agrees_with_the_quote(
    capsys: pytest.CaptureFixture[str], store_db: str
) -> None:
    quote = run(
        capsys, "quote", "harbor-quill-loan", "--as-of", AS_OF, "--db", store_db, "--json"
    ).json()
    overview = run(
        capsys, "portfolio", "overview", "--as-of", AS_OF, "--db", store_db, "--json"
    ).json()
    harbor = {row["loan"]: row for row in overview["loans"]}["harbor-quill-loan"]
    owed = Decimal(quote["owed"]["principal"]) + Decimal(quote["owed"]["interest"])
    assert Decimal(harbor["payoff"]) == owed
    assert harbor["collateral_value"] == quote["collateral"]["value"]
    assert Decimal(harbor["surplus"]) > 0 and harbor["shortfall"] == "0.00"


def test_the_overview_as_csv_svg_and_table(
    capsys: pytest.CaptureFixture[str], store_db: str, tmp_path: Path
) -> None:
    table, chart = tmp_path / "overview.csv", tmp_path / "overview.svg"
    assert (
        run(
            capsys, "portfolio", "overview", "--as-of", AS_OF, "--output", table, "--db", store_db
        ).code
        == 0
    )
    assert (
        run(
            capsys, "portfolio", "overview", "--as-of", AS_OF, "--output", chart, "--db", store_db
        ).code
        == 0
    )
    with table.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["loan"] for row in rows] == ["berg-valence-loan", "harbor-quill-loan"]
    svg = chart.read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "harbor-quill-loan" in svg and svg.rstrip().endswith("</svg>")
    shown = run(capsys, "portfolio", "overview", "--as-of", AS_OF, "--db", store_db)
    assert shown.code == 0 and "berg-valence-loan" in shown.out and "harbor-quill-loan" in shown.out


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        (("book", "positions", "--as-of", "2024-02-30"), "INVALID_DATE"),
        (("book", "positions", "--as-of", AS_OF, "--output", "{tmp}/p.txt"), "FORMAT_MISMATCH"),
        (("book", "positions", "--as-of", AS_OF, "--output", "{tmp}/exists.csv"), "OUTPUT_EXISTS"),
        (("book", "positions", "--as-of", AS_OF, "--book", "{tmp}/none.parquet"), "BOOK_NOT_FOUND"),
        (("book", "positions", "--as-of", AS_OF, "--book", "{tmp}/exists.csv"), "BOOK_INVALID"),
        (("book", "positions", "--as-of", AS_OF, "--local-workers", "0"), "INVALID_WORKERS"),
        (
            (
                "book",
                "positions",
                "--as-of",
                AS_OF,
                "--local-workers",
                "2",
                "--dask",
                "tcp://127.0.0.1:9",
            ),
            "USAGE",
        ),
        (("book", "export", "{tmp}/book.csv"), "FORMAT_MISMATCH"),
        (("book", "export", "{tmp}/exists.csv", "--partitions", "2"), "OUTPUT_NOT_WRITABLE"),
        (("book", "export", "{tmp}/b.parquet", "--partitions", "0"), "INVALID_PARTITIONS"),
        (("portfolio", "overview", "--as-of", AS_OF, "--output", "{tmp}/o.png"), "FORMAT_MISMATCH"),
        (
            ("portfolio", "overview", "--as-of", AS_OF, "--output", "{tmp}/exists.csv"),
            "OUTPUT_EXISTS",
        ),
    ],
)
def test_bad_input_is_a_coded_error_and_writes_nothing(
    capsys: pytest.CaptureFixture[str],
    store_db: str,
    tmp_path: Path,
    arguments: tuple[str, ...],
    code: str,
) -> None:
    existing = tmp_path / "exists.csv"
    existing.write_text("keep me\n", encoding="utf-8")

    def files() -> list[str]:
        return sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("store.db"))

    before = files()
    args = [a.replace("{tmp}", str(tmp_path)) for a in arguments]
    result = run(capsys, *args, "--db", store_db, "--json")
    assert result.code == 2, result.out
    assert result.json()["error"]["code"] == code
    assert files() == before
    assert existing.read_text(encoding="utf-8") == "keep me\n"


def test_an_unreachable_scheduler_is_a_coded_error(
    capsys: pytest.CaptureFixture[str], store_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT", "1s")
    result = run(
        capsys,
        "book",
        "positions",
        "--as-of",
        AS_OF,
        "--dask",
        "tcp://127.0.0.1:9",
        "--db",
        store_db,
        "--json",
    )
    assert result.code == 2
    assert result.json()["error"]["code"] == "DASK_UNREACHABLE"


def test_start_up_imports_neither_numpy_arrow_nor_dask() -> None:
    probe = (
        "import sys\nfrom acquittance.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('MODULES:' + ' '.join(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('numpy', 'pyarrow', 'dask', 'distributed'))))"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert "book" in found.stdout and "portfolio" in found.stdout
    assert found.stdout.strip().splitlines()[-1] == "MODULES:"


SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "json"


def _check(name: str, document: object) -> None:
    import json

    from jsonschema import Draft202012Validator, FormatChecker

    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    problems = [f"{list(p.absolute_path)}: {p.message}" for p in validator.iter_errors(document)]
    assert not problems, "\n".join(problems)


def test_every_json_shape_obeys_its_schema(
    capsys: pytest.CaptureFixture[str], store_db: str, tmp_path: Path
) -> None:
    exported = run(capsys, "book", "export", tmp_path / "b.parquet", "--db", store_db, "--json")
    _check("book-export", exported.json())
    for output in ((), ("--output", str(tmp_path / "p.csv"))):
        found = run(
            capsys, "book", "positions", "--as-of", AS_OF, *output, "--db", store_db, "--json"
        )
        _check("book-positions", found.json())
    for as_of in ("2002-03-31", AS_OF):
        shown = run(capsys, "portfolio", "overview", "--as-of", as_of, "--db", store_db, "--json")
        _check("portfolio-overview", shown.json())

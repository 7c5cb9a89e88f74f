"""`acquittance new deal FILE`: a starter that `load` accepts and `quote` prices, written
once; every bad target refused with a code and nothing written."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from cli_helpers import ok, run

from acquittance.deals.starter import STARTER_LOAN, STARTER_QUOTE_DATE, starter_text


def refused(capsys: pytest.CaptureFixture[str], code: str, *args: str | Path) -> str:
    """Exit 2 with `error CODE: message`, plain and with --json."""
    result = run(capsys, *args)
    assert result.code == 2, (args, result.out, result.err)
    assert result.out == ""
    match = re.fullmatch(r"error ([A-Z][A-Z0-9_]+): (.+)\n", result.err)
    assert match, result.err
    assert match[1] == code, result.err
    as_json = run(capsys, *args, "--json")
    assert as_json.code == 2
    assert json.loads(as_json.out) == {"error": {"code": code, "message": match[2]}}
    return match[2]


def test_the_starter_loads_into_a_fresh_store_and_quotes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "deal.toml"
    written = ok(capsys, "new", "deal", path)
    assert written == {
        "document": "deal_file",
        "output": str(path),
        "format": "toml",
        "bytes": path.stat().st_size,
    }
    db = tmp_path / "books.db"
    ok(capsys, "init", "--db", db)
    loaded = run(capsys, "load", path, "--db", db)
    assert loaded.code == 0, loaded.err
    quote = ok(capsys, "quote", STARTER_LOAN, "--as-of", STARTER_QUOTE_DATE.isoformat(), "--db", db)
    owed = Decimal(quote["owed"]["principal"]) + Decimal(quote["owed"]["interest"])
    collateral = Decimal(quote["collateral"]["value"])
    assert owed > 0 and collateral > 0
    cash = Decimal(quote["cash"]["amount"])
    # The debt is settled by the notes and the cash between the parties, to the cent.
    paid_in = cash if quote["cash"]["payee"] == "alder" else -cash
    assert owed == collateral + paid_in + Decimal(quote["remaining_debt"])
    listed = ok(capsys, "list", "--db", db)
    assert {p["id"] for p in listed["parties"]} == {"alder", "birch"}


def test_plain_output_says_what_was_written_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "deal.toml"
    result = run(capsys, "new", "deal", path)
    assert result.code == 0
    assert result.out == ""
    assert f"wrote {path}" in result.err and "acquittance load" in result.err
    assert path.read_text(encoding="utf-8") == starter_text(file_name="deal.toml")


def test_an_existing_file_is_not_overwritten_without_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "deal.toml"
    path.write_text("# my own deal\n", encoding="utf-8")
    message = refused(capsys, "OUTPUT_EXISTS", "new", "deal", path)
    assert str(path) in message and "--force" in message
    assert path.read_text(encoding="utf-8") == "# my own deal\n"
    assert ok(capsys, "new", "deal", path, "--force")["output"] == str(path)
    assert path.read_text(encoding="utf-8").startswith("# A deal file for acquittance")


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("deal.txt", "OUTPUT_NOT_TOML"),
        ("no-such-folder/deal.toml", "OUTPUT_NOT_WRITABLE"),
        ("a-folder.toml", "OUTPUT_NOT_WRITABLE"),
    ],
)
def test_a_bad_target_is_refused_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, code: str
) -> None:
    (tmp_path / "a-folder.toml").mkdir()
    before = sorted(tmp_path.rglob("*"))
    message = refused(capsys, code, "new", "deal", tmp_path / name, "--force")
    assert name.split("/")[0] in message
    assert sorted(tmp_path.rglob("*")) == before


def test_without_a_file_it_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    refused(capsys, "USAGE", "new", "deal")


def test_an_unknown_kind_of_file_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    refused(capsys, "USAGE", "new", "ledger", "x.toml")


PROBE = """
import json, os, sys
from acquittance.cli import main
try:
    main(sys.argv[1:])
except SystemExit as stop:
    code = stop.code
with open(os.environ["MODULES_OUT"], "w") as out:
    json.dump({"code": code, "modules": sorted(sys.modules)}, out)
"""


def test_writing_a_starter_opens_no_store(tmp_path: Path) -> None:
    out = tmp_path / "modules.json"
    subprocess.run(
        [sys.executable, "-c", PROBE, "new", "deal", str(tmp_path / "deal.toml")],
        capture_output=True,
        timeout=120,
        check=False,
        env={"MODULES_OUT": str(out), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    found = json.loads(out.read_text())
    assert found["code"] == 0
    heavy = ("sqlalchemy", "alembic", "acquittance.store", "acquittance.service", "rich.console")
    loaded = [m for m in found["modules"] for h in heavy if m == h or m.startswith(f"{h}.")]
    assert loaded == []
    assert (tmp_path / "deal.toml").is_file()

"""docs/deal-file.md is what the schema renders, and the entry point rewrites or checks it."""

from __future__ import annotations

from pathlib import Path

import pytest

from acquittance.deals import schema
from acquittance.deals.reference import main, reference_text

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "docs" / "deal-file.md"


#: The day counts the design names; the file must show each.
CONVENTIONS = ("ACT/360", "ACT/365F", "ACT/ACT-ISDA", "30/360-BOND", "30/360-US", "30E/360")


def test_the_committed_reference_is_what_the_schema_renders() -> None:
    # On failure: `make docs` rewrites it from src/acquittance/deals/schema.py.
    assert COMMITTED.read_text(encoding="utf-8") == reference_text()


def test_the_reference_names_every_table_key_allowed_value_and_check() -> None:
    text = reference_text()
    for table, field in schema.walk():
        assert f"`{field.key}`" in text, (table.name, field.key)
        for value in field.allowed_values():
            assert f"| `{value}` |" in text, (field.key, value)
    for table in schema.ALL_TABLES[1:]:
        for header in table.headers:
            assert f"`{header}`" in text
    for check in schema.CHECKS:
        assert f"`{check.code}`" in text
    for convention in (
        "ACT/360",
        "ACT/365F",
        "ACT/ACT-ISDA",
        "30/360-BOND",
        "30/360-US",
        "30E/360",
    ):
        assert f"| `{convention}` |" in text


def test_the_entry_point_writes_the_reference(tmp_path: Path) -> None:
    target = tmp_path / "docs" / "deal-file.md"
    assert main([str(target)]) == 0
    assert target.read_text(encoding="utf-8") == reference_text()
    assert main(["--check", str(target)]) == 0


def test_check_fails_on_a_stale_or_missing_reference(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "deal-file.md"
    stale.write_text(reference_text().replace("`ACT/360`", "`ACT/361`"), encoding="utf-8")
    assert main(["--check", str(stale)]) == 1
    assert "make docs" in capsys.readouterr().err
    assert main(["--check", str(tmp_path / "absent.md")]) == 1
    assert main(["--bogus"]) == 2

"""The starter deal file: loads as written, explains what it holds, never overwrites by accident."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from acquittance.core.errors import InputError
from acquittance.deals import schema
from acquittance.deals.parse import parse_deal, read_deal_file
from acquittance.deals.starter import STARTER, STARTER_LOAN, starter_text, write_starter

#: The day counts the design names; the file must show each.
CONVENTIONS = ("ACT/360", "ACT/365F", "ACT/ACT-ISDA", "30/360-BOND", "30/360-US", "30E/360")


def comments(text: str) -> str:
    """The comment text of a TOML file, its lines joined as one paragraph."""
    lines = [line[1:].strip() for line in text.splitlines() if line.startswith("#")]
    return " ".join(" ".join(lines).split())


def test_the_starter_parses_as_written_with_the_shape_it_promises() -> None:
    deal = parse_deal(starter_text(), source="deal.toml")
    assert len(deal.parties) == 2
    (loan,) = deal.loans
    assert loan.id == STARTER_LOAN
    assert type(loan.events[0]).__name__ == "OpeningBalance"
    assert 1 <= len(deal.notes) <= 2
    (pledge,) = deal.security_interests
    assert set(pledge.note_ids) == {note.id for note in deal.notes}
    assert len(pledge.financing_statements) == 1


def test_tomli_w_wrote_exactly_the_starter_data() -> None:
    assert tomllib.loads(starter_text(), parse_float=Decimal) == STARTER


def test_amounts_are_exact_decimals_in_the_file() -> None:
    text = starter_text()
    assert "principal = 500000.00" in text
    deal = parse_deal(text)
    assert str(deal.loans[0].events[0].principal) == "500000.00"  # type: ignore[union-attr]


def test_every_key_it_holds_is_explained_with_what_the_schema_says() -> None:
    explained = comments(starter_text())
    document = tomllib.loads(starter_text(), parse_float=Decimal)

    def visit(node: dict[str, object], table: schema.Table) -> None:
        for key, value in node.items():
            field = table[key]
            assert " ".join(field.meaning.split()) in explained, (table.name, key)
            for choice in field.allowed:
                assert choice.value in explained, (key, choice.value)
            if field.table:
                child = schema.TABLES_BY_NAME[field.table]
                for item in value if isinstance(value, list) else [value]:
                    assert isinstance(item, dict)
                    visit(item, child)

    visit(document, schema.DOCUMENT)


def test_it_states_units_and_every_day_count() -> None:
    explained = comments(starter_text())
    for value_type in (schema.AMOUNT, schema.DATE, schema.RATE):
        assert " ".join(value_type.description.split()) in explained
    for convention in (
        "ACT/360",
        "ACT/365F",
        "ACT/ACT-ISDA",
        "30/360-BOND",
        "30/360-US",
        "30E/360",
    ):
        assert convention in explained
    assert f"acquittance quote {STARTER_LOAN} --as-of" in explained


def test_the_header_names_the_file_and_stays_a_comment() -> None:
    text = starter_text(file_name="odd\nname.toml")
    assert "acquittance load odd name.toml" in comments(text)
    parse_deal(text)


def test_writing_creates_the_file(tmp_path: Path) -> None:
    path = write_starter(tmp_path / "deal.toml")
    assert path == tmp_path / "deal.toml"
    assert read_deal_file(path).loans[0].id == STARTER_LOAN


def test_an_existing_file_is_kept_without_force(tmp_path: Path) -> None:
    path = tmp_path / "deal.toml"
    path.write_text("# mine\n", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        write_starter(path)
    assert refused.value.code == "OUTPUT_EXISTS"
    assert "--force" in refused.value.message
    assert path.read_text(encoding="utf-8") == "# mine\n"
    write_starter(path, force=True)
    assert path.read_text(encoding="utf-8") == starter_text(file_name="deal.toml")


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("deal.txt", "OUTPUT_NOT_TOML"),
        ("deal", "OUTPUT_NOT_TOML"),
        ("missing/deal.toml", "OUTPUT_NOT_WRITABLE"),
        ("folder.toml", "OUTPUT_NOT_WRITABLE"),
    ],
)
def test_a_bad_target_is_refused_and_nothing_is_written(
    tmp_path: Path, name: str, code: str
) -> None:
    (tmp_path / "folder.toml").mkdir()
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(InputError) as refused:
        write_starter(tmp_path / name, force=True)
    assert refused.value.code == code
    assert sorted(tmp_path.rglob("*")) == before

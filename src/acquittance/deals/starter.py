"""`acquittance new deal FILE`: a commented starter deal file that `load` accepts as written.

The starter is data (`STARTER`, an invented deal: a lender, a borrower, one
loan with an opening balance and a payment, two notes pledged to it, and the
financing statement that perfects the pledge), written with tomli-w. The
comments come from the schema (`deals.schema`): what each key means, its
type, whether it is required, what leaving it out means and its allowed
values, so the starter says what the parser enforces. Each table's comments
are written the first time it appears; later tables of the same kind hold
only their values.
"""

from __future__ import annotations

import textwrap
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import tomli_w

from acquittance.core.errors import InputError
from acquittance.deals import schema

#: The loan and the date the starter's header suggests quoting.
STARTER_LOAN: Final = "alder-birch-loan"
STARTER_QUOTE_DATE: Final = date(2024, 6, 30)
COMMENT_WIDTH: Final = 88

STARTER: Final[dict[str, Any]] = {
    "deal": {
        "title": "Settlement Agreement and Release",
        "currency": "USD",
        "governing_law": "New York",
    },
    "parties": [
        {
            "id": "alder",
            "name": "Alder Street Capital LLC",
            "short_name": "Alder",
            "entity_type": "limited liability company",
            "jurisdiction": "Delaware",
            "signatories": [{"name": "Robin Hale", "title": "Managing Member"}],
        },
        {
            "id": "birch",
            "name": "Birch Lane Homes, Inc.",
            "short_name": "Birch",
            "entity_type": "corporation",
            "jurisdiction": "New York",
            "signatories": [{"name": "Casey Moreau", "title": "Chief Financial Officer"}],
        },
    ],
    "loans": [
        {
            "id": STARTER_LOAN,
            "lender": "alder",
            "borrower": "birch",
            "agreement_name": "Loan Agreement",
            "agreement_date": date(2023, 1, 15),
            "governing_law": "New York",
            "annual_rate": "8%",
            "day_count": "ACT/360",
            "currency": "USD",
            "compounding": "simple",
            "rounding": "half-up",
            "events": [
                {
                    "kind": "opening",
                    "date": date(2024, 1, 1),
                    "principal": Decimal("500000.00"),
                    "interest": Decimal("3250.00"),
                },
                {"kind": "payment", "date": date(2024, 3, 31), "amount": Decimal("25000.00")},
            ],
        }
    ],
    "notes": [
        {
            "id": "birch-note-1",
            "maker": "Rowan Family Trust",
            "holder": "birch",
            "kind": "mortgage",
            "issue_date": date(2022, 6, 1),
            "maturity_date": date(2052, 6, 1),
            "original_principal": Decimal("300000.00"),
            "description": "First lien on 12 Rowan Court",
            "annual_rate": "6.25%",
            "day_count": "30/360-US",
            "level_payment": {"first_due": date(2022, 7, 1), "count": 360},
            "events": [
                {
                    "kind": "opening",
                    "date": date(2024, 1, 1),
                    "principal": Decimal("293478.12"),
                    "interest": Decimal("1528.53"),
                }
            ],
        },
        {
            "id": "birch-note-2",
            "maker": "Juniper Row Partners LP",
            "holder": "birch",
            "annual_rate": "7%",
            "day_count": "30/360-US",
            "events": [
                {
                    "kind": "opening",
                    "date": date(2024, 1, 1),
                    "principal": Decimal("180000.00"),
                    "interest": Decimal("1050.00"),
                }
            ],
        },
    ],
    "security_interests": [
        {
            "id": "alder-birch-pledge",
            "loan": STARTER_LOAN,
            "secured_party": "alder",
            "debtor": "birch",
            "notes": ["birch-note-1", "birch-note-2"],
            "granted_on": date(2023, 1, 15),
            "financing_statements": [
                {
                    "id": "alder-birch-ucc1",
                    "filing_office": "New York Department of State",
                    "file_number": "202301170000001",
                    "filed_on": date(2023, 1, 17),
                }
            ],
        }
    ],
}


def starter_text(*, file_name: str = "deal.toml") -> str:
    """The starter deal file, commented; `file_name` is how its header tells to load it."""
    lines = _header(file_name)
    explained: set[object] = set()
    for field in schema.DOCUMENT.fields:
        if field.key in STARTER:
            lines += _section(field, STARTER[field.key], field.key, explained)
    return "\n".join(lines) + "\n"


def write_starter(path: Path, *, force: bool = False) -> Path:
    """Write the starter to `path`, a new .toml file; an existing one only with `force`."""
    if path.suffix.lower() != ".toml":
        raise InputError(
            "OUTPUT_NOT_TOML",
            f"{path} does not end in .toml; deal files are TOML: name it like deal.toml",
        )
    if path.is_dir():
        raise InputError(
            "OUTPUT_NOT_WRITABLE", f"{path} is a folder; give a file name such as deal.toml"
        )
    text = starter_text(file_name=path.name)
    try:
        # "x" creates the file or fails if it is there, with no gap between check and write.
        with path.open("w" if force else "x", encoding="utf-8") as out:
            out.write(text)
    except FileExistsError:
        raise InputError(
            "OUTPUT_EXISTS",
            f"{path} already exists; choose another name, or give --force to overwrite it",
        ) from None
    except FileNotFoundError:
        raise InputError(
            "OUTPUT_NOT_WRITABLE",
            f"cannot write {path}: the folder {path.parent} does not exist; create it first",
        ) from None
    except OSError as error:
        raise InputError(
            "OUTPUT_NOT_WRITABLE", f"cannot write {path}: {error.strerror or error}"
        ) from None
    return path


def _header(file_name: str) -> list[str]:
    types = (schema.AMOUNT, schema.DATE, schema.RATE, schema.ID, schema.TEXT)
    intro = [
        "A deal file for acquittance, to edit into your own. Every name and figure in it "
        "is invented.",
        "",
        "Load it and quote its loan:",
        "  acquittance init",
        f"  acquittance load {file_name}",
        f"  acquittance quote {STARTER_LOAN} --as-of {STARTER_QUOTE_DATE.isoformat()}",
        "",
        "docs/deal-file.md describes every table and key. A key not described there is "
        "refused, and so is a required key left out. How values are written:",
    ]
    lines = [line for text in intro for line in _comment(text)]
    for value_type in types:
        lines += _comment(f"  {value_type.name}: {value_type.description}.", indent="    ")
    return lines


def _section(field: schema.Field, value: Any, path: str, explained: set[object]) -> list[str]:
    """The tables a table-valued key holds: `[path]` for a table, `[[path]]` for each item."""
    table = schema.TABLES_BY_NAME[field.table]
    items = value if isinstance(value, list) else [value]
    header = f"[[{path}]]" if isinstance(value, list) else f"[{path}]"
    lines: list[str] = []
    for item in items:
        lines.append("")
        if table not in explained:
            explained.add(table)
            requirement = "Optional."
            if field.required:
                many = isinstance(value, list)
                requirement = "At least one is required." if many else "Required."
            lines += _comment(f"{field.meaning} {table.meaning} {requirement}")
        lines.append(header)
        lines += _values(table, item, path, explained)
    return lines


def _values(
    table: schema.Table, values: dict[str, Any], path: str, explained: set[object]
) -> list[str]:
    """A table's own keys, in the schema's order, then the tables it holds.

    `explained` holds the tables and fields whose comments are written already.
    """
    lines: list[str] = []
    present = [f for f in table.fields if f.key in values]
    for field in (f for f in present if not f.table):
        # Loans and notes share their terms' fields: each is explained once.
        if field not in explained:
            explained.add(field)
            lines += _explanation(field)
        lines.append(tomli_w.dumps({field.key: values[field.key]}).rstrip("\n"))
    for field in (f for f in present if f.table):
        lines += _section(field, values[field.key], f"{path}.{field.key}", explained)
    return lines


def _explanation(field: schema.Field) -> list[str]:
    text = f"{field.meaning} {_requirement(field)}"
    if field.kinds:
        text += f" For {' and '.join(field.kinds)} events."
    lines = _comment(text)
    if field.allowed:
        lines += _comment("One of:")
        width = max(len(choice.value) for choice in field.allowed)
        for choice in field.allowed:
            lines += _comment(
                f"  {choice.value:<{width}}  {choice.meaning}", indent=" " * (width + 4)
            )
    return lines


def _requirement(field: schema.Field) -> str:
    if field.required:
        return f"Required {field.type.name}."
    if field.default is not None:
        absent = tomli_w.dumps({"v": field.default})[len("v = ") :].strip()
    else:
        absent = field.default_text or "nothing"
    return f"Optional {field.type.name}; if left out, {absent}."


def _comment(text: str, *, indent: str = "") -> list[str]:
    """`text` as TOML comment lines, wrapped; an empty text is an empty comment line."""
    if not text:
        return ["#"]
    wrapped = textwrap.wrap(
        text,
        width=COMMENT_WIDTH - 2,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return [f"# {line}" for line in wrapped]

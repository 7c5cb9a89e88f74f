"""The deal-file reference (docs/deal-file.md), rendered from the schema so it cannot drift.

`python -m acquittance.deals.reference [PATH]` (or `make docs`) rewrites the
document; `--check` exits 1 instead when the file differs from what the
schema gives. tests/deal checks that the committed file is exactly what
`reference_text()` renders.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import tomli_w

from acquittance.core.accrual import EVENTS_COUNT_MAX
from acquittance.deals import schema
from acquittance.deals.parse import DEAL_FILE_SIZE_MAX_BYTES, RECORDS_MAX

DEFAULT_PATH: Final = Path("docs") / "deal-file.md"

_INTRODUCTION: Final = """\
A deal file is a TOML file that describes loans, the parties to them, the notes
receivable pledged as their collateral and the pledges themselves.
`acquittance new deal FILE` writes a commented starter to edit, and
`acquittance load FILE` loads a deal file into the store, all or nothing. Three
complete deals are in `examples/`: `valence-berg-2002.toml` (the reference case),
`harbor-mortgage-surplus.toml`, and `cedar-term-loan.toml` (a term loan through its
whole life, walked through in the README).

Numbers are read as exact decimals: no amount or rate ever passes through a
binary float. A key this page does not list is refused (`UNKNOWN_FIELD`), and
so is a required key left out (`MISSING_FIELD`). Every refusal names the file,
the line and the field, such as `loans[0].events[0].principal`, with a stable
code and what to change."""


def reference_text() -> str:
    """The whole reference, as Markdown."""
    parts = [
        "# Deal files",
        "<!-- Generated from src/acquittance/deals/schema.py by `make docs` "
        "(python -m acquittance.deals.reference). Edit the schema, not this file: "
        "a test checks that they agree. -->",
        _INTRODUCTION,
        _values(),
        *_tables(),
        _checks(),
        _limits(),
    ]
    return "\n\n".join(parts) + "\n"


def _values() -> str:
    rows = [(f"`{t.name}`", t.description) for t in schema.VALUE_TYPES]
    return "## Values\n\n" + _markdown_table(("type", "how it is written"), rows)


def _tables() -> list[str]:
    """A section per table; allowed values are listed where a key first appears."""
    listed: dict[schema.Field, str] = {}
    return [_table(table, listed) for table in schema.ALL_TABLES]


def _title(table: schema.Table) -> str:
    if table is schema.DOCUMENT:
        return "The file"
    return " and ".join(f"`{header}`" for header in table.headers)


def _table(table: schema.Table, listed: dict[schema.Field, str]) -> str:
    title = _title(table)
    has_kinds = any(field.kinds for field in table.fields)
    header: tuple[str, ...] = ("key", "type", "required", "if left out", "meaning")
    if has_kinds:
        header = ("key", "events", "type", "required", "if left out", "meaning")
    rows = []
    for field in table.fields:
        meaning = field.meaning
        if field.table:
            child = schema.TABLES_BY_NAME[field.table]
            meaning += f" See {_title(child)}."
        if field.allowed:
            where = listed.setdefault(field, title)
            meaning += " See its allowed values " + (
                "below." if where == title else f"under {where}."
            )
        kinds = (", ".join(field.kinds) or "all",) if has_kinds else ()
        rows.append(
            (
                f"`{field.key}`",
                *kinds,
                field.type.name,
                "yes" if field.required else "no",
                "" if field.required else _absent(field),
                meaning,
            )
        )
    sections = [f"## {title}", table.meaning, _markdown_table(header, rows)]
    sections += [_allowed(field) for field in table.fields if listed.get(field) == title]
    return "\n\n".join(sections)


def _absent(field: schema.Field) -> str:
    if field.default is not None:
        literal = tomli_w.dumps({"v": field.default})[len("v = ") :].strip()
        return f"`{literal}`"
    return field.default_text or "none"


def _allowed(field: schema.Field) -> str:
    rows = [(f"`{choice.value}`", choice.meaning) for choice in field.allowed]
    return f"Allowed values of `{field.key}`:\n\n" + _markdown_table(("value", "meaning"), rows)


def _checks() -> str:
    rows = [(f"`{check.code}`", check.rule) for check in schema.CHECKS]
    return (
        "## Checks across tables\n\n"
        "Beyond each value's own checks, loading refuses a file that breaks one of these "
        "rules, with the code shown.\n\n" + _markdown_table(("code", "rule"), rows)
    )


def _limits() -> str:
    size_mib = DEAL_FILE_SIZE_MAX_BYTES // (1024 * 1024)
    return (
        "## Limits\n\n"
        f"- A deal file is at most {size_mib} MiB (`FILE_TOO_LARGE`) of UTF-8 text.\n"
        f"- Each array of tables holds at most {RECORDS_MAX:,} tables (`TOO_MANY_RECORDS`).\n"
        f"- A loan or note has at most {EVENTS_COUNT_MAX:,} events (`TOO_MANY_EVENTS`)."
    )


def _markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = [_row(header), _row(["---"] * len(header))]
    lines += [_row(row) for row in rows]
    return "\n".join(lines)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def main(argv: Sequence[str] | None = None) -> int:
    """Write the reference to PATH (docs/deal-file.md); with --check, only compare."""
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    paths = [a for a in args if a != "--check"]
    if len(paths) > 1 or any(p.startswith("-") for p in paths):
        sys.stderr.write("usage: python -m acquittance.deals.reference [--check] [PATH]\n")
        return 2
    path = Path(paths[0]) if paths else DEFAULT_PATH
    text = reference_text()
    if check:
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current != text:
            sys.stderr.write(f"{path} is out of date; run `make docs`\n")
            return 1
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    sys.stderr.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

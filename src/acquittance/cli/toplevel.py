"""The top level of the command line, with nothing heavy imported: the table of commands,
the global options, and the text `acquittance --help` prints.

`COMMANDS` names each command, the module under acquittance.cli that defines it
and its one-line help; `HELP_PANELS` groups them for the help. The Typer
application (`acquittance.cli.app`) is built from these tables, and
`acquittance --help` (or `acquittance` alone) is answered from here, before
Typer and Click are imported: `help_text` lays the page out the way Click's
help formatter does (its widths, its wrapping), and tests/cli check that the two
are byte for byte the same at every terminal width. A command's own help
(`acquittance quote --help`) is Typer's.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Final, TypeAlias

    #: Wraps one paragraph: text, width, and the indents of the first line and the rest.
    Wrap: TypeAlias = Callable[[str, int, str, str], str]

PROGRAM: Final = "acquittance"
#: The description under the usage line.
PROGRAM_HELP: Final = (
    "System of record for secured loans collateralised by notes, and for settling them."
)
DB_HELP: Final = (
    "Store: a file path or a SQLAlchemy URL (else $ACQUITTANCE_DB, else a per-user file)."
)
DB_METAVAR: Final = "PATH|URL"
VERSION_HELP: Final = "Print the version and exit."
HELP_HELP: Final = "Show this message and exit."
#: The help page is laid out for the terminal, at most this wide.
MAX_WIDTH: Final = 100
#: The options of the application itself, as the help lists them.
OPTIONS: Final[tuple[tuple[str, str], ...]] = (
    (f"--db {DB_METAVAR}", DB_HELP),
    ("--version", VERSION_HELP),
    ("--help", HELP_HELP),
)
_USAGE_ARGUMENTS: Final = "[OPTIONS] COMMAND [ARGS]..."
_INDENT: Final = 2
_COLUMN_MAX: Final = 30
_COLUMN_SPACING: Final = 2

#: Every command: the module under acquittance.cli that defines it, and its one-line help
#: (the first sentence of its docstring), in the order `acquittance --help` lists them.
COMMANDS: Final[dict[str, tuple[str, str]]] = {
    "init": ("commands", "Create the store, or migrate it to the newest schema."),
    "load": (
        "commands",
        "Load a deal file: parties, loans, notes, pledges and opening entries; all or nothing.",
    ),
    "list": (
        "commands",
        "Every party, loan, note, security interest and settlement in the store.",
    ),
    "show": ("commands", "One record, in full."),
    "position": (
        "commands",
        "Principal and accrued unpaid interest of a loan or note on a date.",
    ),
    "quote": (
        "commands",
        "What is owed on a date, the collateral assigned, and the cash that balances them.",
    ),
    "quotes": ("commands", "Saved quotes (made with `quote --save`), by date."),
    "settle": (
        "commands",
        "Close the settlement atomically: notes assigned, loan discharged, both books posted.",
    ),
    "journal": ("commands", "The party's journal entries, in order, with their hashes."),
    "books": ("commands", "The party's trial balance (or one account's history)."),
    "verify": (
        "commands",
        "Recompute every chain and check the register; exit 1 if anything does not match.",
    ),
    "demo": (
        "commands",
        "Run a deal end to end on a store: init, load, quote, settle, books, obligations, verify.",
    ),
    "schedule": ("commands", "A note's amortization schedule, generated from its terms."),
    "accrue": (
        "accrue",
        "Post accrued interest and late charges of every open loan and note to both books.",
    ),
    "record": (
        "lifecycle",
        "Record an advance, payment, rate change, charge or default rate; post it to the books.",
    ),
    "payoff": (
        "lifecycle",
        "Pay a loan off in cash: discharged, pledge released, UCC-3 termination queued.",
    ),
    "release": (
        "lifecycle",
        "Release named notes from a loan's pledge, and queue the UCC-3 amendment.",
    ),
    "reverse": (
        "lifecycle",
        "Reverse an event: a new event, later figures recomputed, books corrected on its date.",
    ),
    "events": (
        "lifecycle",
        "A loan's or note's events as recorded, with the references `reverse` takes.",
    ),
    "read": (
        "read",
        "The terms found in an agreement: parties, dates, amounts with roles, and checks.",
    ),
    "draft": ("draft", "Draft the settlement agreement as md, html, docx or pdf."),
    "letter": ("documents", "Letters to a loan's borrower: the payoff letter."),
    "statement": (
        "documents",
        "The periodic statement of a loan or note: opening, each event, interest, closing.",
    ),
    "ucc3": (
        "documents",
        "A UCC-3 (national form UCC3) filled from a financing statement: termination or release.",
    ),
    "export": ("commands", "Export books to other tools."),
    "obligations": ("commands", "Post-closing obligations: termination filings and wires."),
    "new": ("authoring", "Write a commented starter file to edit, such as a deal file."),
    "book": ("book", "The whole book as columns (Parquet), and positions of every instrument."),
    "portfolio": (
        "portfolio",
        "The portfolio overview: payoff, collateral, coverage and shortfall of every loan.",
    ),
    "serve": ("serve", "Serve the HTTP API under /api/v1 (and the web pages) over the store."),
    "user": ("accounts", "Users of the server, each a member of one party."),
    "token": ("accounts", "API tokens for the server: create (shown once), list, revoke."),
}
#: How `acquittance --help` groups the commands, in this order; a command named in no
#: group is listed under "Other commands".
HELP_PANELS: Final[dict[str, tuple[str, ...]]] = {
    "Store and records": ("init", "load", "new", "list", "show"),
    "Loan life": ("record", "events", "reverse", "accrue", "payoff", "release"),
    "Figures": ("position", "quote", "quotes", "schedule", "portfolio"),
    "Settlement": ("settle", "obligations"),
    "Books": ("journal", "books", "book", "verify", "export"),
    "Agreements and documents": ("read", "draft", "letter", "statement", "ucc3"),
    "Server": ("serve", "user", "token"),
    "Trying it out": ("demo",),
}
#: The modules that register commands, each imported at most once.
COMMAND_MODULES: Final = tuple(dict.fromkeys(module for module, _ in COMMANDS.values()))


def command_sections(summaries: dict[str, str]) -> list[tuple[str, list[str]]]:
    """The sections of the command list, each a title and its commands in order: the
    groups of `HELP_PANELS`, then "Other commands" for any command named in none."""
    grouped = {name for names in HELP_PANELS.values() for name in names}
    sections = [
        (title, [name for name in names if name in summaries])
        for title, names in HELP_PANELS.items()
    ]
    sections.append(("Other commands", [name for name in summaries if name not in grouped]))
    return [(title, names) for title, names in sections if names]


def help_text(columns: int | None = None) -> str:
    """What `acquittance --help` prints, without its final newline, for a terminal
    `columns` wide (by default the width Click would find)."""
    width = max(min(terminal_columns() if columns is None else columns, MAX_WIDTH) - 2, 50)
    wrap = _wrapper()
    usage = f"Usage: {PROGRAM} "
    lines = [
        wrap(_USAGE_ARGUMENTS, width, usage, " " * len(usage)),
        "",
        wrap(PROGRAM_HELP, width, " " * _INDENT, " " * _INDENT),
        "",
        "Options:",
        *_definitions(OPTIONS, width, wrap),
    ]
    summaries = {name: summary for name, (_, summary) in COMMANDS.items()}
    for title, names in command_sections(summaries):
        rows = tuple((name, summaries[name]) for name in names)
        lines += ["", f"{title}:", *_definitions(rows, width, wrap)]
    return "\n".join(lines)


def terminal_columns() -> int:
    """The terminal's width as `shutil.get_terminal_size` finds it (which Click asks):
    $COLUMNS if it is a positive number, else the width of the terminal standard output
    is on, else 80 (shutil itself costs more to import than the whole help)."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


def _definitions(rows: tuple[tuple[str, str], ...], width: int, wrap: Wrap) -> list[str]:
    """A definition list as Click's `HelpFormatter.write_dl` writes it, indented once."""
    first_column = min(max(len(term) for term, _ in rows), _COLUMN_MAX) + _COLUMN_SPACING
    hanging = " " * (first_column + _INDENT)
    text_width = max(width - first_column - 2, 10)
    lines: list[str] = []
    for term, text in rows:
        wrapped = wrap(text, text_width, "", "").splitlines()
        if len(term) <= first_column - _COLUMN_SPACING:
            lines.append(f"{' ' * _INDENT}{term:<{first_column}}{wrapped[0]}")
        else:
            lines += [f"{' ' * _INDENT}{term}", f"{hanging}{wrapped[0]}"]
        lines += [f"{hanging}{line}" for line in wrapped[1:]]
    return lines


def _wrapper() -> Wrap:
    """A function that wraps one paragraph as Click does (textwrap, whitespace kept, a
    word longer than the line cut where the line ends): text, width, and the indents of
    the first line and of the rest."""
    import textwrap

    class Wrapper(textwrap.TextWrapper):
        def _handle_long_word(
            self, reversed_chunks: list[str], cur_line: list[str], cur_len: int, width: int
        ) -> None:
            space_left = max(width - cur_len, 1)
            cur_line.append(reversed_chunks[-1][:space_left])
            reversed_chunks[-1] = reversed_chunks[-1][space_left:]

    wrapper = Wrapper(replace_whitespace=False)

    def wrap(text: str, width: int, first: str, rest: str) -> str:
        wrapper.width, wrapper.initial_indent, wrapper.subsequent_indent = width, first, rest
        return wrapper.fill(text.expandtabs())

    return wrap

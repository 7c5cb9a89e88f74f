"""A party's book as Beancount text, for auditors and for tools that read Beancount.

The only output this package produces, and it is a string: writing it to a
file is the caller's business. The text opens every account on the date of its
first use, writes one `*` transaction per journal entry with the entry's id,
kind, sequence, reference and hash as metadata (so a reader can tie every
transaction back to the hash-chained journal), and is accepted by Beancount 3
(`bean-check`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from acquittance.books.accounts import ChartOfAccounts, account_sort_key, display_name_of
from acquittance.books.entries import JournalEntry, check_journal
from acquittance.core.errors import InputError
from acquittance.core.instruments import Party
from acquittance.core.money import amount_text, check_currency

_INDENT = "  "


def to_beancount(
    party: Party,
    entries: Iterable[JournalEntry],
    *,
    currency: str,
    chart: ChartOfAccounts | None = None,
) -> str:
    """The Beancount text of `party`'s book; `currency` is its operating currency."""
    check_currency(currency)
    ordered = sorted(entries, key=lambda entry: (entry.date, entry.sequence))
    check_journal(ordered)
    for entry in ordered:
        if entry.party_id != party.id:
            raise InputError(
                "PARTY_MISMATCH",
                f"entry {entry.id} belongs to party {entry.party_id!r}, not {party.id!r}; "
                "export one party's book at a time",
            )
    sections = [
        _header(party, currency),
        _opens(ordered, chart),
        *(_transaction(entry) for entry in ordered),
    ]
    return "\n".join(section for section in sections if section)


def _quoted(text: str) -> str:
    # Beancount strings take backslash escapes; descriptions are single-line by the
    # entry check, so quotes and backslashes are all that need escaping.
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _header(party: Party, currency: str) -> str:
    return (
        f"; The book of {party.name} ({party.id}), exported by acquittance.\n"
        f"option {_quoted('title')} {_quoted(f'{party.name} — book')}\n"
        f"option {_quoted('operating_currency')} {_quoted(currency)}\n"
    )


def _opens(entries: list[JournalEntry], chart: ChartOfAccounts | None) -> str:
    first_use: dict[str, date] = {}
    currencies: dict[str, set[str]] = {}
    for entry in entries:
        for leg in entry.legs:
            known = first_use.get(leg.account)
            first_use[leg.account] = entry.date if known is None else min(known, entry.date)
            currencies.setdefault(leg.account, set()).add(leg.currency)
    lines: list[str] = []
    for account in sorted(first_use, key=account_sort_key):
        display = chart.display_name(account) if chart is not None else display_name_of(account)
        lines.append(
            f"{first_use[account].isoformat()} open {account} "
            f"{','.join(sorted(currencies[account]))}"
        )
        lines.append(f"{_INDENT}name: {_quoted(display)}")
    return "\n".join(lines) + "\n" if lines else ""


def _transaction(entry: JournalEntry) -> str:
    lines = [
        f"{entry.date.isoformat()} * {_quoted(entry.description)}",
        f"{_INDENT}entry_id: {_quoted(entry.id)}",
        f"{_INDENT}kind: {_quoted(entry.kind.value)}",
        f"{_INDENT}sequence: {entry.sequence}",
    ]
    if entry.reference is not None:
        lines.append(f"{_INDENT}reference: {_quoted(entry.reference)}")
    lines.append(f"{_INDENT}hash: {_quoted(entry.hash)}")
    # Aligned columns, as bean-format would write them, so the text reads as a ledger.
    width = max(len(leg.account) for leg in entry.legs)
    amounts = [amount_text(leg.amount) for leg in entry.legs]
    amount_width = max(len(text) for text in amounts)
    for leg, text in zip(entry.legs, amounts, strict=True):
        lines.append(
            f"{_INDENT}{leg.account.ljust(width)}  {text.rjust(amount_width)} {leg.currency}"
        )
    return "\n".join(lines) + "\n"

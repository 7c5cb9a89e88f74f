"""Reports derived from a party's journal: the trial balance and an account's history.

Balances are never stored; they are sums over the journal. Every report checks
the entries it reads (`check_journal`) and that they belong to one party and
one currency, so that a figure is never the sum of two books or two currencies.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from acquittance.books.accounts import ChartOfAccounts, account_sort_key, display_name_of
from acquittance.books.entries import EntryKind, JournalEntry, check_journal
from acquittance.core.errors import InputError, StateError
from acquittance.core.money import ZERO


@dataclass(frozen=True)
class TrialBalanceRow:
    """One account's net balance, shown in the debit or the credit column."""

    account: str
    display_name: str
    debit: Decimal
    credit: Decimal
    balance: Decimal  # signed, debit positive


@dataclass(frozen=True)
class TrialBalance:
    """Every account used, its balance, and column totals that are always equal."""

    party_id: str | None
    currency: str | None  # None only for an empty journal
    as_of: date | None
    rows: tuple[TrialBalanceRow, ...]
    total_debit: Decimal
    total_credit: Decimal


@dataclass(frozen=True)
class HistoryRow:
    """One posting to an account and the account's balance after it."""

    entry_id: str
    sequence: int
    date: date
    kind: EntryKind
    description: str
    amount: Decimal  # signed, debit positive
    balance: Decimal


def _ordered(entries: Iterable[JournalEntry], *, currency: str | None) -> list[JournalEntry]:
    """The entries of one party's book in sequence order, checked on the way in."""
    ordered = sorted(entries, key=lambda entry: entry.sequence)
    check_journal(ordered)
    parties = {entry.party_id for entry in ordered}
    if len(parties) > 1:
        raise InputError(
            "MIXED_PARTIES",
            f"entries of several parties ({', '.join(sorted(parties))}) were given; "
            "a report covers one party's book",
        )
    currencies = {leg.currency for entry in ordered for leg in entry.legs}
    if currency is None and len(currencies) > 1:
        raise InputError(
            "MIXED_CURRENCIES",
            f"the book holds several currencies ({', '.join(sorted(currencies))}); "
            "name the one to report",
        )
    return ordered


def trial_balance(
    entries: Iterable[JournalEntry],
    *,
    chart: ChartOfAccounts | None = None,
    currency: str | None = None,
    as_of: date | None = None,
    include_zero: bool = True,
) -> TrialBalance:
    """Net balance of every account used by entries dated on or before `as_of` (all by default).

    Accounts that net to zero (a loan receivable after settlement) stay listed
    unless `include_zero` is false: that they were used is part of the story.
    """
    ordered = _ordered(entries, currency=currency)
    chosen = [entry for entry in ordered if as_of is None or entry.date <= as_of]
    report_currency = currency or _only_currency(chosen)
    balances: dict[str, Decimal] = {}
    for entry in chosen:
        for leg in entry.legs:
            if leg.currency == report_currency:
                balances[leg.account] = balances.get(leg.account, ZERO) + leg.amount
    rows = tuple(
        _row(account, balance, chart)
        for account, balance in sorted(balances.items(), key=lambda item: account_sort_key(item[0]))
        if include_zero or balance != 0
    )
    total_debit = sum((row.debit for row in rows), ZERO)
    total_credit = sum((row.credit for row in rows), ZERO)
    if total_debit != total_credit:
        # Unreachable for checked entries; asserted so a bug cannot print a lopsided report.
        raise StateError(
            "UNBALANCED_BOOK",
            f"trial balance debits {total_debit} differ from credits {total_credit}",
        )
    return TrialBalance(
        party_id=ordered[0].party_id if ordered else None,
        currency=report_currency,
        as_of=as_of,
        rows=rows,
        total_debit=total_debit,
        total_credit=total_credit,
    )


def _only_currency(entries: Sequence[JournalEntry]) -> str | None:
    for entry in entries:
        for leg in entry.legs:
            return leg.currency
    return None


def _row(account: str, balance: Decimal, chart: ChartOfAccounts | None) -> TrialBalanceRow:
    display = chart.display_name(account) if chart is not None else display_name_of(account)
    return TrialBalanceRow(
        account=account,
        display_name=display,
        debit=balance if balance > 0 else ZERO,
        credit=-balance if balance < 0 else ZERO,
        balance=balance,
    )


def account_history(
    entries: Iterable[JournalEntry], account: str, *, currency: str | None = None
) -> tuple[HistoryRow, ...]:
    """Every posting to `account` in sequence order, with the running balance after each."""
    ordered = _ordered(entries, currency=currency)
    rows: list[HistoryRow] = []
    balance = ZERO
    for entry in ordered:
        for leg in entry.legs:
            if leg.account != account or (currency is not None and leg.currency != currency):
                continue
            balance += leg.amount
            rows.append(
                HistoryRow(
                    entry_id=entry.id,
                    sequence=entry.sequence,
                    date=entry.date,
                    kind=entry.kind,
                    description=entry.description,
                    amount=leg.amount,
                    balance=balance,
                )
            )
    return tuple(rows)

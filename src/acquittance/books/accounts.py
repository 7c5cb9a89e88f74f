"""The default chart of accounts of a party's book, with names Beancount accepts.

Account names follow Beancount's rules restricted to ASCII: a root among
Assets, Liabilities, Equity, Income and Expenses, then components that start
with a capital letter or a digit and go on with letters, digits and hyphens.
Accounts that face one counterparty (a loan receivable, an interest payable)
end in a segment derived from the counterparty's short name; every account has
a display name for people ("Loan payable — Berg").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from acquittance.core.errors import InputError
from acquittance.core.instruments import Party


class AccountType(StrEnum):
    """The five roots of a double-entry book, in the order reports list them."""

    ASSETS = "Assets"
    LIABILITIES = "Liabilities"
    EQUITY = "Equity"
    INCOME = "Income"
    EXPENSES = "Expenses"


ACCOUNT_TYPE_ORDER: Final = tuple(AccountType)

CASH: Final = "Assets:Cash"
NOTES_RECEIVABLE: Final = "Assets:NotesReceivable"
# A contra asset: the lender carries taken-over notes at their gross principal
# and interest and puts the difference to the value it took them at here, so the
# note subledger keeps its face figures (see posting.settlement).
NOTES_VALUATION_ADJUSTMENT: Final = "Assets:NotesReceivable:ValuationAdjustment"
NOTES_INTEREST_RECEIVABLE: Final = "Assets:InterestReceivable:Notes"
INTEREST_INCOME: Final = "Income:Interest"
INTEREST_EXPENSE: Final = "Expenses:Interest"
GAIN_ON_SETTLEMENT: Final = "Income:GainOnSettlement"
LOSS_ON_SETTLEMENT: Final = "Expenses:LossOnSettlement"
OPENING_BALANCES: Final = "Equity:OpeningBalances"
# Charges on a loan, apart from interest: a fee, and a late charge (a penalty).
FEE_INCOME: Final = "Income:Fees"
FEE_EXPENSE: Final = "Expenses:Fees"
LATE_CHARGE_INCOME: Final = "Income:LateCharges"
LATE_CHARGE_EXPENSE: Final = "Expenses:LateCharges"

_FIXED_DISPLAY_NAMES: Final[dict[str, str]] = {
    CASH: "Cash",
    NOTES_RECEIVABLE: "Mortgage notes receivable",
    NOTES_VALUATION_ADJUSTMENT: "Notes receivable — valuation adjustment",
    NOTES_INTEREST_RECEIVABLE: "Interest receivable — notes",
    INTEREST_INCOME: "Interest income",
    INTEREST_EXPENSE: "Interest expense",
    GAIN_ON_SETTLEMENT: "Gain on settlement",
    LOSS_ON_SETTLEMENT: "Loss on settlement",
    OPENING_BALANCES: "Opening balances",
    FEE_INCOME: "Fee income",
    FEE_EXPENSE: "Fee expense",
    LATE_CHARGE_INCOME: "Late charge income",
    LATE_CHARGE_EXPENSE: "Late charge expense",
}

# Parent account -> display prefix, for the accounts that face a counterparty.
_COUNTERPARTY_PARENTS: Final[dict[str, str]] = {
    "Assets:LoanReceivable": "Loan receivable",
    "Assets:InterestReceivable": "Interest receivable",
    "Liabilities:LoanPayable": "Loan payable",
    "Liabilities:InterestPayable": "Interest payable",
    "Assets:FeesReceivable": "Fees receivable",
    "Liabilities:FeesPayable": "Fees payable",
}

#: Segments a counterparty may not take, because a fixed account already ends in
#: them under the same parent (Assets:InterestReceivable:Notes).
RESERVED_SEGMENTS: Final = frozenset({"Notes"})
SEGMENT_LENGTH_MAX: Final = 48
ACCOUNT_NAME_LENGTH_MAX: Final = 200

_COMPONENT = re.compile(r"[A-Z0-9][A-Za-z0-9-]*")
_WORD = re.compile(r"[A-Za-z0-9]+")
_APOSTROPHES = re.compile(r"['\u2019]")


@dataclass(frozen=True)
class Account:
    """An account of a party's book: its Beancount name, its type and a name for people."""

    name: str
    display_name: str

    @property
    def type(self) -> AccountType:
        return AccountType(self.name.split(":", 1)[0])


@dataclass(frozen=True)
class ChartOfAccounts:
    """The accounts a party's book uses by default, in report order."""

    party_id: str
    accounts: tuple[Account, ...]

    def display_name(self, account: str) -> str:
        for candidate in self.accounts:
            if candidate.name == account:
                return candidate.display_name
        return display_name_of(account)

    def names(self) -> tuple[str, ...]:
        return tuple(account.name for account in self.accounts)


def check_account_name(name: str) -> str:
    """Refuse an account name Beancount would not accept (or that we would not write)."""
    if isinstance(name, str) and name in _CHECKED_NAMES:
        return name
    parts = name.split(":") if isinstance(name, str) else []
    valid = (
        len(parts) >= 2
        and len(name) <= ACCOUNT_NAME_LENGTH_MAX
        and parts[0] in _ROOTS
        and all(_COMPONENT.fullmatch(part) for part in parts[1:])
    )
    if not valid:
        raise InputError(
            "INVALID_ACCOUNT",
            f"account {name!r} is not a valid account name; write it like Assets:Cash: a root "
            "(Assets, Liabilities, Equity, Income, Expenses), then components of ASCII letters, "
            "digits and hyphens that start with a capital letter or a digit",
        )
    if len(_CHECKED_NAMES) < _CHECKED_NAMES_MAX:
        _CHECKED_NAMES.add(name)
    return name


# Every entry's legs are checked when drafted and again when sealed, on the same few
# names: a name once found valid is valid for good.
_ROOTS: Final = frozenset(kind.value for kind in AccountType)
_CHECKED_NAMES: set[str] = set()
_CHECKED_NAMES_MAX: Final = 100_000


def counterparty_segment(party: Party) -> str:
    """The account component for a counterparty: its short name, made Beancount-safe.

    Accents are dropped ("élan" -> "Elan"), apostrophes removed, every other run
    of non-alphanumerics becomes one hyphen ("Berg & Berg" -> "Berg-Berg"), and
    each word is capitalised ("3M" stays "3M"). A name with no Latin letters or
    digits falls back to the party id; a segment a fixed account uses gets a
    suffix rather than sharing that account.
    """
    return _counterparty_segment(party.short_name, party.id)


@functools.lru_cache(maxsize=4096)
def _counterparty_segment(short_name: str, party_id: str) -> str:
    # Kept: a closing names each party's accounts several times, in both books.
    segment = _segment_from(short_name) or _segment_from(party_id)
    if not segment:
        raise InputError(
            "INVALID_COUNTERPARTY_NAME",
            f"party {party_id!r} (short name {short_name!r}) yields no account name; "
            "give it a short name or id with Latin letters or digits",
        )
    if segment in RESERVED_SEGMENTS:
        segment = f"{segment}-Party"
    return segment[:SEGMENT_LENGTH_MAX].rstrip("-")


def _segment_from(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii")
    words = _WORD.findall(_APOSTROPHES.sub("", ascii_text))
    return "-".join(word[0].upper() + word[1:] for word in words)


def loan_receivable(counterparty: Party) -> str:
    return f"Assets:LoanReceivable:{counterparty_segment(counterparty)}"


def interest_receivable(counterparty: Party) -> str:
    return f"Assets:InterestReceivable:{counterparty_segment(counterparty)}"


def loan_payable(counterparty: Party) -> str:
    return f"Liabilities:LoanPayable:{counterparty_segment(counterparty)}"


def interest_payable(counterparty: Party) -> str:
    return f"Liabilities:InterestPayable:{counterparty_segment(counterparty)}"


def fees_receivable(counterparty: Party) -> str:
    return f"Assets:FeesReceivable:{counterparty_segment(counterparty)}"


def fees_payable(counterparty: Party) -> str:
    return f"Liabilities:FeesPayable:{counterparty_segment(counterparty)}"


def counterparty_accounts(counterparty: Party) -> tuple[Account, ...]:
    """The accounts that face one counterparty, named for people by its short name."""
    label = counterparty.short_name.strip() or counterparty.id
    return (
        Account(loan_receivable(counterparty), f"Loan receivable — {label}"),
        Account(interest_receivable(counterparty), f"Interest receivable — {label}"),
        Account(fees_receivable(counterparty), f"Fees receivable — {label}"),
        Account(loan_payable(counterparty), f"Loan payable — {label}"),
        Account(interest_payable(counterparty), f"Interest payable — {label}"),
        Account(fees_payable(counterparty), f"Fees payable — {label}"),
    )


def chart_of_accounts(party: Party, counterparties: Iterable[Party]) -> ChartOfAccounts:
    """The default chart of a party's book, given the parties it lends to or borrows from.

    Two counterparties whose names reduce to the same segment would share
    accounts and blur two debts into one, so that is refused.
    """
    fixed = [Account(name, display) for name, display in _FIXED_DISPLAY_NAMES.items()]
    owners: dict[str, Party] = {}
    for counterparty in counterparties:
        if counterparty.id == party.id:
            continue
        segment = counterparty_segment(counterparty)
        owner = owners.setdefault(segment, counterparty)
        if owner.id != counterparty.id:
            raise InputError(
                "ACCOUNT_NAME_COLLISION",
                f"parties {owner.id!r} and {counterparty.id!r} both map to account "
                f"segment {segment!r}; give one of them a distinct short name",
            )
    # Keyed by segment, so a counterparty listed twice adds its accounts once.
    facing = [account for owner in owners.values() for account in counterparty_accounts(owner)]
    accounts = sorted(fixed + facing, key=lambda account: account_sort_key(account.name))
    return ChartOfAccounts(party_id=party.id, accounts=tuple(accounts))


def account_sort_key(name: str) -> tuple[int, str]:
    """Report order: by type (assets first), then by name."""
    root = name.split(":", 1)[0]
    types = [kind.value for kind in ACCOUNT_TYPE_ORDER]
    return (types.index(root) if root in types else len(types), name)


def display_name_of(account: str) -> str:
    """A name for people derived from the account name alone, when no chart is at hand.

    The counterparty appears as its account segment ("Berg-Berg"), since the
    party's own short name is not recoverable from the account name.
    """
    if account in _FIXED_DISPLAY_NAMES:
        return _FIXED_DISPLAY_NAMES[account]
    parent, _, leaf = account.rpartition(":")
    if parent in _COUNTERPARTY_PARENTS:
        return f"{_COUNTERPARTY_PARENTS[parent]} — {leaf}"
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", leaf).replace("-", " ")
    return words[:1].upper() + words[1:].lower()

"""Double-entry books of each party: accounts, entries, posting rules, hash chain, exports.

Pure values and functions only; the service appends sealed entries in its
transaction, and `to_beancount` returns text rather than writing a file.
"""

from __future__ import annotations

from acquittance.books.accounts import (
    Account,
    AccountType,
    ChartOfAccounts,
    chart_of_accounts,
    check_account_name,
    counterparty_segment,
    display_name_of,
)
from acquittance.books.beancount import to_beancount
from acquittance.books.chain import GENESIS_HASH, ChainCheck, entry_hash, seal, verify_chain
from acquittance.books.entries import (
    EntryDraft,
    EntryKind,
    JournalEntry,
    Leg,
    check_balanced,
    check_journal,
)
from acquittance.books.posting import (
    SettlementAmounts,
    loan_accrual,
    loan_advance,
    loan_opening,
    loan_payment,
    note_accrual,
    note_opening,
    note_payment,
    reversal,
    settlement,
    settlement_amounts,
)
from acquittance.books.reports import (
    HistoryRow,
    TrialBalance,
    TrialBalanceRow,
    account_history,
    trial_balance,
)

__all__ = [
    "GENESIS_HASH",
    "Account",
    "AccountType",
    "ChainCheck",
    "ChartOfAccounts",
    "EntryDraft",
    "EntryKind",
    "HistoryRow",
    "JournalEntry",
    "Leg",
    "SettlementAmounts",
    "TrialBalance",
    "TrialBalanceRow",
    "account_history",
    "chart_of_accounts",
    "check_account_name",
    "check_balanced",
    "check_journal",
    "counterparty_segment",
    "display_name_of",
    "entry_hash",
    "loan_accrual",
    "loan_advance",
    "loan_opening",
    "loan_payment",
    "note_accrual",
    "note_opening",
    "note_payment",
    "reversal",
    "seal",
    "settlement",
    "settlement_amounts",
    "to_beancount",
    "trial_balance",
    "verify_chain",
]

"""The rules that give a figure its role, as data: a pattern, a role and an example.

`roles.decide` applies them in three stages:

1. `FIGURE_RULES`, in order: the first whose pattern matches the figure's context
   gives the role. `cash` means a payment: its direction comes from stage 2.
2. `DIRECTION_RULES`, for a payment: who pays whom, from the subject, the verb and
   the prepositions around the figure (`{payer}` and `{payee}` stand for the
   parties' names). A payment to the creditor is `cash_to_creditor`, one to the
   debtor `cash_to_debtor`; a payment no rule places is `unknown`.
3. `SIDE_RULES` and `COMPONENT_RULES`, for a balance: the instrument named nearest
   before the figure (or right after it) decides debt or collateral, and the words
   beside the figure decide principal, interest or total.

Each rule's `example` is a sentence in which the rule decides the role of the
figure `figure` (the first figure when not given) as `expect`; the test suite
reads every example and fails when one no longer gets its role. A rule is added
with its example, never without.

Scopes say which part of the context a pattern reads (see `context.Context`):
`after` is matched at the start of the words after the figure, `since` searched
in the words since the previous figure (patterns there end with `$`), `tail` in
the last 80 characters of those, `before` in the sentence before the figure,
`sentence` in the whole sentence, and `clause` in the sentence with the figure
replaced by `FIGURE_MARK`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

FIGURE_MARK: Final = "\u00a4"  # stands for the figure in a `clause`
_I = re.IGNORECASE


@dataclass(frozen=True)
class Rule:
    """One rule: where it looks, what it looks for, what it decides, and an example."""

    name: str
    role: str
    scope: str
    pattern: re.Pattern[str]
    example: str
    expect: str = ""  # the example figure's final role, when it differs from `role`
    figure: str = ""  # the figure of the example the rule decides, when not the first

    @property
    def expected(self) -> str:
        return self.expect or self.role


def _rule(name: str, role: str, scope: str, pattern: str, example: str, **extra: str) -> Rule:
    return Rule(name, role, scope, re.compile(pattern, _I), example, **extra)


FIGURE_RULES: Final[tuple[Rule, ...]] = (
    _rule(
        # What stays owed after the settlement: "shall remain outstanding", not a debt
        # that "remains unpaid" before it.
        "remains_outstanding_after",
        "remaining_debt",
        "after",
        r"^[^.;$]{0,60}?\b(?:shall|will|would|is\s+to)\s+remain\s+(?:outstanding|due|owing|unpaid)"
        r"|^[^.;$]{0,60}?\bremains?\s+(?:outstanding|due|owing|unpaid)\s+(?:after|following"
        r"|thereafter|under\s+the)",
        "After the transfer, $325,000.00 of the Loan shall remain outstanding.",
    ),
    _rule(
        "remaining_balance_before",
        "remaining_debt",
        "since",
        r"\b(?:remaining\s+(?:principal\s+|unpaid\s+)?balance|balance\s+remaining|deficiency"
        r"|remain(?:s|ing)?\s+outstanding|shall\s+remain\s+(?:due|owing))\b[^$]{0,40}$",
        "Borrower owes Lender the remaining balance of $325,000.00 under the Loan.",
    ),
    _rule(
        "per_day_after",
        "per_diem",
        "after",
        r"^\s*(?:per\s+(?:diem|day)|a\s+day|each\s+day|daily|for\s+each\s+(?:day|calendar\s+day))\b",
        "Interest on the Loan accrues at $83.33 per day after March 1, 2020.",
    ),
    _rule(
        "per_diem_before",
        "per_diem",
        "since",
        r"\b(?:per\s+diem|daily)\b[^$.;]{0,40}$",
        "The per diem interest on the Loan is $187.50.",
    ),
    _rule(
        "per_share_after",
        "price",
        "after",
        r"^\s*(?:per|a|each|for\s+each)\s+(?:share|unit|warrant|ordinary\s+share|ADS|common\s+share)s?\b",
        "The Loan converts into common stock at $0.05 per share.",
    ),
    _rule(
        "share_price_before",
        "price",
        "since",
        r"\b(?:(?:conversion|exercise|purchase|offering|strike|issue|subscription|deemed|share)\s+price"
        r"|price\s+per\s+(?:share|unit)|per\s+share\s+price|par\s+value)\b[^$.;]{0,30}$",
        "The Notes convert at a conversion price of $1.25, subject to adjustment.",
    ),
    _rule(
        "payoff_quote",
        "debt_total",
        "since",
        r"\b(?:amount|sum)s?\s+(?:necessary|required|needed|sufficient)\s+to\s+(?:pay\s+off|repay"
        r"|prepay|satisfy|pay\s+in\s+full|discharge)\b(?:(?!\b(?:to|unto|by)\s+[A-Z])[^$;]){0,80}$",
        "The amount necessary to pay off all of the Loan on March 3, 2020 will be $1,408,047.34.",
    ),
    _rule(
        "payoff_amount_named",
        "debt_total",
        "since",
        r"\bpay-?off\s+amount\b(?:\s+(?:is|will\s+be|shall\s+be|of|equals?|totals?"
        r"|as\s+of\s+[^$;]{0,30}|on\s+[^$;]{0,30}))*\s*[:(]?\s*$",
        "As of March 1, 2020 the payoff amount is $212,531.62.",
    ),
    _rule(
        "advanced_not_owed",
        "other",
        "since",
        r"\b(?:advanced|loaned|lent)\b[^$.;]{0,60}$|\bpromise[sd]?\s+to\s+pay\b[^$;]{0,160}$",
        "Lender has from time to time advanced funds to Borrower of $1,726,184.14.",
    ),
    _rule(
        "loaned_after",
        "other",
        "after",
        r"^\s*(?:was\s+|were\s+)?(?:loaned|lent|advanced|borrowed|funded)\b",
        "Borrower owes Lender $8,926.88 in consideration for $6,000.00 loaned to Borrower.",
        figure="$6,000.00",
    ),
    _rule(
        "not_a_current_balance",
        "other",
        "since",
        r"\b(?:original(?:ly)?|up\s+to|maximum|not\s+to\s+exceed|committed|commitment|limit"
        r"|face\s+(?:value|amount)(?:\s+of)?)\b[^$]{0,60}$",
        "Lender made the Loan to Borrower in the original principal amount of $500,000.00.",
    ),
    _rule(
        "asserted_only",
        "other",
        "before",
        r"\b(?:contends?|alleges?|alleged(?:ly)?|asserts?|asserted|claims?\s+that|purported(?:ly)?"
        r"|disputed)\b",
        "Borrower contends that Lender owes $112,400.00 for services.",
    ),
    _rule(
        "fee_named_before",
        "fee",
        "since",
        r"\b(?:fees?|charges?|commission|(?:costs?|expenses)(?:\s+and\s+(?:costs?|expenses))?)\b"
        r"(?:(?!\b(?:is|are|was|were|will|shall|be|equals?|totals?|principal|interest)\b)[^$.;]){0,100}?"
        r"(?:\s+(?:of|in\s+the\s+(?:amount|sum)\s+of|equal\s+to|totaling|totalling"
        r"|in\s+an\s+amount\s+(?:of|equal\s+to)))?\s*[:(]?\s*$",
        "Borrower shall also reimburse an amendment fee of $18,750.00.",
    ),
    _rule(
        "fee_named_after",
        "fee",
        "after",
        r"^\s*(?:in|of|for)\s+(?:(?:accrued|unpaid|estimated|and|other|out-of-pocket|reasonable"
        r"|prior|legal|attorneys?['\u2019]?|counsel)\s+){0,5}"
        r"(?:fees?|costs?|expenses|charges|legal\s+work|work)\b",
        "Borrower shall reimburse $525.13 for prior legal work.",
    ),
    _rule(
        "payment",
        "cash",
        "since",
        r"(?:\b(?:pay|pays|paying|payment|payments|remit|remits|remitted|wire|wires|wired"
        r"|deliver|delivers|tender|tenders|receive|receives|received|receipt|refund|refunds"
        r"|return|returns)|(?<!been\s)(?<!was\s)(?<!were\s)\bpaid)\b[^$;]{0,120}$",
        "Borrower shall pay to Lender $155,388.68 by wire transfer.",
        expect="cash_to_creditor",
    ),
    _rule(
        "payment_after",
        "cash",
        "after",
        r"^[^.;$]{0,40}?\b(?:shall|will|must|is\s+to)\s+be\s+(?:paid|remitted|wired|delivered"
        r"|refunded|returned|made)\b",
        "The balancing sum of $12,000.00 shall be wired to Lender on the Closing Date.",
        expect="cash_to_creditor",
    ),
    _rule(
        "fee_named_nearby",
        "fee",
        "tail",
        # Not the fees of a balance: "principal, interest and fees, is $X".
        r"^(?![\s\S]*\b(?:principal|interest)\b[^$.;]{0,30}\bfees\b)[\s\S]*"
        r"\b(?:fees?|charge|commission)\b",
        "The closing fee for the amendment, now due, is $2,500.00.",
    ),
    _rule(
        "credit_against_debt",
        "credit",
        "tail",
        r"\b(?:reduced|credited(?:\s+against\s+[^$.;]{0,40}?)?)\s+(?:by|in\s+the\s+amount\s+of|with)\s*$",
        "Borrower transfers the collateral to Lender and the Loan is reduced by $90,000.00.",
        expect="collateral_value",
    ),
    _rule(
        "agreed_value",
        "collateral_value",
        "tail",
        r"\b(?:(?:fair\s+market|agreed|appraised)\s+value|valued|value\s+of\s+(?:the\s+)?[A-Z][\w-]*"
        r"(?:\s+[A-Z][\w-]*){0,3}\s+(?:is|was|as|at|to\s+be)|(?:has|have)\s+(?:a|an\s+agreed)\s+value)"
        r"\b[^$.;]{0,40}$",
        "The parties agree that the value of the Vessel is $410,000.00.",
    ),
)

# Who pays whom. Each pattern reads the figure's clause with the figure as
# FIGURE_MARK; `{payer}` and `{payee}` are the parties' names.
DIRECTION_RULES: Final[tuple[Rule, ...]] = (
    _rule(
        "payee_receives_from_payer",
        "payee",
        "clause",
        r"{payee}[^.;]{0,60}?\breceives?\b[^.;]{0,160}?\bfrom\s+{payer}",
        "On the Closing Date Lender shall receive $155,388.68 from Borrower.",
        expect="cash_to_creditor",
    ),
    _rule(
        "receipt_from_payer",
        "payee",
        "clause",
        r"\b(?:receipt|received|receiving)\b[^.;]{0,160}?\bfrom\s+{payer}",
        "Upon receipt of a payment of $1,700,000.00 from Borrower the Loan is paid in full.",
        expect="cash_to_creditor",
    ),
    _rule(
        "paid_to_payee",
        "payee",
        "clause",
        r"\b(?:pay|pays|paid|payment|payable|remit|remits|wire|wires|wired|deliver|delivers|tender"
        r"|transfer|transfers|refund|refunds|return|returns)\b[^.;]{0,160}?"
        r"\b(?:to|unto)\s+(?:the\s+order\s+of\s+)?{payee}",
        "The sum of $46,500.00 shall be paid to Borrower within five days.",
        expect="cash_to_debtor",
    ),
    _rule(
        "paid_by_payer",
        "payee",
        "clause",
        rf"{FIGURE_MARK}[^.;]{{0,100}}?\b(?:made|paid|payable|remitted|wired|delivered)\s+by\s+{{payer}}",
        "A payment of $20,000.00 shall be made by Borrower on the Closing Date.",
        expect="cash_to_creditor",
    ),
    _rule(
        "payer_pays",
        "payee",
        "clause",
        r"{payer}\s*,?\s*(?:shall|will|must|agrees\s+to|hereby\s+agrees\s+to|has\s+agreed\s+to"
        r"|is\s+to|hereby)?\s*(?:pay|pays|remit|remits|wire|wires|deliver|delivers|tender|tenders"
        rf"|refund|refunds|return|returns)\b[^.;]{{0,160}}{FIGURE_MARK}",
        "Lender shall refund $1,250.00 in escrow funds.",
        expect="cash_to_debtor",
    ),
)

# Cues to the instrument a balance belongs to; the one that ends nearest before the
# figure decides (a longer cue wins a tie, so "collateral for the Loan" is collateral).
SIDE_RULES: Final[tuple[Rule, ...]] = (
    _rule(
        "debt_words",
        "debt",
        "before",
        r"\b(?:borrowings?|indebted(?:ness)?|loans?|debt|obligations?\s+under|advances?"
        r"|credit\s+facility|credit\s+line|line\s+of\s+credit|Obligations|Indebtedness|Liabilities)\b",
        "The outstanding principal balance of the Loan is $17,500,000.00.",
        expect="debt_principal",
    ),
    _rule(
        "collateral_words",
        "collateral",
        "before",
        r"\b(?:collateral|pledged|notes?\s+receivable|receivables|mortgage\s+notes|security\s+for)\b",
        "Borrower assigns the collateral to Lender; its principal balance is $410,000.00.",
        expect="collateral_principal",
    ),
    _rule(
        "collateral_for_the_debt",
        "collateral",
        "before",
        r"\b(?:(?:collateral|security)\s+for|secur(?:e|es|ed|ing))\s+(?:the\s+|all\s+|its\s+)?"
        r"(?:Loan|Obligations|Indebtedness|Liabilities|debt|loans?|indebtedness)\b",
        "The notes held as collateral for the Loan have a principal balance of $410,000.00.",
        expect="collateral_principal",
    ),
)

# When no instrument is named, a balance someone owes is the debt's.
OWED_RULES: Final[tuple[Rule, ...]] = (
    _rule(
        "owed_balance",
        "debt",
        "before",
        r"\b(?:owes|owed|owing|indebted|outstanding\s+(?:principal\s+)?balance"
        r"|unpaid\s+(?:principal\s+)?balance|unpaid\s+interest"
        r"|due\s+and\s+(?:payable|owing))\b",
        "As of today Borrower owes Lender $48,250.00 in principal.",
        expect="debt_principal",
    ),
)

# Words that owe without naming the instrument: a balance with only these is the debt's.
BALANCE_EVIDENCE: Final = re.compile(
    r"\b(?:outstanding|owed|owing|owes|unpaid|accrued|indebted(?:ness)?|balance|payoff"
    r"|due\s+and\s+payable|due\s+under|due\s+and\s+owing)\b",
    _I,
)

COMPONENT_RULES: Final[tuple[Rule, ...]] = (
    _rule(
        "component_after",
        "component",
        "after",
        r"^\s*(?:(?:in|of)\s+(?:(?:unpaid|outstanding|accrued|and|past\s+due)\s+){0,4})?"
        r"(?P<c>principal|interest)\b",
        "Borrower owes Lender under the Loan $1,350,000.00 in unpaid principal.",
        expect="debt_principal",
    ),
    _rule(
        "component_before",
        "component",
        "since",
        r"\b(?P<total>principal(?:,|\s+and|\s+plus)\s+(?:accrued\s+)?interest|interest(?:,|\s+and)\s+principal"
        r"|including\s+(?:all\s+)?(?:accrued\s+)?(?:(?:and|but)\s+)?(?:unpaid\s+)?interest)\b"
        r"|\b(?P<interest>interest)\b"
        r"|\b(?P<principal>principal(?:\s+(?:balance|amount|sum))?)\b"
        r"|\b(?P<sum>total|aggregate|together|sum\s+of|in\s+all|totaling|totalling|balance)\b"
        r"|\b(?P<value>value|valued|fair\s+market|agreed\s+value)\b",
        "Accrued and unpaid interest on the Loan is $1,140,370.41.",
        expect="debt_interest",
    ),
)

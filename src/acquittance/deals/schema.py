"""The deal-file format, once, as data: every table, key, type, default and allowed value.

The parser (`deals.parse`) takes the keys each table accepts and the event
kinds from here, and the allowed values come from the same tables the core
checks against (day counts, compounding, rounding modes). The reference
(`docs/deal-file.md`, written by `deals.reference`) and the starter file
(`deals.starter`) are rendered from it, so what is documented is what is
accepted; tests/deal checks that each documented key is read and checked by
the parser, that required keys are required, and that literal defaults are
what an absent key means.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from acquittance.core.dates import DATE_MAX, DATE_MIN
from acquittance.core.daycount import ALIASES, CONVENTIONS
from acquittance.core.instruments import Compounding
from acquittance.core.money import DEFAULT_ROUNDING, ROUNDING_MODES
from acquittance.core.text import DESCRIPTION_LENGTH_MAX, NAME_LENGTH_MAX

#: An id is a short slug: it is typed on the command line and kept in the store's key columns.
ID_LENGTH_MAX: Final = 63
ID_PATTERN: Final = re.compile(rf"^[a-z0-9][a-z0-9-]{{0,{ID_LENGTH_MAX - 1}}}$")
#: A note's kind ("mortgage") is a short word: the store's kind column holds 40 characters.
NOTE_KIND_LENGTH_MAX: Final = 40
#: A level-payment schedule runs 100 years of monthly payments at most.
LEVEL_PAYMENT_COUNT_MAX: Final = 1200


@dataclass(frozen=True)
class ValueType:
    """What a key's value may be, in the words the reference uses."""

    name: str
    description: str


TEXT: Final = ValueType(
    "text",
    f"a non-empty string on one line, up to {NAME_LENGTH_MAX} characters; control characters "
    "and bidirectional overrides are refused, outer blanks are dropped",
)
DESCRIPTION: Final = ValueType(
    "long text",
    f"a non-empty string on one line, up to {DESCRIPTION_LENGTH_MAX} characters",
)
SHORT_TEXT: Final = ValueType(
    "short text", f"a non-empty string on one line, up to {NOTE_KIND_LENGTH_MAX} characters"
)
ID: Final = ValueType(
    "id",
    f"a short slug: lower-case letters, digits and hyphens, starting with a letter or digit, "
    f'up to {ID_LENGTH_MAX} characters ("berg-valence-loan"); used on the command line',
)
ID_LIST: Final = ValueType("ids", 'a non-empty array of ids (["note-1", "note-2"])')
DATE: Final = ValueType(
    "date",
    'a TOML date (2002-03-31), or the same as a string ("2002-03-31"); from '
    f"{DATE_MIN.isoformat()} to {DATE_MAX.isoformat()}; no time of day",
)
AMOUNT: Final = ValueType(
    "amount",
    "money in whole cents, 0 or more, in the currency of its instrument: a TOML number "
    '(17500000.00), read as an exact decimal, never a binary float, or a string ("17500000.00", '
    '"17,500,000.00", grouped by thousands with commas or underscores)',
)
RATE: Final = ValueType(
    "rate",
    'an annual rate: a percentage string ("6.5%") or a fraction as a number or string (0.065 or '
    '"0.065"); a bare number above 1 is refused as a percentage missing its sign; 0 or more',
)
DAY_COUNT: Final = ValueType(
    "day count", "a day-count convention's name, in any case (see the allowed values)"
)
CURRENCY: Final = ValueType("currency", 'a three-letter ISO 4217 code in capitals ("USD")')
CHOICE: Final = ValueType("choice", "one of the allowed values, as a string")
COUNT: Final = ValueType(
    "count", f"a whole number (a TOML integer) from 1 to {LEVEL_PAYMENT_COUNT_MAX}"
)
DAYS: Final = ValueType("days", "a whole number of days (a TOML integer) from 0 to 366")
TABLE: Final = ValueType("table", "a TOML table (`[name]`, or inline: `{ key = value, ... }`)")
TABLES: Final = ValueType("tables", "an array of TOML tables (`[[name]]`)")
INLINE_TABLES: Final = ValueType(
    "inline tables", "an array of inline tables (`[{ key = value, ... }, ...]`)"
)
VALUE_TYPES: Final = (
    TEXT,
    SHORT_TEXT,
    DESCRIPTION,
    ID,
    ID_LIST,
    DATE,
    AMOUNT,
    RATE,
    DAY_COUNT,
    CURRENCY,
    CHOICE,
    COUNT,
    DAYS,
    TABLE,
    TABLES,
    INLINE_TABLES,
)


@dataclass(frozen=True)
class Choice:
    """An allowed value and what it means."""

    value: str
    meaning: str


@dataclass(frozen=True)
class Field:
    """One key of a table."""

    key: str
    type: ValueType
    meaning: str
    required: bool = False
    #: The value an absent key stands for, where it can be written (a test checks that
    #: writing it parses the same as leaving it out); None when there is no such value.
    default: Any = None
    #: What an absent key means, in words, where `default` cannot say it.
    default_text: str = ""
    allowed: tuple[Choice, ...] = ()
    #: For event keys: the event kinds that take the key (empty: every kind).
    kinds: tuple[str, ...] = ()
    #: For a table-valued key: the name of the table in `TABLES_BY_NAME` that describes it.
    table: str = ""

    def allowed_values(self) -> tuple[str, ...]:
        return tuple(choice.value for choice in self.allowed)


@dataclass(frozen=True)
class Table:
    """A table of the deal file and the keys it accepts."""

    name: str
    #: How the table is written in a file, as its reference section is titled.
    headers: tuple[str, ...]
    meaning: str
    fields: tuple[Field, ...]
    #: Read as one value of the table that holds it (signatories, level_payment): an
    #: error in it names the key that holds it, and the rest of the file may write it
    #: inline (`{ key = value }`) or as a sub-table.
    inline: bool = False

    def __getitem__(self, key: str) -> Field:
        for field in self.fields:
            if field.key == key:
                return field
        raise KeyError(key)

    def accepted_keys(self, kind: str | None = None) -> frozenset[str]:
        """The keys accepted here; for events, those an event of `kind` takes."""
        return frozenset(
            f.key for f in self.fields if kind is None or not f.kinds or kind in f.kinds
        )


def _choices(values: dict[str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(value, meaning) for value, meaning in values.items())


def _unbracketed(text: str) -> str:
    """ "(Actual/360, French): actual days" -> "Actual/360, French: actual days"."""
    if not text.startswith("("):
        return text
    depth = 0
    for index, character in enumerate(text):
        depth += {"(": 1, ")": -1}.get(character, 0)
        if depth == 0:
            return text[1:index] + text[index + 1 :]
    return text


def _day_count(name: str) -> Choice:
    """A convention as the core describes it (its rule's docstring), with its aliases."""
    rule = CONVENTIONS[name]
    summary = (rule.__doc__ or name).strip().splitlines()[0].rstrip(".")
    summary = _unbracketed(summary.removeprefix(name).lstrip(":").strip())
    aliases = sorted(alias for alias, canonical in ALIASES.items() if canonical == name)
    also = f"; also accepted as {', '.join(aliases)}" if aliases else ""
    return Choice(name, summary + also)


DAY_COUNTS: Final = tuple(_day_count(name) for name in CONVENTIONS)

_COMPOUNDING_MEANINGS: Final = {
    Compounding.SIMPLE: "unpaid interest never earns interest",
    Compounding.MONTHLY: "unpaid interest is added to principal every month from the opening",
    Compounding.ANNUAL: "unpaid interest is added to principal every year from the opening",
}
assert set(_COMPOUNDING_MEANINGS) == set(Compounding), "describe every compounding the core has"
COMPOUNDINGS: Final = tuple(Choice(c.value, _COMPOUNDING_MEANINGS[c]) for c in Compounding)

_ROUNDING_MEANINGS: Final = {
    "half-up": "to the nearest cent, halves away from zero",
    "half-even": "to the nearest cent, halves to the even cent (banker's rounding)",
    "down": "toward zero",
    "up": "away from zero",
}
assert set(_ROUNDING_MEANINGS) == set(ROUNDING_MODES), "describe every rounding mode the core has"
ROUNDINGS: Final = _choices({mode: _ROUNDING_MEANINGS[mode] for mode in ROUNDING_MODES})

EVENT_KINDS: Final = _choices(
    {
        "opening": "the balance on a date, for history older than these books; only as the "
        "first event",
        "advance": "principal lent (a loan) or added (a note); a first advance can open the "
        "history instead of an opening balance",
        "payment": "cash paid: to accrued interest first, then principal",
        "rate_change": "the annual rate from this date on; it ends a default",
        "charge": "a fee charged to a loan's borrower: owed apart from interest, and paid "
        "before it",
        "default_rate": "the default rate from this date on: interest at it is default interest, "
        "until a rate_change",
    }
)

DOCUMENT: Final = Table(
    "document",
    ("the file",),
    "A deal file holds one or more loans, the parties to them, the notes pledged as "
    "collateral and the pledges themselves. Tables may come in any order; ids tie them "
    "together.",
    (
        Field("deal", TABLE, "The deal as a whole.", table="deal"),
        Field(
            "parties",
            TABLES,
            "Every lender, borrower and note holder the file names.",
            required=True,
            table="parties",
        ),
        Field("loans", TABLES, "The loans; at least one.", required=True, table="loans"),
        Field("notes", TABLES, "The notes receivable, pledged or not.", table="notes"),
        Field(
            "security_interests",
            TABLES,
            "The pledges of notes securing the loans.",
            table="security_interests",
        ),
    ),
)

DEAL: Final = Table(
    "deal",
    ("[deal]",),
    "What the whole file shares: the title drafts give the settlement agreement, the "
    "currency and the governing law.",
    (
        Field(
            "title",
            TEXT,
            "The title of the settlement agreement drafts make from this file.",
            default="Settlement Agreement",
        ),
        Field(
            "currency",
            CURRENCY,
            "The currency of every loan and note that does not name its own.",
            default="USD",
        ),
        Field(
            "governing_law",
            TEXT,
            'The law that governs the loans and their settlement ("California", "New York"); '
            "drafts include the California Civil Code section 1542 waiver only under "
            "California law.",
            default_text="none stated",
        ),
    ),
)

PARTIES: Final = Table(
    "parties",
    ("[[parties]]",),
    "A legal entity: a lender, a borrower, a holder of notes.",
    (
        Field("id", ID, "The party's id, used by the other tables and on the command line.", True),
        Field("name", TEXT, 'The full legal name ("Berg & Berg Enterprises, LLC").', True),
        Field(
            "short_name",
            TEXT,
            'The defined term an agreement uses for the party ("Berg").',
            default_text="the name",
        ),
        Field(
            "entity_type",
            TEXT,
            'What kind of entity it is ("limited liability company", "corporation").',
            True,
        ),
        Field(
            "jurisdiction",
            TEXT,
            'Where it is organised ("Delaware").',
            True,
        ),
        Field(
            "signatories",
            INLINE_TABLES,
            "Who signs for the party, as the signature blocks of drafts show them.",
            default_text="none",
            table="signatories",
        ),
    ),
)

SIGNATORIES: Final = Table(
    "signatories",
    ("[[parties.signatories]]",),
    "A person who signs for a party; also written inline in the party's table: "
    '`signatories = [{ name = "...", title = "..." }]`.',
    (
        Field("name", TEXT, 'The person\'s name ("Carl E. Berg").', True),
        Field("title", TEXT, 'The person\'s title ("Managing Member").', True),
    ),
    inline=True,
)

#: The interest terms and history that loans and notes share.
_TERMS: Final = (
    Field(
        "annual_rate",
        RATE,
        "The annual interest rate, until a rate_change event.",
        True,
    ),
    Field(
        "day_count",
        DAY_COUNT,
        "How the days between two dates become a fraction of a year; there is no default.",
        True,
        allowed=DAY_COUNTS,
    ),
    Field(
        "currency",
        CURRENCY,
        "The instrument's currency; a pledged note's must be its loan's.",
        default_text="the deal's currency",
    ),
    Field(
        "compounding",
        CHOICE,
        "Whether unpaid interest earns interest.",
        default=Compounding.SIMPLE.value,
        allowed=COMPOUNDINGS,
    ),
    Field(
        "rounding",
        CHOICE,
        "How interest is rounded to the cent, once, where it is reported or posted.",
        default=DEFAULT_ROUNDING,
        allowed=ROUNDINGS,
    ),
    Field(
        "events",
        TABLES,
        "The instrument's history, in date order: it starts with an opening balance or an advance.",
        True,
        table="events",
    ),
)

LOANS: Final = Table(
    "loans",
    ("[[loans]]",),
    "A loan agreement between a lender and a borrower, with its terms and history.",
    (
        Field("id", ID, "The loan's id, used by security_interests and on the command line.", True),
        Field("lender", ID, "The id of the lending party (the secured party).", True),
        Field("borrower", ID, "The id of the borrowing party (the debtor); not the lender.", True),
        Field(
            "agreement_name",
            TEXT,
            "The name of the loan agreement, as drafts cite it.",
            default="Loan Agreement",
        ),
        Field("agreement_date", DATE, "The date of the loan agreement.", default_text="none"),
        Field(
            "governing_law",
            TEXT,
            "The law that governs this loan.",
            default_text="the deal's governing_law",
        ),
        Field(
            "level_payment",
            TABLE,
            "The loan's scheduled payments, for the late charge rule.",
            default_text="none",
            table="level_payment",
        ),
        Field(
            "late_charge",
            TABLE,
            "What a scheduled payment not made in full by the end of its grace period costs; "
            "`acquittance accrue` assesses it. Needs level_payment.",
            default_text="none",
            table="late_charge",
        ),
        *_TERMS,
    ),
)

LATE_CHARGE: Final = Table(
    "late_charge",
    ("[loans.late_charge]",),
    "A late charge on each scheduled payment missed (the part not paid when its grace period "
    "ends), charged once per payment on the first day after grace: a percentage of the part "
    "missed, a flat amount, or with both the greater of the two. Give percent, amount or both; "
    "also written inline: "
    '`late_charge = { grace_days = 10, percent = "5%" }`.',
    (
        Field("grace_days", DAYS, "Days after the due date before a payment is late.", True),
        Field(
            "percent",
            RATE,
            "The charge as a share of the part of the payment missed.",
            default_text="none (then amount is required)",
        ),
        Field(
            "amount",
            AMOUNT,
            "The charge as a flat amount (with percent: the least charged).",
            default_text="none (then percent is required)",
        ),
    ),
    inline=True,
)

NOTES: Final = Table(
    "notes",
    ("[[notes]]",),
    "A promissory note receivable (a mortgage note, say), held by one party, with its terms "
    "and history.",
    (
        Field("id", ID, "The note's id, used by security_interests and on the command line.", True),
        Field("maker", TEXT, "Who owes on the note (its obligor).", True),
        Field(
            "holder",
            ID,
            "The id of the party that holds the note now; a pledged note is held by the "
            "borrower of the loan it secures.",
            True,
        ),
        Field("kind", SHORT_TEXT, "What sort of note it is.", default="mortgage"),
        Field("issue_date", DATE, "The date the note was issued.", default_text="none"),
        Field("maturity_date", DATE, "The date the note matures.", default_text="none"),
        Field(
            "original_principal",
            AMOUNT,
            "The principal when the note was issued.",
            default_text="none",
        ),
        Field(
            "level_payment",
            TABLE,
            "A level monthly payment schedule, which `acquittance schedule NOTE` lists.",
            default_text="none",
            table="level_payment",
        ),
        Field(
            "description",
            DESCRIPTION,
            "Anything else worth saying about the note.",
            default_text="none",
        ),
        *_TERMS,
    ),
)

LEVEL_PAYMENT: Final = Table(
    "level_payment",
    ("[notes.level_payment]", "[loans.level_payment]"),
    "The same payment every month, interest first, until the note (or loan) is repaid; also "
    "written inline in its table: `level_payment = { first_due = 2024-02-01, count = 360 }`.",
    (
        Field("first_due", DATE, "The date the first payment is due; the rest fall monthly.", True),
        Field("count", COUNT, "How many monthly payments there are.", True),
        Field(
            "amount",
            AMOUNT,
            "The payment.",
            default_text="the annuity payment that repays original_principal (else the opening "
            "principal) at annual_rate / 12 in count months",
        ),
    ),
    inline=True,
)

EVENTS: Final = Table(
    "events",
    ("[[loans.events]]", "[[notes.events]]"),
    "Something that happened to a loan or note on a date. Which keys an event takes depends "
    "on its kind.",
    (
        Field("kind", CHOICE, "What happened.", True, allowed=EVENT_KINDS),
        Field("date", DATE, "When it happened.", True),
        Field(
            "principal",
            AMOUNT,
            "The principal outstanding on the date.",
            True,
            kinds=("opening",),
        ),
        Field(
            "interest",
            AMOUNT,
            "The accrued unpaid interest on the date.",
            default=Decimal("0.00"),
            kinds=("opening",),
        ),
        Field(
            "amount",
            AMOUNT,
            "The amount advanced, paid or charged.",
            True,
            kinds=("advance", "payment", "charge"),
        ),
        Field(
            "annual_rate",
            RATE,
            "The new annual rate.",
            True,
            kinds=("rate_change", "default_rate"),
        ),
    ),
)

SECURITY_INTERESTS: Final = Table(
    "security_interests",
    ("[[security_interests]]",),
    "A pledge of notes securing a loan, perfected by its financing statements.",
    (
        Field("id", ID, "The security interest's id.", True),
        Field("loan", ID, "The id of the loan it secures.", True),
        Field("secured_party", ID, "The id of the loan's lender.", True),
        Field("debtor", ID, "The id of the loan's borrower.", True),
        Field(
            "notes",
            ID_LIST,
            "The ids of the notes pledged: each held by the debtor, in the loan's currency, "
            "and pledged only once.",
            True,
        ),
        Field("granted_on", DATE, "The date the pledge was granted.", default_text="none"),
        Field(
            "financing_statements",
            TABLES,
            "The financing statements (UCC-1) that perfect it; settling the loan queues a "
            "termination statement (UCC-3) for each.",
            default_text="none",
            table="financing_statements",
        ),
    ),
)

FINANCING_STATEMENTS: Final = Table(
    "financing_statements",
    ("[[security_interests.financing_statements]]",),
    "A financing statement (UCC-1) on file for a security interest.",
    (
        Field("id", ID, "The financing statement's id.", True),
        Field("filing_office", TEXT, 'Where it is filed ("California Secretary of State").', True),
        Field("file_number", TEXT, "The filing office's number for it.", True),
        Field("filed_on", DATE, "The date it was filed.", True),
    ),
)


@dataclass(frozen=True)
class Check:
    """A rule across keys or tables that loading enforces, with the code of its refusal."""

    code: str
    rule: str


#: What loading checks beyond each key's own value, in the order it checks them.
CHECKS: Final = (
    Check("EMPTY_DEAL", "The file defines at least one loan."),
    Check("DUPLICATE_ID", "Ids are unique within parties, loans, notes and security_interests."),
    Check(
        "UNKNOWN_PARTY",
        "Every lender, borrower, holder, secured_party and debtor is the id of a party in the "
        "file.",
    ),
    Check("SAME_PARTY", "A loan's lender and borrower are different parties."),
    Check(
        "NO_OPENING_BALANCE",
        "A loan's or note's history starts with an opening balance or an advance.",
    ),
    Check(
        "DUPLICATE_OPENING_BALANCE",
        "An instrument has one opening balance, as its first event "
        "(OPENING_BALANCE_NOT_FIRST when the first event is another).",
    ),
    Check("EVENTS_OUT_OF_ORDER", "Events are listed in date order."),
    Check("EVENT_BEFORE_OPENING", "No event is dated before the opening balance."),
    Check("UNKNOWN_LOAN", "A security interest's loan is a loan in the file."),
    Check(
        "PLEDGE_PARTIES_MISMATCH",
        "A security interest runs from its loan's borrower (debtor) to its lender (secured party).",
    ),
    Check("UNKNOWN_NOTE", "Every pledged note is a note in the file."),
    Check("NOTE_NOT_HELD_BY_DEBTOR", "A pledged note is held by the debtor."),
    Check("NOTE_ALREADY_PLEDGED", "A note is pledged by one security interest only."),
    Check("CURRENCY_MISMATCH", "A pledged note is in its loan's currency."),
)


#: Every table, in the order the reference describes them.
ALL_TABLES: Final = (
    DOCUMENT,
    DEAL,
    PARTIES,
    SIGNATORIES,
    LOANS,
    EVENTS,
    LATE_CHARGE,
    NOTES,
    LEVEL_PAYMENT,
    SECURITY_INTERESTS,
    FINANCING_STATEMENTS,
)
TABLES_BY_NAME: Final = {table.name: table for table in ALL_TABLES}


def event_keys() -> dict[str, frozenset[str]]:
    """The keys each kind of event takes."""
    return {kind: EVENTS.accepted_keys(kind) for kind in EVENTS["kind"].allowed_values()}


def walk(table: Table = DOCUMENT) -> Iterator[tuple[Table, Field]]:
    """Every (table, field) below `table`, depth first, each table once."""
    seen: set[str] = set()

    def visit(current: Table) -> Iterator[tuple[Table, Field]]:
        if current.name in seen:
            return
        seen.add(current.name)
        for field in current.fields:
            yield current, field
            if field.table:
                yield from visit(TABLES_BY_NAME[field.table])

    return visit(table)

"""Builders for the ledger tests: the reference case's records and quote, and sealed journals.

The quote is built by hand from the figures of the Valence–Berg letter
agreement (DESIGN.md), so these tests do not depend on the settlement core.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

from acquittance.books import GENESIS_HASH, EntryDraft, JournalEntry, seal
from acquittance.core.instruments import Loan, Note, OpeningBalance, Party, Position, Terms
from acquittance.core.settlement_types import CashLeg, CollateralLine, Quote, SatisfactionKind
from reference_case import BERG as BERG  # re-exported for the ledger tests
from reference_case import VALENCE as VALENCE

AS_OF = date(2002, 3, 31)
NOTE_FIGURES = (
    ("valence-note-1", Decimal("8000000.00"), Decimal("434250.00")),
    ("valence-note-2", Decimal("6000000.00"), Decimal("325687.50")),
    ("valence-note-3", Decimal("3533226.80"), Decimal("191817.43")),
)


def make_party(party_id: str, short_name: str, name: str | None = None) -> Party:
    return Party(
        id=party_id,
        name=name or short_name,
        entity_type="corporation",
        jurisdiction="Delaware",
        short_name=short_name,
    )


def seal_all(drafts: Iterable[EntryDraft]) -> list[JournalEntry]:
    """Seal drafts into per-party chains in the order given, as the service would."""
    heads: dict[str, tuple[int, str]] = {}
    sealed: list[JournalEntry] = []
    for draft in drafts:
        sequence, previous = heads.get(draft.party_id, (0, GENESIS_HASH))
        entry = seal(
            draft,
            entry_id=f"{draft.party_id}-{sequence + 1}",
            sequence=sequence + 1,
            previous_hash=previous,
        )
        heads[draft.party_id] = (entry.sequence, entry.hash)
        sealed.append(entry)
    return sealed


def make_loan() -> Loan:
    return Loan(
        id="berg-valence-loan",
        lender_id="berg",
        borrower_id="valence",
        terms=Terms(annual_rate=Decimal("0.065"), day_count="ACT/360", currency="USD"),
        events=(OpeningBalance(AS_OF, Decimal("17500000.00"), Decimal("1140370.41")),),
        agreement_date=date(2001, 2, 24),
    )


def make_note(note_id: str, holder_id: str = "valence") -> Note:
    return Note(
        id=note_id,
        maker=f"Exhibit A obligor for {note_id}",
        holder_id=holder_id,
        terms=Terms(annual_rate=Decimal("0.075"), day_count="30/360-US", currency="USD"),
    )


def position(instrument_id: str, principal: Decimal, interest: Decimal) -> Position:
    return Position(
        instrument_id=instrument_id,
        as_of=AS_OF,
        currency="USD",
        principal=principal,
        interest=interest,
        interest_exact=Fraction(interest),
    )


def make_quote(
    *,
    owed_principal: Decimal = Decimal("17500000.00"),
    owed_interest: Decimal = Decimal("1140370.41"),
    lines: tuple[CollateralLine, ...] | None = None,
    cash: CashLeg | None = None,
    remaining_debt: Decimal = Decimal("0.00"),
    satisfaction: SatisfactionKind = SatisfactionKind.FULL,
) -> Quote:
    """The reference quote, or a variant of it with some figures replaced."""
    if lines is None:
        lines = tuple(
            CollateralLine(
                note_id, f"obligor {note_id}", None, principal, interest, principal + interest
            )
            for note_id, principal, interest in NOTE_FIGURES
        )
    if cash is None:
        cash = CashLeg(Decimal("155388.68"), "valence", "berg")
    return Quote(
        loan_id="berg-valence-loan",
        lender_id="berg",
        borrower_id="valence",
        as_of=AS_OF,
        currency="USD",
        owed_principal=owed_principal,
        owed_interest=owed_interest,
        per_diem=Decimal("3159.72"),
        good_through=AS_OF,
        collateral=lines,
        cash=cash,
        remaining_debt=remaining_debt,
        satisfaction=satisfaction,
        fingerprint="test",
        loan_position=position("berg-valence-loan", owed_principal, owed_interest),
        note_positions=tuple(
            position(line.note_id, line.principal, line.interest) for line in lines
        ),
    )


def with_value(line: CollateralLine, value: Decimal) -> CollateralLine:
    return replace(line, value=value)

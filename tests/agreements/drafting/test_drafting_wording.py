"""What the drafted agreement says, read from its Markdown: the reference case and its variants."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from drafting_factories import (
    context_of,
    exact_quote,
    partial_quote,
    reference_quote,
    surplus_quote,
    text_of,
)

from acquittance.agreements.drafting import DraftContext, compose, render
from acquittance.core.instruments import Party

WAIVER = "California Civil Code Section 1542"


def markdown(context: DraftContext) -> str:
    return text_of(render(context, "md"), "md")


def test_preamble_names_the_parties_with_their_defined_names(
    reference_context: DraftContext,
) -> None:
    assert compose(reference_context).preamble == (
        'This Letter Agreement and Release (this "Agreement") is made and entered into effective '
        'March 31, 2002 by and between Berg & Berg Enterprises, LLC ("Berg"), a California '
        'limited liability company, and Valence Technology, Inc. ("Valence"), a Delaware '
        "corporation."
    )


def test_recitals_state_the_notes_and_the_loan_once_each(reference_context: DraftContext) -> None:
    notes, loan, *_ = compose(reference_context).recitals
    assert notes == (
        "Whereas, Valence owns mortgage notes receivable in the principal amount of "
        '$17,533,226.80 and accrued and unpaid interest of $951,754.93 (the "Notes") as set '
        "forth on attached Exhibit A;"
    )
    assert loan == (
        "Whereas, the Notes have been pledged as collateral to Berg to secure borrowings under "
        'the Loan Agreement (the "Loan Agreement") entered into between Berg and Valence, dated '
        "February 24, 2001, which currently has an outstanding balance in the principal amount "
        'of $17,500,000.00 and accrued and unpaid interest of $1,140,370.41 (the "Loan");'
    )


def test_reference_clauses_follow_the_reference_order(reference_context: DraftContext) -> None:
    kinds = [clause.kind for clause in compose(reference_context).clauses]
    assert kinds == [
        "assignment",
        "discharge",
        "assumption",
        "lien_release",
        "representations",
        "release",
        "successors",
        "further_assurances",
        "time_of_essence",
        "governing_law",
        "amendment",
        "entire_agreement",
        "counterparts",
    ]


def test_borrower_pays_the_balance_by_wire_under_exhibit_b(reference_context: DraftContext) -> None:
    assignment = compose(reference_context).clauses[0].text
    assert (
        "agrees to pay to Berg $155,388.68 in immediately available funds by wire transfer "
        "pursuant to the written instructions attached hereto as Exhibit B" in assignment
    )
    assert '(collectively, the "Valence Consideration")' in assignment


def test_full_satisfaction_discharges_and_terminates(reference_context: DraftContext) -> None:
    text = markdown(reference_context)
    assert "the Loan is fully paid and discharged" in text
    assert "The Loan Agreement is hereby terminated." in text
    assert "is hereby extinguished" in text


def test_each_figure_is_stated_once_before_the_exhibits(reference_context: DraftContext) -> None:
    body = markdown(reference_context).split("EXHIBIT A")[0]
    for figure in ("$17,533,226.80", "$951,754.93", "$17,500,000.00", "$1,140,370.41"):
        assert body.count(figure) == 1, figure
    assert body.count("$155,388.68") == 1


def test_waiver_of_section_1542_only_under_california_law() -> None:
    assert WAIVER in markdown(context_of(reference_quote(), governing_law="California"))
    assert WAIVER in markdown(context_of(reference_quote(), governing_law="State of California"))
    for law in ("Delaware", "New York", "Texas"):
        text = markdown(context_of(reference_quote(), governing_law=law))
        assert WAIVER not in text
        assert "1542" not in text
        assert f"governed by {law} law" in text


def test_surplus_is_paid_by_the_lender_to_the_borrower() -> None:
    document = compose(context_of(surplus_quote()))
    text = " ".join(clause.text for clause in document.clauses)
    assert (
        "Berg agrees to pay to Valence $59,629.59, being the amount by which the value of the "
        "Notes exceeds the Loan, in immediately available funds by wire transfer" in text
    )
    assert "agrees to pay to Berg" not in text
    assert "the Loan is fully paid and discharged" in text
    assert document.exhibit_b is not None
    assert "to be completed by Valence" in document.exhibit_b.caption


def test_agreed_value_is_stated_when_it_differs_from_the_carrying_amount() -> None:
    text = markdown(context_of(surplus_quote()))
    assert "agreed value of $18,700,000.00" in text
    assert "agreed value" not in markdown(context_of(reference_quote()))


def test_partial_satisfaction_reduces_the_loan_and_keeps_it_outstanding() -> None:
    context = context_of(partial_quote())
    text = markdown(context)
    assert (
        "the Loan is reduced by $8,434,250.00 and the remaining balance of $10,206,120.41 "
        "remains outstanding" in text
    )
    assert "discharged" not in text
    assert "hereby terminated" not in text
    assert "partial satisfaction of the Loan under Section 9-620" in text
    assert "consents" in text
    assert "Exhibit B" not in text
    assert compose(context).exhibit_b is None


def test_no_exhibit_b_and_no_reference_to_it_when_no_cash_moves() -> None:
    context = context_of(exact_quote())
    document = compose(context)
    assert document.exhibit_b is None
    text = markdown(context)
    assert "Exhibit B" not in text
    assert "EXHIBIT B" not in text
    assert "wire" not in text.lower()
    assert '(the "Valence Consideration")' in text


def test_exhibit_a_schedules_each_note_and_the_total(reference_context: DraftContext) -> None:
    schedule = compose(reference_context).exhibit_a
    assert schedule.title == "Schedule of the Notes"
    assert len(schedule.balances.rows) == 3
    assert schedule.balances.rows[0] == ("1", "$8,000,000.00", "$434,250.00", "$8,434,250.00")
    assert schedule.balances.total == ("Total", "$17,533,226.80", "$951,754.93", "$18,484,981.73")


def test_exhibit_b_leaves_the_bank_details_blank(reference_context: DraftContext) -> None:
    wire = compose(reference_context).exhibit_b
    assert wire is not None
    assert [blank.label for blank in wire.blanks] == [
        "Bank",
        "ABA routing number",
        "Account name",
        "Account number",
        "Reference",
    ]
    assert {blank.hint for blank in wire.blanks} == {"to be completed by Berg"}


def test_signature_blocks_name_each_signatory(reference_context: DraftContext) -> None:
    text = markdown(reference_context)
    assert "Name: Carl E. Berg Title: Managing Member" in text
    assert "Name: Kevin W. Mischnick Title: VP of Finance" in text


def test_a_party_without_signatories_gets_blank_name_and_title_lines() -> None:
    quote = reference_quote()
    context = context_of(quote)
    unsigned = replace(context, borrower=Party(**{**vars(context.borrower), "signatories": ()}))
    text = markdown(unsigned)
    assert "Name:" in text
    assert "Title:" in text


def test_amounts_in_words_precede_the_figures() -> None:
    text = markdown(context_of(reference_quote(), amounts_in_words=True))
    assert (
        "One Hundred Fifty-Five Thousand Three Hundred Eighty-Eight and 68/100 Dollars "
        "($155,388.68)" in text
    )
    assert "Seventeen Million Five Hundred Thousand and 00/100 Dollars ($17,500,000.00)" in text


def test_title_is_the_one_given() -> None:
    context = context_of(reference_quote(), title="Settlement Agreement and Release")
    assert compose(context).title == "Settlement Agreement and Release"
    assert 'This Settlement Agreement and Release (this "Agreement")' in markdown(context)


def test_debt_identity_holds_in_the_partial_wording() -> None:
    context = context_of(partial_quote())
    assert context.satisfied_amount + context.remaining_debt == context.owed_total
    assert context.satisfied_amount == context.collateral_value
    assert context.remaining_debt == Decimal("10206120.41")

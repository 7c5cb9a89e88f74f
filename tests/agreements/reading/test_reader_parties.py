"""Who an agreement or a letter is between, and its date, as CUAD defines them."""

from __future__ import annotations

from acquittance.agreements.reading import read_text, to_dict
from acquittance.agreements.reading.titles import find_title

LETTER = """MERIDIAN CAPITAL BANK, N.A.
200 Harbor Street
Boston, MA 02110

April 14, 2021

Quill Forge Holdings, LLC
15 Mill Lane
Salem, MA 01970
Attn: Dana Quill

c/o Ledger & Vale LLP
9 Court Square
Boston, MA 02108

Re: Payoff of the Loan Agreement dated as of June 1, 2018 between Meridian Capital
Bank, N.A., as Lender, and Quill Forge Holdings, LLC, as Borrower

Ladies and Gentlemen:

As of the date hereof the outstanding principal balance of the Loan is $1,250,000.00 and
accrued interest is $7,812.50. Upon receipt of $1,257,812.50 from Borrower the Loan shall
be paid in full.

Very truly yours,

HARBORSIDE SERVICING COMPANY, as servicer
By: /s/ Pat Vale
Name: Pat Vale
Title: Vice President
"""


def _names(text: str) -> list[str]:
    return [p["name"] for p in to_dict(read_text(text))["parties"]]


def test_a_letters_date_is_its_date_line_not_a_date_in_its_reference() -> None:
    assert to_dict(read_text(LETTER))["effective_date"] == "2021-04-14"


def test_a_letter_is_between_its_sender_addressee_and_signatorys_company() -> None:
    names = _names(LETTER)
    assert "MERIDIAN CAPITAL BANK, N.A." in names
    assert "Quill Forge Holdings, LLC" in names
    assert "HARBORSIDE SERVICING COMPANY" in names


def test_an_agent_in_care_of_whom_a_letter_goes_is_no_party() -> None:
    assert not any("Ledger" in name for name in _names(LETTER))


def test_names_with_commas_and_suffixes_stay_whole() -> None:
    text = (
        "AGREEMENT\n\nThis Agreement is made as of May 1, 2020 by and between Acme, Inc., a "
        'Delaware corporation ("Acme"), and Baidu Online Network Technology (Beijing) Co., '
        'Ltd. ("Baidu").\n\nWHEREAS, the parties wish to agree.'
    )
    assert _names(text) == ["Acme, Inc.", "Baidu Online Network Technology (Beijing) Co., Ltd."]


def test_descriptions_and_ordinary_phrases_are_not_invented_as_parties() -> None:
    text = (
        "AGREEMENT\n\nThis Agreement is made as of May 1, 2020 by and between Redfern Tool "
        'Company, a Delaware Corporation (the "Company"), and Jane Q. Doe, an individual '
        'residing at 12 Elm Street, Springfield, IL 62701 ("Consultant").\n\n'
        "WHEREAS, the Company and Consultant wish to agree."
    )
    assert _names(text) == ["Redfern Tool Company", "Jane Q. Doe"]


def test_parties_the_preamble_names_by_the_short_names_its_recitals_define() -> None:
    text = (
        "NOTE CONVERSION AGREEMENT\n\nThis Note Conversion Agreement is made as of March 1, "
        "2020 by and between the Company and the Holder.\n\nWHEREAS, Acme Widgets, Inc., a "
        'Delaware corporation (the "Company"), issued to Jane Q. Holder (the "Holder") a '
        'promissory note; and WHEREAS, Kestrel Bank, N.A. (the "Bank") is its custodian;\n\n'
        "NOW, THEREFORE, the parties agree as follows."
    )
    assert _names(text) == ["Acme Widgets, Inc.", "Jane Q. Holder"]


def test_those_who_sign_are_the_parties_when_there_is_no_preamble() -> None:
    text = (
        "JOINT FILING AGREEMENT\n\nThe undersigned hereby agree to file jointly.\n\n"
        "Dated: April 8, 2020\n\nSCULPTOR CAPITAL LP\nBy: /s/ Ann Doe\nName: Ann Doe\n\n"
        "SCULPTOR MASTER FUND LTD\nBy: /s/ Ann Doe\nName: Ann Doe\n"
    )
    document = to_dict(read_text(text))
    assert [p["name"] for p in document["parties"]] == [
        "SCULPTOR CAPITAL LP",
        "SCULPTOR MASTER FUND LTD",
    ]
    assert document["effective_date"] == "2020-04-08"


def test_a_title_is_the_heading_without_what_a_filing_adds_around_it() -> None:
    assert find_title("Exhibit 10.1   Execution Version   SUPPLY AGREEMENT   This") == (
        "SUPPLY AGREEMENT"
    )
    assert find_title("CORIO INC. LICENSE AND HOSTING AGREEMENT\nThis") == (
        "LICENSE AND HOSTING AGREEMENT"
    )
    assert find_title("EXHIBIT\n10.1\nSETTLEMENT\nAGREEMENT\nTHIS\nAGREEMENT is") == (
        "SETTLEMENT AGREEMENT"
    )


def test_a_line_above_the_title_is_left_out_unless_the_preamble_joins_them() -> None:
    # A programme or brand line above the heading is not part of the name ...
    assert find_title("HARBOR PARTNER PROGRAM\nADDENDUM TO\nHARBOR RESELLER AGREEMENT\n") == (
        "ADDENDUM TO HARBOR RESELLER AGREEMENT"
    )
    # ... unless the preamble names the agreement with it.
    text = (
        "FIELD SERVICE\nMAINTENANCE AGREEMENT\n"
        'This Field Service Maintenance Agreement (the "Agreement") is made by ...'
    )
    assert find_title(text) == "FIELD SERVICE MAINTENANCE AGREEMENT"
    # Qualifiers on a line of their own belong to the name.
    assert find_title("RESTATED\nFEE WAIVER AGREEMENT\nThe parties") == (
        "RESTATED FEE WAIVER AGREEMENT"
    )


def test_a_title_skips_attachment_labels_and_reference_lines() -> None:
    assert find_title("Attachment B to Master Lease\nGUARANTY OF MASTER LEASE\nAs an") == (
        "GUARANTY OF MASTER LEASE"
    )
    assert find_title("NORTHWIND CONTRACT No. 044B/02\nSUPPORT AGREEMENT\nentered into") == (
        "SUPPORT AGREEMENT"
    )
    assert find_title("SCHEDULE TO Equipment Lease and Service Agreement\nLessee:") == (
        "SCHEDULE TO Equipment Lease and Service Agreement"
    )
    assert find_title("Exhibit 4.2\nHosting and support contract\nfor billing modules") == (
        "Hosting and support contract"
    )


def test_an_amendment_is_named_with_the_agreement_it_amends() -> None:
    text = (
        "AMENDMENT NO. 2\n\nDated as of May 1, 2019\n\n"
        "Reference is hereby made to that certain fully executed Content Distribution "
        "Agreement Number 4471 dated as of June 2, 2017 between ..."
    )
    assert find_title(text) == "AMENDMENT NO. 2 Content Distribution Agreement Number 4471"


def test_party_names_before_a_dash_are_not_part_of_the_title() -> None:
    text = (
        "NORTHWIND - BLUEFIN CO-MARKETING AGREEMENT\n\n"
        'This agreement is entered into by Bluefin Media, Inc. ("Bluefin") and '
        'Northwind Labs, Inc. ("Northwind" or "NWL").'
    )
    assert to_dict(read_text(text))["title"] == "CO-MARKETING AGREEMENT"
    # A word before a dash that names no party stays.
    assert to_dict(read_text("ODM - SUPPLY AGREEMENT\n\nThis agreement ..."))["title"] == (
        "ODM - SUPPLY AGREEMENT"
    )


SIGNED_ON_ACCEPTANCE = """MAINTENANCE AGREEMENT

Date:      March 1, 2019

1. This Agreement shall be effective on the date of signed acceptance ("Effective Date")
by the Client.

2. The Client shall pay the fees set out below.

IN WITNESS WHEREOF the parties sign below.

By: /s/ A. Smith                         By: /s/ B. Jones
Date: March 5, 2019                      Date: March 4, 2019
"""


def test_an_agreement_effective_on_signing_is_dated_by_its_last_signature() -> None:
    assert to_dict(read_text(SIGNED_ON_ACCEPTANCE))["effective_date"] == "2019-03-05"
    day_after = SIGNED_ON_ACCEPTANCE.replace(
        "effective on the date of signed acceptance",
        "effective beginning on the day after the date of last signature",
    )
    assert to_dict(read_text(day_after))["effective_date"] == "2019-03-06"


def test_a_term_commencing_in_an_attached_form_does_not_date_the_agreement() -> None:
    text = (
        "SERVICE AGREEMENT\n\n"
        'THIS AGREEMENT ("Agreement"), entered into on May 20, 1992, is between North '
        'Pipeline Company ("Transporter") and Valley Gas Company ("Shipper").\n\n'
        "1. The Transporter shall carry gas for the Shipper.\n\n"
        "EXHIBIT A\n\nCAPACITY BID FORM\n\n"
        "The term of the capacity bid is twelve months, beginning June 1, 2000.\n"
    )
    assert to_dict(read_text(text))["effective_date"] == "1992-05-20"


def test_a_term_of_the_agreement_for_a_part_commences_the_agreement() -> None:
    text = (
        "WEB SITE HOSTING AGREEMENT\n\n"
        "This agreement was signed on April 6, 1999 by Host Co. and Customer Inc.\n\n"
        "TERM\n\nThe term of this Agreement for the Hosted Site shall commence upon "
        "April 1, 1999 and shall continue for six months.\n"
    )
    assert to_dict(read_text(text))["effective_date"] == "1999-04-01"


def test_a_news_release_is_dated_by_its_dateline() -> None:
    text = (
        "Harbor Bancorp Enters Into Servicing Agreement\n\n"
        "Bridgewater, NJ -- February 18, 1999 -- Harbor Bancorp announced today that it "
        "has entered into a servicing agreement.\n"
    )
    assert to_dict(read_text(text))["effective_date"] == "1999-02-18"


def test_a_date_written_on_the_signature_rule_is_a_signature_date() -> None:
    text = (
        "WEB HOSTING AGREEMENT\n\nThe parties agree to the terms set out here.\n\n"
        "/s/ Jan Novak                     9/9/97 - -------------------      "
        "Host Co.                      Date\n"
    )
    assert to_dict(read_text(text))["effective_date"] == "1997-09-09"

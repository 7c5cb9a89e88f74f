"""Reading agreements: the terms, figures and checks found in an agreement's text.

    from acquittance.agreements.reading import read_file, to_dict
    document = to_dict(read_file("agreement.txt"))

`read_text` reads text already in memory; `read_many` reads many files in a
process pool and yields one JSON-ready document (or error) per file.
"""

from __future__ import annotations

from acquittance.agreements.reading.model import (
    AMOUNT_ROLES,
    Amount,
    Clause,
    Discrepancy,
    Party,
    Rate,
    Reading,
    Reconciliation,
    ReferencedAgreement,
    Signatory,
    to_dict,
)
from acquittance.agreements.reading.reader import read_file, read_text

__all__ = [
    "AMOUNT_ROLES",
    "Amount",
    "Clause",
    "Discrepancy",
    "Party",
    "Rate",
    "Reading",
    "Reconciliation",
    "ReferencedAgreement",
    "Signatory",
    "read_file",
    "read_text",
    "to_dict",
]

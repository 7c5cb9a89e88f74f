"""The values each enumerated option offers, as StrEnums: help lists them and the
command line refuses anything else with the option's stable code.

This module imports nothing heavy: the command modules build their options from it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class DocumentFormat(StrEnum):
    """A drafted document's format (service.documents.DOCUMENT_FORMATS)."""

    MD = "md"
    HTML = "html"
    DOCX = "docx"
    PDF = "pdf"


class ScheduleFormat(StrEnum):
    """A schedule file's format (service.documents.SCHEDULE_FORMATS)."""

    CSV = "csv"
    XLSX = "xlsx"


class RecordedEvent(StrEnum):
    """What `record --kind` records (core.instruments.EVENT_KINDS of those events)."""

    ADVANCE = "advance"
    PAYMENT = "payment"
    RATE_CHANGE = "rate_change"
    CHARGE = "charge"
    DEFAULT_RATE = "default_rate"


class ObligationFilter(StrEnum):
    """`obligations --status`: the values of store.records.ObligationStatus (a face does
    not import the store)."""

    OPEN = "open"
    DONE = "done"


#: The stable code of a value an enumerated option does not offer, by the option's name.
#: Any other refused value is a USAGE error.
CHOICE_CODES: Final[dict[str, str]] = {
    "--format": "UNKNOWN_FORMAT",
    "--kind": "UNKNOWN_EVENT",
    "--status": "INVALID_STATUS",
}


def choice_code(option_names: list[str] | tuple[str, ...]) -> str | None:
    """The code for a refused value of the option with these names, if it has one."""
    return next((CHOICE_CODES[name] for name in option_names if name in CHOICE_CODES), None)

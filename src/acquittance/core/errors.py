"""Errors a user can cause, each with a stable code.

Every refusal in acquittance is an `AcquittanceError` carrying a stable
UPPER_SNAKE_CASE `code` and a message that says what was wrong and how to fix
it. The interfaces translate them once, at the edge: the CLI exits with status 2
and prints ``error CODE: message``. Raising one never leaves a change behind;
the service layer guarantees that by doing all writes in one transaction.
"""

from __future__ import annotations

import re

_CODE_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]+$")


class AcquittanceError(Exception):
    """Base of every error a user can cause; `code` is stable across releases."""

    def __init__(self, code: str, message: str) -> None:
        if not _CODE_PATTERN.match(code):
            raise ValueError(f"error code {code!r} is not UPPER_SNAKE_CASE")
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

    def __reduce__(self) -> tuple[type[AcquittanceError], tuple[str, str]]:
        # Errors cross process pools (batch reading, whole-book positions) intact.
        return (type(self), (self.code, self.message))

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class InputError(AcquittanceError):
    """The input is malformed or out of range (a bad date, a negative amount)."""


class StateError(AcquittanceError):
    """The input is well formed but the records forbid it (a discharged loan)."""


class NotFoundError(StateError):
    """A named record (party, loan, note, settlement) does not exist."""


class StorageError(AcquittanceError):
    """The store cannot be opened, written or migrated."""

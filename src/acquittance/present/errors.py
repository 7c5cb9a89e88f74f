"""The error document every face prints for an error a user caused: `{"error": {code, message}}`.

Apart from the rest of the presenter so that reporting an error imports nothing more.
"""

from __future__ import annotations

from typing import Any

from acquittance.core.errors import AcquittanceError


def error_document(error: AcquittanceError) -> dict[str, Any]:
    """The error as DESIGN.md's contract names it: its stable code and its message."""
    return {"error": error.as_dict()}

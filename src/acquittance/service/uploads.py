"""Reading an uploaded agreement: the same reader as `acquittance read`, on bytes from a page.

An upload is hostile until checked. Its size is bounded by the caller before
the body is parsed (`UPLOAD_SIZE_MAX_BYTES`); here its name must end in one
of the reader's formats, and the reader then checks the content itself
(a PDF must start like one, a DOCX is a bounded ZIP: see
`agreements/reading/sources.py`). The bytes are written to a private
temporary folder under a fixed name, read by `read_file` exactly as the
command line reads a file, and removed; the refusals name the upload, never
the temporary path.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path, PurePath
from typing import Final

from acquittance.agreements.reading import Reading, read_file
from acquittance.agreements.reading.sources import SUFFIXES
from acquittance.core.errors import AcquittanceError, InputError

#: Largest agreement a page accepts: far below the reader's own limit, since the page
#: shows the whole text back.
UPLOAD_SIZE_MAX_BYTES: Final = 4 * 1024 * 1024
#: Longest file name kept for messages.
UPLOAD_NAME_LENGTH_MAX: Final = 120
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def display_name(filename: str) -> str:
    """The upload's base name, stripped of folders and odd characters, for messages."""
    base = PurePath(filename.replace("\\", "/")).name
    cleaned = _UNSAFE.sub("_", base).strip() or "upload"
    return cleaned[:UPLOAD_NAME_LENGTH_MAX]


def upload_suffix(filename: str) -> str:
    """The upload's format by its name; UNSUPPORTED_FORMAT for any other."""
    suffix = PurePath(display_name(filename)).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(
            "UNSUPPORTED_FORMAT",
            f"{display_name(filename)} is not an agreement the reader takes; upload a "
            f"{', '.join(SUFFIXES)} file",
        )
    return suffix


def read_upload(data: bytes, filename: str) -> Reading:
    """The terms found in an uploaded agreement, as `acquittance read` finds them."""
    name = display_name(filename)
    suffix = upload_suffix(filename)
    if len(data) > UPLOAD_SIZE_MAX_BYTES:
        raise upload_too_large(len(data))
    if not data.strip():
        raise InputError("EMPTY_FILE", f"{name} is empty; upload the agreement's text")
    with tempfile.TemporaryDirectory(prefix="acq-upload-") as folder:
        path = Path(folder) / f"agreement{suffix}"
        path.write_bytes(data)
        try:
            return read_file(path)
        except AcquittanceError as error:
            message = error.message.replace(str(path), name)
            raise type(error)(error.code, message) from None


def upload_too_large(size_bytes: int) -> InputError:
    return InputError(
        "UPLOAD_TOO_LARGE",
        f"the upload is {size_bytes} bytes; this page reads agreements of up to "
        f"{UPLOAD_SIZE_MAX_BYTES} bytes ({UPLOAD_SIZE_MAX_BYTES // (1024 * 1024)} MiB): "
        "upload the agreement without its exhibits, or use `acquittance read`",
    )

"""Reading an agreement from a file or from text: the doors to the pure reader.

`read_file` brings a file's text in (sources.py decodes or extracts it);
`read_text` checks text already in memory; both hand it to `analysis.analyse`,
which does no I/O.
"""

from __future__ import annotations

from pathlib import Path

from acquittance.agreements.reading.analysis import analyse
from acquittance.agreements.reading.model import Reading
from acquittance.agreements.reading.sources import check_text, load


def read_file(path: str | Path) -> Reading:
    """Read the agreement in a .txt, .md, .htm/.html, .docx or .pdf file."""
    text, kind = load(Path(path))
    return analyse(text, source_format=kind)


def read_text(text: str, *, source_format: str = "text") -> Reading:
    """Read an agreement's text; offsets in the result index into `text`."""
    check_text(text)
    return analyse(text, source_format=source_format)

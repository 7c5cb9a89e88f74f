"""The agreement as PDF, laid out by WeasyPrint from the HTML and its print stylesheet."""

from __future__ import annotations

import logging
import warnings


def render_pdf(html: str) -> bytes:
    """PDF bytes of the HTML text; WeasyPrint is imported only when a PDF is asked for."""
    # WeasyPrint and fontTools log every font subset at INFO; a CLI run should stay quiet.
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    with warnings.catch_warnings():
        # WeasyPrint warns on import about optional system libraries: a note for packagers.
        warnings.simplefilter("ignore", DeprecationWarning)
        from weasyprint import HTML

        pdf = HTML(string=html).write_pdf()
    assert pdf is not None, "write_pdf without a target returns the bytes"
    return bytes(pdf)

"""Drafting in a format, and writing the draft to a file, all or nothing."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from acquittance.agreements.drafting.context import DraftContext
from acquittance.agreements.drafting.document import compose
from acquittance.agreements.drafting.output import check_output, write_output
from acquittance.agreements.drafting.servicing import ServicingDocument
from acquittance.core.errors import InputError

FORMATS: Final = ("md", "html", "docx", "pdf")


def render(context: DraftContext, fmt: str, *, templates_dir: Path | None = None) -> bytes:
    """The agreement in `fmt` (md, html, docx or pdf) as bytes; text formats are UTF-8."""
    fmt = _checked_format(fmt)
    document = compose(context, templates_dir=templates_dir)
    if fmt == "md":
        from acquittance.agreements.drafting.markdown import render_markdown

        return render_markdown(document).encode("utf-8")
    # The formats that are printed and signed get typographic quotes; Markdown keeps the
    # straight ones of plain text.
    from acquittance.agreements.drafting.typography import typeset

    document = typeset(document)
    if fmt == "docx":
        from acquittance.agreements.drafting.word import render_docx

        return render_docx(document)
    from acquittance.agreements.drafting.html import render_html

    html = render_html(document, templates_dir=templates_dir)
    if fmt == "html":
        return html.encode("utf-8")
    from acquittance.agreements.drafting.pdf import render_pdf

    return render_pdf(html)


def render_servicing(
    document: ServicingDocument, fmt: str, *, templates_dir: Path | None = None
) -> bytes:
    """A payoff letter, statement or UCC-3 in `fmt` (md, html, docx or pdf) as bytes."""
    fmt = _checked_format(fmt)
    if fmt == "md":
        from acquittance.agreements.drafting.markdown import render_servicing_markdown

        return render_servicing_markdown(document).encode("utf-8")
    from acquittance.agreements.drafting.typography import typeset_servicing

    document = typeset_servicing(document)
    if fmt == "docx":
        from acquittance.agreements.drafting.word import render_servicing_docx

        return render_servicing_docx(document)
    from acquittance.agreements.drafting.html import render_servicing_html

    html = render_servicing_html(document, templates_dir=templates_dir)
    if fmt == "html":
        return html.encode("utf-8")
    from acquittance.agreements.drafting.html import SERVICING_HTML_TEMPLATE
    from acquittance.agreements.drafting.pdf import render_pdf

    return render_pdf(html, template=SERVICING_HTML_TEMPLATE)


def write_draft(
    context: DraftContext,
    fmt: str,
    path: str | os.PathLike[str],
    *,
    templates_dir: Path | None = None,
    force: bool = True,
    inputs: Iterable[Path] = (),
) -> Path:
    """Render and write the agreement to `path`; a failure leaves no file behind.

    Without `force`, an existing file is refused (OUTPUT_EXISTS); a path among
    `inputs` always is (OUTPUT_IS_INPUT). See `output.py`.
    """
    target = Path(path)
    check_output(target, force=force, inputs=inputs)
    content = render(context, fmt, templates_dir=templates_dir)
    return write_output(target, content, force=force)


def _checked_format(fmt: str) -> str:
    name = fmt.strip().lower().lstrip(".")
    if name == "markdown":
        name = "md"
    if name not in FORMATS:
        raise InputError(
            "UNKNOWN_FORMAT", f"format {fmt!r} is not known; use one of {', '.join(FORMATS)}"
        )
    return name

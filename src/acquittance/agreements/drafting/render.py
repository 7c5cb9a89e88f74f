"""Drafting in a format, and writing the draft to a file, all or nothing."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Final

from acquittance.agreements.drafting.context import DraftContext
from acquittance.agreements.drafting.document import compose
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


def write_draft(
    context: DraftContext,
    fmt: str,
    path: str | os.PathLike[str],
    *,
    templates_dir: Path | None = None,
) -> Path:
    """Render and write the agreement to `path`; a failure leaves no file behind."""
    target = Path(path)
    _check_writable(target)
    content = render(context, fmt, templates_dir=templates_dir)
    _write_atomically(target, content)
    return target


def _checked_format(fmt: str) -> str:
    name = fmt.strip().lower().lstrip(".")
    if name == "markdown":
        name = "md"
    if name not in FORMATS:
        raise InputError(
            "UNKNOWN_FORMAT", f"format {fmt!r} is not known; use one of {', '.join(FORMATS)}"
        )
    return name


def _check_writable(target: Path) -> None:
    # Checked before rendering, so a PDF is not laid out only to be thrown away.
    folder = target.parent
    if target.is_dir():
        raise InputError(
            "OUTPUT_NOT_WRITABLE", f"{target} is a folder; give a file name for the draft"
        )
    if not folder.is_dir():
        raise InputError(
            "OUTPUT_NOT_WRITABLE",
            f"folder {folder} does not exist; create it or choose another output path",
        )
    if not os.access(folder, os.W_OK):
        raise InputError(
            "OUTPUT_NOT_WRITABLE", f"folder {folder} is not writable; choose another output path"
        )


def _write_atomically(target: Path, content: bytes) -> None:
    """Write beside the target and rename over it, so no reader sees half a draft."""
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        # mkstemp makes the file private; a draft gets the mode any new file would get.
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except OSError as error:
        if "temporary" in locals():
            Path(temporary).unlink(missing_ok=True)
        raise InputError(
            "OUTPUT_NOT_WRITABLE", f"cannot write {target}: {error.strerror or error}"
        ) from None


def _umask() -> int:
    # The only portable way to read the umask is to set it and put it back.
    mask = os.umask(0)
    os.umask(mask)
    return mask

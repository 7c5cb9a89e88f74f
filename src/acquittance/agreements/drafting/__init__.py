"""Drafting the settlement agreement from a settlement quote.

    context = build_context(quote, parties=..., loan=..., notes=..., governing_law="California")
    pdf_bytes = render(context, "pdf")
    write_draft(context, "docx", "agreement.docx")

`build_context` is pure; `compose` turns the context into the structured
`Document` through the clause library (`acquittance/agreements/templates`, or a
`templates_dir` that overlays it); `render` gives md, html, docx or pdf bytes.
"""

from acquittance.agreements.drafting.context import (
    CashDirection,
    DraftContext,
    NoteRow,
    build_context,
)
from acquittance.agreements.drafting.document import (
    Blank,
    Clause,
    Document,
    Schedule,
    SignatureBlock,
    WireInstructions,
    compose,
)
from acquittance.agreements.drafting.render import FORMATS, render, write_draft
from acquittance.agreements.drafting.templating import DEFAULT_TEMPLATES_DIR, DraftTemplateError

__all__ = [
    "DEFAULT_TEMPLATES_DIR",
    "FORMATS",
    "Blank",
    "CashDirection",
    "Clause",
    "Document",
    "DraftContext",
    "DraftTemplateError",
    "NoteRow",
    "Schedule",
    "SignatureBlock",
    "WireInstructions",
    "build_context",
    "compose",
    "render",
    "write_draft",
]

"""The agreement as HTML: semantic markup and a print stylesheet, both template files."""

from __future__ import annotations

from pathlib import Path
from typing import Final

import jinja2
from markupsafe import Markup

from acquittance.agreements.drafting.document import Document, SignatureBlock, Table
from acquittance.agreements.drafting.sandbox import TemplateLimitExceeded
from acquittance.agreements.drafting.servicing import Part, ServicingDocument
from acquittance.agreements.drafting.templating import (
    DraftTemplateError,
    TemplateLimitError,
    UnsafeTemplateError,
    environment,
    render_template,
)

HTML_TEMPLATE: Final = "html/document.html.j2"
SERVICING_HTML_TEMPLATE: Final = "html/servicing.html.j2"
STYLESHEET: Final = "html/print.css"


def render_html(document: Document, *, templates_dir: Path | None = None) -> str:
    """HTML text of the document, escaped by the template engine, with its stylesheet inline."""
    env = environment(templates_dir, autoescape=True)
    return render_template(
        env, HTML_TEMPLATE, {"document": document, "stylesheet": _stylesheet(env)}
    )


def render_servicing_html(document: ServicingDocument, *, templates_dir: Path | None = None) -> str:
    """HTML text of a payoff letter, statement or UCC-3, with the agreement's stylesheet."""
    env = environment(templates_dir, autoescape=True)
    parts = [(_kind_of(part), part) for part in document.parts]
    return render_template(
        env,
        SERVICING_HTML_TEMPLATE,
        {"document": document, "parts": parts, "stylesheet": _stylesheet(env)},
    )


def _kind_of(part: Part) -> str:
    """The name the HTML template switches on (templates cannot test a Python type)."""
    if isinstance(part, Table):
        return "table"
    if isinstance(part, SignatureBlock):
        return "signature"
    return type(part).__name__.lower()


def _stylesheet(env: jinja2.Environment) -> Markup:
    assert env.loader is not None, "environment() always sets a loader"
    try:
        source, filename, _ = env.loader.get_source(env, STYLESHEET)
    except jinja2.TemplateNotFound:
        raise DraftTemplateError(f"template {STYLESHEET}", "no such stylesheet file") from None
    except TemplateLimitExceeded as error:
        raise TemplateLimitError(f"template {STYLESHEET}", str(error)) from None
    # The stylesheet is the clause library's file, not party data, so it goes in unescaped;
    # an overlay's copy still must not close the <style> element and open markup of its own.
    if "</" in source or "<!--" in source:
        raise UnsafeTemplateError(
            filename or STYLESHEET,
            "the stylesheet contains '</' or '<!--'",
            advice="a stylesheet holds CSS only; markup belongs in html/document.html.j2",
        )
    return Markup(source)

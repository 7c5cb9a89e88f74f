"""The Jinja2 environment of the clause library, its filters, and its errors.

Templates are files counsel can edit (`acquittance/agreements/templates`); a
`templates_dir` given by the caller overlays them, so a firm's own clause
library may replace one clause or the whole document. Every template, shipped
or overlaid, renders in the sandbox of `sandbox.py`: a template is code, and one
passed with `--templates` (or sent to a server) must not reach Python. Undefined
names are errors (StrictUndefined), never silent blanks. A broken template is
one `TEMPLATE_ERROR`, a template that reaches past the sandbox one
`TEMPLATE_UNSAFE`, and one that costs too much one `TEMPLATE_LIMIT_EXCEEDED`,
each naming the file and the line.

Escaping belongs to the output format, not to the clause text: the clauses
render plain text (no escaping), which the HTML template escapes (autoescape),
the Markdown writer escapes (`markdown.escape_markdown`) and python-docx writes
as XML text; the PDF is laid out from the escaped HTML.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Final

import jinja2
from jinja2.exceptions import SecurityError

from acquittance.agreements.drafting.sandbox import (
    DraftSandbox,
    SizedLoader,
    TemplateLimitExceeded,
    UnsafeTemplate,
    render_bounded,
)
from acquittance.core.errors import InputError
from acquittance.core.money import format_amount

#: The clause library shipped with the package.
DEFAULT_TEMPLATES_DIR: Final = Path(__file__).resolve().parent.parent / "templates"

TEMPLATE_SUFFIXES: Final = (".j2", ".jinja", ".html", ".css")


def long_date(value: date) -> str:
    """2002-03-31 -> 'March 31, 2002', the form agreements use."""
    return f"{value:%B} {value.day}, {value.year}"


def figure(amount: Decimal, currency: str = "USD") -> str:
    """17533226.8 -> '$17,533,226.80'; other currencies lead with their code."""
    prefix = "$" if currency == "USD" else f"{currency} "
    return f"{prefix}{format_amount(amount)}"


def amount_phrase(amount: Decimal, *, currency: str, in_words: bool) -> str:
    """The figure, or the words followed by the figure in parentheses when asked."""
    if not in_words:
        return figure(amount, currency)
    if currency != "USD":
        raise InputError(
            "UNSUPPORTED_CURRENCY",
            f"amounts in words are written in Dollars; the settlement is in {currency}. "
            "Draft it without amounts in words",
        )
    # Imported here: the words module belongs to the reader and is needed only on request.
    from acquittance.agreements.numwords import amount_to_words

    return f"{amount_to_words(amount)} ({figure(amount, currency)})"


class DraftTemplateError(InputError):
    """A template of the clause library is broken: its file and line are in the message."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(
            "TEMPLATE_ERROR",
            f"{where}: {problem}; fix the template (or point to another clause library)",
        )


class UnsafeTemplateError(InputError):
    """A template reaches past the sandbox (private attributes, Python internals)."""

    def __init__(self, where: str, problem: str, *, advice: str | None = None) -> None:
        advice = advice or (
            "templates may use only the names and filters the clause library's README "
            "lists, and nothing of Python itself"
        )
        super().__init__("TEMPLATE_UNSAFE", f"{where}: {problem}; {advice}. Nothing was drafted")


class TemplateLimitError(InputError):
    """A template costs more than the sandbox allows (a runaway loop, a huge string)."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(
            "TEMPLATE_LIMIT_EXCEEDED",
            f"{where}: {problem}; an agreement needs far less: look for a loop or a "
            "repetition that never ends",
        )


def environment(
    templates_dir: Path | None = None,
    *,
    autoescape: bool = False,
    currency: str | None = None,
    in_words: bool = False,
) -> DraftSandbox:
    """The clause library's environment; `templates_dir` overlays the shipped templates.

    With `currency`, the amount filters for it are installed. Environments are
    kept, so a template is compiled once per process; Jinja still reloads a
    template file that counsel edits (it checks the file's time).
    """
    folder = None if templates_dir is None else str(Path(templates_dir).resolve())
    return _environment(folder, autoescape, currency, in_words)


@functools.lru_cache(maxsize=32)
def _environment(
    templates_dir: str | None, autoescape: bool, currency: str | None, in_words: bool
) -> DraftSandbox:
    search = [str(DEFAULT_TEMPLATES_DIR)]
    if templates_dir is not None:
        search.insert(0, templates_dir)
    env = DraftSandbox(
        loader=SizedLoader(search),
        undefined=jinja2.StrictUndefined,
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    if currency is not None:
        env.filters.update(text_filters(currency, in_words=in_words))
    return env


def render_template(env: jinja2.Environment, name: str, variables: dict[str, object]) -> str:
    """Render one template in its sandbox; any failure of the template becomes a coded error."""
    try:
        return render_bounded(env.get_template(name), variables)
    except UnsafeTemplate as error:
        where = f"{error.filename or error.name or name}, line {error.lineno}"
        raise UnsafeTemplateError(where, error.message or "unsafe construct") from None
    except SecurityError as error:
        raise UnsafeTemplateError(_where_raised(error, name), str(error)) from None
    except TemplateLimitExceeded as error:
        raise TemplateLimitError(_where_raised(error, name), str(error)) from None
    except RecursionError:
        raise TemplateLimitError(name, "the template calls itself too deeply") from None
    except jinja2.TemplateSyntaxError as error:
        where = f"{error.filename or error.name or name}, line {error.lineno}"
        raise DraftTemplateError(where, error.message or "syntax error") from None
    except jinja2.TemplateNotFound as error:
        raise DraftTemplateError(f"template {error.name}", "no such template file") from None
    except (jinja2.TemplateError, AttributeError, TypeError, ValueError, ArithmeticError) as error:
        raise DraftTemplateError(_where_raised(error, name), str(error)) from None


def _where_raised(error: BaseException, name: str) -> str:
    """The template file and line an error was raised at (Jinja maps its frames there)."""
    location = name
    trace: types.TracebackType | None = error.__traceback__
    while trace is not None:
        filename = trace.tb_frame.f_code.co_filename
        if filename.endswith(TEMPLATE_SUFFIXES):
            location = f"{filename}, line {trace.tb_lineno}"
        trace = trace.tb_next
    return location


Filter = Callable[..., str]


def text_filters(currency: str, *, in_words: bool) -> dict[str, Filter]:
    """Filters the clause templates use: `amount` for a stated figure, `long_date`."""

    def amount(value: Decimal) -> str:
        return amount_phrase(value, currency=currency, in_words=in_words)

    return {"amount": amount, "long_date": long_date}

"""The agreement as PDF, laid out by WeasyPrint from the HTML and its print stylesheet.

The layout fetches nothing: an agreement embeds no outside resource, and a
template that points to one (`<img src="file:///etc/passwd">`, `@import
url(http://...)`) would otherwise make the drafter read files or reach hosts on
its behalf. Only `data:` URLs, which carry their content inline, are honoured;
any other is refused with `TEMPLATE_UNSAFE`.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

from acquittance.agreements.drafting.templating import UnsafeTemplateError


def render_pdf(html: str, *, template: str = "html/document.html.j2") -> bytes:
    """PDF bytes of the HTML text; WeasyPrint is imported only when a PDF is asked for.

    `template` is the layout the HTML came from, named when a resource is refused.
    """
    # WeasyPrint and fontTools log every font subset at INFO; a CLI run should stay quiet.
    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    with warnings.catch_warnings():
        # WeasyPrint warns on import about optional system libraries: a note for packagers.
        warnings.simplefilter("ignore", DeprecationWarning)
        from weasyprint import HTML

        refused: list[str] = []
        pdf = HTML(string=html, url_fetcher=_inline_only_fetcher(refused)).write_pdf()
    if refused:
        raise UnsafeTemplateError(
            template,
            f"the document refers to {refused[0]!r}",
            advice="a draft embeds no outside resource: put an image in a data: URL",
        )
    assert pdf is not None, "write_pdf without a target returns the bytes"
    return bytes(pdf)


def _inline_only_fetcher(refused: list[str]) -> Any:
    """A WeasyPrint URL fetcher that serves data: URLs and records every other URL."""
    from weasyprint import urls

    class InlineOnly(urls.URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.lower().startswith("data:"):
                refused.append(url)
                # WeasyPrint reports a failed fetch as a warning and leaves the resource out.
                raise ValueError(f"{url} is not fetched: drafts embed no outside resource")
            return super().fetch(url, headers)

    return InlineOnly(allowed_protocols=("data",), allow_redirects=False)

"""Templates are code: each renders in the sandbox, and one that reaches past it runs nothing."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from drafting_factories import context_of, reference_quote

from acquittance.agreements.drafting import (
    DEFAULT_TEMPLATES_DIR,
    DraftContext,
    render,
    write_draft,
)
from acquittance.agreements.drafting.sandbox import (
    TEMPLATE_FILE_SIZE_BYTES_MAX,
    TEMPLATE_STEPS_MAX,
)
from acquittance.agreements.drafting.templating import environment
from acquittance.core.errors import AcquittanceError

SRC = Path(__file__).parents[3] / "src" / "acquittance"


@pytest.fixture
def context() -> DraftContext:
    return context_of(reference_quote())


def _overlay(root: Path, clause: str, text: str) -> Path:
    path = root / "clauses" / clause
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return root


def _refused(context: DraftContext, root: Path, fmt: str = "md") -> AcquittanceError:
    with pytest.raises(AcquittanceError) as raised:
        render(context, fmt, templates_dir=root)
    return raised.value


def test_no_plain_jinja_environment_is_left_in_the_package() -> None:
    plain = re.compile(r"\bjinja2\.Environment\(|from jinja2 import [^\n]*\bEnvironment\b")
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if plain.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_shipped_library_renders_in_the_sandbox() -> None:
    from jinja2.sandbox import SandboxedEnvironment

    assert isinstance(environment(None), SandboxedEnvironment)
    assert isinstance(environment(None, autoescape=True), SandboxedEnvironment)


ESCAPES = {
    "lipsum_globals": "{{ lipsum.__globals__['os'].popen('touch MARKER').read() }}",
    "cycler_globals": "{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}",
    "class_mro": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "private_key": "{{ lender['__class__'] }}",
    "computed_key": "{% set key = '__cla' ~ 'ss__' %}{{ lender[key] }}",
    "attr_filter": "{{ lender | attr('__class__') }}",
    "map_attribute": "{{ [lender] | map(attribute='__class__') | list }}",
    "format_field": "{{ '{0.__class__}'.format(lender) }}",
    "autoescape_off": "{% autoescape false %}{{ lender.name }}{% endautoescape %}",
}


@pytest.mark.parametrize("template", ESCAPES.values(), ids=ESCAPES.keys())
def test_a_template_that_reaches_python_is_refused_and_runs_nothing(
    context: DraftContext, tmp_path: Path, template: str
) -> None:
    marker = tmp_path / "ran"
    root = _overlay(tmp_path / "library", "amendment.j2", template.replace("MARKER", str(marker)))
    error = _refused(context, root)
    assert error.code == "TEMPLATE_UNSAFE", error
    assert "amendment.j2" in error.message
    assert "Nothing was drafted" in error.message
    assert not marker.exists()


def test_an_unsafe_html_template_writes_no_file(context: DraftContext, tmp_path: Path) -> None:
    root = tmp_path / "library"
    (root / "html").mkdir(parents=True)
    (root / "html" / "document.html.j2").write_text(
        "<p>{{ document.__class__.__init__.__globals__ }}</p>", encoding="utf-8"
    )
    with pytest.raises(AcquittanceError) as raised:
        write_draft(context, "html", tmp_path / "out.html", templates_dir=root)
    assert raised.value.code == "TEMPLATE_UNSAFE"
    assert "document.html.j2, line 1" in raised.value.message
    assert not (tmp_path / "out.html").exists()


def test_filters_that_bypass_escaping_or_amplify_are_absent(
    context: DraftContext, tmp_path: Path
) -> None:
    for template in ("{{ lender.name | safe }}", "{{ 'x' | center(10) }}", "{{ 1.5 | round }}"):
        root = _overlay(tmp_path / str(abs(hash(template))), "amendment.j2", template)
        error = _refused(context, root)
        assert error.code == "TEMPLATE_ERROR"
        assert "No filter named" in error.message


COSTLY = {
    "nested_loops": (
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    ),
    "macro_bomb": (
        "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}"
    ),
    "endless_recursion": "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "repeated_string": "{{ 'x' * 1000000000 }}",
    "huge_power": "{{ 2 ** 10000000 }}",
    "squaring_loop": (
        "{% set n = namespace(x=3) %}{% for i in range(64) %}{% set n.x = n.x * n.x %}"
        "{% endfor %}{{ n.x }}"
    ),
    "wide_method": "{{ 'x'.center(1000000000) }}",
    "wide_percent_format": "{{ '%1000000000d' % 1 }}",
    "wide_format_field": "{{ '{:>1000000000}'.format(1) }}",
    "amplifying_replace": "{{ ('a' * 1000000).replace('a', 'aaaaaaaaaa') }}",
}


@pytest.mark.parametrize("template", COSTLY.values(), ids=COSTLY.keys())
def test_a_template_that_costs_too_much_is_stopped(
    context: DraftContext, tmp_path: Path, template: str
) -> None:
    root = _overlay(tmp_path, "amendment.j2", template)
    error = _refused(context, root)
    assert error.code == "TEMPLATE_LIMIT_EXCEEDED", error


def test_an_oversized_template_file_is_refused(context: DraftContext, tmp_path: Path) -> None:
    root = _overlay(tmp_path, "amendment.j2", "x" * (TEMPLATE_FILE_SIZE_BYTES_MAX + 1))
    error = _refused(context, root)
    assert error.code == "TEMPLATE_LIMIT_EXCEEDED"
    assert str(TEMPLATE_FILE_SIZE_BYTES_MAX) in error.message


def test_the_step_limit_leaves_room_for_a_thousand_notes(context: DraftContext) -> None:
    line = context.notes[0]
    many = tuple(replace(line, note_id=f"note-{index}") for index in range(1000))
    large = replace(context, notes=many)
    html = render(large, "html").decode("utf-8")
    assert html.count("<tr>") > 2000
    assert TEMPLATE_STEPS_MAX >= 100_000


def test_a_stylesheet_that_closes_its_element_is_refused(
    context: DraftContext, tmp_path: Path
) -> None:
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "print.css").write_text(
        "body { color: black }</style><script>alert(1)</script>", encoding="utf-8"
    )
    error = _refused(context, tmp_path, fmt="html")
    assert error.code == "TEMPLATE_UNSAFE"
    assert "print.css" in error.message


def test_a_pdf_fetches_no_outside_resource(context: DraftContext, tmp_path: Path) -> None:
    source = (DEFAULT_TEMPLATES_DIR / "html" / "document.html.j2").read_text(encoding="utf-8")
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "document.html.j2").write_text(
        source.replace("<article", '<img src="file:///etc/hostname"><article', 1),
        encoding="utf-8",
    )
    error = _refused(context, tmp_path, fmt="pdf")
    assert error.code == "TEMPLATE_UNSAFE"
    assert "file:///etc/hostname" in error.message


def test_html_escapes_every_name_the_records_hold(context: DraftContext) -> None:
    hostile = "<script>alert(1)</script>"
    line = replace(context.notes[0], maker=hostile)
    borrower = replace(context.borrower, name=f"{hostile} Inc.")
    html = render(replace(context, notes=(line,), borrower=borrower), "html").decode("utf-8")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html

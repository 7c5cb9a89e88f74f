"""Counsel's own clause library: overrides, and broken templates named by file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from acquittance.agreements.drafting import DEFAULT_TEMPLATES_DIR, DraftContext, compose, render
from acquittance.core.errors import AcquittanceError


def _clause_file(root: Path, name: str, text: str) -> Path:
    path = root / "clauses" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _template_error(context: DraftContext, root: Path, fmt: str = "md") -> AcquittanceError:
    with pytest.raises(AcquittanceError) as raised:
        render(context, fmt, templates_dir=root)
    assert raised.value.code == "TEMPLATE_ERROR"
    return raised.value


def test_every_clause_of_the_reference_case_is_its_own_file() -> None:
    names = {path.stem for path in (DEFAULT_TEMPLATES_DIR / "clauses").glob("*.j2")}
    assert {
        "assignment",
        "payment",
        "discharge",
        "assumption",
        "lien_release",
        "representations",
        "release",
        "statutory_waiver_ca_1542",
        "successors",
        "further_assurances",
        "time_of_essence",
        "governing_law",
        "amendment",
        "entire_agreement",
        "counterparts",
    } <= names


def test_a_clause_in_the_override_folder_replaces_the_shipped_one(
    reference_context: DraftContext, tmp_path: Path
) -> None:
    _clause_file(
        tmp_path, "time_of_essence.j2", "Time is of the essence for {{ lender.short_name }}."
    )
    document = compose(reference_context, templates_dir=tmp_path)
    kinds = {clause.kind: clause.text for clause in document.clauses}
    assert kinds["time_of_essence"] == "Time is of the essence for Berg."
    assert kinds["successors"].startswith("This Agreement shall be binding")


def test_a_syntax_error_names_the_file_and_line(
    reference_context: DraftContext, tmp_path: Path
) -> None:
    path = _clause_file(tmp_path, "release.j2", "Berg releases\nall claims {% if %}\n")
    error = _template_error(reference_context, tmp_path)
    assert str(path) in error.message
    assert "line 2" in error.message


def test_an_undefined_name_names_the_file_and_line(
    reference_context: DraftContext, tmp_path: Path
) -> None:
    path = _clause_file(tmp_path, "amendment.j2", "Any modification\nsigned by {{ arbiter }}.\n")
    error = _template_error(reference_context, tmp_path)
    assert str(path) in error.message
    assert "line 2" in error.message
    assert "arbiter" in error.message


def test_an_undefined_attribute_is_an_error_not_a_blank(
    reference_context: DraftContext, tmp_path: Path
) -> None:
    _clause_file(tmp_path, "assumption.j2", "{{ lender.nickname }} assumes the Notes.")
    error = _template_error(reference_context, tmp_path)
    assert "nickname" in error.message
    assert "assumption.j2, line 1" in error.message


def test_a_missing_clause_file_is_named(reference_context: DraftContext, tmp_path: Path) -> None:
    (tmp_path / "agreement.j2").write_text(
        '@@ title\nT\n@@ clause x\n{% include "clauses/nowhere.j2" %}\n', encoding="utf-8"
    )
    error = _template_error(reference_context, tmp_path)
    assert "clauses/nowhere.j2" in error.message


def test_a_document_template_without_a_required_part_is_refused(
    reference_context: DraftContext, tmp_path: Path
) -> None:
    (tmp_path / "agreement.j2").write_text("@@ title\n{{ title }}\n", encoding="utf-8")
    error = _template_error(reference_context, tmp_path)
    assert "preamble" in error.message


def test_an_unknown_block_is_refused(reference_context: DraftContext, tmp_path: Path) -> None:
    (tmp_path / "agreement.j2").write_text("@@ titel\n{{ title }}\n", encoding="utf-8")
    error = _template_error(reference_context, tmp_path)
    assert "titel" in error.message


def test_a_broken_html_template_names_its_file(
    reference_context: DraftContext, tmp_path: Path
) -> None:
    (tmp_path / "html").mkdir()
    path = tmp_path / "html" / "document.html.j2"
    path.write_text("<html>\n<body>\n{{ document.nothing_here }}\n</body>\n", encoding="utf-8")
    error = _template_error(reference_context, tmp_path, fmt="html")
    assert f"{path}, line 3" in error.message

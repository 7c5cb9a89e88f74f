"""Letters and agreements filed with the SEC, scored against expectations written by hand.

fixtures/filed/ holds the opening of twenty real payoff, settlement, release and
debt-conversion documents (README.md there lists the sources). Their expectations
were written before the reader was run on them; the reader has since been tuned
with them in view, so they are development fixtures. Beyond the unseen set's
rules, an expectation may accept several roles for a figure, require a date to be
absent (`"effective_date": null`), and name companies that must not be parties.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from reader_support import FIXTURES

from acquittance.agreements.reading import read_file, to_dict

FILED = FIXTURES / "filed"
# Fixtures that show a limit not yet lifted: name -> the precise reason.
KNOWN_LIMITS: dict[str, str] = {}


KNOWN_TITLE_LIMITS: dict[str, str] = {}


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _same(left: str, right: str) -> bool:
    a, b = _norm(left), _norm(right)
    return bool(a and b) and (a in b or b in a)


def _date_shortfalls(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    got = actual.get("effective_date")
    if "effective_date" in expected and got != expected["effective_date"]:
        return [f"effective_date {got} != {expected['effective_date']}"]
    allowed = expected.get("effective_date_allowed")
    if allowed is not None and got not in allowed:
        return [f"effective_date {got} not in {allowed}"]
    return []


def _party_shortfalls(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    names = [p["name"] for p in actual.get("parties", [])]
    short = [
        f"party missing: {p['name']}"
        for p in expected.get("parties", [])
        if not any(_same(p["name"], n) for n in names)
    ]
    for stranger in expected.get("parties_not", []):
        short += [f"not a party: {n}" for n in names if _same(stranger, n)]
    return short


def _amount_shortfalls(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    found = [(Decimal(a["value"]), a["role"]) for a in actual.get("amounts", [])]
    got = {value for value, _ in found}
    want = {Decimal(a["value"]) for a in expected.get("amounts", [])}
    tolerated = {Decimal(v) for v in expected.get("amounts_tolerated", [])}
    short = []
    if want - got:
        short.append("amounts missing: " + ", ".join(map(str, sorted(want - got))))
    if got - want - tolerated:
        short.append("amounts invented: " + ", ".join(map(str, sorted(got - want - tolerated))))
    for amount in expected.get("amounts", []):
        value = Decimal(amount["value"])
        roles = amount["role"] if isinstance(amount["role"], list) else [amount["role"]]
        if value in got and not any((value, role) in found for role in roles):
            have = sorted({role for v, role in found if v == value})
            short.append(f"amount {amount['value']} has role {'/'.join(have)}, not {roles}")
    return short


def shortfalls(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """What `actual` (the JSON of `acquittance read`) lacks against a filed expectation."""
    short = _date_shortfalls(expected, actual)
    short += _party_shortfalls(expected, actual)
    short += _amount_shortfalls(expected, actual)
    status = actual["reconciliation"]["status"]
    allowed = expected.get("reconciliation_allowed")
    if allowed is not None and status not in allowed:
        short.append(f"reconciliation {status} not in {allowed}")
    return short


def _letters() -> list[Path]:
    return sorted(FILED.glob("*.txt"))


def _expectation(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        path.with_name(path.stem + ".expect.json").read_text(encoding="utf-8")
    )
    return document


def _case(path: Path) -> Any:
    reason = KNOWN_LIMITS.get(path.name)
    marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
    return pytest.param(path, id=path.name, marks=marks)


def test_every_filed_letter_has_an_expectation_with_its_source() -> None:
    letters = _letters()
    assert len(letters) >= 20
    readme = (FILED / "README.md").read_text(encoding="utf-8")
    for path in letters:
        source = _expectation(path)["source"]
        assert source.startswith("https://")
        assert source in readme and path.name in readme


@pytest.mark.parametrize("path", [_case(p) for p in _letters()])
def test_filed_letter_meets_its_expectation(path: Path) -> None:
    reading = read_file(path)
    assert shortfalls(_expectation(path), to_dict(reading)) == []


@pytest.mark.parametrize("path", _letters(), ids=lambda p: p.name)
def test_filed_letter_title_is_its_heading(path: Path) -> None:
    expected = _expectation(path).get("title")
    if path.name in KNOWN_TITLE_LIMITS:
        pytest.xfail(KNOWN_TITLE_LIMITS[path.name])
    if expected is None:
        pytest.skip("the excerpt has no heading of its own")
    assert _norm(read_file(path).title or "") == _norm(expected)

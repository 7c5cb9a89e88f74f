"""README's "A loan's whole life, step by step", run command by command, figures checked.

The commands are read from the block between the walkthrough markers, so the README
and the product cannot drift apart: each must exit 0, the figures the prose states
must be in what the commands printed, and at the end `verify` passes and both trial
balances balance.
"""

from __future__ import annotations

import re
import shlex
from decimal import Decimal
from pathlib import Path

import pytest
from cli_helpers import Run, ok, run

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
BEGIN, END = "<!-- walkthrough:begin -->", "<!-- walkthrough:end -->"
SECTION = "## A loan's whole life, step by step"

# A figure the prose states, and the start of the command whose output must show it.
FIGURES: tuple[tuple[str, str], ...] = (
    ("3,306.67", "record cedar-marlow-loan --kind payment --date 2024-02-01"),
    ("6,693.33", "record cedar-marlow-loan --kind payment --date 2024-02-01"),
    ("6,205.58", "accrue --through 2024-03-31"),
    ("500.00", "accrue --through 2024-03-31"),
    ("cedar-marlow-loan#6", "events cedar-marlow-loan"),
    ("20,500.00", "reverse cedar-marlow-loan 6"),
    ("cedar-marlow-pledge", "payoff cedar-marlow-loan"),
    ("2024-05-30", "payoff cedar-marlow-loan"),
    ("494,100.78", "books cedar"),
    ("13,600.78", "books cedar"),
    ("664,291.53", "books marlow"),
    ("2024-06-04", "release harbor-quill-loan"),
    ("1,213,440.00", "quote harbor-quill-loan"),
    ("589,220.60", "quote harbor-quill-loan"),
    ("624,219.40", "quote harbor-quill-loan"),
    ("2024-07-20", "obligations --status open"),
    ("journal verified: 54 entries", "verify"),
)
# What the payoff letter states, in its own words.
LETTER_FIGURES = ("$459,617.43", "$3,268.39", "$462,885.82", "$102.14", "$463,600.78")


def readme_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(SECTION)
    following = text.find("\n## ", start + len(SECTION))
    return text[start : following if following != -1 else len(text)]


def walkthrough_lines() -> list[str]:
    """The lines of the fenced block between the markers, as a reader would type them."""
    section = readme_section()
    block = section[section.index(BEGIN) + len(BEGIN) : section.index(END)]
    fenced = re.fullmatch(r"\s*```(?:console|sh)\n(.*?)```\s*", block, flags=re.DOTALL)
    assert fenced, "the walkthrough block is one fenced console block"
    return [line.removeprefix("$ ").strip() for line in fenced.group(1).splitlines() if line]


def _local(argument: str, folder: Path) -> str:
    # The README writes to /tmp; the test writes to its own folder.
    if argument.startswith("/tmp/"):
        return str(folder / argument.removeprefix("/tmp/"))
    return argument


@pytest.fixture
def walked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> list[tuple[str, Run]]:
    """Every command of the walkthrough, run in order in the clone's root: (command, result)."""
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("ACQUITTANCE_DB", raising=False)
    results: list[tuple[str, Run]] = []
    for line in walkthrough_lines():
        words = [_local(word, tmp_path) for word in shlex.split(line, comments=True)]
        if words[0] == "export":
            name, _, value = words[1].partition("=")
            assert name == "ACQUITTANCE_DB", line
            monkeypatch.setenv(name, _local(value, tmp_path))
            continue
        if words[:2] == ["rm", "-f"]:
            for path in words[2:]:
                assert path.startswith(str(tmp_path)), f"removes a file outside /tmp: {line}"
                Path(path).unlink(missing_ok=True)
            continue
        assert words[0] == "acquittance", f"not a command of the product: {line}"
        result = run(capsys, *words[1:])
        assert result.code == 0, (line, result.err, result.out)
        results.append((" ".join(words[1:]), result))
    return results


def _output_of(walked: list[tuple[str, Run]], start: str) -> str:
    found = [result.out for command, result in walked if command.startswith(start)]
    assert found, f"no command of the walkthrough starts with {start!r}"
    return "\n".join(found)


def test_every_command_runs_and_shows_the_figures_the_readme_states(
    walked: list[tuple[str, Run]], tmp_path: Path
) -> None:
    prose = readme_section().split(END, 1)[1]
    for figure, command in FIGURES:
        assert figure in prose, f"the README no longer states {figure}"
        assert figure in _output_of(walked, command), (figure, command)
    letter = (tmp_path / "acquittance-payoff-letter.md").read_text(encoding="utf-8")
    for figure in LETTER_FIGURES:
        assert figure.lstrip("$") in prose and figure in letter, figure


def test_the_books_balance_and_verify_passes_at_the_end(
    walked: list[tuple[str, Run]], capsys: pytest.CaptureFixture[str]
) -> None:
    cedar = {row["account"]: Decimal(row["balance"]) for row in _accounts(capsys, "cedar")}
    marlow = {row["account"]: Decimal(row["balance"]) for row in _accounts(capsys, "marlow")}
    for balances in (cedar, marlow):
        assert sum(balances.values()) == 0
    assert cedar == {
        "Assets:Cash": Decimal("494100.78"),
        "Equity:OpeningBalances": Decimal("-480000.00"),
        "Income:Interest": Decimal("-13600.78"),
        "Income:LateCharges": Decimal("-500.00"),
    }
    assert marlow["Expenses:Interest"] == Decimal("13600.78")
    assert marlow["Expenses:LateCharges"] == Decimal("500.00")
    assert not [a for a in marlow if a.startswith(("Liabilities:", "Assets:InterestReceivable:C"))]
    assert ok(capsys, "verify")["ok"] is True


def test_the_mistake_is_reversed_and_the_letter_s_figure_pays_the_loan_off(
    walked: list[tuple[str, Run]], capsys: pytest.CaptureFixture[str]
) -> None:
    events = {e["event"]: e for e in ok(capsys, "events", "cedar-marlow-loan")["events"]}
    assert events["cedar-marlow-loan#6"]["status"] == "reversed"
    assert events["cedar-marlow-loan#8"]["kind"] == "reversal"
    paid = [e for e in events.values() if e["kind"] == "payment" and e["date"] == "2024-05-10"]
    assert [e["amount"] for e in paid] == ["463600.78"]
    shown = ok(capsys, "show", "cedar-marlow-loan")
    assert (shown["status"], shown["discharged_on"]) == ("discharged", "2024-05-10")


def _accounts(capsys: pytest.CaptureFixture[str], party: str) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = ok(capsys, "books", party)["accounts"]
    return rows

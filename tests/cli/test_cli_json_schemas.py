"""Every `--json` shape is documented by a JSON Schema in docs/json, and the output obeys it.

The schemas forbid properties they do not name, so a field added to a
document without its schema, or dropped from one, fails here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import REFERENCE_DEAL, REFERENCE_LOAN, ok, run
from jsonschema import Draft202012Validator, FormatChecker

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "json"
HARBOR_DEAL = REFERENCE_DEAL.with_name("harbor-mortgage-surplus.toml")


def _check(name: str, document: Any) -> None:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    problems = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not problems, "\n".join(f"{list(p.absolute_path)}: {p.message}" for p in problems)


@pytest.fixture
def store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    db = tmp_path / "store.db"
    ok(capsys, "init", "--db", db)
    ok(capsys, "load", REFERENCE_DEAL, "--db", db)
    ok(capsys, "load", HARBOR_DEAL, "--db", db)
    return db


def test_quote_and_saved_quotes(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _check("quote", ok(capsys, "quote", REFERENCE_LOAN, "--as-of", "2002-03-31", "--db", store))
    harbor = ("harbor-quill-loan", "--as-of", "2024-06-30")
    saved = ok(capsys, "quote", *harbor, "--save", "--db", store)
    _check("quote", saved)
    assert saved["quote_id"].startswith("q-")
    _check("quotes", ok(capsys, "quotes", "--db", store))


def test_settle_journal_obligations_and_verify(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for loan, as_of in ((REFERENCE_LOAN, "2002-03-31"), ("harbor-quill-loan", "2024-06-30")):
        _check("settle", ok(capsys, "settle", loan, "--as-of", as_of, "--key", loan, "--db", store))
    for party in ("berg", "valence", "harbor", "quill"):
        _check("journal", ok(capsys, "journal", party, "--db", store))
    _check("obligations", ok(capsys, "obligations", "--db", store))
    _check("verify", ok(capsys, "verify", "--db", store))
    anchored = ok(capsys, "verify", "--anchor", "--db", store)
    _check("verify", anchored)
    _check("verify", ok(capsys, "verify", "--against", anchored["anchor"], "--db", store))


def test_batch_lines(store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    batch = tmp_path / "batch.csv"
    batch.write_text(
        "loan,as_of,key\n"
        f"{REFERENCE_LOAN},2002-03-31,b-1\n"
        "no-such-loan,2002-03-31,b-2\n"
        f"{REFERENCE_LOAN},not-a-date,b-3\n"
    )
    result = run(capsys, "settle", "--batch", batch, "--db", store)
    assert result.code == 0, result.err
    lines = [json.loads(line) for line in result.out.splitlines()]
    assert [line["status"] for line in lines] == ["closed", "error", "error"]
    for line in lines:
        _check("settle-batch-line", line)


def test_errors(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    refused = run(capsys, "quote", "no-such-loan", "--as-of", "2002-03-31", "--db", store, "--json")
    assert refused.code == 2
    _check("error", refused.json())


def test_a_document_with_an_unnamed_field_is_refused_by_its_schema() -> None:
    with pytest.raises(AssertionError):
        _check("error", {"error": {"code": "X_Y", "message": "m"}, "extra": 1})


def test_a_loan_shows_its_status_and_a_pledge_its_release(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = ok(capsys, "show", REFERENCE_LOAN, "--db", store)
    assert (before["status"], before["discharged_on"]) == ("open", None)
    ok(capsys, "settle", REFERENCE_LOAN, "--as-of", "2002-03-31", "--key", "s", "--db", store)
    after = ok(capsys, "show", REFERENCE_LOAN, "--db", store)
    assert (after["status"], after["discharged_on"]) == ("discharged", "2002-03-31")
    pledge = ok(capsys, "show", "berg-valence-pledge", "--db", store)
    assert pledge["released_on"] == "2002-03-31"


def test_records_listed_and_shown(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _check("init", ok(capsys, "init", "--db", store))
    listed = ok(capsys, "list", "--db", store)
    _check("list", listed)
    ids = [
        *(record["id"] for kind in ("parties", "loans", "notes") for record in listed[kind]),
        *(record["id"] for record in listed["security_interests"]),
    ]
    for record_id in ids:
        _check("show", ok(capsys, "show", record_id, "--db", store))
    closed = ok(capsys, "settle", REFERENCE_LOAN, "--as-of", "2002-03-31", "--db", store)
    saved = ok(
        capsys, "quote", "harbor-quill-loan", "--as-of", "2024-06-30", "--save", "--db", store
    )
    for record_id in (closed["settlement"], saved["quote_id"], REFERENCE_LOAN):
        _check("show", ok(capsys, "show", record_id, "--db", store))
    _check("list", ok(capsys, "list", "--db", store))


def test_load_position_schedule_record_and_books(
    tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fresh = tmp_path / "fresh.db"
    ok(capsys, "init", "--db", fresh)
    _check("load", ok(capsys, "load", REFERENCE_DEAL, "--db", fresh))
    for instrument in (REFERENCE_LOAN, "valence-note-1"):
        _check(
            "position", ok(capsys, "position", instrument, "--as-of", "2002-04-30", "--db", store)
        )
    _check("schedule", ok(capsys, "schedule", "quill-mortgage-1", "--db", store))
    written = tmp_path / "schedule.csv"
    _check(
        "schedule-file",
        ok(capsys, "schedule", "quill-mortgage-1", "--output", written, "--db", store),
    )
    recorded = ok(
        capsys, "record", "harbor-quill-loan", "--kind", "payment", "--date", "2024-05-01",
        "--amount", "1000.00", "--db", store,
    )  # fmt: skip
    _check("record", recorded)
    rate = ("--kind", "rate_change", "--date", "2024-05-02", "--rate", "9%")
    _check("record", ok(capsys, "record", "harbor-quill-loan", *rate, "--db", store))
    for party in ("harbor", "quill"):
        _check("books", ok(capsys, "books", party, "--db", store))
        _check("books", ok(capsys, "books", party, "--as-of", "2024-04-30", "--db", store))
    history = ok(capsys, "books", "harbor", "--account", "Assets:Cash", "--db", store)
    _check("books-account", history)
    assert history["postings"], "the payment reached the lender's cash"


def test_obligation_completed(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ok(capsys, "settle", REFERENCE_LOAN, "--as-of", "2002-03-31", "--db", store)
    (first, *_) = ok(capsys, "obligations", "--db", store)["obligations"]
    done = ok(capsys, "obligations", "complete", first["id"], "--on", "2002-04-02", "--db", store)
    _check("obligation", done)
    assert done["status"] == "done"


def test_demo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = ok(capsys, "demo", REFERENCE_DEAL, "--db", tmp_path / "demo.db")
    _check("demo", document)
    (settled,) = document["settlements"]
    assert settled["cash"]["amount"] == "155388.68"
    assert document["verification"]["ok"] is True


def test_export(store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ok(capsys, "settle", REFERENCE_LOAN, "--as-of", "2002-03-31", "--db", store)
    printed = ok(capsys, "export", "beancount", "berg", "--db", store)
    _check("export-beancount", printed)
    assert printed["text"].startswith(("option", ";", "1"))
    target = tmp_path / "berg.beancount"
    written = ok(capsys, "export", "beancount", "berg", "--output", target, "--db", store)
    _check("export-beancount", written)
    assert written["text"] is None and target.read_text(encoding="utf-8") == printed["text"]
    assert written["bytes"] == target.stat().st_size


def test_written_documents(store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    harbor = ("harbor-quill-loan", "--as-of", "2024-06-30")
    _check("draft", ok(capsys, "draft", *harbor, "--output", tmp_path / "a.md", "--db", store))
    reference = (REFERENCE_DEAL, "--as-of", "2002-03-31")
    deal = ok(capsys, "draft", *reference, "--output", tmp_path / "b.md", "--db", store)
    _check("draft", deal)
    letter = ok(capsys, "letter", "payoff", *harbor, "--output", tmp_path / "p.md", "--db", store)
    _check("letter-payoff", letter)
    period = ("--from", "2024-01-01", "--to", "2024-06-30", "--output", tmp_path / "s.md")
    _check("statement", ok(capsys, "statement", "harbor-quill-loan", *period, "--db", store))
    amendment = ("--amendment", "--note", "quill-mortgage-1", "--output", tmp_path / "u.md")
    _check("ucc3", ok(capsys, "ucc3", "harbor-quill-pledge", *amendment, "--db", store))
    _check("new-deal", ok(capsys, "new", "deal", tmp_path / "starter.toml"))


def test_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    agreement = tmp_path / "agreement.md"
    ok(capsys, "draft", REFERENCE_DEAL, "--as-of", "2002-03-31", "--output", agreement)
    _check("read", ok(capsys, "read", agreement))
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"not a pdf")
    batch = run(capsys, "read", agreement, broken)
    assert batch.code == 0, batch.err
    lines = [json.loads(line) for line in batch.out.splitlines()]
    assert sorted("error" in line for line in lines) == [False, True]
    for line in lines:
        _check("read-batch-line", line)


def test_read_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    agreement = tmp_path / "agreement.md"
    ok(capsys, "draft", REFERENCE_DEAL, "--as-of", "2002-03-31", "--output", agreement)
    deal_out = tmp_path / "read.toml"
    written = ok(capsys, "read", agreement, "--deal-out", deal_out)
    _check("read-import", written)
    assert written == {"deal_file": str(deal_out), "loaded": False}
    db = tmp_path / "imported.db"
    ok(capsys, "init", "--db", db)
    imported = ok(capsys, "read", agreement, "--import", "--db", db)
    _check("read-import", imported)
    assert imported["loaded"] is True and imported["loans"]


#: The schema of each command's `--json` document (`read` has two more: `read-batch-line`
#: for each file of a batch, `read-import` with --import or --deal-out).
SCHEMA_OF_COMMAND = {
    "init": "init",
    "load": "load",
    "list": "list",
    "show": "show",
    "position": "position",
    "quote": "quote",
    "quotes": "quotes",
    "settle": "settle",
    "journal": "journal",
    "books": "books",
    "verify": "verify",
    "demo": "demo",
    "schedule": "schedule",
    "record": "record",
    "read": "read",
    "draft": "draft",
    "letter payoff": "letter-payoff",
    "statement": "statement",
    "ucc3": "ucc3",
    "export beancount": "export-beancount",
    "obligations": "obligations",
    "obligations complete": "obligation",
    "new deal": "new-deal",
    "events": "events",
    "reverse": "reverse",
    "release": "release",
    "payoff": "payoff",
    "accrue": "accrue",
    "book export": "book-export",
    "book positions": "book-positions",
    "portfolio overview": "portfolio-overview",
    "user add": "user",
    "user password": "user",
    "user list": "users",
    "token create": "token-created",
    "token list": "tokens",
    "token revoke": "token",
}


def _leaf_commands() -> dict[str, Any]:
    from acquittance.cli import app as cli_app

    group = cli_app.LazyGroup(name="probe")
    cli_app.load_commands(group)
    leaves: dict[str, Any] = {}
    for name, command in group.commands.items():
        leaves[name] = command
        for sub_name, sub in getattr(command, "commands", {}).items():
            leaves[f"{name} {sub_name}"] = sub
    return leaves


#: Commands that print no document, and why.
WITHOUT_JSON = {
    "serve": "runs the HTTP server until stopped; its answers are the API's JSON",
}


def test_every_command_takes_json_and_has_a_schema() -> None:
    leaves = _leaf_commands()
    for name, command in leaves.items():
        if getattr(command, "commands", None) and name not in SCHEMA_OF_COMMAND:
            continue  # a group that only holds subcommands
        if name in WITHOUT_JSON:
            continue
        options = {opt for param in command.params for opt in getattr(param, "opts", ())}
        assert "--json" in options, f"{name} takes no --json"
        assert name in SCHEMA_OF_COMMAND, f"{name} has no documented JSON shape"
        assert (SCHEMAS / f"{SCHEMA_OF_COMMAND[name]}.schema.json").is_file(), name


def test_every_schema_refuses_fields_it_does_not_name() -> None:
    """Every object in every schema says `additionalProperties`: nothing slips in unnamed."""

    def objects(node: Any, where: str) -> list[str]:
        found: list[str] = []
        if isinstance(node, dict):
            if node.get("type") == "object" and "additionalProperties" not in node:
                found.append(where)
            for key, value in node.items():
                found += objects(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                found += objects(value, f"{where}/{index}")
        return found

    for path in sorted(SCHEMAS.glob("*.schema.json")):
        open_objects = objects(json.loads(path.read_text()), path.name)
        assert not open_objects, open_objects


def test_the_command_line_prints_documents_the_presenter_made() -> None:
    """JSON comes from present/ (or the reader's own `to_dict`): no command module puts a
    dict literal in `emit_json` or builds a `document` of its own."""
    import ast

    from acquittance.cli import app as cli_app

    folder = Path(cli_app.__file__).parent
    built_here: list[str] = []
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            literal = (ast.Dict, ast.DictComp)
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "emit_json"
                and any(isinstance(arg, literal) for arg in node.args)
            ):
                built_here.append(f"{path.name}:{node.lineno}")
            if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, literal):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(getattr(t, "id", None) == "document" for t in targets):
                    built_here.append(f"{path.name}:{node.lineno}")
    assert not built_here, built_here


def test_lifecycle_commands(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    harbor = "harbor-quill-loan"
    common = ("--db", store)
    recorded = ok(capsys, "record", harbor, "--kind", "payment", "--date", "2024-05-01",
                  "--amount", "30000.00", "--key", "k1", *common)  # fmt: skip
    _check("record", recorded)
    _check("record", ok(capsys, "record", harbor, "--kind", "payment", "--date", "2024-04-15",
                        "--amount", "100.00", *common))  # fmt: skip
    _check("events", ok(capsys, "events", harbor, *common))
    reversed_ = ok(capsys, "reverse", harbor, recorded["event"], "--on", "2024-05-02",
                   "--reason", "returned", *common)  # fmt: skip
    _check("reverse", reversed_)
    _check("events", ok(capsys, "events", harbor, *common))
    _check("release", ok(capsys, "release", harbor, "--note", "quill-mortgage-1",
                         "--on", "2024-05-15", *common))  # fmt: skip
    _check("obligations", ok(capsys, "obligations", *common))
    _check("payoff", ok(capsys, "payoff", harbor, "--on", "2024-06-30", "--key", "p", *common))
    _check("obligations", ok(capsys, "obligations", *common))
    _check("verify", ok(capsys, "verify", *common))
    note = "quill-mortgage-2"
    zero = ok(capsys, "position", note, "--as-of", "2024-06-30", *common)
    _check("record", ok(capsys, "record", note, "--kind", "payment", "--date", "2024-06-30",
                        "--amount", zero["total"], *common))  # fmt: skip
    owed = ok(capsys, "position", REFERENCE_LOAN, "--as-of", "2002-04-30", *common)
    paid = ok(capsys, "record", REFERENCE_LOAN, "--kind", "payment", "--date", "2002-04-30",
              "--amount", owed["total"], *common)  # fmt: skip
    _check("record", paid)
    assert paid["payoff"]["status"] == "discharged"


def test_accrue(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _check("accrue", ok(capsys, "accrue", "--through", "2024-05-31", "--db", store))
    _check("accrue", ok(capsys, "accrue", "--through", "2024-05-31", "--key", "k", "--db", store))


def test_a_journal_with_charges(store: Path, capsys: pytest.CaptureFixture[str]) -> None:
    loan = ("harbor-quill-loan", "--date", "2024-06-01")
    ok(capsys, "record", *loan, "--kind", "charge", "--amount", "50.00", "--db", store)
    journal = ok(capsys, "journal", "harbor", "--db", store)
    assert "charge" in {entry["kind"] for entry in journal["entries"]}
    _check("journal", journal)


def test_accounts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "accounts.db"
    ok(capsys, "init", "--db", db)
    ok(capsys, "load", REFERENCE_DEAL, "--db", db)
    _check("user", ok(capsys, "user", "add", "u-berg", "--party", "berg", "--admin", "--db", db))
    _check("users", ok(capsys, "user", "list", "--db", db))
    created = ok(capsys, "token", "create", "u-berg", "--db", db)
    _check("token-created", created)
    _check("tokens", ok(capsys, "token", "list", "--db", db))
    revoked = ok(capsys, "token", "revoke", created["id"], "--db", db)
    _check("token", revoked)
    assert revoked["status"] == "revoked"

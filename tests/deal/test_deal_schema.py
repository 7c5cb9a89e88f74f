"""The schema and the parser agree: what is documented is accepted, read and checked, and
nothing undocumented is accepted.

Driven by the schema itself over a deal file that uses every documented key
(fixtures/every-key.toml): a key added to the parser but not the schema is
refused as UNKNOWN_FIELD by the parser (its key sets come from the schema) and
fails the closedness test; a key added to the schema but not read by the
parser fails the test that a bad value for it is refused where it stands.
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from acquittance.core.errors import AcquittanceError
from acquittance.deals import schema
from acquittance.deals.locator import PathPart, render_path
from acquittance.deals.parse import Deal, parse_deal

EVERY_KEY = Path(__file__).parent / "fixtures" / "every-key.toml"
Path_ = tuple[PathPart, ...]


def every_key() -> dict[str, Any]:
    return tomllib.loads(EVERY_KEY.read_text(encoding="utf-8"), parse_float=Decimal)


class Place:
    """Where a documented key stands in the every-key deal."""

    def __init__(self, table: schema.Table, field: schema.Field, path: Path_, kind: str) -> None:
        self.table, self.field, self.path, self.kind = table, field, path, kind
        self.reported = path  # where the parser's error names it

    @property
    def id(self) -> str:
        kind = f"({self.kind})" if self.kind else ""
        return f"{self.table.name}{kind}.{self.field.key}"


def places(
    node: dict[str, Any], table: schema.Table, path: Path_ = (), inline_at: Path_ | None = None
) -> Iterator[Place]:
    """Every key in `node` with its schema field; an inline table's errors name its holder."""
    kind = str(node.get("kind", "")) if table is schema.EVENTS else ""
    for key, value in node.items():
        field = table[key]
        place = Place(table, field, (*path, key), kind)
        if inline_at is not None:
            place.reported = inline_at
        yield place
        if field.table:
            child = schema.TABLES_BY_NAME[field.table]
            holder = inline_at or ((*path, key) if child.inline else None)
            items = enumerate(value) if isinstance(value, list) else [(None, value)]
            for index, item in items:
                where = (*path, key) if index is None else (*path, key, index)
                yield from places(item, child, where, holder)


def first_places() -> list[Place]:
    """The first place of each (table, event kind, key)."""
    seen: dict[str, Place] = {}
    for place in places(every_key(), schema.DOCUMENT):
        seen.setdefault(place.id, place)
    return list(seen.values())


PLACES = first_places()


def at(document: dict[str, Any], path: Path_) -> Any:
    node: Any = document
    for part in path:
        node = node[part]
    return node


def changed(path: Path_, value: Any = ..., *, document: dict[str, Any] | None = None) -> str:
    """The every-key deal with the key at `path` set to `value`, or removed (`...`)."""
    edited = copy.deepcopy(every_key() if document is None else document)
    parent = at(edited, path[:-1])
    if value is ...:
        del parent[path[-1]]
    elif isinstance(parent, list) and path[-1] == len(parent):
        parent.append(value)
    else:
        parent[path[-1]] = value
    return tomli_w.dumps(edited)


def refusal(text: str) -> AcquittanceError:
    with pytest.raises(AcquittanceError) as caught:
        parse_deal(text, source="deal.toml")
    return caught.value


def names(error: AcquittanceError, path: Path_) -> bool:
    return f"field {render_path(path)}:" in error.message


def documented() -> set[str]:
    """The id of every documented key, events' keys once for each kind that takes them."""
    kinds = schema.EVENTS["kind"].allowed_values()
    found = set()
    for table, field in schema.walk():
        for kind in (field.kinds or kinds) if table is schema.EVENTS else ("",):
            found.add(Place(table, field, (), kind).id)
    return found


def test_the_fixture_parses_and_uses_every_documented_key() -> None:
    parse_deal(EVERY_KEY.read_text(encoding="utf-8"))
    used = {place.id for place in PLACES}
    assert documented() - used == set(), "add these keys to fixtures/every-key.toml"
    assert used - documented() == set()


def test_every_table_is_reachable_from_the_file() -> None:
    reached = {table.name for table, _ in schema.walk()}
    assert reached == {table.name for table in schema.ALL_TABLES}


#: A value of each type that the parser must refuse.
WRONG: dict[str, Any] = {
    schema.TEXT.name: 42,
    schema.SHORT_TEXT.name: 42,
    schema.DESCRIPTION.name: 42,
    schema.ID.name: "Not A Slug",
    schema.ID_LIST.name: [],
    schema.DATE.name: "31/03/2002",
    schema.AMOUNT.name: "-1.00",
    schema.RATE.name: "eight percent",
    schema.DAY_COUNT.name: "ACT/999",
    schema.CURRENCY.name: "usd",
    schema.CHOICE.name: "nonesuch",
    schema.COUNT.name: 0,
    schema.DAYS.name: -1,
    schema.TABLE.name: "not a table",
    schema.TABLES.name: "not tables",
    schema.INLINE_TABLES.name: "not tables",
}


def test_every_value_type_has_a_wrong_value() -> None:
    assert set(WRONG) == {value_type.name for value_type in schema.VALUE_TYPES}


@pytest.mark.parametrize("place", PLACES, ids=lambda p: p.id)
def test_every_documented_key_is_read_and_checked_where_it_stands(place: Place) -> None:
    error = refusal(changed(place.path, WRONG[place.field.type.name]))
    assert names(error, place.reported), error.message


@pytest.mark.parametrize(
    "place", [p for p in PLACES if p.table is not schema.DOCUMENT], ids=lambda p: p.id
)
def test_a_required_key_is_required_and_an_optional_one_is_not(place: Place) -> None:
    text = changed(place.path)
    if not place.field.required:
        parse_deal(text)
        return
    error = refusal(text)
    assert names(error, place.reported), error.message
    if not place.field.table:  # a missing history is refused by what it lacks
        assert error.code == "MISSING_FIELD"


def test_the_tables_of_the_file_are_required_as_documented() -> None:
    document = every_key()
    assert refusal(changed(("loans",))).code == "EMPTY_DEAL"
    assert refusal(changed(("parties",))).code == "UNKNOWN_PARTY"
    parse_deal(changed(("deal",)))
    without_pledges = tomllib.loads(changed(("security_interests",)), parse_float=Decimal)
    parse_deal(changed(("security_interests",)))
    parse_deal(changed(("notes",), document=without_pledges))
    assert [f.key for f in schema.DOCUMENT.fields if f.required] == ["parties", "loans"]
    assert set(document) == schema.DOCUMENT.accepted_keys()


@pytest.mark.parametrize(
    "place", [p for p in PLACES if p.field.default is not None], ids=lambda p: p.id
)
def test_a_literal_default_means_what_leaving_the_key_out_means(place: Place) -> None:
    written: Deal = parse_deal(changed(place.path, place.field.default))
    left_out: Deal = parse_deal(changed(place.path))
    assert written == left_out


def tables_in(
    node: dict[str, Any], table: schema.Table, path: Path_ = (), holder: Path_ | None = None
) -> Iterator[tuple[str, Path_, Path_ | None]]:
    """Each table in the deal: its label, its path, and the key holding it if it is inline."""
    yield (f"events({node['kind']})" if table is schema.EVENTS else table.name), path, holder
    for key, value in node.items():
        field = table[key]
        if not field.table:
            continue
        child = schema.TABLES_BY_NAME[field.table]
        inner = holder or ((*path, key) if child.inline else None)
        items = enumerate(value) if isinstance(value, list) else [(None, value)]
        for index, item in items:
            where = (*path, key) if index is None else (*path, key, index)
            yield from tables_in(item, child, where, inner)


def one_of_each_table() -> list[tuple[str, Path_, Path_ | None]]:
    first: dict[str, tuple[str, Path_, Path_ | None]] = {}
    for found in tables_in(every_key(), schema.DOCUMENT):
        first.setdefault(found[0], found)
    return list(first.values())


@pytest.mark.parametrize(("label", "path", "holder"), one_of_each_table(), ids=lambda x: str(x))
def test_an_undocumented_key_is_refused_in_every_table(
    label: str, path: Path_, holder: Path_ | None
) -> None:
    error = refusal(changed((*path, "undocumented"), "x"))
    assert error.code == "UNKNOWN_FIELD"
    assert names(error, holder or (*path, "undocumented")), error.message


def test_every_table_and_event_kind_is_in_the_fixture() -> None:
    labels = {label for label, _, _ in one_of_each_table()}
    kinds = {f"events({kind})" for kind in schema.EVENTS["kind"].allowed_values()}
    assert labels == {t.name for t in schema.ALL_TABLES} - {"events"} | kinds


@pytest.mark.parametrize("kind", schema.EVENTS["kind"].allowed_values())
def test_an_event_refuses_the_keys_of_other_kinds(kind: str) -> None:
    document = every_key()
    index = next(i for i, e in enumerate(document["loans"][0]["events"]) if e["kind"] == kind)
    path: Path_ = ("loans", 0, "events", index)
    for key in schema.EVENTS.accepted_keys() - schema.EVENTS.accepted_keys(kind):
        error = refusal(changed((*path, key), Decimal("1.00")))
        assert error.code == "UNKNOWN_FIELD"
        assert names(error, (*path, key)), error.message


CHOICES = [
    (place, value)
    for place in PLACES
    if place.field.allowed and place.field is not schema.EVENTS["kind"]
    for value in place.field.allowed_values()
]


@pytest.mark.parametrize(
    ("place", "value"), CHOICES, ids=lambda x: x.id if isinstance(x, Place) else str(x)
)
def test_every_allowed_value_is_accepted(place: Place, value: str) -> None:
    parse_deal(changed(place.path, value))


def test_day_count_aliases_are_accepted_as_their_convention() -> None:
    from acquittance.core.daycount import ALIASES

    for alias, canonical in ALIASES.items():
        deal = parse_deal(changed(("loans", 0, "day_count"), alias.lower()))
        assert deal.loans[0].terms.day_count == canonical


def cross_table_edits() -> dict[str, Any]:
    """For each documented check, an edit of the every-key deal that breaks its rule."""
    events: Path_ = ("loans", 0, "events")
    payment_only = [{"kind": "payment", "date": "2024-03-31", "amount": "1.00"}]
    second_pledge = {
        "id": "second-pledge",
        "loan": "the-loan",
        "secured_party": "lender",
        "debtor": "borrower",
        "notes": ["the-note"],
    }
    pledges = [*every_key()["security_interests"], second_pledge]
    without_pledges = tomllib.loads(changed(("security_interests",)), parse_float=Decimal)
    return {
        "EMPTY_DEAL": changed(("loans",), document=without_pledges),
        "DUPLICATE_ID": changed(("parties", 1, "id"), "lender"),
        "UNKNOWN_PARTY": changed(("loans", 0, "lender"), "nobody"),
        "SAME_PARTY": changed(("loans", 0, "borrower"), "lender"),
        "NO_OPENING_BALANCE": changed(events, payment_only),
        "DUPLICATE_OPENING_BALANCE": changed(
            (*events, 4), {"kind": "opening", "date": "2024-05-01", "principal": "1.00"}
        ),
        "EVENTS_OUT_OF_ORDER": changed((*events, 3, "date"), "2024-03-01"),
        "EVENT_BEFORE_OPENING": changed((*events, 1, "date"), "2023-12-01"),
        "UNKNOWN_LOAN": changed(("security_interests", 0, "loan"), "no-loan"),
        "PLEDGE_PARTIES_MISMATCH": changed(("security_interests", 0, "debtor"), "lender"),
        "UNKNOWN_NOTE": changed(("security_interests", 0, "notes"), ["no-note"]),
        "NOTE_NOT_HELD_BY_DEBTOR": changed(("notes", 0, "holder"), "lender"),
        "NOTE_ALREADY_PLEDGED": changed(("security_interests",), pledges),
        "CURRENCY_MISMATCH": changed(("notes", 0, "currency"), "EUR"),
    }


def test_every_documented_check_has_an_edit_here() -> None:
    assert [check.code for check in schema.CHECKS] == list(cross_table_edits())


@pytest.mark.parametrize("code", [check.code for check in schema.CHECKS])
def test_every_documented_check_is_enforced_with_its_code(code: str) -> None:
    assert refusal(cross_table_edits()[code]).code == code


#: The parser's function that reads each table, and the tables whose keys it may read.
READERS = {
    "parse_deal": (schema.DOCUMENT, schema.DEAL),
    "_party": (schema.PARTIES,),
    "_loan": (schema.LOANS,),
    "_note": (schema.NOTES,),
    "_terms": (schema.LOANS, schema.NOTES),
    "_events": (schema.LOANS, schema.NOTES),
    "_event": (schema.EVENTS,),
    "_interest": (schema.SECURITY_INTERESTS,),
    "_statement": (schema.FINANCING_STATEMENTS,),
}


def keys_the_parser_reads() -> dict[str, set[str]]:
    """For each function of parse.py, the keys it reads by name (`reader.field`, `.tables`)."""
    import ast

    from acquittance.deals import parse

    tree = ast.parse(Path(parse.__file__).read_text(encoding="utf-8"))
    read: dict[str, set[str]] = {}
    for function in tree.body:
        if not isinstance(function, ast.FunctionDef):
            continue
        for node in ast.walk(function):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("field", "tables")
                and len(node.args) >= 3
                and isinstance(node.args[2], ast.Constant)
            ):
                read.setdefault(function.name, set()).add(node.args[2].value)
    return read


def test_every_key_the_parser_reads_is_documented_in_its_table() -> None:
    read = keys_the_parser_reads()
    assert set(read) == set(READERS), "map each reading function to its tables"
    for function, keys in read.items():
        documented_here = set().union(*(t.accepted_keys() for t in READERS[function]))
        assert keys - documented_here == set(), function


def test_the_parser_accepts_exactly_the_documented_keys_of_each_table() -> None:
    from acquittance.deals import parse

    assert schema.PARTIES.accepted_keys() == parse._PARTY_FIELDS
    assert schema.LOANS.accepted_keys() == parse._LOAN_FIELDS
    assert schema.NOTES.accepted_keys() == parse._NOTE_FIELDS
    assert schema.SECURITY_INTERESTS.accepted_keys() == parse._INTEREST_FIELDS
    assert schema.FINANCING_STATEMENTS.accepted_keys() == parse._STATEMENT_FIELDS
    assert schema.event_keys() == parse._EVENT_FIELDS

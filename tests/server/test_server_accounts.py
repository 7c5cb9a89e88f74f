"""Accounts: users of parties, tokens shown once and kept hashed, sessions, CSRF; the admin
commands; and a server that refuses a store it cannot use, saying what to run."""

from __future__ import annotations

import io
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient
from server_helpers import REFERENCE_DEAL, Served, prepared_store

from acquittance.cli import main
from acquittance.core.errors import InputError, NotFoundError, StateError
from acquittance.server import identity
from acquittance.server.app import create_app
from acquittance.server.problems import ApiError
from acquittance.service import accounts, store_at, verify
from acquittance.service.accounts import User

PageUser = Annotated[User, Depends(identity.require_page_user)]


def _run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        main([str(a) for a in args])
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 0
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_user_of_an_unknown_party_is_refused(sqlite_url: str) -> None:
    store = prepared_store(sqlite_url)
    with pytest.raises(NotFoundError) as caught:
        accounts.add_user(store, "someone", party_id="nobody")
    assert caught.value.code == "UNKNOWN_PARTY"
    assert accounts.list_users(store) == []


@pytest.mark.parametrize("name", ["", "has space", "-dash-first", "x" * 101, "<script>"])
def test_a_user_name_must_be_plain(sqlite_url: str, name: str) -> None:
    store = prepared_store(sqlite_url)
    with pytest.raises(InputError) as caught:
        accounts.add_user(store, name, party_id="berg")
    assert caught.value.code == "INVALID_USER_NAME"


def test_a_name_is_one_user(sqlite_url: str) -> None:
    store = prepared_store(sqlite_url)
    accounts.add_user(store, "carl", party_id="berg")
    with pytest.raises(StateError) as caught:
        accounts.add_user(store, "carl", party_id="valence")
    assert caught.value.code == "USER_EXISTS"


def test_a_token_is_kept_only_as_its_hash_and_stops_working_when_revoked(sqlite_url: str) -> None:
    store = prepared_store(sqlite_url)
    accounts.add_user(store, "carl", party_id="berg")
    token, record = accounts.create_token(store, "carl")
    assert token.startswith("acq_") and len(token) > 40
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    with sqlite3.connect(path) as connection:
        stored = connection.execute("SELECT token_hash FROM api_tokens").fetchall()
        everything = "\n".join(connection.iterdump())
    assert stored == [(accounts.token_hash(token),)]
    assert token not in everything
    user = accounts.user_for_token(store, token)
    assert user is not None and (user.name, user.party_id) == ("carl", "berg")
    accounts.revoke_token(store, record.id)
    assert accounts.user_for_token(store, token) is None
    assert accounts.list_tokens(store)[0].revoked_at is not None
    assert accounts.user_for_token(store, "acq_" + "x" * 43) is None


def test_a_session_opens_with_the_password_only_and_closes(sqlite_url: str) -> None:
    store = prepared_store(sqlite_url)
    accounts.add_user(store, "kevin", party_id="valence", password="correct horse")
    with pytest.raises(StateError) as wrong:
        accounts.open_session(store, "kevin", "wrong horse")
    with pytest.raises(StateError) as unknown:
        accounts.open_session(store, "nobody", "correct horse")
    assert wrong.value.code == unknown.value.code == "BAD_CREDENTIALS"
    assert wrong.value.message == unknown.value.message
    token, user = accounts.open_session(store, "kevin", "correct horse")
    assert accounts.user_for_session(store, token) == user
    accounts.close_session(store, token)
    assert accounts.user_for_session(store, token) is None


def test_an_expired_session_signs_no_one_in(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = prepared_store(sqlite_url)
    accounts.add_user(store, "kevin", party_id="valence", password="correct horse")
    monkeypatch.setattr(accounts, "SESSION_LIFETIME", timedelta(seconds=-1))
    token, _ = accounts.open_session(store, "kevin", "correct horse")
    assert accounts.user_for_session(store, token) is None


def test_a_short_password_is_refused(sqlite_url: str) -> None:
    store = prepared_store(sqlite_url)
    with pytest.raises(InputError) as caught:
        accounts.add_user(store, "kevin", party_id="valence", password="short")
    assert caught.value.code == "WEAK_PASSWORD"


def test_csrf_tokens_are_bound_to_their_session(served: Served) -> None:
    token = identity.csrf_token_for("session-a")
    identity.check_csrf("session-a", token)
    for session, submitted in (("session-b", token), ("session-a", ""), (None, token)):
        with pytest.raises(ApiError) as caught:
            identity.check_csrf(session, submitted)
        assert caught.value.code == "CSRF_FAILED"


def test_the_server_secret_is_kept_once_when_none_is_given(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(accounts.SECRET_VARIABLE, raising=False)
    store = prepared_store(sqlite_url)
    first = accounts.server_secret(store)
    assert len(first) == 32 and accounts.server_secret(store) == first
    monkeypatch.setenv(accounts.SECRET_VARIABLE, "given secret")
    assert accounts.server_secret(store) == b"given secret"


def test_the_admin_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "store.db"
    assert _run(capsys, "init", "--db", db)[0] == 0
    assert _run(capsys, "load", REFERENCE_DEAL, "--db", db)[0] == 0
    code, _, err = _run(capsys, "user", "add", "u", "--party", "nobody", "--db", db)
    assert code == 2 and err.startswith("error UNKNOWN_PARTY: ")
    monkeypatch.setattr(sys, "stdin", io.StringIO("a long password\n"))
    code, out, _ = _run(
        capsys,
        "user",
        "add",
        "carl",
        "--party",
        "berg",
        "--admin",
        "--password-stdin",
        "--db",
        db,
        "--json",
    )
    assert code == 0
    assert '"admin": true' in out
    code, out, _ = _run(capsys, "token", "create", "carl", "--db", db, "--json")
    assert code == 0
    import json

    created = json.loads(out)
    assert created["token"].startswith("acq_")
    code, out, _ = _run(capsys, "token", "list", "--db", db, "--json")
    listed = json.loads(out)["tokens"]
    assert [t["id"] for t in listed] == [created["id"]]
    assert created["token"] not in out
    code, out, _ = _run(capsys, "token", "revoke", created["id"], "--db", db, "--json")
    assert code == 0 and json.loads(out)["status"] == "revoked"
    code, _, err = _run(capsys, "token", "revoke", "tok-nope", "--db", db)
    assert code == 2 and err.startswith("error UNKNOWN_TOKEN: ")
    _, session_user = accounts.open_session(store_at(str(db)), "carl", "a long password")
    assert session_user.is_admin


def _serve(db: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(Path(sys.executable).parent / "acquittance"), "serve", "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_serve_refuses_a_store_that_is_not_initialized(tmp_path: Path) -> None:
    answer = _serve(tmp_path / "missing.db")
    assert answer.returncode == 2
    assert answer.stderr.startswith("error STORE_NOT_INITIALIZED: ")
    assert "acquittance init" in answer.stderr


def test_serve_refuses_an_older_store_and_says_to_migrate(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    store_at(str(db)).close()
    from acquittance.service import initialize

    initialize(store_at(str(db)))
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0003'")
    answer = _serve(db)
    assert answer.returncode == 2
    assert answer.stderr.startswith("error STORE_NEEDS_MIGRATION: ")
    assert "acquittance init" in answer.stderr


def _close_reference(served: Served) -> str:
    quote = served.post(
        "berg-user", "/api/v1/loans/berg-valence-loan/quotes", {"as_of": "2002-03-31"}
    ).json()
    proposal = served.post("berg-user", "/api/v1/settlements", {"quote_id": quote["quote_id"]})
    path = f"/api/v1/settlements/{proposal.json()['id']}"
    served.post("berg-user", f"{path}/approvals")
    served.post("valence-user", f"{path}/approvals")
    served.post("berg-user", f"{path}/close")
    return str(proposal.json()["id"])


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (
            "UPDATE audit_records SET detail = replace(detail, 'berg', 'evil') "
            "WHERE action = 'approved'",
            "changed",
        ),
        ("DELETE FROM audit_records WHERE action = 'closed'", "cut or added"),
        ("UPDATE audit_records SET actor_party_id = 'harbor' WHERE action = 'proposed'", "changed"),
        ("DELETE FROM audit_records WHERE sequence = 2 AND chain LIKE 'prp-%'", "missing"),
    ],
)
def test_verify_catches_an_edited_audit_trail(served: Served, edit: str, reason: str) -> None:
    proposal_id = _close_reference(served)
    assert verify(served.store).ok
    path = Path(served.store.url.removeprefix("sqlite:///"))
    with sqlite3.connect(path) as connection:
        assert connection.execute(edit).rowcount >= 1
    check = verify(served.store)
    assert not check.ok
    assert check.first_bad is not None and check.first_bad.startswith(f"audit:{proposal_id}")
    assert reason in (check.reason or "")


def test_a_page_without_a_live_session_redirects_to_login(sqlite_url: str) -> None:
    store = prepared_store(sqlite_url)
    accounts.add_user(store, "kevin", party_id="valence", password="correct horse")
    app = create_app(store)

    @app.get("/private")
    def private(user: PageUser) -> dict[str, str]:
        return {"party": user.party_id}

    client = TestClient(app, follow_redirects=False)
    answer = client.get("/private?tab=books")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/private%3Ftab%3Dbooks"
    token, _ = accounts.open_session(store, "kevin", "correct horse")
    client.cookies.set(identity.SESSION_COOKIE, token)
    assert client.get("/private").json() == {"party": "valence"}
    accounts.close_session(store, token)
    assert client.get("/private").status_code == 303

"""The admin commands for the server's accounts: users of parties and their API tokens.

Whoever can open the store administers it: these commands run on the store
directly, as `init` and `load` do, and are how the first admin is made.
"""

from __future__ import annotations

import sys
from typing import Any

import typer

from acquittance.cli.app import JSON_OPTION, app, emit_json
from acquittance.cli.toplevel import DB_HELP
from acquittance.core.errors import InputError
from acquittance.present.accounts import (
    token_created_document,
    token_document,
    tokens_document,
    user_document,
    users_document,
)

DB_OPTION = typer.Option(None, "--db", help=DB_HELP, metavar="PATH|URL")

user_app = typer.Typer(
    help="Users of the server, each a member of one party.", no_args_is_help=True
)
app.add_typer(user_app, name="user")
token_app = typer.Typer(
    help="API tokens for the server: create (shown once), list, revoke.", no_args_is_help=True
)
app.add_typer(token_app, name="token")


def _store(db: str | None) -> Any:
    from acquittance.service import store_at

    return store_at(db)


def _password_from_stdin() -> str:
    """One line of standard input, without its line ending (so `echo pw |` works)."""
    line = sys.stdin.readline()
    password = line.removesuffix("\n").removesuffix("\r")
    if not password:
        raise InputError(
            "MISSING_PASSWORD", "--password-stdin read no password; give it on standard input"
        )
    return password


@user_app.command("add")
def user_add(
    name: str = typer.Argument(..., help="The name the user signs in with."),
    party: str = typer.Option(..., "--party", help="The party the user acts for.", metavar="PARTY"),
    admin: bool = typer.Option(False, "--admin", help="May manage users and run verify."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read a password for the web pages from standard input."
    ),
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Add a user of a party (refused for an unknown party)."""
    from acquittance.service import accounts

    password = _password_from_stdin() if password_stdin else None
    user = accounts.add_user(_store(db), name, party_id=party, is_admin=admin, password=password)
    if as_json:
        emit_json(user_document(user))
    else:
        role = "admin of" if user.is_admin else "user of"
        typer.echo(f"added {user.name} ({user.id}), {role} {user.party_id}")


@user_app.command("password")
def user_password(
    name: str = typer.Argument(..., help="The user's name."),
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Set a user's password for the web pages, read from standard input."""
    from acquittance.service import accounts

    user = accounts.set_password(_store(db), name, _password_from_stdin())
    if as_json:
        emit_json(user_document(user))
    else:
        typer.echo(f"password set for {user.name}")


@user_app.command("list")
def user_list(db: str | None = DB_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Every user, with their party."""
    from acquittance.service import accounts

    users = accounts.list_users(_store(db))
    if as_json:
        emit_json(users_document(users))
        return
    for user in users:
        role = "admin" if user.is_admin else "user"
        typer.echo(f"{user.name}\t{user.party_id}\t{role}")


@token_app.command("create")
def token_create(
    name: str = typer.Argument(..., help="The user the token signs in as."),
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Create an API token for a user; it is shown once and kept only as a hash."""
    from acquittance.service import accounts

    token, record = accounts.create_token(_store(db), name)
    if as_json:
        emit_json(token_created_document(token, record))
        return
    typer.echo(token)
    sys.stderr.write(
        f"token {record.id} for {record.user_name}: keep it now, it is not shown again\n"
    )


@token_app.command("list")
def token_list(
    user: str | None = typer.Option(
        None, "--user", help="Only this user's tokens.", metavar="USER"
    ),
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """API tokens (never their text): id, user, when made, whether revoked."""
    from acquittance.service import accounts

    records = accounts.list_tokens(_store(db), user_name=user)
    if as_json:
        emit_json(tokens_document(records))
        return
    for record in records:
        document = token_document(record)
        typer.echo(
            f"{document['id']}\t{document['user']}\t{document['created_at']}\t{document['status']}"
        )


@token_app.command("revoke")
def token_revoke(
    token_id: str = typer.Argument(..., help="The token's id (from `token list`)."),
    db: str | None = DB_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Revoke an API token: requests with it answer 401 from now on."""
    from acquittance.service import accounts

    record = accounts.revoke_token(_store(db), token_id)
    if as_json:
        emit_json(token_document(record))
    else:
        typer.echo(f"revoked {record.id} of {record.user_name}")

"""Accounts: users of parties, API tokens, passwords and web sessions.

A user belongs to one party and sees only what that party is on; an admin
also manages users and tokens and may run `verify` over the server. Tokens
and session cookies are random 32-byte values shown once and kept only as
their sha256 (a token has all the entropy a hash needs, so no slow hash is
called for); passwords are kept as scrypt hashes with a random salt. Every
change to an account is a step of the "accounts" audit chain.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from acquittance.core.errors import InputError, StateError, StorageError
from acquittance.service.audit import append_audit, now_text
from acquittance.service.store import Store
from acquittance.store.accounts import AccountRows, TokenRecord, UserRecord
from acquittance.store.repository import Repository

#: Names users sign in with: letters, digits and . _ @ - ; at most this many characters.
USER_NAME_LENGTH_MAX: Final = 100
_USER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")
PASSWORD_LENGTH_MIN: Final = 8
#: scrypt reads the whole password; a bound keeps a huge one from costing anything.
PASSWORD_LENGTH_MAX: Final = 1024
#: scrypt's cost (N = 2**14, r = 8: 16 MiB and about 50 ms per check).
SCRYPT_N: Final = 2**14
SCRYPT_R: Final = 8
SCRYPT_P: Final = 1
SCRYPT_LENGTH: Final = 32
TOKEN_BYTES: Final = 32
TOKEN_PREFIX: Final = "acq_"
#: A token longer than this is no token of ours; refused before it is hashed.
TOKEN_LENGTH_MAX: Final = 200
SESSION_LIFETIME: Final = timedelta(hours=12)
#: The environment variable holding the server's secret (CSRF key); else one is kept in the store.
SECRET_VARIABLE: Final = "ACQUITTANCE_SECRET"
_SECRET_NAME: Final = "csrf"
ACCOUNTS_CHAIN: Final = "accounts"


@dataclass(frozen=True)
class User:
    """A signed-in user: who, which party they act for, and whether they are an admin."""

    id: str
    name: str
    party_id: str
    is_admin: bool


def _user(record: UserRecord) -> User:
    return User(record.id, record.name, record.party_id, record.is_admin)


def _check_name(name: str) -> None:
    if not name or len(name) > USER_NAME_LENGTH_MAX or not _USER_NAME.match(name):
        raise InputError(
            "INVALID_USER_NAME",
            f"user name {name[:120]!r} must be 1 to {USER_NAME_LENGTH_MAX} letters, digits, "
            "dots, underscores, @ or hyphens, starting with a letter or digit",
        )


def _check_password(password: str) -> None:
    if len(password) < PASSWORD_LENGTH_MIN:
        raise InputError(
            "WEAK_PASSWORD",
            f"the password has {len(password)} characters; give at least {PASSWORD_LENGTH_MIN}",
        )
    if len(password) > PASSWORD_LENGTH_MAX:
        raise InputError(
            "PASSWORD_TOO_LONG",
            f"the password has {len(password)} characters; at most {PASSWORD_LENGTH_MAX}",
        )


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """scrypt of the password with a random salt, as "scrypt$N$r$p$salt$hash" (hex)."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=SCRYPT_LENGTH
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str | None) -> bool:
    """Whether `password` is the one `stored` was made from; the same work when there is none."""
    if stored is None or len(password) > PASSWORD_LENGTH_MAX:
        hash_password("x" * PASSWORD_LENGTH_MIN)  # as slow as a real check: no timing tells
        return False
    scheme, n, r, p, salt, expected = stored.split("$")
    assert scheme == "scrypt", f"unknown password scheme {scheme}"
    digest = hashlib.scrypt(
        password.encode("utf-8"),
        salt=bytes.fromhex(salt),
        n=int(n),
        r=int(r),
        p=int(p),
        dklen=len(expected) // 2,
    )
    return hmac.compare_digest(digest.hex(), expected)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# Users ------------------------------------------------------------------------------------


def add_user(
    store: Store,
    name: str,
    *,
    party_id: str,
    is_admin: bool = False,
    password: str | None = None,
) -> User:
    """A new user of `party_id` (refused for an unknown party or a name taken)."""
    _check_name(name)
    if password is not None:
        _check_password(password)
    record = UserRecord(
        id=f"usr-{uuid.uuid4().hex[:16]}",
        name=name,
        party_id=party_id,
        is_admin=is_admin,
        password_hash=hash_password(password) if password is not None else None,
        created_at=now_text(),
    )
    with store.write() as session:
        Repository(session).get_party(party_id)  # UNKNOWN_PARTY, naming the parties
        AccountRows(session).add_user(record)
        append_audit(
            session,
            ACCOUNTS_CHAIN,
            actor=None,
            action="user_added",
            detail={"user": record.id, "name": name, "party": party_id, "admin": is_admin},
        )
    return _user(record)


def set_password(store: Store, name: str, password: str) -> User:
    _check_password(password)
    hashed = hash_password(password)
    with store.write() as session:
        rows = AccountRows(session)
        record = rows.user_named(name)
        rows.set_password_hash(record.id, hashed)
        append_audit(
            session, ACCOUNTS_CHAIN, actor=None, action="password_set", detail={"user": record.id}
        )
    return _user(record)


def list_users(store: Store) -> list[User]:
    with store.read() as session:
        return [_user(record) for record in AccountRows(session).list_users()]


def user_named(store: Store, name: str) -> User:
    with store.read() as session:
        return _user(AccountRows(session).user_named(name))


# API tokens -------------------------------------------------------------------------------


def create_token(store: Store, name: str) -> tuple[str, TokenRecord]:
    """A new API token for the user: its text (shown once, never stored) and its record."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    token_id = f"tok-{uuid.uuid4().hex[:16]}"
    at = now_text()
    with store.write() as session:
        rows = AccountRows(session)
        user = rows.user_named(name)
        rows.add_token(token_id, user.id, token_hash(token), at)
        append_audit(
            session,
            ACCOUNTS_CHAIN,
            actor=None,
            action="token_created",
            detail={"token": token_id, "user": user.id},
        )
    return token, TokenRecord(token_id, user.id, user.name, at, None)


def revoke_token(store: Store, token_id: str) -> TokenRecord:
    """Revoke a token: from now on it answers 401. Revoking twice changes nothing more."""
    with store.write() as session:
        record = AccountRows(session).revoke_token(token_id, now_text())
        append_audit(
            session,
            ACCOUNTS_CHAIN,
            actor=None,
            action="token_revoked",
            detail={"token": token_id, "user": record.user_id},
        )
    return record


def list_tokens(store: Store, *, user_name: str | None = None) -> list[TokenRecord]:
    with store.read() as session:
        rows = AccountRows(session)
        user_id = rows.user_named(user_name).id if user_name is not None else None
        return rows.tokens(user_id=user_id)


def user_for_token(store: Store, token: str) -> User | None:
    """The user a live API token belongs to; None for anything else (unknown, revoked)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > TOKEN_LENGTH_MAX:
        return None
    with store.read() as session:
        record = AccountRows(session).user_for_token_hash(token_hash(token))
    return None if record is None else _user(record)


# Web sessions -----------------------------------------------------------------------------


def open_session(store: Store, name: str, password: str) -> tuple[str, User]:
    """Sign in: a new session token (for the cookie) and its user; BAD_CREDENTIALS otherwise.

    The refusal is the same whether the name or the password was wrong.
    """
    with store.read() as session:
        rows = AccountRows(session)
        try:
            record: UserRecord | None = rows.user_named(name)
        except StateError:
            record = None
    stored = record.password_hash if record is not None else None
    if not password_matches(password, stored) or record is None:
        raise StateError(
            "BAD_CREDENTIALS", "that user name and password do not match; check both and try again"
        )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = datetime.now(UTC)
    with store.write() as session:
        rows = AccountRows(session)
        rows.delete_expired_sessions(now_text(now))
        rows.add_web_session(
            token_hash(token),
            record.id,
            created_at=now_text(now),
            expires_at=now_text(now + SESSION_LIFETIME),
        )
    return token, _user(record)


def close_session(store: Store, token: str) -> None:
    """Sign out: the session token no longer signs anyone in."""
    if len(token) > TOKEN_LENGTH_MAX:
        return
    with store.write() as session:
        AccountRows(session).delete_web_session(token_hash(token))


def user_for_session(store: Store, token: str) -> User | None:
    """The user of a live (unexpired) web session; None otherwise."""
    if not token or len(token) > TOKEN_LENGTH_MAX:
        return None
    with store.read() as session:
        record = AccountRows(session).user_for_session_hash(token_hash(token), now_text())
    return None if record is None else _user(record)


# The server's secret ----------------------------------------------------------------------


def server_secret(store: Store) -> bytes:
    """The key CSRF tokens are made with: $ACQUITTANCE_SECRET, else one kept in the store.

    The stored one is generated on first use; two servers starting at once
    agree on whichever was stored first.
    """
    given = os.environ.get(SECRET_VARIABLE, "")
    if given:
        return given.encode("utf-8")
    with store.read() as session:
        kept = AccountRows(session).secret(_SECRET_NAME)
    if kept is None:
        try:
            with store.write() as session:
                AccountRows(session).add_secret(_SECRET_NAME, secrets.token_hex(32))
        except StorageError as error:  # another server stored one first: read it below
            if error.code != "STORE_CONFLICT":
                raise
        with store.read() as session:
            kept = AccountRows(session).secret(_SECRET_NAME)
    assert kept is not None
    return bytes.fromhex(kept)

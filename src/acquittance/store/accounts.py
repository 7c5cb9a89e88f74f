"""Rows of the server's accounts: users, API tokens, web sessions and server secrets.

Only hashes of tokens and session cookies are stored; the service layer
(`service.accounts`) makes and checks them. Nothing here decides who may do
what: it reads and writes rows, and says when a name is unknown or taken.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from acquittance.core.errors import NotFoundError, StateError
from acquittance.store.driver import Driver, Sql
from acquittance.store.models import ApiTokenRow, ServerSecretRow, UserRow, WebSessionRow

_USER_FOR_TOKEN: Final = Sql(
    "SELECT u.id, u.name, u.party_id, u.is_admin, u.password_hash, u.created_at"
    " FROM api_tokens t JOIN users u ON u.id = t.user_id"
    " WHERE t.token_hash = ? AND t.revoked_at IS NULL"
)


@dataclass(frozen=True)
class UserRecord:
    id: str
    name: str
    party_id: str
    is_admin: bool
    password_hash: str | None
    created_at: str


@dataclass(frozen=True)
class TokenRecord:
    id: str
    user_id: str
    user_name: str
    created_at: str
    revoked_at: str | None


def _user(row: UserRow) -> UserRecord:
    return UserRecord(
        row.id, row.name, row.party_id, row.is_admin, row.password_hash, row.created_at
    )


class AccountRows:
    """Users, tokens, sessions and secrets, in the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # Users ------------------------------------------------------------------------------

    def add_user(self, user: UserRecord) -> None:
        if self.session.scalar(select(UserRow.id).where(UserRow.name == user.name)) is not None:
            raise StateError(
                "USER_EXISTS",
                f"a user named {user.name!r} already exists; choose another name",
            )
        self.session.add(
            UserRow(
                id=user.id,
                name=user.name,
                party_id=user.party_id,
                is_admin=user.is_admin,
                password_hash=user.password_hash,
                created_at=user.created_at,
            )
        )
        self.session.flush()

    def user_named(self, name: str) -> UserRecord:
        row = self.session.scalar(select(UserRow).where(UserRow.name == name))
        if row is None:
            raise NotFoundError(
                "UNKNOWN_USER",
                f"no user is named {name!r}; `acquittance user list` shows them",
            )
        return _user(row)

    def user_by_id(self, user_id: str) -> UserRecord | None:
        row = self.session.get(UserRow, user_id)
        return None if row is None else _user(row)

    def list_users(self) -> list[UserRecord]:
        return [_user(row) for row in self.session.scalars(select(UserRow).order_by(UserRow.name))]

    def names_of(self, user_ids: Sequence[str]) -> dict[str, str]:
        if not user_ids:
            return {}
        rows = self.session.execute(
            select(UserRow.id, UserRow.name).where(UserRow.id.in_(list(user_ids)))
        )
        return {user_id: name for user_id, name in rows}

    def set_password_hash(self, user_id: str, password_hash: str | None) -> None:
        self.session.execute(
            update(UserRow).where(UserRow.id == user_id).values(password_hash=password_hash)
        )

    # Tokens -----------------------------------------------------------------------------

    def add_token(self, token_id: str, user_id: str, token_hash: str, created_at: str) -> None:
        self.session.add(
            ApiTokenRow(id=token_id, user_id=user_id, token_hash=token_hash, created_at=created_at)
        )
        self.session.flush()

    def user_for_token_hash(self, token_hash: str) -> UserRecord | None:
        """The user of a token that is not revoked; None for any other hash.

        Every API request asks this first: a prebuilt statement, not the ORM's.
        """
        found = Driver(self.session).rows(_USER_FOR_TOKEN, (token_hash,))
        if not found:
            return None
        user_id, name, party_id, is_admin, password_hash, created_at = found[0]
        return UserRecord(user_id, name, party_id, bool(is_admin), password_hash, created_at)

    def tokens(self, *, user_id: str | None = None) -> list[TokenRecord]:
        query = (
            select(ApiTokenRow, UserRow.name)
            .join(UserRow, UserRow.id == ApiTokenRow.user_id)
            .order_by(ApiTokenRow.created_at, ApiTokenRow.id)
        )
        if user_id is not None:
            query = query.where(ApiTokenRow.user_id == user_id)
        return [
            TokenRecord(row.id, row.user_id, name, row.created_at, row.revoked_at)
            for row, name in self.session.execute(query)
        ]

    def revoke_token(self, token_id: str, at: str) -> TokenRecord:
        row = self.session.get(ApiTokenRow, token_id)
        if row is None:
            raise NotFoundError(
                "UNKNOWN_TOKEN",
                f"no API token has id {token_id!r}; `acquittance token list` shows them",
            )
        if row.revoked_at is None:
            row.revoked_at = at
            self.session.flush()
        user = self.session.get(UserRow, row.user_id)
        assert user is not None, "a token belongs to a user"
        return TokenRecord(row.id, row.user_id, user.name, row.created_at, row.revoked_at)

    # Web sessions -----------------------------------------------------------------------

    def add_web_session(
        self, token_hash: str, user_id: str, *, created_at: str, expires_at: str
    ) -> None:
        self.session.add(
            WebSessionRow(
                token_hash=token_hash,
                user_id=user_id,
                created_at=created_at,
                expires_at=expires_at,
            )
        )
        self.session.flush()

    def user_for_session_hash(self, token_hash: str, now: str) -> UserRecord | None:
        row = self.session.scalar(
            select(UserRow)
            .join(WebSessionRow, WebSessionRow.user_id == UserRow.id)
            .where(WebSessionRow.token_hash == token_hash, WebSessionRow.expires_at > now)
        )
        return None if row is None else _user(row)

    def delete_web_session(self, token_hash: str) -> None:
        self.session.execute(delete(WebSessionRow).where(WebSessionRow.token_hash == token_hash))

    def delete_expired_sessions(self, now: str) -> None:
        self.session.execute(delete(WebSessionRow).where(WebSessionRow.expires_at <= now))

    # Secrets ----------------------------------------------------------------------------

    def secret(self, name: str) -> str | None:
        row = self.session.get(ServerSecretRow, name)
        return None if row is None else row.value

    def add_secret(self, name: str, value: str) -> None:
        self.session.add(ServerSecretRow(name=name, value=value))
        self.session.flush()

"""The server's accounts as documents: users of parties and their API tokens (never a hash)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def user_document(user: Any) -> dict[str, Any]:
    """`user add`, `user password`: one user and the party it acts for."""
    return {"id": user.id, "name": user.name, "party": user.party_id, "admin": user.is_admin}


def users_document(users: Iterable[Any]) -> dict[str, Any]:
    """`user list`: every user."""
    return {"users": [user_document(user) for user in users]}


def token_document(record: Any) -> dict[str, Any]:
    """`token revoke`: one token's record, without its text."""
    return {
        "id": record.id,
        "user": record.user_name,
        "created_at": record.created_at,
        "revoked_at": record.revoked_at,
        "status": "revoked" if record.revoked_at else "active",
    }


def token_created_document(token: str, record: Any) -> dict[str, Any]:
    """`token create`: the token's text, shown this once, and its record."""
    return {"token": token, **token_document(record)}


def tokens_document(records: Iterable[Any]) -> dict[str, Any]:
    """`token list`: every token's record (never its text)."""
    return {"tokens": [token_document(record) for record in records]}

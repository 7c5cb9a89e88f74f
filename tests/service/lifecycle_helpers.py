"""What the lifecycle tests share: the harbor example in a store, and "nothing changed" checks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from service_helpers import balances, new_store
from sqlalchemy import select

from acquittance import service
from acquittance.core.errors import AcquittanceError
from acquittance.deals.parse import read_deal_file
from acquittance.store.models import LifecycleActionRow, PositionSnapshotRow
from acquittance.store.repository import Repository

HARBOR_DEAL = Path(__file__).resolve().parents[2] / "examples" / "harbor-mortgage-surplus.toml"
HARBOR_LOAN = "harbor-quill-loan"
HARBOR_NOTES = ("quill-mortgage-1", "quill-mortgage-2")
PARTIES = ("harbor", "quill")
D = Decimal


def harbor_store(url: str) -> service.Store:
    store = new_store(url)
    service.load_deal(store, read_deal_file(HARBOR_DEAL))
    return store


def content(store: service.Store) -> dict[str, Any]:
    """Everything a lifecycle use case may write, read back on any backend."""
    with store.read() as session:
        repo = Repository(session)
        logs = {
            **{f"loan:{loan.id}": repo.event_log("loan", loan.id) for loan in repo.list_loans()},
            **{f"note:{note.id}": repo.event_log("note", note.id) for note in repo.list_notes()},
        }
        return {
            "entries": [(e.id, e.hash) for e in repo.entries()],
            "logs": logs,
            "obligations": repo.list_obligations(),
            "interests": repo.list_security_interests(),
            "holders": repo.holders_and_last_transfers(),
            "actions": list(session.scalars(select(LifecycleActionRow.id).order_by("id"))),
            "snapshots": session.execute(
                select(
                    PositionSnapshotRow.instrument_id,
                    PositionSnapshotRow.sequence,
                    PositionSnapshotRow.events_digest,
                ).order_by("instrument_kind", "instrument_id", "sequence")
            ).all(),
        }


def refused(
    store: service.Store, code: str, call: Callable[..., object], *args: object, **kwargs: object
) -> AcquittanceError:
    """`call` raises the coded error and the store's content is as it was."""
    before = content(store)
    with pytest.raises(AcquittanceError) as raised:
        call(*args, **kwargs)
    assert raised.value.code == code, raised.value
    assert content(store) == before
    return raised.value


def position_on(store: service.Store, instrument_id: str, on: date) -> tuple[Decimal, Decimal]:
    _, held = service.instrument_position(store, instrument_id, on)
    return held.principal, held.interest


def all_balances(store: service.Store) -> dict[str, dict[str, Decimal]]:
    """Each party's account balances, zero balances left out."""
    return {
        party: {account: amount for account, amount in balances(store, party).items() if amount}
        for party in PARTIES
    }


def verified(store: service.Store) -> None:
    check = service.verify(store)
    assert check.ok, check

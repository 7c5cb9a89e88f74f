"""Post-closing obligations: listing them and marking one done."""

from __future__ import annotations

from datetime import date

from acquittance.service.store import Store
from acquittance.store.records import ObligationRecord
from acquittance.store.repository import Repository


def obligations(store: Store, *, status: str | None = None) -> list[ObligationRecord]:
    with store.read() as session:
        return Repository(session).list_obligations(status=status)


def complete_obligation(store: Store, obligation_id: str, on: date) -> ObligationRecord:
    with store.write() as session:
        repo = Repository(session)
        record = repo.complete_obligation(obligation_id, on)
        statement_id = record.obligation.financing_statement_id
        if statement_id is not None:
            repo.terminate_financing_statement(statement_id, on)
        return record

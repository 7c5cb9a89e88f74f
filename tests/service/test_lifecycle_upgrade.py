"""A store made before the lifecycle revision (0004) upgrades, keeps its obligations, and takes
payoffs, releases and reversals."""

from __future__ import annotations

from datetime import date

from alembic import command
from lifecycle_helpers import HARBOR_DEAL, HARBOR_LOAN, HARBOR_NOTES, D, verified
from service_helpers import REFERENCE_DATE, REFERENCE_DEAL, REFERENCE_LOAN, new_store

from acquittance import service
from acquittance.core.instruments import Payment
from acquittance.deals.parse import read_deal_file
from acquittance.store import schema
from acquittance.store.engine import open_engine, write_engine


def _downgrade(url: str, revision: str) -> None:
    engine = open_engine(url)
    try:
        config = schema.alembic_config()
        with write_engine(engine).begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, revision)
    finally:
        engine.dispose()


def test_a_store_from_before_the_lifecycle_upgrades_and_takes_its_commands(store_url: str) -> None:
    store = new_store(store_url)
    service.load_deal(store, read_deal_file(REFERENCE_DEAL))
    service.load_deal(store, read_deal_file(HARBOR_DEAL))
    service.settle(store, service.QuoteRequest(REFERENCE_LOAN, REFERENCE_DATE), key="ref")
    service.record_event(store, HARBOR_LOAN, Payment(date(2024, 5, 1), D("100.00")))
    before = service.obligations(store)
    store.close()
    _downgrade(store_url, "0003")
    service.initialize(service.Store(store_url))
    store = service.Store(store_url)
    assert service.obligations(store) == before
    verified(store)
    service.reverse(store, HARBOR_LOAN, "4", on=date(2024, 5, 2), reason="returned")
    service.release(store, HARBOR_LOAN, [HARBOR_NOTES[0]], on=date(2024, 5, 15))
    service.payoff(store, HARBOR_LOAN, on=date(2024, 6, 30))
    kinds = sorted(o.obligation.kind.value for o in service.obligations(store))
    assert kinds == [
        "amendment_statement",
        "termination_statement",
        "termination_statement",
        "wire",
    ]
    verified(store)

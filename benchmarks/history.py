"""Cost against the length of a loan's history: quote, record one event, load a deal file.

One loan with N daily payments (the harbor example's shape) and K pledged
notes. A quote reads the snapshot on or before its date and nothing else of
the history, so it should cost the same at 100 and at 10,000 events;
recording one more event starts from the newest snapshot, so it should cost
the same at every length; loading walks each history once, so it should grow
linearly. Figures are medians of repeated runs on a fresh SQLite store.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

OPENED = date(2024, 1, 1)
FIRST_PAYMENT = date(2024, 1, 2)
QUOTE_ROUNDS = 200
RECORD_ROUNDS = 5

Row = tuple[str, str, str]


def deal_text(events_count: int, *, notes_count: int) -> str:
    """The deal: a lender, a borrower, one loan with `events_count` payments, pledged notes."""
    parts = [
        '[deal]\ntitle = "History benchmark"\ncurrency = "USD"\ngoverning_law = "New York"\n',
        '[[parties]]\nid = "lender"\nname = "Lender LLC"\n'
        'entity_type = "limited liability company"\njurisdiction = "Delaware"\n',
        '[[parties]]\nid = "borrower"\nname = "Borrower Inc."\nentity_type = "corporation"\n'
        'jurisdiction = "New York"\n',
        '[[loans]]\nid = "long-loan"\nlender = "lender"\nborrower = "borrower"\n'
        'annual_rate = "9%"\nday_count = "ACT/360"\n'
        f'[[loans.events]]\nkind = "opening"\ndate = {OPENED.isoformat()}\n'
        "principal = 1200000.00\ninterest = 18000.00\n",
    ]
    on = FIRST_PAYMENT
    for _ in range(events_count):
        parts.append(
            f'[[loans.events]]\nkind = "payment"\ndate = {on.isoformat()}\namount = 10.00\n'
        )
        on += timedelta(days=1)
    for i in range(notes_count):
        parts.append(
            f'[[notes]]\nid = "note-{i}"\nmaker = "Maker {i}"\nholder = "borrower"\n'
            f'annual_rate = "6.25%"\nday_count = "30/360-US"\n'
            f'[[notes.events]]\nkind = "opening"\ndate = {OPENED.isoformat()}\n'
            f"principal = {50000 + i}.00\ninterest = 250.00\n"
        )
    pledged = ", ".join(f'"note-{i}"' for i in range(notes_count))
    parts.append(
        '[[security_interests]]\nid = "pledge"\nloan = "long-loan"\nsecured_party = "lender"\n'
        f'debtor = "borrower"\nnotes = [{pledged}]\n'
    )
    return "\n".join(parts)


def last_payment(events_count: int) -> date:
    return FIRST_PAYMENT + timedelta(days=events_count - 1)


def _median(work: Callable[[], Any], rounds: int) -> float:
    """The median of `rounds` timed calls, after one untimed call (caches warm)."""
    work()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(events_count: int, *, notes_count: int) -> dict[str, float]:
    """Seconds to load the deal, to record one more payment, and to quote (medians)."""
    from acquittance import service
    from acquittance.core.instruments import Payment
    from acquittance.deals.parse import read_deal_file
    from acquittance.store.location import sqlite_url_for

    with tempfile.TemporaryDirectory() as folder:
        deal_file = Path(folder) / "deal.toml"
        deal_file.write_text(deal_text(events_count, notes_count=notes_count), encoding="utf-8")
        url = sqlite_url_for(Path(folder) / "bench.db")
        service.initialize(url)
        store = service.Store(url)
        try:
            started = time.perf_counter()
            service.load_deal(store, read_deal_file(deal_file))
            loaded = time.perf_counter() - started
            after = last_payment(events_count)
            request = service.QuoteRequest(loan_id="long-loan", as_of=after + timedelta(days=30))
            quoted = _median(lambda: service.quote(store, request), QUOTE_ROUNDS)
            days = iter(range(1, RECORD_ROUNDS + 2))

            def record() -> None:
                payment = Payment(after + timedelta(days=next(days)), Decimal("10.00"))
                service.record_event(store, "long-loan", payment)

            recorded = _median(record, RECORD_ROUNDS)
        finally:
            store.close()
    return {"load": loaded, "record": recorded, "quote": quoted}


def history_rows() -> list[Row]:
    """Quote at 100 and 10,000 events (20 notes); record and load at 100, 1,000 and 10,000."""
    lengths = (100, 1_000, 10_000)
    figures = {n: measure(n, notes_count=20) for n in lengths}
    short, long = figures[100], figures[10_000]
    rows: list[Row] = [
        (
            f"quote, loan with {n:,} events and 20 notes (service, store open)",
            f"{figures[n]['quote'] * 1000:,.2f} ms",
            "goal 2 ms; reads the snapshot on or before the date, no event row"
            + (f"; {long['quote'] / short['quote']:.2f}x the 100-event quote" if n > 100 else ""),
        )
        for n in (100, 10_000)
    ]
    rows += [
        (
            f"record one payment after {n:,} events",
            f"{figures[n]['record'] * 1000:,.1f} ms",
            "starts from the newest snapshot"
            + (f"; {figures[n]['record'] / short['record']:.2f}x at 100 events" if n > 100 else ""),
        )
        for n in lengths
    ]
    rows += [
        (
            f"load a deal file, loan with {n:,} events and 20 notes",
            f"{figures[n]['load']:,.2f} s",
            f"{figures[n]['load'] / n * 1000:,.2f} ms per event"
            + (f"; {figures[n]['load'] / short['load']:.1f}x at 100 events" if n > 100 else ""),
        )
        for n in lengths
    ]
    return rows

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


def _interleaved(works: dict[int, Callable[[], Any]], rounds: int) -> dict[int, float]:
    """The median time of each work, timed in turns so that the machine's load falls on all.

    One untimed call of each first (caches warm). The ratios between lengths are
    what the figures are for, and a shared machine's load drifts in seconds.
    """
    for work in works.values():
        work()
    times: dict[int, list[float]] = {key: [] for key in works}
    for _ in range(rounds):
        for key, work in works.items():
            started = time.perf_counter()
            work()
            times[key].append(time.perf_counter() - started)
    return {key: statistics.median(found) for key, found in times.items()}


def _recorder(store: Any, after: date) -> Callable[[], None]:
    from acquittance import service
    from acquittance.core.instruments import Payment

    days = iter(range(1, RECORD_ROUNDS + 2))

    def record() -> None:
        payment = Payment(after + timedelta(days=next(days)), Decimal("10.00"))
        service.record_event(store, "long-loan", payment)

    return record


def measure(lengths: tuple[int, ...], *, notes_count: int) -> dict[int, dict[str, float]]:
    """Per history length: seconds to load the deal, to record one more payment, to quote."""
    from acquittance import service
    from acquittance.deals.parse import read_deal_file
    from acquittance.store.location import sqlite_url_for

    figures: dict[int, dict[str, float]] = {n: {} for n in lengths}
    with tempfile.TemporaryDirectory() as folder:
        stores = {}
        try:
            for n in lengths:
                deal_file = Path(folder) / f"deal-{n}.toml"
                deal_file.write_text(deal_text(n, notes_count=notes_count), encoding="utf-8")
                url = sqlite_url_for(Path(folder) / f"bench-{n}.db")
                stores[n] = service.Store(url)
                service.initialize(stores[n])
                started = time.perf_counter()
                service.load_deal(stores[n], read_deal_file(deal_file))
                figures[n]["load"] = time.perf_counter() - started

            def quoter(n: int) -> Callable[[], Any]:
                as_of = last_payment(n) + timedelta(days=30)
                request = service.QuoteRequest(loan_id="long-loan", as_of=as_of)
                return lambda: service.quote(stores[n], request)

            quoted = _interleaved({n: quoter(n) for n in lengths}, QUOTE_ROUNDS)
            recorders = {n: _recorder(stores[n], last_payment(n)) for n in lengths}
            recorded = _interleaved(recorders, RECORD_ROUNDS)
        finally:
            for store in stores.values():
                store.close()
    for n in lengths:
        figures[n].update(quote=quoted[n], record=recorded[n])
    return figures


def history_rows() -> list[Row]:
    """Quote at 100 and 10,000 events (20 notes); record and load at 100, 1,000 and 10,000."""
    lengths = (100, 1_000, 10_000)
    figures = measure(lengths, notes_count=20)
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

"""The rendering sandbox, the chart's geometry, the static files and the headers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from acquittance.server.pages.chart import chart, nice_step
from acquittance.server.pages.rendering import ENVIRONMENT, money
from acquittance.service.views import CHART_POINTS_MAX, ChartPoint, chart_dates


def test_templates_render_in_an_immutable_sandbox_that_escapes_everything() -> None:
    assert isinstance(ENVIRONMENT, ImmutableSandboxedEnvironment)
    assert ENVIRONMENT.from_string("{{ name }}").render(name="<b>&") == "&lt;b&gt;&amp;"
    with pytest.raises(SecurityError):
        ENVIRONMENT.from_string("{{ ''.__class__.__mro__ }}").render()
    with pytest.raises(SecurityError):
        ENVIRONMENT.from_string("{{ items.append(1) }}").render(items=[])


def _reconciliation(charges: str) -> str:
    cash = {"amount": "0.00", "payer": None, "payee": None, "direction": "none"}
    owed = {"principal": "100.00", "interest": "5.00", "charges": charges, "total": "130.00"}
    owed |= {"per_diem": "0.01", "good_through": "2002-04-30"}
    collateral = {"principal": "0.00", "interest": "0.00", "value": "0.00", "notes": []}
    collateral |= {"carrying_amount": "0.00"}
    quote = {"loan": "l", "as_of": "2002-03-31", "currency": "USD", "owed": owed}
    quote |= {
        "collateral": collateral,
        "cash": cash,
        "remaining_debt": "130.00",
        "explanation": None,
    }
    template = ENVIRONMENT.from_string(
        '{% from "_quote.html" import reconciliation %}{{ reconciliation(q, {}) }}'
    )
    return template.render(q=quote)


def test_the_reconciliation_shows_unpaid_charges_only_when_there_are_some() -> None:
    assert 'data-testid="owed-charges">25.00<' in _reconciliation("25.00")
    assert "owed-charges" not in _reconciliation("0.00")


def test_money_groups_thousands_and_keeps_the_cents() -> None:
    assert money("17500000.00") == "17,500,000.00"
    assert money(Decimal("-155388.68")) == "-155,388.68"
    assert money(None) == ""


@pytest.mark.parametrize(
    ("maximum", "step"),
    [("9034250", "2500000"), ("18640370.41", "5000000"), ("1", "0.25"), ("0", "1"),
     ("400", "100"), ("401", "200")],
)  # fmt: skip
def test_the_amount_axis_steps_by_one_two_two_and_a_half_or_five(maximum: str, step: str) -> None:
    assert nice_step(Decimal(maximum)) == Decimal(step)
    assert nice_step(Decimal(maximum)) * 4 >= Decimal(maximum)


def test_chart_dates_span_the_history_with_a_bounded_count_and_every_event() -> None:
    opening, through = date(2020, 1, 1), date(2024, 12, 31)
    events = [opening, date(2021, 7, 15), date(2023, 2, 1)]
    dates = chart_dates(opening, through, events)
    assert dates[0] == opening and dates[-1] == through
    assert dates == sorted(set(dates))
    assert len(dates) <= CHART_POINTS_MAX + 2 * len(events)
    for event in events[1:]:
        assert event in dates and event - timedelta(days=1) in dates
    assert chart_dates(opening, opening, events) == [opening]
    assert chart_dates(opening, opening - timedelta(days=1), events) == []


def test_the_chart_places_each_series_inside_the_plot() -> None:
    points = [
        ChartPoint(date(2024, 1, 1), Decimal("100.00"), Decimal("0.00"), Decimal("150.00")),
        ChartPoint(date(2024, 7, 1), Decimal("100.00"), Decimal("5.00"), Decimal("140.00")),
    ]
    drawn = chart(points)
    assert [s.name for s in drawn.series] == [
        "Principal", "Accrued interest", "Principal and interest", "Collateral (notes pledged)",
    ]  # fmt: skip
    for series in drawn.series:
        for pair in series.points.split():
            x, y = (Decimal(v) for v in pair.split(","))
            assert drawn.plot_left <= x <= drawn.plot_right
            assert drawn.plot_top <= y <= drawn.plot_bottom
    assert [t.label for t in drawn.x_ticks] == ["2024-01-01", "2024-07-01"]
    assert [t.anchor for t in drawn.x_ticks] == ["start", "end"]
    assert drawn.y_ticks[-1].label == "200"
    assert chart(points[:1]).series[0].points.count(",") == 1


def test_only_the_pages_own_static_files_are_served(app: FastAPI) -> None:
    client = TestClient(app)
    style = client.get("/static/style.css")
    assert style.status_code == 200 and style.headers["content-type"].startswith("text/css")
    script = client.get("/static/app.js")
    assert script.headers["content-type"].startswith("text/javascript")
    for path in ("/static/../../pyproject.toml", "/static/%2e%2e%2fapp.py", "/static/x.css"):
        assert client.get(path).status_code == 404, path


def test_every_page_forbids_framing_and_foreign_scripts(
    sign_in: Callable[[str], TestClient],
) -> None:
    page = sign_in("berg-user").get("/register")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"

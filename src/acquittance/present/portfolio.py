"""The whole-book results as people and programs read them: JSON documents, the overview as
CSV and as an SVG chart (written by hand: no plotting library for a bar chart)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from html import escape
from typing import Any, Final

from acquittance.core.money import amount_text

#: The overview's columns, in CSV order.
OVERVIEW_FIELDS: Final = (
    "loan",
    "lender",
    "borrower",
    "currency",
    "status",
    "principal",
    "interest",
    "payoff",
    "collateral_principal",
    "collateral_interest",
    "collateral_value",
    "coverage",
    "loan_to_value",
    "shortfall",
    "surplus",
    "notes",
)
#: Loans drawn in one chart, at most; a larger book shows its largest shortfalls first.
CHART_LOANS_MAX: Final = 60


def _ratio(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def overview_row_document(row: Any) -> dict[str, Any]:
    return {
        "loan": row.loan_id,
        "lender": row.lender_id,
        "borrower": row.borrower_id,
        "currency": row.currency,
        "status": row.status,
        "principal": amount_text(row.principal),
        "interest": amount_text(row.interest),
        "payoff": amount_text(row.payoff),
        "collateral_principal": amount_text(row.collateral_principal),
        "collateral_interest": amount_text(row.collateral_interest),
        "collateral_value": amount_text(row.collateral_value),
        "coverage": _ratio(row.coverage),
        "loan_to_value": _ratio(row.loan_to_value),
        "shortfall": amount_text(row.shortfall),
        "surplus": amount_text(row.surplus),
        "notes": list(row.notes),
    }


def overview_document(overview: Any) -> dict[str, Any]:
    """`portfolio overview --json`: `as_of`, `loans` (one document each), `totals` by currency."""
    return {
        "as_of": overview.as_of.isoformat(),
        "loans": [overview_row_document(row) for row in overview.rows],
        "totals": {
            currency: {name: amount_text(value) for name, value in sums.items()}
            for currency, sums in overview.totals().items()
        },
        "instruments": overview.instruments,
        "core_rows": overview.core_rows,
    }


def overview_csv(overview: Any) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(OVERVIEW_FIELDS)
    for row in overview.rows:
        document = overview_row_document(row)
        document["notes"] = " ".join(document["notes"])
        writer.writerow(["" if document[f] is None else document[f] for f in OVERVIEW_FIELDS])
    return out.getvalue()


def _chart_rows(overview: Any) -> list[Any]:
    rows = [row for row in overview.rows if row.payoff > 0 or row.collateral_value > 0]
    rows.sort(key=lambda row: (-row.shortfall, -row.payoff, row.loan_id))
    return rows[:CHART_LOANS_MAX]


def overview_svg(overview: Any) -> str:
    """A bar chart: for each loan, its payoff and its collateral value, the shortfall marked."""
    rows = _chart_rows(overview)
    label_width, bar_width, row_height, top = 220, 560, 34, 56
    height = top + row_height * max(len(rows), 1) + 40
    width = label_width + bar_width + 200
    scale = max([max(r.payoff, r.collateral_value) for r in rows] or [Decimal(1)]) or Decimal(1)

    def length(value: Decimal) -> str:
        return f"{float(value / scale) * bar_width:.1f}"  # drawing only: no money is a float

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f"<title>Portfolio overview as of {overview.as_of.isoformat()}</title>",
        f'<text x="10" y="22" font-size="16">Payoff and collateral value as of '
        f"{overview.as_of.isoformat()}</text>",
        '<rect x="10" y="32" width="12" height="10" fill="#3b6ea5"/>'
        '<text x="26" y="41">payoff</text>'
        '<rect x="90" y="32" width="12" height="10" fill="#6aa84f"/>'
        '<text x="106" y="41">collateral value</text>'
        '<rect x="220" y="32" width="12" height="10" fill="#cc4125"/>'
        '<text x="236" y="41">shortfall</text>',
    ]
    if not rows:
        parts.append(f'<text x="10" y="{top + 20}">no open loan on this date</text>')
    for index, row in enumerate(rows):
        y = top + index * row_height
        coverage = "n/a" if row.coverage is None else f"{row.coverage * 100:.1f} %"
        parts.append(
            f'<text x="10" y="{y + 18}">{escape(row.loan_id)}</text>'
            f'<rect x="{label_width}" y="{y + 2}" width="{length(row.payoff)}" height="12" '
            f'fill="#3b6ea5"><title>payoff {amount_text(row.payoff)} {escape(row.currency)}'
            "</title></rect>"
            f'<rect x="{label_width}" y="{y + 16}" width="{length(row.collateral_value)}" '
            f'height="12" fill="#6aa84f"><title>collateral {amount_text(row.collateral_value)} '
            f"{escape(row.currency)}</title></rect>"
        )
        if row.shortfall > 0:
            parts.append(
                f'<rect x="{label_width + float(length(row.collateral_value)):.1f}" '
                f'y="{y + 16}" width="{length(row.shortfall)}" height="12" fill="#cc4125">'
                f"<title>shortfall {amount_text(row.shortfall)}</title></rect>"
            )
        parts.append(
            f'<text x="{label_width + bar_width + 10}" y="{y + 18}">coverage {coverage}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def positions_run_document(run: Any) -> dict[str, Any]:
    """`book positions --json`: counts, totals by currency, where the rows went."""
    return {
        "as_of": run.as_of.isoformat(),
        "rows": run.rows,
        "kernel_rows": run.kernel_rows,
        "core_rows": run.core_rows,
        "errors": run.errors,
        "principal": {k: amount_text(v) for k, v in run.principal.items()},
        "interest": {k: amount_text(v) for k, v in run.interest.items()},
        "output": str(run.output) if run.output is not None else None,
        "engine": run.engine,
    }


def book_export_document(export: Any) -> dict[str, Any]:
    return {
        "output": str(export.path),
        "loans": export.loans,
        "notes": export.notes,
        "files": export.files,
        "bytes": export.size_bytes,
    }

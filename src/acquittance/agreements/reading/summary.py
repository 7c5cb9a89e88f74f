"""The readable summary of `acquittance read FILE` (without --json), with Rich."""

from __future__ import annotations

from typing import Any

from acquittance.core.money import format_amount, to_decimal


def print_summary(document: dict[str, Any], *, path: str) -> None:
    """Title, date, parties, amounts with roles, reconciliation and discrepancies."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]{document['title'] or '(no title found)'}[/bold]  {path}")
    console.print(f"Effective date: {document['effective_date'] or 'not found'}")
    parties = Table("Party", "Short name", "Entity", "Jurisdiction", "Role", title="Parties")
    for p in document["parties"]:
        parties.add_row(
            p["name"],
            p["short_name"] or "",
            p["entity_type"] or "",
            p["jurisdiction"] or "",
            p["role"] or "",
        )
    console.print(parties)
    amounts = Table("Amount", "Currency", "Role", "Text", "Offsets", title="Amounts")
    for a in document["amounts"]:
        amounts.add_row(
            _shown(a["value"]),
            a["currency"],
            a["role"],
            a["text"],
            f"{a['start']}-{a['end']}",
        )
    console.print(amounts)
    for s in document["signatories"]:
        console.print(f"Signed: {s['name']}, {s['title'] or '(no title)'}, for {s['party'] or '?'}")
    console.print(_reconciliation_line(document["reconciliation"]))
    for d in document["discrepancies"]:
        console.print(
            f"[yellow]Discrepancy[/yellow] {d['kind']} at {d['start']}-{d['end']}: {d['message']}"
        )


def _shown(value: str) -> str:
    """An amount for people: grouped, with every decimal the text gave ("0.001")."""
    amount = to_decimal(value)
    if "." in value and len(value.split(".")[1]) > 2:
        return f"{amount:,}"
    return format_amount(amount)


def _reconciliation_line(reconciliation: dict[str, Any]) -> str:
    status = reconciliation["status"]
    if status == "not_applicable":
        return "Reconciliation: not applicable (no settlement arithmetic found)"
    colour = "green" if status == "balanced" else "red"
    difference = format_amount(to_decimal(reconciliation["difference"]))
    return (
        f"Reconciliation: [{colour}]{status}[/{colour}] (debt less what satisfies it: {difference})"
    )

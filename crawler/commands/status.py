"""`pivotwatch status`: per-source health, from what the crawler recorded."""

from __future__ import annotations

import json

import click

from crawler.app import App
from crawler.health import source_health


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option(
    "--check", is_flag=True, help="Exit 1 when something needs attention (for monitoring)."
)
@click.pass_obj
def status(app: App, as_json: bool, check: bool) -> None:
    """Show each source's last run, last success, last new article and last error.

    \b
    Example:
        pivotwatch status --check || echo "pivotwatch needs attention"
    """
    db = app.open_reader()
    rows = source_health(db, [s.name for s in app.sources])
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    else:
        _print_table(rows)
    if check and any(row["consecutive_failures"] for row in rows):
        raise SystemExit(1)


def _print_table(rows: list[dict]) -> None:
    columns = (
        "source",
        "last_run",
        "last_success",
        "last_new_article",
        "consecutive_failures",
        "last_error",
    )
    widths = {
        c: max(len(c), *(len(str(r[c] or "")) for r in rows)) if rows else len(c) for c in columns
    }
    widths["last_error"] = min(widths["last_error"], 60)
    click.echo("  ".join(c.ljust(widths[c]) for c in columns))
    for row in rows:
        cells = (str(row[c] if row[c] is not None else "-")[: widths[c]] for c in columns)
        click.echo("  ".join(cell.ljust(widths[c]) for cell, c in zip(cells, columns, strict=True)))

"""`pivotwatch status`: per-source health, the daemon's jobs and heartbeat, and problems."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from crawler.app import App
from crawler.daemon import DaemonOptions
from crawler.health import (
    Thresholds,
    find_problems,
    heartbeat_row,
    job_rows,
    source_health,
)

SOURCE_COLUMNS = (
    "source",
    "last_run",
    "last_success",
    "last_new_article",
    "consecutive_failures",
    "last_error",
)
JOB_COLUMNS = ("id", "last_run", "outcome", "next_run")
# A beat may be late by a few periods (a busy disk, a suspended VM) before it counts as stale.
STALE_BEATS = 3
STALE_FLOOR = timedelta(minutes=2)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@click.option(
    "--check",
    is_flag=True,
    help="Print one line per problem and exit 1 if there is any (for monitoring).",
)
@click.pass_obj
def status(app: App, as_json: bool, check: bool) -> None:
    """Show each source's health, the daemon's jobs and heartbeat.

    `--check` exits 1 when the daemon's heartbeat is stale, a source has been failing for
    longer than `[daemon] failing_hours`, or a source has stored nothing new for more than
    three times its usual gap (and over a week); 0 otherwise.

    \b
    Example:
        pivotwatch status --check || echo "pivotwatch needs attention"
    """
    db = app.open_reader()
    names = [s.name for s in app.sources if s.enabled]
    problems = find_problems(db, names, thresholds(app), datetime.now(UTC))
    if check:
        for problem in problems:
            click.echo(problem)
        raise SystemExit(1 if problems else 0)
    report = {
        "sources": source_health(db, names),
        "jobs": job_rows(db),
        "heartbeat": heartbeat_row(db),
        "problems": problems,
    }
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        print_report(report)


def thresholds(app: App) -> Thresholds:
    beat = DaemonOptions.from_settings(app.settings).heartbeat_seconds
    return Thresholds(
        heartbeat_stale=max(timedelta(seconds=STALE_BEATS * beat), STALE_FLOOR),
        failing=timedelta(hours=app.settings.daemon.failing_hours),
    )


def print_report(report: dict[str, Any]) -> None:
    print_table(report["sources"], SOURCE_COLUMNS)
    beat = report["heartbeat"]
    click.echo("")
    if beat:
        click.echo(f"daemon: pid {beat['pid']}, up since {beat['started']}, beat {beat['beat']}")
    else:
        click.echo("daemon: not running")
    if report["jobs"]:
        click.echo("")
        print_table(report["jobs"], JOB_COLUMNS)
    for problem in report["problems"]:
        click.echo(f"problem: {problem}")


def print_table(rows: list[dict[str, Any]], columns: Sequence[str]) -> None:
    widths = {c: max([len(c)] + [len(_cell(r[c])) for r in rows]) for c in columns}
    for wide in ("last_error", "outcome"):
        if wide in widths:
            widths[wide] = min(widths[wide], 60)
    click.echo("  ".join(c.ljust(widths[c]) for c in columns).rstrip())
    for row in rows:
        cells = (_cell(row[c])[: widths[c]].ljust(widths[c]) for c in columns)
        click.echo("  ".join(cells).rstrip())


def _cell(value: Any) -> str:
    return "-" if value is None else str(value)

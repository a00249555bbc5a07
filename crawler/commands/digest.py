"""`pivotwatch digest`: the CSV of what is new on Russia in Asia, to a file or stdout."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from sqlite_utils import Database

from crawler.app import App
from crawler.settings import SOURCE_TYPES
from pipelines.digest import (
    DigestFilters,
    DigestResult,
    UnknownFilterError,
    check_filters,
    record_digest_run,
    write_digest,
    write_digest_file,
)
from pipelines.periods import Period, PeriodError, resolve_period


@click.command()
@click.option(
    "--since",
    metavar="DATE|Nd",
    help="Start, included: 2026-11-15, a UTC time, or 7d (before --until).",
)
@click.option("--until", metavar="DATE", help="End, excluded: a date or UTC time. Default: now.")
@click.option("--week", metavar="YYYY-Www", help="An ISO week, Monday to Monday UTC: 2026-W47.")
@click.option(
    "--by",
    type=click.Choice(["published", "fetched"]),
    default="published",
    show_default=True,
    help="The date the period applies to.",
)
@click.option("--theme", "themes", multiple=True, metavar="ID", help="Keep this theme (any of).")
@click.option("--source", "sources", multiple=True, metavar="NAME", help="Keep this source.")
@click.option("--source-type", type=click.Choice(SOURCE_TYPES), help="Keep this kind of source.")
@click.option("--entity", "entities", multiple=True, metavar="ID|NAME", help="Keep this entity.")
@click.option("--language", metavar="CODE", help="Keep this language, e.g. ru or ja.")
@click.option("--min-relevance", type=click.FloatRange(0, 1), help="Keep at least this relevance.")
@click.option(
    "--include-paywalled/--exclude-paywalled",
    default=True,
    show_default=True,
    help="Keep or drop paywalled articles.",
)
@click.option("--all", "include_irrelevant", is_flag=True, help="Keep articles not relevant too.")
@click.option("--name", metavar="NAME", help="Record this run under NAME (takes the writer lock).")
@click.option(
    "--new-since-last", is_flag=True, help="Only what no earlier digest named NAME contained."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="FILE",
    help="Write to FILE, replaced atomically; - or none: stdout.",
)
@click.option("--excel", is_flag=True, help="Start with a UTF-8 BOM, so Excel reads every script.")
@click.pass_obj
def digest(app: App, **options: Any) -> None:
    """Write the CSV digest of relevant articles published in a period.

    The period defaults to the 7 days before now, over the published date (articles
    without one use their fetch time). Repeated filters keep articles matching any of
    them; --entity takes an entity id or name. Duplicates are folded into one row.

    \b
    Recording runs:
      without --name     the database is only read
      --name NAME        records the run, so it takes the writer lock
      --new-since-last   leaves out every article an earlier digest named NAME
                         contained, whatever its dates

    \b
    Columns, in order:
      published, source, title, authors, url, themes, top_entities, relevance,
      paywalled, teaser, summary, word_count, also_appeared_in
    Text cells starting with = + - @, a tab or a carriage return get a leading '
    so spreadsheets do not run them; numeric columns are left as numbers.

    \b
    Examples:
        pivotwatch digest --since 7d -o week.csv --excel
        pivotwatch digest --week 2026-W47 --theme russia-japan --source tass
        pivotwatch digest --name weekly --new-since-last -o weekly.csv
    """
    if options["new_since_last"] and not options["name"]:
        raise click.UsageError("--new-since-last needs --name")
    now = datetime.now(UTC)
    period = _period(now, options)
    db = app.open_writer() if options["name"] else app.open_reader()
    filters = _checked_filters(db, options)
    result = _write(db, period, filters, options)
    if options["name"]:
        record_digest_run(db, options["name"], period, result, now, options["output"])


def _period(now: datetime, options: dict[str, Any]) -> Period:
    try:
        return resolve_period(now, options["since"], options["until"], options["week"])
    except PeriodError as error:
        if error.option:
            raise click.BadParameter(str(error), param_hint=f"'{error.option}'") from None
        raise click.UsageError(str(error)) from None


def _checked_filters(db: Database, options: dict[str, Any]) -> DigestFilters:
    filters = DigestFilters(
        themes=options["themes"],
        sources=options["sources"],
        source_type=options["source_type"],
        entities=options["entities"],
        language=options["language"],
        min_relevance=options["min_relevance"],
        include_paywalled=options["include_paywalled"],
        include_irrelevant=options["include_irrelevant"],
        new_since_last=options["name"] if options["new_since_last"] else None,
    )
    try:
        return check_filters(db, filters)
    except UnknownFilterError as error:
        raise click.BadParameter(str(error), param_hint=f"'--{error.option}'") from None


def _write(
    db: Database, period: Period, filters: DigestFilters, options: dict[str, Any]
) -> DigestResult:
    settings = {"by": options["by"], "excel": options["excel"]}
    if options["output"] is not None and str(options["output"]) != "-":
        return write_digest_file(db, options["output"], period, filters, **settings)
    return write_digest(db, sys.stdout.buffer, period, filters, **settings)

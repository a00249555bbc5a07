"""`pivotwatch probe`: check the configured sources live and print what they serve."""

from __future__ import annotations

import click

from crawler.app import App, ExpectedError


@click.command()
@click.option(
    "--source",
    "source_names",
    multiple=True,
    metavar="NAME",
    help="Probe only this source (repeatable); default: every enabled source.",
)
@click.pass_obj
def probe(app: App, source_names: tuple[str, ...]) -> None:
    """Check each source live: robots.txt, feeds, sitemaps, listings, WordPress API.

    Prints one row per endpoint: HTTP status under the source's User-Agent, how many
    items it lists, and whether feed items carry full text (median words > 150).
    Nothing is written to the database.

    \b
    Example:
        pivotwatch probe --source thediplomat
    """
    from crawler.clock import SystemClock
    from crawler.probe import format_table, probe_sources
    from crawler.settings import ConfigError, select_sources

    app.validate()
    try:
        sources = select_sources(app.sources, source_names)
    except ConfigError as error:
        raise ExpectedError(str(error)) from error
    rows = probe_sources(app.settings.crawl, sources, SystemClock())
    click.echo(format_table(rows))

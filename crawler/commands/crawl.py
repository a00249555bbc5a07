"""`pivotwatch crawl`: one pass over the sources, then exit (for cron)."""

from __future__ import annotations

import click

from crawler.app import App


@click.command()
@click.option(
    "--source",
    "source_names",
    multiple=True,
    metavar="NAME",
    help="Crawl only this source (repeatable); default: every enabled source.",
)
@click.option("--backfill", is_flag=True, help="Lift the max_age_days limit for this pass.")
@click.pass_obj
def crawl(app: App, source_names: tuple[str, ...], backfill: bool) -> None:
    """Run one crawl pass over the sources, then exit.

    Exit status 0 when the pass ran, even if some sources failed (each failure is
    recorded in the database and shown by `status`); 1 on a fatal error.

    \b
    Example:
        pivotwatch crawl --source thediplomat --source tass
    """
    from crawler.crawl import crawl_once

    crawl_once(app, source_names, backfill=backfill)

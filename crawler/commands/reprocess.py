"""`pivotwatch reprocess`: re-run the stages over stored pages, with no network."""

from __future__ import annotations

import logging

import click

from crawler.app import App
from crawler.progress import progress_bar
from pipelines.reprocess import reprocess_pages, retag_articles

log = logging.getLogger("pivotwatch.reprocess")


@click.command()
@click.option(
    "--tags-only",
    is_flag=True,
    help="Only re-tag stored text (after a taxonomy change); no re-extraction.",
)
@click.pass_obj
def reprocess(app: App, tags_only: bool) -> None:
    """Re-run extraction, tagging and dedupe over the stored raw pages (no network).

    \b
    Example:
        pivotwatch reprocess --tags-only
    """
    db = app.open_writer()
    if tags_only:
        total = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        with progress_bar(total, "re-tagging") as advance:
            count = retag_articles(db, app.tagger(), on_progress=advance)
        log.info("re-tagged %d articles", count)
        return
    total = db.execute("SELECT count(*) FROM raw_pages").fetchone()[0]
    with progress_bar(total, "reprocessing") as advance:
        report = reprocess_pages(db, app.processor(db), on_progress=advance)
    log.info("reprocessed %d pages (%d failed)", report.pages, report.failed)

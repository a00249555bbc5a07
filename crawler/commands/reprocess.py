"""`pivotwatch reprocess`: re-run the stages over stored pages, with no network."""

from __future__ import annotations

import logging

import click

from crawler.app import App
from crawler.progress import progress_bar
from pipelines.related import update_related
from pipelines.reprocess import rebuild_links, reprocess_pages
from pipelines.retag import retag_articles

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
            retagged = retag_articles(db, app.tagger(), on_progress=advance)
        # Relevance may have changed, and only relevant articles have related ones.
        update_related(db, app.settings.dedupe.related_k)
        log.info("re-tagged %d articles: %d changed", retagged.articles, retagged.changed)
        return
    total = db.execute("SELECT count(*) FROM raw_pages").fetchone()[0]
    processor = app.processor(db)
    with progress_bar(total, "reprocessing") as advance:
        report = reprocess_pages(db, processor, on_progress=advance)
    relinked = rebuild_links(db, processor, app.settings.dedupe.related_k)
    log.info(
        "reprocessed %d pages (%d failed); regrouped copies and related for %d articles",
        report.pages,
        report.failed,
        relinked,
    )

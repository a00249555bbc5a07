"""Re-running the stages over what is stored: no network, same results as at fetch time."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlite_utils import Database

from pipelines.process import ArticleProcessor, FetchedPage
from pipelines.related import update_related
from pipelines.store import iter_raw_pages

log = logging.getLogger("pivotwatch.reprocess")
Progress = Callable[[int], None]


@dataclass
class ReprocessReport:
    pages: int = 0
    failed: int = 0


def reprocess_pages(
    db: Database, processor: ArticleProcessor, on_progress: Progress | None = None
) -> ReprocessReport:
    """Extract, tag and dedupe every stored raw page again; one transaction per page."""
    report = ReprocessReport()
    for raw in iter_raw_pages(db):
        page = FetchedPage(
            url=raw["url"],
            source=raw["source"],
            body=raw["body"],
            fetched=raw["fetched"],
            content_type=raw["content_type"],
            final_url=raw.get("final_url"),
            listed_date=raw["listed_date"],
        )
        try:
            processor.process(page, save_raw=False)
        except Exception as error:  # one bad page must not stop the rest
            report.failed += 1
            log.warning("reprocess %s failed: %s: %s", page.url, type(error).__name__, error)
        report.pages += 1
        if on_progress:
            on_progress(1)
    return report


LINK_COLUMNS = "id, url, canonical_url, text, content_hash, teaser, full_story_url"


def rebuild_links(
    db: Database, processor: ArticleProcessor, related_k: int, batch: int = 500
) -> int:
    """Regroup every article's copies and recompute related articles from stored text.

    Runs after re-extraction, so links made against texts that have since changed are
    dropped rather than kept. Returns the number of articles relinked.
    """
    with db.atomic():
        db.execute("UPDATE articles SET duplicate_of = NULL")
    count, last_id = 0, 0
    while rows := list(
        db.query(
            f"SELECT {LINK_COLUMNS} FROM articles WHERE id > ? ORDER BY id LIMIT ?",
            [last_id, batch],
        )
    ):
        with db.atomic():
            for row in rows:
                processor.link_duplicates(row["id"], row)
        count, last_id = count + len(rows), rows[-1]["id"]
    update_related(db, related_k, rebuild=True)
    return count

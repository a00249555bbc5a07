"""Source health, derived from the crawl_runs table the crawler writes."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

HEALTH_SQL = """
SELECT
    :source AS source,
    (SELECT max(started) FROM crawl_runs WHERE source = :source) AS last_run,
    (SELECT max(started) FROM crawl_runs WHERE source = :source AND outcome = 'ok')
        AS last_success,
    (SELECT max(fetched) FROM articles WHERE source = :source) AS last_new_article,
    (SELECT count(*) FROM crawl_runs WHERE source = :source AND outcome = 'failed'
        AND started > coalesce((SELECT max(started) FROM crawl_runs
                                WHERE source = :source AND outcome != 'failed'), ''))
        AS consecutive_failures,
    (SELECT last_error FROM crawl_runs WHERE source = :source AND last_error IS NOT NULL
        ORDER BY started DESC LIMIT 1) AS last_error
"""


def source_health(db: Database, names: list[str]) -> list[dict[str, Any]]:
    """One row per source: last run, last success, last new article, failures, last error."""
    return [dict(next(iter(db.query(HEALTH_SQL, {"source": name})))) for name in names]

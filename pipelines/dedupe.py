"""Duplicates: the same text stored under another URL points at its primary copy."""

from __future__ import annotations

from sqlite_utils import Database


class Deduplicator:
    """Finds the primary copy of an article's text among those already stored."""

    def __init__(self, db: Database, near_duplicate_threshold: float = 0.8) -> None:
        self.db = db
        self.threshold = near_duplicate_threshold

    def find_primary(self, article_id: int, text: str, content_hash: str) -> int | None:
        """The id of the earliest other article with the same content, if any."""
        if not text.strip():
            return None
        row = self.db.execute(
            "SELECT id FROM articles WHERE content_hash = ? AND id != ? "
            "AND duplicate_of IS NULL ORDER BY id LIMIT 1",
            [content_hash, article_id],
        ).fetchone()
        return int(row[0]) if row else None

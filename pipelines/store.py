"""Opening the database and writing what the stages produce.

One writer at a time (the crawler, the daemon or reprocess, under a file lock); readers
such as Datasette and `digest` use WAL with a busy timeout, so they never see
"database is locked" while a pass writes.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from pipelines.schema import apply_migrations
from pipelines.search_text import searchable

BUSY_TIMEOUT_SECONDS = 30
COMPRESSION = "zlib"
# Level 1 costs half of level 6 per page (about 1 ms against 2 ms for a 100 KB page,
# tests/benchmarks pages) for raw pages about 18% larger: raw pages are written on every
# fetch and read back only by reprocess.
ZLIB_LEVEL = 1


class StoreError(Exception):
    """The database cannot be opened or written."""


def open_database(path: Path | str, *, migrate: bool = True) -> Database:
    """Open (creating if needed) the database in WAL mode with foreign keys on."""
    path = Path(path)
    if str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(
            str(path),
            timeout=BUSY_TIMEOUT_SECONDS,
            isolation_level=None,
            check_same_thread=False,
        )
        db = Database(conn)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")
        if migrate:
            apply_migrations(db)
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{path}: cannot open the database: {error}") from error
    return db


def open_reader(path: Path | str) -> Database:
    """Open an existing database for reading only."""
    path = Path(path)
    if not path.exists():
        raise StoreError(f"{path}: no database here yet (run `pivotwatch crawl` first)")
    conn = sqlite3.connect(
        f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None
    )
    return Database(conn)


def content_hash(text: str) -> str:
    """Hash of the text with case and white space folded, so re-spacing is not new content."""
    normalised = " ".join(text.lower().split())
    return hashlib.sha1(normalised.encode("utf-8")).hexdigest()


def compress(body: bytes) -> bytes:
    return zlib.compress(body, ZLIB_LEVEL)


def decompress(body: bytes, compression: str) -> bytes:
    if compression != COMPRESSION:
        raise StoreError(f"unknown compression {compression!r} in raw_pages")
    return zlib.decompress(body)


def sync_sources(db: Database, sources: Iterable[dict[str, Any]]) -> None:
    db["sources"].upsert_all(list(sources), pk="name")


def sync_themes(db: Database, themes: Iterable[dict[str, Any]]) -> None:
    db["themes"].upsert_all(list(themes), pk="id")


def sync_entities(db: Database, entities: Iterable[dict[str, Any]]) -> None:
    db["entities"].upsert_all(list(entities), pk="id")


def save_raw_page(db: Database, page: dict[str, Any]) -> None:
    row = dict(page)
    row["body"] = compress(row["body"])
    row["compression"] = COMPRESSION
    save_compressed_page(db, row)


def save_compressed_page(db: Database, row: dict[str, Any]) -> None:
    """Store a raw page whose body `compress` already packed (in a worker process)."""
    db["raw_pages"].upsert(row, pk="url")


def iter_raw_pages(db: Database, batch: int = 200) -> Iterator[dict[str, Any]]:
    """Every stored raw page, decompressed, in URL order, without loading all at once."""
    last = ""
    while True:
        rows = list(
            db.query("SELECT * FROM raw_pages WHERE url > ? ORDER BY url LIMIT ?", [last, batch])
        )
        if not rows:
            return
        for row in rows:
            row["body"] = decompress(row["body"], row.pop("compression"))
            yield row
        last = rows[-1]["url"]


def _fts_values(row: dict[str, Any]) -> tuple[str, str]:
    return searchable(row.get("title") or ""), searchable(row.get("text") or "")


def remove_from_index(db: Database, article_id: int) -> None:
    row = db.execute("SELECT title, text FROM articles WHERE id = ?", [article_id]).fetchone()
    if row is None:
        return
    title, text = _fts_values({"title": row[0], "text": row[1]})
    db.execute(
        "INSERT INTO articles_fts (articles_fts, rowid, title, text) VALUES ('delete', ?, ?, ?)",
        [article_id, title, text],
    )


def add_to_index(db: Database, article_id: int, row: dict[str, Any]) -> None:
    title, text = _fts_values(row)
    db.execute(
        "INSERT INTO articles_fts (rowid, title, text) VALUES (?, ?, ?)",
        [article_id, title, text],
    )


def upsert_article(db: Database, row: dict[str, Any]) -> int:
    """Insert or replace the article stored under row['url']; return its id.

    The caller holds the transaction, so the article, its search index entry and its
    tags land together or not at all.
    """
    existing = db.execute("SELECT id FROM articles WHERE url = ?", [row["url"]]).fetchone()
    values = {key: _to_column(value) for key, value in row.items()}
    if existing:
        article_id = int(existing[0])
        remove_from_index(db, article_id)
        db["articles"].update(article_id, values)
    else:
        article_id = int(db["articles"].insert(values).last_pk)
    add_to_index(db, article_id, row)
    return article_id


def replace_tags(
    db: Database, article_id: int, themes: list[dict[str, Any]], entities: list[dict[str, Any]]
) -> None:
    db.execute("DELETE FROM article_themes WHERE article_id = ?", [article_id])
    db.execute("DELETE FROM article_entities WHERE article_id = ?", [article_id])
    if themes:
        db["article_themes"].insert_all(
            [{"article_id": article_id, **_columns(theme)} for theme in themes]
        )
    if entities:
        db["article_entities"].insert_all(
            [{"article_id": article_id, **_columns(entity)} for entity in entities]
        )


def _columns(row: dict[str, Any]) -> dict[str, Any]:
    return {key: _to_column(value) for key, value in row.items()}


def _to_column(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return int(value)
    return value

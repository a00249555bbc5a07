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
from functools import lru_cache
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
    upsert_row(db, "raw_pages", row, "url")


# The writer's hot path writes rows with plain statements: sqlite_utils' table methods
# read the schema and open a savepoint on every call, which cost more than the writes.


@lru_cache(maxsize=64)
def _insert_sql(table: str, columns: tuple[str, ...], conflict: str | None) -> str:
    names = ", ".join(_quoted(column) for column in columns)
    sql = f"INSERT INTO {_quoted(table)} ({names}) VALUES ({', '.join('?' * len(columns))})"
    if conflict is None:
        return sql
    updates = ", ".join(
        f"{_quoted(name)} = excluded.{_quoted(name)}" for name in columns if name != conflict
    )
    action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
    return f"{sql} ON CONFLICT ({_quoted(conflict)}) {action}"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def insert_row(db: Database, table: str, row: dict[str, Any]) -> int:
    """Insert one row of plain column values; return its rowid."""
    cursor = db.conn.execute(_insert_sql(table, tuple(row), None), list(row.values()))
    return int(cursor.lastrowid or 0)


def insert_rows(db: Database, table: str, rows: list[dict[str, Any]]) -> None:
    """Insert rows that all have the same columns, in one statement run."""
    if rows:
        sql = _insert_sql(table, tuple(rows[0]), None)
        db.conn.executemany(sql, [list(row.values()) for row in rows])


def upsert_row(db: Database, table: str, row: dict[str, Any], key: str) -> None:
    """Insert the row, or update the given columns of the row with the same `key`."""
    db.conn.execute(_insert_sql(table, tuple(row), key), list(row.values()))


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
    values = _columns(row)
    if existing:
        article_id = int(existing[0])
        remove_from_index(db, article_id)
        assignments = ", ".join(f"{_quoted(column)} = ?" for column in values)
        db.conn.execute(
            f"UPDATE articles SET {assignments} WHERE id = ?", [*values.values(), article_id]
        )
    else:
        article_id = insert_row(db, "articles", values)
    add_to_index(db, article_id, row)
    return article_id


def replace_tags(
    db: Database, article_id: int, themes: list[dict[str, Any]], entities: list[dict[str, Any]]
) -> None:
    db.execute("DELETE FROM article_themes WHERE article_id = ?", [article_id])
    db.execute("DELETE FROM article_entities WHERE article_id = ?", [article_id])
    insert_rows(db, "article_themes", [{"article_id": article_id, **_columns(t)} for t in themes])
    insert_rows(
        db, "article_entities", [{"article_id": article_id, **_columns(e)} for e in entities]
    )


def _columns(row: dict[str, Any]) -> dict[str, Any]:
    return {key: _to_column(value) for key, value in row.items()}


def _to_column(value: Any) -> Any:
    if isinstance(value, list | dict | tuple):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return int(value)
    return value

"""The schema is code: migrations applied on open, db/schema.sql kept in step."""

from __future__ import annotations

from pathlib import Path

from pipelines.schema import dump_schema
from pipelines.store import open_database

ROOT = Path(__file__).parent.parent


def test_checked_in_schema_matches_the_migrations(tmp_path: Path) -> None:
    db = open_database(tmp_path / "fresh.db")
    assert dump_schema(db) == (ROOT / "db" / "schema.sql").read_text(encoding="utf-8"), (
        "db/schema.sql is stale: run `make schema`"
    )


def test_opening_twice_applies_migrations_once(tmp_path: Path) -> None:
    open_database(tmp_path / "p.db").close()
    db = open_database(tmp_path / "p.db")
    names = [row["name"] for row in db["_sqlite_migrations"].rows]
    assert len(names) == len(set(names))


def test_wal_and_foreign_keys(tmp_path: Path) -> None:
    db = open_database(tmp_path / "p.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_spine_tables_exist(tmp_path: Path) -> None:
    db = open_database(tmp_path / "p.db")
    expected = {
        "sources",
        "urls",
        "polls",
        "articles",
        "article_urls",
        "themes",
        "article_themes",
        "entities",
        "article_entities",
        "related",
        "fetches",
        "crawl_runs",
        "digest_runs",
        "jobs",
        "heartbeat",
        "raw_pages",
        "articles_fts",
    }
    assert expected <= set(db.table_names())

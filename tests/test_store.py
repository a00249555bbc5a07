"""Storing articles and finding them again with full-text search, in three scripts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from pipelines.search_text import fts_query, searchable
from pipelines.store import (
    content_hash,
    iter_raw_pages,
    open_database,
    save_raw_page,
    sync_sources,
    upsert_article,
)


def article(url: str, title: str, text: str) -> dict[str, Any]:
    return {
        "url": url,
        "source": "example",
        "title": title,
        "text": text,
        "fetched": "2026-11-20T10:00:00Z",
        "authors": ["A. Writer"],
    }


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = open_database(tmp_path / "store.db")
    sync_sources(
        database,
        [
            {
                "name": "example",
                "title": "Example",
                "homepage": "https://e.org/",
                "source_type": "journal",
                "language": "en",
            }
        ],
    )
    return database


def search(db: Database, words: str) -> list[str]:
    rows = db.execute(
        "SELECT articles.url FROM articles_fts JOIN articles ON articles.id = articles_fts.rowid "
        "WHERE articles_fts MATCH ? ORDER BY articles.url",
        [fts_query(words)],
    ).fetchall()
    return [row[0] for row in rows]


@pytest.mark.parametrize(
    ("words", "found"),
    [
        ("pipeline", ["https://e.org/en"]),
        ("Курилы", ["https://e.org/ru"]),
        ("курилы", ["https://e.org/ru"]),
        ("会員限定", ["https://e.org/ja"]),
        ("北方領土", ["https://e.org/ja"]),
        ("領土", ["https://e.org/ja"]),
        ("Vladivostok", ["https://e.org/en", "https://e.org/ru"]),
        ("submarine", []),
    ],
    ids=[
        "english",
        "russian",
        "russian-lowercase",
        "japanese-4",
        "japanese-phrase",
        "japanese-2",
        "shared-word",
        "absent",
    ],
)
def test_full_text_search_in_three_scripts(db: Database, words: str, found: list[str]) -> None:
    with db.atomic():
        upsert_article(
            db,
            article(
                "https://e.org/en",
                "Power of Siberia",
                "The pipeline to China starts near Vladivostok.",
            ),
        )
        upsert_article(
            db,
            article(
                "https://e.org/ru",
                "Курилы и Япония",
                "Переговоры о Курилах продолжились во Vladivostok.",
            ),
        )
        upsert_article(
            db,
            article(
                "https://e.org/ja",
                "北方領土の交渉",
                "この記事は会員限定です。北方領土問題について。",
            ),
        )
    assert search(db, words) == found


def test_updating_an_article_replaces_its_index_entry(db: Database) -> None:
    with db.atomic():
        first = upsert_article(db, article("https://e.org/a", "Old title", "Old words here."))
        second = upsert_article(db, article("https://e.org/a", "New title", "Fresh words here."))
    assert first == second
    assert search(db, "old") == []
    assert search(db, "fresh") == ["https://e.org/a"]
    assert db.execute("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")


def test_json_columns_are_stored_as_json(db: Database) -> None:
    with db.atomic():
        article_id = upsert_article(db, article("https://e.org/j", "T", "Text."))
    assert db["articles"].get(article_id)["authors"] == '["A. Writer"]'


def test_raw_pages_round_trip_compressed(db: Database) -> None:
    body = "<html><body>Курилы</body></html>".encode("windows-1251")
    save_raw_page(
        db,
        {
            "url": "https://e.org/r",
            "source": "example",
            "fetched": "2026-11-20T10:00:00Z",
            "content_type": "text/html",
            "listed_date": None,
            "body": body,
        },
    )
    [page] = list(iter_raw_pages(db))
    assert page["body"] == body


def test_content_hash_folds_case_and_space() -> None:
    assert content_hash("Russia  and\nChina") == content_hash("russia and china")
    assert content_hash("Russia and China") != content_hash("Russia and Japan")


def test_searchable_leaves_latin_and_cyrillic_alone() -> None:
    assert searchable("Кунашир and Iturup") == "Кунашир and Iturup"
    assert searchable("北方領土") == " 北方 方領 領土 "

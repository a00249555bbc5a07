"""A small database for the digest tests, built with the store functions.

Week 2026-W47 runs from Monday 2026-11-16 to Monday 2026-11-23. The sample has several
sources and scripts, a duplicate with an alias, a paywalled piece, a teaser without a
published date, irrelevant pieces, pieces outside the week, and titles and authors
crafted to be read as spreadsheet formulas.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from pipelines.store import (
    open_database,
    replace_tags,
    sync_entities,
    sync_sources,
    sync_themes,
    upsert_article,
)

SOURCES = [
    ("thediplomat", "The Diplomat", "journal", "en"),
    ("tass", "TASS", "state_media", "ru"),
    ("nikkei", "日本経済新聞", "news", "ja"),
    ("lowy", "Lowy Institute", "think_tank", "en"),
]
THEMES = ["arctic", "energy", "russia-china", "russia-japan", "territorial-disputes"]
ENTITIES = [
    ("russia", "Russia", "country"),
    ("china", "China", "country"),
    ("japan", "Japan", "country"),
    ("putin", "Vladimir Putin", "person"),
    ("xi", "Xi Jinping", "person"),
    ("kurils", "Kuril Islands", "place"),
    ("rosneft", "Rosneft", "organisation"),
]


def piece(url: str, source: str, title: str | None, published: str | None, **extra: Any) -> dict:
    row = {
        "url": url,
        "source": source,
        "title": title,
        "published": published,
        "fetched": extra.pop("fetched", (published or "2026-11-20")[:10] + "T23:00:00Z"),
        "authors": extra.pop("authors", []),
        "text": extra.pop("text", f"{title} body text"),
        "relevance": extra.pop("relevance", 0.7),
    }
    row["relevant"] = row["relevance"] >= 0.5
    return {**row, **extra}


ARTICLES: list[tuple[dict, list[tuple[str, float]], list[tuple[str, int]]]] = [
    (
        piece(
            "https://thediplomat.com/2026/11/russia-china-energy/",
            "thediplomat",
            "Russia and China deepen energy ties",
            "2026-11-17T09:00:00Z",
            authors=["Anna Ivanova", "Li Wei"],
            relevance=0.82,
            word_count=1200,
            summary='Moscow and Beijing sign a pipeline deal, with "strategic" terms.',
        ),
        [("energy", 0.6), ("russia-china", 0.9)],
        [("russia", 12), ("china", 9), ("putin", 3), ("xi", 3), ("rosneft", 2), ("japan", 1)],
    ),
    (
        piece(
            "https://tass.ru/politika/2",
            "tass",
            "Россия и Япония обсудили Курильские острова",
            "2026-11-18T06:30:00Z",
            authors=["Иван Петров"],
            relevance=0.9,
            word_count=640,
            summary="Первая строка.\nВторая строка, с запятой.",
        ),
        [("russia-japan", 0.8), ("territorial-disputes", 0.7)],
        [("kurils", 4), ("japan", 6), ("russia", 6)],
    ),
    (
        piece(
            "https://www.nikkei.com/article/ja3",
            "nikkei",
            "北方領土交渉、ロシアと再開へ",
            "2026-11-18",
            authors=["山田太郎"],
            relevance=0.75,
            paywalled=True,
            paywall_reason="marker",
            word_count=180,
            summary="日本政府は交渉の再開を検討している。",
        ),
        [("russia-japan", 0.7)],
        [("japan", 3), ("russia", 2)],
    ),
    (
        piece(
            "https://tass.com/politics/2",
            "tass",
            "Russia and Japan discuss the Kurils",
            "2026-11-18T07:00:00Z",
            relevance=0.9,
            duplicate_of=2,
        ),
        [("russia-japan", 0.8)],
        [("japan", 5)],
    ),
    (
        piece(
            "https://www.lowyinstitute.org/teaser/arctic",
            "lowy",
            "Arctic shipping: Russia courts Asian carriers",
            None,
            fetched="2026-11-19T10:00:00Z",
            teaser=True,
            relevance=0.6,
            word_count=90,
            full_story_url="https://www.lowyinstitute.org/the-interpreter/arctic",
        ),
        [("arctic", 0.5)],
        [("russia", 1)],
    ),
    (
        piece(
            "https://thediplomat.com/2026/11/cricket/",
            "thediplomat",
            "Cricket season opens in Sydney",
            "2026-11-19T08:00:00Z",
            relevance=0.1,
        ),
        [],
        [],
    ),
    (
        piece(
            "https://www.lowyinstitute.org/the-interpreter/formula",
            "lowy",
            '=HYPERLINK("http://evil.example","Russia in Asia")',
            "2026-11-20T12:00:00Z",
            authors=["+Mallory", "@admin", "-Eve"],
            relevance=0.55,
            summary="\tTabbed lead",
            word_count=300,
        ),
        [("energy", 0.4)],
        [("russia", 2)],
    ),
    (
        piece(
            "https://thediplomat.com/2026/11/minus/",
            "thediplomat",
            "-20% trade: Russian exports to Asia fall",
            "2026-11-21T09:00:00Z",
            authors=["\rCarriage Return"],
            relevance=0.65,
            word_count=800,
        ),
        [("energy", 0.5), ("russia-china", 0.5)],
        [("china", 2), ("russia", 2)],
    ),
    (
        piece(
            "https://thediplomat.com/2026/10/old-pivot/",
            "thediplomat",
            "Russia's pivot to Asia, a year on",
            "2026-10-01T09:00:00Z",
            relevance=0.7,
        ),
        [("russia-china", 0.6)],
        [("russia", 3)],
    ),
    (
        piece(
            "https://tass.ru/politika/next-week",
            "tass",
            "Путин посетит Пекин",
            "2026-11-23T01:00:00Z",
            relevance=0.8,
            authors=["ТАСС"],
        ),
        [("russia-china", 0.9)],
        [("putin", 2), ("china", 1)],
    ),
    (
        piece(
            "https://www.lowyinstitute.org/the-interpreter/late",
            "lowy",
            "Late find: Russian arms in Southeast Asia",
            "2026-11-10T09:00:00Z",
            fetched="2026-11-21T08:00:00Z",
            relevance=0.7,
        ),
        [],
        [("russia", 4)],
    ),
]
ALIASES = [("https://tass.ru/politika/2?utm_source=feed", 2)]


def build_sample_db(path: Path) -> Database:
    db = open_database(path)
    with db.atomic():
        sync_sources(
            db,
            [
                dict(zip(("name", "title", "source_type", "language"), s, strict=True))
                | {"homepage": "https://example.org/"}
                for s in SOURCES
            ],
        )
        sync_themes(db, [{"id": t, "label": t.replace("-", " ").title()} for t in THEMES])
        sync_entities(db, [{"id": i, "name": n, "kind": k} for i, n, k in ENTITIES])
        for row, themes, entities in ARTICLES:
            article_id = upsert_article(db, row)
            replace_tags(
                db,
                article_id,
                [{"theme_id": t, "score": s} for t, s in themes],
                [{"entity_id": e, "mentions": m} for e, m in entities],
            )
        db["article_urls"].insert_all([{"url": u, "article_id": a} for u, a in ALIASES])
    return db


@pytest.fixture(scope="session")
def sample_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample built once per test run; tests work on copies of it."""
    path = tmp_path_factory.mktemp("digest-sample") / "sample.db"
    build_sample_db(path).conn.close()
    return path


def copy_sample(template: Path, path: Path) -> Path:
    shutil.copyfile(template, path)
    return path


def test_sample_has_one_duplicate_and_one_alias(tmp_path: Path) -> None:
    db = build_sample_db(tmp_path / "sample.db")
    duplicates = db.execute("SELECT url FROM articles WHERE duplicate_of = 2").fetchall()
    assert duplicates == [("https://tass.com/politics/2",)]
    assert db["article_urls"].count == 1

"""`reprocess` rebuilds everything from stored pages, with no network, to the same result."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from demo_run import run_demo

from crawler.cli import cli
from pipelines.extract import SiteRules
from pipelines.process import ArticleProcessor, FetchedPage
from pipelines.store import open_database, sync_entities, sync_sources, sync_themes
from pipelines.tag import Tagger, load_taxonomy

ROOT = Path(__file__).parent.parent
SNAPSHOT = """
SELECT a.url, a.title, a.text, a.summary, a.published, a.paywalled, a.teaser,
       a.full_story_url, a.relevant, a.relevance, d.url AS duplicate_of_url,
       (SELECT group_concat(theme_id, ' ') FROM
          (SELECT theme_id FROM article_themes WHERE article_id = a.id ORDER BY theme_id))
         AS themes
FROM articles a LEFT JOIN articles d ON d.id = a.duplicate_of
ORDER BY a.url
"""


def snapshot(db_path: Path) -> list[tuple]:
    return sqlite3.connect(db_path).execute(SNAPSHOT).fetchall()


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("reprocess")
    run_demo(folder)
    return folder / "demo" / "settings.toml", folder / "demo.db"


@pytest.mark.parametrize(
    "args", [["reprocess"], ["reprocess", "--tags-only"]], ids=["full", "tags-only"]
)
def test_reprocess_reproduces_what_the_crawl_stored(
    crawled: tuple[Path, Path], args: list[str]
) -> None:
    config, db_path = crawled
    before = snapshot(db_path)
    assert len(before) >= 12
    result = CliRunner().invoke(cli, ["--config", str(config), *args])
    assert result.exit_code == 0, result.output
    assert snapshot(db_path) == before


PAGE = """<html><head><title>Gas for the East</title>
<link rel="canonical" href="https://example.org/gas-for-the-east/"></head>
<body><article><h1>Gas for the East</h1>{paragraphs}</article></body></html>"""


def test_a_redirected_alias_becomes_an_article_url_not_a_second_article(tmp_path: Path) -> None:
    db = open_database(tmp_path / "p.db")
    taxonomy = load_taxonomy(ROOT / "config" / "themes.toml")
    sync_sources(
        db,
        [
            {
                "name": "example",
                "title": "Example",
                "homepage": "https://example.org/",
                "source_type": "news",
                "language": "en",
            }
        ],
    )
    sync_themes(
        db, [{"id": t.id, "label": t.label, "description": t.description} for t in taxonomy.themes]
    )
    sync_entities(db, [{"id": e.id, "name": e.name, "kind": e.kind} for e in taxonomy.entities])
    processor = ArticleProcessor(db, Tagger(taxonomy), {"example": SiteRules()})
    sentence = "Gazprom and CNPC argued again over the price of Power of Siberia 2 gas. "
    body = PAGE.format(paragraphs="".join(f"<p>{sentence * 4}</p>" for _ in range(5))).encode()
    first = processor.process(
        FetchedPage(
            url="https://example.org/gas-for-the-east/",
            source="example",
            body=body,
            fetched="2026-11-20T10:00:00Z",
            content_type="text/html",
        )
    )
    alias = processor.process(
        FetchedPage(
            url="https://example.org/?p=1234",
            source="example",
            body=body,
            fetched="2026-11-20T11:00:00Z",
            content_type="text/html",
            final_url="https://example.org/gas-for-the-east/",
        )
    )
    assert first.created and not alias.created
    assert alias.article_id == first.article_id
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    assert db.execute("SELECT url, article_id FROM article_urls").fetchall() == [
        ("https://example.org/?p=1234", first.article_id)
    ]


def test_the_crawl_stores_the_digests_that_re_tagging_compares(
    crawled: tuple[Path, Path], tmp_path: Path
) -> None:
    config, db_path = crawled
    copy = tmp_path / "copy.db"
    with sqlite3.connect(db_path) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    digests = "SELECT * FROM article_tag_digests ORDER BY article_id"
    before = sqlite3.connect(copy).execute(digests).fetchall()
    articles = sqlite3.connect(copy).execute("SELECT id FROM articles ORDER BY id").fetchall()
    assert [row[:1] for row in before] == articles
    result = CliRunner().invoke(
        cli, ["--config", str(config), "--db", str(copy), "reprocess", "--tags-only"]
    )
    assert result.exit_code == 0, result.output
    # Re-tagging with the same taxonomy found every digest current, so wrote none.
    assert sqlite3.connect(copy).execute(digests).fetchall() == before

"""The published database in process: pages, saved queries, facets, feeds, dashboard, safety."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from sample_db import HOSTILE_TITLE, IMAGE, JAVASCRIPT_URL, SCRIPT, build_sample_db

from crawler.serve import load_metadata, make_datasette

ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture(scope="module")
def datasette(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path = build_sample_db(tmp_path_factory.mktemp("serve") / "anything-named.db")
    return make_datasette(path)


def get(datasette: Any, path: str) -> Any:
    return asyncio.run(datasette.client.get(path))


def get_json(datasette: Any, path: str) -> dict[str, Any]:
    response = get(datasette, path)
    assert response.status_code == 200, response.text[:500]
    return response.json()


def article_id(datasette: Any, url: str) -> int:
    data = get_json(datasette, f"/pivotwatch/articles.json?url={url}&_shape=array")
    return data[0]["id"]


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/pivotwatch",
        "/pivotwatch/article_list",
        "/pivotwatch/articles",
        "/pivotwatch/sources",
        "/pivotwatch/crawl_runs",
        "/pivotwatch/fetches",
        "/-/dashboards",
        "/-/dashboards/overview",
        "/robots.txt",
    ],
)
def test_pages_answer(datasette: Any, path: str) -> None:
    assert get(datasette, path).status_code == 200


def test_only_the_pivotwatch_database_is_published(datasette: Any) -> None:
    databases = get_json(datasette, "/-/databases.json")
    assert [d["name"] for d in databases] == ["pivotwatch"]
    assert databases[0]["is_mutable"] is True


def test_internal_tables_are_hidden(datasette: Any) -> None:
    data = get_json(datasette, "/pivotwatch.json")
    hidden = {t["name"] for t in data["tables"] if t["hidden"]}
    assert {"raw_pages", "digest_items", "heartbeat", "_sqlite_migrations"} <= hidden
    assert "articles" not in hidden


def test_every_table_and_column_is_described(datasette: Any) -> None:
    tables = load_metadata()["databases"]["pivotwatch"]["tables"]
    conn = sqlite3.connect(datasette.get_database("pivotwatch").path)
    names = [
        row[0]
        for row in conn.execute("select name from sqlite_master where type in ('table', 'view')")
    ]
    undocumented = []
    for name in names:
        config = tables.get(name, {})
        if config.get("hidden") or name.startswith(("sqlite_", "articles_fts")):
            continue
        columns = [row[1] for row in conn.execute(f"pragma table_info([{name}])")]
        undocumented += [f"{name}.{c}" for c in columns if c not in config.get("columns", {})]
        if not config.get("description"):
            undocumented.append(name)
    assert undocumented == []


def test_article_list_shows_relevant_pieces_newest_first(datasette: Any) -> None:
    rows = get_json(datasette, "/pivotwatch/article_list.json?_shape=array")
    titles = [row["title"] for row in rows]
    assert "A football final in Bangkok" not in titles
    assert "Xi in Moscow: what the visit delivered (copy)" not in titles
    assert titles[0] == HOSTILE_TITLE
    published = [row["published"] for row in rows]
    assert published == sorted(published, reverse=True)


def test_irrelevant_articles_stay_reachable(datasette: Any) -> None:
    rows = get_json(datasette, "/pivotwatch/articles.json?relevant=0&_shape=array")
    assert [row["title"] for row in rows] == ["A football final in Bangkok"]


def facets(datasette: Any, query: str = "") -> dict[str, dict[str, int]]:
    data = get_json(datasette, f"/pivotwatch/article_list.json?{query}")
    return {
        name: {str(r["value"]): r["count"] for r in facet["results"]}
        for name, facet in data["facet_results"].items()
    }


def test_default_facets_are_all_present_with_counts(datasette: Any) -> None:
    found = facets(datasette)
    assert set(found) == {
        "source", "source_type", "theme", "entity", "language", "month", "paywalled"
    }  # fmt: skip
    assert found["source"] == {"The Diplomat": 4, "TASS": 1, "Asahi Shimbun": 1}
    assert found["source_type"] == {"journal": 4, "state_media": 1, "news": 1}
    assert found["theme"] == {"russia-china": 4, "energy": 2, "russia-japan": 1}
    assert found["entity"]["china"] == 5
    assert found["month"] == {"2025-03": 4, "2025-02": 1, "2025-01": 1}
    assert found["paywalled"] == {"0": 5, "1": 1}


def test_stored_counts_agree_with_live_counts(datasette: Any) -> None:
    # `_where=1` forces live counting over the same rows.
    stored, live = facets(datasette), facets(datasette, "_where=1")
    assert live == stored


def test_theme_and_entity_filters_narrow_the_list(datasette: Any) -> None:
    found = facets(datasette, "_theme=energy&_entity=gazprom")
    assert found["source"] == {"The Diplomat": 1, "TASS": 1}
    rows = get_json(datasette, "/pivotwatch/article_list.json?_theme=russia-japan&_shape=array")
    assert [row["source"] for row in rows] == ["Asahi Shimbun"]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("pipeline", "Power of Siberia 2 and the limits of the Russia-China energy partnership"),
        ("Газпром", "Россия и Китай обсудили поставки газа"),
        ("北方領土", "北方領土問題と日露関係"),
        ("領土", "北方領土問題と日露関係"),
    ],
    ids=["english", "russian", "japanese", "japanese-word-inside"],
)
def test_search_finds_every_script(datasette: Any, search: str, expected: str) -> None:
    rows = get_json(datasette, f"/pivotwatch/article_list.json?_search={search}&_shape=array")
    assert [row["title"] for row in rows] == [expected]
    found = get_json(datasette, f"/pivotwatch/search.json?q={search}&_shape=array")
    assert [row["title"] for row in found] == [expected]


def test_search_page_highlights_the_match(datasette: Any) -> None:
    html = get(datasette, "/pivotwatch/search?q=pipeline").text
    assert "<mark>pipeline</mark>" in html


@pytest.mark.parametrize(
    ("query", "params", "expected_title"),
    [
        ("latest", "count=", "Hostile"),
        ("articles_by_theme", "theme=energy&since=2025-03-01&until=", "Power of Siberia"),
        ("articles_mentioning", "entity=Gazprom", "Россия"),
        ("syndication", "", "Xi in Moscow"),
    ],
)
def test_saved_queries(datasette: Any, query: str, params: str, expected_title: str) -> None:
    rows = get_json(datasette, f"/pivotwatch/{query}.json?{params}&_shape=array")
    assert any(row["title"].startswith(expected_title) for row in rows), rows


def test_syndication_lists_the_copy(datasette: Any) -> None:
    rows = get_json(datasette, "/pivotwatch/syndication.json?_shape=array")
    assert rows[0]["also_appeared_in"] == "https://tass.ru/politika/456"


def test_digest_query_has_the_digest_columns(datasette: Any) -> None:
    data = get_json(
        datasette,
        "/pivotwatch/digest.json?since=2025-01-01&until=&theme=&source=&source_type=&entity=&language=&min_relevance=&exclude_paywalled=&include_irrelevant=&new_since_last=",
    )
    assert data["columns"] == [
        "published", "source", "title", "authors", "url", "themes", "top_entities",
        "relevance", "paywalled", "teaser", "summary", "word_count", "also_appeared_in",
    ]  # fmt: skip
    xi = [row for row in data["rows"] if row[2].startswith("Xi in Moscow")]
    assert len(xi) == 1 and xi[0][12] == "https://tass.ru/politika/456"


def test_source_health_and_crawl_errors(datasette: Any) -> None:
    health = get_json(datasette, "/pivotwatch/source_health.json?_shape=array")
    tass = next(row for row in health if row["name"] == "tass")
    assert tass["failures_since"] == 1 and tass["last_success"] is None
    assert tass["last_error"] == "HTTP 503 from https://tass.ru/feed"
    errors = get_json(datasette, "/pivotwatch/crawl_errors.json?_shape=array")
    assert [row["url"] for row in errors] == ["https://tass.ru/feed"]


def test_atom_feeds(datasette: Any) -> None:
    feed = get(datasette, "/pivotwatch/feed.atom")
    assert feed.status_code == 200 and "<feed" in feed.text
    assert "Power of Siberia 2" in feed.text
    assert "A football final" not in feed.text and "(copy)" not in feed.text
    assert 'href="javascript:' not in feed.text
    themed = get(datasette, "/pivotwatch/feed_theme.atom?theme=russia-japan")
    assert "北方領土問題と日露関係" in themed.text and "Power of Siberia" not in themed.text


def test_dashboard_uses_bundled_scripts_only(datasette: Any) -> None:
    html = get(datasette, "/-/dashboards/overview").text
    for chart in ("by-theme", "by-source", "paywall", "entities"):
        assert f"chart-{chart}" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    assert "vega.min.js" in html


def test_dashboard_queries_return_rows(datasette: Any) -> None:
    charts = load_metadata()["plugins"]["datasette-dashboards"]["overview"]["charts"]
    for chart in charts.values():
        data = get_json(datasette, f"/pivotwatch.json?sql={quote(chart['query'])}&_shape=array")
        assert data, chart["title"]


def test_article_page_reads_well(datasette: Any) -> None:
    number = article_id(datasette, "https://thediplomat.com/2025/01/xi-moscow/")
    html = get(datasette, f"/pivotwatch/articles/{number}").text
    assert "<p>Xi Jinping came to Moscow.</p>" in html and "<p>Deals followed.</p>" in html
    assert "Also appeared in" in html and "https://tass.ru/politika/456" in html
    assert "Russia and China" in html and "because of: Xi" in html
    assert "Xi Jinping</a>" in html


def test_article_page_lists_related_articles(datasette: Any) -> None:
    number = article_id(datasette, "https://thediplomat.com/2025/03/power-of-siberia-2/")
    html = get(datasette, f"/pivotwatch/articles/{number}").text
    assert "Related articles" in html and "Россия и Китай обсудили поставки газа" in html


@pytest.mark.parametrize(
    "path",
    [
        "/pivotwatch/article_list",
        "/pivotwatch/articles",
        "/pivotwatch/latest",
        "/pivotwatch/search?q=paragraph",
        "/pivotwatch/article_list?_search=paragraph",
        "/pivotwatch/feed.atom",
        "ARTICLE",
    ],
)
def test_scraped_markup_is_always_text(datasette: Any, path: str) -> None:
    if path == "ARTICLE":
        path = f"/pivotwatch/articles/{article_id(datasette, 'https://thediplomat.com/2025/03/hostile/')}"
    body = get(datasette, path).text
    assert SCRIPT not in body and IMAGE not in body
    assert ESCAPED_SCRIPT in body or "&amp;lt;script" in body


def test_javascript_urls_are_never_links(datasette: Any) -> None:
    number = article_id(datasette, JAVASCRIPT_URL)
    for path in (
        "/pivotwatch/article_list",
        f"/pivotwatch/articles/{number}",
        "/pivotwatch/articles",
    ):
        body = get(datasette, path).text
        assert 'href="javascript:' not in body.lower()
        assert "javascript:alert(1)" in body


def test_robots_are_turned_away(datasette: Any) -> None:
    assert get(datasette, "/robots.txt").text == "User-agent: *\nDisallow: /\n"


def test_nothing_can_be_written(datasette: Any) -> None:
    response = get(datasette, "/pivotwatch.json?sql=delete from articles")
    assert response.status_code == 400
    count = get_json(datasette, "/pivotwatch/articles.json?_shape=array&_size=max")
    assert len(count) == 8


def test_a_missing_database_is_created_empty(tmp_path: Path) -> None:
    datasette = make_datasette(tmp_path / "new" / "fresh.db")
    data = get_json(datasette, "/pivotwatch/article_list.json")
    assert data["rows"] == [] and "theme" in data["facet_results"]

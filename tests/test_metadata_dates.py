"""Dates in the forms pages write them, the fixed source order, and page metadata."""

from __future__ import annotations

import pytest
from selectolax.lexbor import LexborHTMLParser

from pipelines.dates import date_from_url, parse_date, pick_date
from pipelines.metadata import read_metadata

DATES = [
    ("iso-day", "2016-09-09", ("2016-09-09T00:00:00Z", "day")),
    ("iso-offset", "2016-09-09T10:00:00+10:00", ("2016-09-09T00:00:00Z", "second")),
    ("iso-millis-z", "2025-01-29T08:00:00.000Z", ("2025-01-29T08:00:00Z", "second")),
    ("rfc2822", "Fri, 09 Sep 2016 10:00:00 GMT", ("2016-09-09T10:00:00Z", "second")),
    ("month-day-year", "September 9, 2016", ("2016-09-09T00:00:00Z", "day")),
    ("day-month-year", "9 Sept. 2016", ("2016-09-09T00:00:00Z", "day")),
    ("russian", "12 сентября 2024 г.", ("2024-09-12T00:00:00Z", "day")),
    ("japanese", "2024年9月12日", ("2024-09-12T00:00:00Z", "day")),
    ("dotted", "14.10.2024", ("2024-10-14T00:00:00Z", "day")),
    ("compact", "20160909", ("2016-09-09T00:00:00Z", "day")),
]


@pytest.mark.parametrize(("case", "raw", "expected"), DATES, ids=[d[0] for d in DATES])
def test_dates_parse_to_utc_with_precision(case: str, raw: str, expected: tuple) -> None:
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["", "soon", "2016-02-30", "0000-00-00", "x" * 500])
def test_non_dates_give_none(raw: str) -> None:
    assert parse_date(raw) is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://eastasiaforum.org/2024/03/05/slug/", ("2024-03-05T00:00:00Z", "day")),
        ("https://thediplomat.com/2016/01/slug/", ("2016-01-01T00:00:00Z", "month")),
        ("https://ria.ru/20240912/slug-123.html", ("2024-09-12T00:00:00Z", "day")),
        ("https://tass.com/economy/1838020", None),
    ],
    ids=["year-month-day", "year-month", "compact", "no-date"],
)
def test_url_dates(url: str, expected: tuple | None) -> None:
    assert date_from_url(url) == expected


def test_a_url_date_never_beats_the_page_own_date() -> None:
    found = pick_date(
        {"url": ["https://thediplomat.com/2016/01/slug/"], "meta": ["2016-02-03T04:05:06Z"]}
    )
    assert found is not None
    assert (found.value, found.source) == ("2016-02-03T04:05:06Z", "meta")


def test_feed_date_comes_before_url_and_text() -> None:
    found = pick_date(
        {"text": ["May 1, 2020"], "url": ["https://x.org/2020/04/02/a/"], "feed": ["2020-04-03"]}
    )
    assert found is not None and found.source == "feed"


def test_unparseable_candidates_fall_through_to_the_next_source() -> None:
    found = pick_date({"json-ld": ["not a date"], "time": ["2024-05-06T07:08:09+03:00"]})
    assert found is not None
    assert (found.value, found.source) == ("2024-05-06T04:08:09Z", "time")


PAGE = """<html lang="ru-RU"><head>
<title>Россия и АСЕАН | Example</title>
<link rel="canonical" href="/articles/russia-asean/">
<meta property="og:description" content="Обзор отношений.">
<meta property="article:section" content="Analysis">
<meta name="keywords" content="ASEAN, Russia">
<script type="application/ld+json">{"@graph": [
  {"@type": "WebSite", "name": "Example"},
  {"@type": "NewsArticle", "headline": "Россия и АСЕАН", "datePublished": "2024-05-06",
   "author": [{"@type": "Person", "name": "Olga Ivanova"}, "Ivan Petrov"],
   "isAccessibleForFree": "False"}]}</script>
<script type="application/ld+json">{ broken json</script>
</head><body><h1>Другой заголовок</h1></body></html>"""


def test_metadata_reads_json_ld_graph_meta_and_link_tags() -> None:
    meta = read_metadata(LexborHTMLParser(PAGE), "https://example.org/2023/01/01/x/")
    assert meta.title == "Россия и АСЕАН"
    assert meta.authors == ["Olga Ivanova", "Ivan Petrov"]
    assert meta.published is not None
    assert (meta.published.value, meta.published.source) == ("2024-05-06T00:00:00Z", "json-ld")
    assert meta.language == "ru"
    assert meta.canonical_url == "https://example.org/articles/russia-asean/"
    assert (meta.description, meta.section) == ("Обзор отношений.", "Analysis")
    assert meta.page_tags == ["ASEAN", "Russia"]
    assert meta.accessible_for_free is False


def test_title_falls_back_to_h1_then_title_without_site_name() -> None:
    with_h1 = read_metadata(LexborHTMLParser("<h1>Pacific Fleet drills</h1>"), None)
    with_title = read_metadata(LexborHTMLParser("<title>Kuril talks - Example News</title>"), None)
    assert (with_h1.title, with_title.title) == ("Pacific Fleet drills", "Kuril talks")


@pytest.mark.parametrize(
    ("head", "title"),
    [
        ("<meta property='og:site_name' content='Policy Forum'>", "Courting Moscow"),
        ("<meta property='og:site_name' content='Elsewhere'>", "Courting Moscow - Policy Forum"),
        ("", "Courting Moscow"),
    ],
    ids=["site-name-tail", "other-tail-kept", "h1-head"],
)
def test_site_name_is_dropped_from_the_og_title(head: str, title: str) -> None:
    h1 = "<h1>Courting Moscow</h1>" if "og:site_name" not in head else "<h1>Other</h1>"
    page = (
        f"<html><head><meta property='og:title' content='Courting Moscow - Policy Forum'>{head}"
        f"</head><body>{h1}<p>Text.</p></body></html>"
    )
    assert read_metadata(LexborHTMLParser(page), None, {}).title == title

"""The bundled sample web, exercised over real loopback HTTP."""

from __future__ import annotations

import datetime as dt
import gzip
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import feedparser
import httpx
import pytest
from protego import Protego
from selectolax.lexbor import LexborHTMLParser

from crawler.sampleweb import SampleWeb, build_site_apps
from crawler.sampleweb.catalog import load_sites

TODAY = dt.date(2026, 10, 10)
SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
NEWS_NS = "{http://www.google.com/schemas/sitemap-news/0.9}"


@pytest.fixture(scope="module")
def web() -> Iterator[SampleWeb]:
    with SampleWeb(TODAY) as running:
        yield running


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as http:
        yield http


def page_text(html: str) -> str:
    return LexborHTMLParser(html).body.text(separator=" ")


def test_every_site_answers_its_homepage_with_html(web: SampleWeb, client: httpx.Client) -> None:
    for base in web.sites.values():
        response = client.get(base)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")


def test_sites_listen_on_distinct_addresses(web: SampleWeb) -> None:
    hosts = {httpx.URL(base).host for base in web.sites.values()}
    ports = {httpx.URL(base).port for base in web.sites.values()}
    assert len(hosts) == len(web.sites) or len(ports) == len(web.sites)


def test_unknown_path_is_404(web: SampleWeb, client: httpx.Client) -> None:
    assert client.get(web.sites["thediplomat"] + "no/such/page/").status_code == 404


def articles_of(web: SampleWeb, site: str) -> list[dict]:
    return [entry for entry in web.manifest() if entry["site"] == site]


def source_entries(web: SampleWeb) -> dict[str, dict]:
    return {entry["name"]: entry for entry in tomllib.loads(web.sources_toml())["source"]}


READER = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) pivotwatch-reader"}

FEEDS = [
    pytest.param("thediplomat", "feed/", "rss20", id="diplomat-rss"),
    pytest.param("wpr", "feed/", "rss20", id="wpr-rss"),
    pytest.param("policyforum", "feed/", "atom10", id="policyforum-atom"),
    pytest.param("tass", "rss/v2.xml", "rss20", id="tass-rss"),
    pytest.param("aggregator", "feed/", "rss20", id="aggregator-rss"),
]


@pytest.mark.parametrize(("site", "path", "version"), FEEDS)
def test_feed_parses_and_lists_every_article(
    web: SampleWeb, client: httpx.Client, site: str, path: str, version: str
) -> None:
    response = client.get(web.sites[site] + path, headers=READER)
    parsed = feedparser.parse(response.content)
    assert response.status_code == 200
    assert parsed.version == version and not parsed.bozo
    assert {entry.link for entry in parsed.entries} == {a["url"] for a in articles_of(web, site)}


def test_feed_items_are_excerpts_not_full_text(web: SampleWeb, client: httpx.Client) -> None:
    parsed = feedparser.parse(client.get(web.sites["thediplomat"] + "feed/").content)
    assert all(len(entry.summary.split()) < 60 for entry in parsed.entries)


def test_wpr_feed_refuses_a_bot_user_agent(web: SampleWeb, client: httpx.Client) -> None:
    url = web.sites["wpr"] + "feed/"
    assert client.get(url, headers={"User-Agent": "pivotwatch-bot/0.1"}).status_code == 403
    user_agent = source_entries(web)["wpr"]["user_agent"]
    assert client.get(url, headers={"User-Agent": user_agent}).status_code == 200


def test_east_asia_forum_feed_is_blocked(web: SampleWeb, client: httpx.Client) -> None:
    assert client.get(web.sites["eastasiaforum"] + "feed/", headers=READER).status_code == 403


def test_sitemap_index_leads_to_urlset_and_gzipped_news_sitemap(
    web: SampleWeb, client: httpx.Client
) -> None:
    base = web.sites["eastasiaforum"]
    index = ET.fromstring(client.get(base + "sitemap.xml").content)
    children = [loc.text for loc in index.findall("sm:sitemap/sm:loc", SITEMAP_NS)]
    assert children == [base + "post-sitemap.xml", base + "news-sitemap.xml.gz"]
    urlset = ET.fromstring(client.get(children[0]).content)
    listed = {loc.text for loc in urlset.findall("sm:url/sm:loc", SITEMAP_NS)}
    expected = {a["url"] for a in articles_of(web, "eastasiaforum")}
    assert expected < listed
    news = ET.fromstring(gzip.decompress(client.get(children[1]).content))
    dates = [node.text for node in news.iter(NEWS_NS + "publication_date")]
    assert len(dates) == len(expected)
    assert all(dt.datetime.fromisoformat(d).date() < TODAY for d in dates)


CONDITIONAL = [
    pytest.param("thediplomat", "feed/", id="rss"),
    pytest.param("policyforum", "feed/", id="atom"),
    pytest.param("eastasiaforum", "sitemap.xml", id="sitemap-index"),
    pytest.param("eastasiaforum", "news-sitemap.xml.gz", id="news-sitemap-gz"),
    pytest.param("lowy", "sitemap.xml", id="urlset"),
]


@pytest.mark.parametrize(("site", "path"), CONDITIONAL)
def test_conditional_get_answers_304(
    web: SampleWeb, client: httpx.Client, site: str, path: str
) -> None:
    url = web.sites[site] + path
    first = client.get(url)
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": last_modified}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"stale"'}).status_code == 200


def test_russian_article_is_served_in_windows_1251(web: SampleWeb, client: httpx.Client) -> None:
    russian = next(a for a in web.manifest() if a["language"] == "ru")
    response = client.get(russian["url"])
    assert response.headers["content-type"] == "text/html; charset=windows-1251"
    with pytest.raises(UnicodeDecodeError):
        response.content.decode("utf-8")
    text = response.content.decode("windows-1251")
    assert "Тихоокеанского флота" in text and russian["title"] in text


def test_robots_txt_names_sitemaps_and_one_crawl_delay(
    web: SampleWeb, client: httpx.Client
) -> None:
    texts = {site: client.get(base + "robots.txt").text for site, base in web.sites.items()}
    assert all(f"Sitemap: {web.sites[site]}sitemap.xml" in text for site, text in texts.items())
    assert all("Disallow: /" in text for text in texts.values())
    assert [site for site, text in texts.items() if "Crawl-delay: 1" in text] == ["lowy"]


def test_disallowed_urls_are_linked_but_forbidden(web: SampleWeb, client: httpx.Client) -> None:
    linked = client.get(web.sites["eastasiaforum"] + "post-sitemap.xml").text
    linked += client.get(web.sites["lowy"] + "the-interpreter/archive?page=1").text
    for url in web.disallowed_urls():
        base = next(b for b in web.sites.values() if url.startswith(b))
        robots = Protego.parse(client.get(base + "robots.txt").text)
        assert url in linked
        assert not robots.can_fetch(url, "pivotwatch")


def test_lowy_archive_has_two_pages_joined_by_a_next_link(
    web: SampleWeb, client: httpx.Client
) -> None:
    listing = source_entries(web)["lowy"]["listings"][0]
    first = LexborHTMLParser(client.get(listing["url"]).text)
    second_url = first.css_first(listing["next"]).attributes["href"]
    second = LexborHTMLParser(client.get(second_url).text)
    assert second.css_first(listing["next"]) is None
    links = [
        node.attributes["href"] for page in (first, second) for node in page.css(listing["links"])
    ]
    assert {a["url"] for a in articles_of(web, "lowy")} <= set(links)


def test_wordpress_api_pages_and_filters(web: SampleWeb, client: httpx.Client) -> None:
    base = web.sites["thediplomat"]
    newest_first = [
        a["url"]
        for a in sorted(articles_of(web, "thediplomat"), key=lambda a: a["published"], reverse=True)
    ]
    response = client.get(
        base + "wp-json/wp/v2/posts", params={"per_page": 2, "page": 2, "_embed": 1}
    )
    assert response.headers["x-wp-total"] == str(len(newest_first))
    assert [post["link"] for post in response.json()] == newest_first[2:4]
    assert response.json()[0]["_embedded"]["author"][0]["name"]
    after = sorted(a["published"] for a in articles_of(web, "thediplomat"))[-2]
    recent = client.get(base, params={"rest_route": "/wp/v2/posts", "after": after}).json()
    assert [post["link"] for post in recent] == newest_first[:1]
    assert set(recent[0]) >= {"date_gmt", "modified_gmt", "title", "excerpt", "content"}
    assert client.get(base + "wp-json/wp/v2/posts", params={"page": 99}).status_code == 400


def test_manifest_covers_enough_articles(web: SampleWeb) -> None:
    manifest = web.manifest()
    originals = [a for a in manifest if not a["teaser"]]
    assert len([a for a in originals if a["on_topic"]]) >= 18
    assert len([a for a in originals if not a["on_topic"]]) >= 3
    assert {a["site"] for a in manifest} == set(web.sites)
    assert all(a["paywalled"] == (a["site"] == "wpr") for a in manifest)


def test_manifest_pages_answer_and_carry_what_they_promise(
    web: SampleWeb, client: httpx.Client
) -> None:
    for article in web.manifest():
        response = client.get(article["url"])
        text = page_text(response.text)
        assert response.status_code == 200, article["url"]
        assert 2 <= len(article["must_keep"]) <= 3
        assert all(phrase in text for phrase in article["must_keep"]), article["url"]
        assert article["must_drop"] and all(p in text for p in article["must_drop"])
        published = dt.datetime.fromisoformat(article["published"]).date()
        assert TODAY - dt.timedelta(days=30) < published < TODAY


def test_teasers_link_to_the_full_story_on_the_diplomat(
    web: SampleWeb, client: httpx.Client
) -> None:
    teasers = [a for a in web.manifest() if a["teaser"]]
    assert teasers
    for teaser in teasers:
        page = LexborHTMLParser(client.get(teaser["url"]).text)
        link = next(a for a in page.css("a") if "Read the full story" in a.text())
        assert link.attributes["href"] == teaser["full_story_url"]
        assert teaser["full_story_url"].startswith(web.sites["thediplomat"])
        assert client.get(teaser["full_story_url"]).status_code == 200


def test_sources_toml_points_at_the_running_sites(web: SampleWeb) -> None:
    entries = source_entries(web)
    assert list(entries) == list(web.sites)
    for name, entry in entries.items():
        assert entry["homepage"] == web.sites[name]
        urls = entry["feeds"] + entry["sitemaps"] + [item["url"] for item in entry["listings"]]
        assert urls and all(url.startswith(web.sites[name]) for url in urls)
    assert entries["thediplomat"]["wordpress_api"] is True
    assert entries["tass"]["source_type"] == "state_media"


def test_request_log_records_site_method_and_path(web: SampleWeb, client: httpx.Client) -> None:
    client.head(web.sites["tass"] + "rss/v2.xml?probe=1")
    assert ("tass", "HEAD", "/rss/v2.xml?probe=1") in web.request_log()


FIXED_BASES = {site.name: f"http://sample-{site.name}.test/" for site in load_sites()}


def rendered(today: dt.date) -> dict[tuple[str, str], bytes]:
    apps = build_site_apps(load_sites(), today, FIXED_BASES)
    return {(name, path): r.body for name, app in apps.items() for path, r in app.resources.items()}


def test_same_today_gives_identical_bytes() -> None:
    first, second = rendered(TODAY), rendered(TODAY)
    assert first == second
    assert rendered(TODAY + dt.timedelta(days=1)) != first


def test_two_running_webs_serve_the_same_bytes_apart_from_their_addresses(
    web: SampleWeb, client: httpx.Client
) -> None:
    paths = [("thediplomat", "feed/"), ("eastasiaforum", "news-sitemap.xml.gz"), ("lowy", "")]
    with SampleWeb(TODAY) as other:
        for site, path in paths:
            ours = client.get(web.sites[site] + path).content
            theirs = client.get(other.sites[site] + path).content
            if path.endswith(".gz"):
                ours, theirs = gzip.decompress(ours), gzip.decompress(theirs)
            for name in web.sites:
                theirs = theirs.replace(other.sites[name].encode(), web.sites[name].encode())
            assert ours == theirs

"""The pass against real loopback hosts: discovery, the queue, politeness, failures."""

from __future__ import annotations

import gzip
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from mockserver import MockHost, MockWeb, Reply, html
from sqlite_utils import Database

from crawler.clock import FakeClock, parse_iso
from crawler.crawl import CrawlReport, run_pass
from crawler.settings import CrawlSettings, Listing, Settings, Source
from pipelines.process import WORDPRESS_JSON, FetchedPage
from pipelines.store import open_database, sync_sources

DAY = 86400.0


@dataclass
class Processed:
    article_id: int
    created: bool
    full_story_url: str | None = None


class RecordingProcessor:
    """Stands in for ArticleProcessor: stores a bare article row per page, records pages."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.pages: list[FetchedPage] = []

    def process(self, page: FetchedPage) -> Processed:
        self.pages.append(page)
        if b"malformed-for-extraction" in page.body:
            raise ValueError("cannot extract")
        found = self.db.execute("SELECT id FROM articles WHERE url = ?", [page.url]).fetchone()
        if found:
            return Processed(found[0], False)
        with self.db.atomic():
            row = {"url": page.url, "source": page.source, "fetched": page.fetched}
            article_id = self.db["articles"].insert(row).last_pk
        full = (
            page.body.split(b"full-story=")[1].split(b'"')[1].decode()
            if b"full-story=" in page.body
            else None
        )
        return Processed(article_id, True, full)


class Crawl:
    def __init__(self, tmp_path: Path, sources: list[Source], **crawl: Any) -> None:
        options = {"min_delay": 0.0, "allow_networks": ["127.0.0.0/8"], "timeout": 0.5, **crawl}
        self.settings = Settings(crawl=CrawlSettings(**options))
        self.sources = sources
        self.db = open_database(tmp_path / "pivotwatch.db")
        sync_sources(
            self.db,
            [
                {
                    "name": s.name,
                    "title": s.title,
                    "homepage": s.homepage,
                    "source_type": s.source_type,
                }
                for s in sources
            ],
        )
        self.processor = RecordingProcessor(self.db)
        self.clock = FakeClock()

    def run(self, backfill: bool = False, stop: threading.Event | None = None) -> CrawlReport:
        return run_pass(
            self.settings,
            self.db,
            self.sources,
            self.processor,
            backfill=backfill,
            clock=self.clock,
            stop=stop or threading.Event(),
        )

    def states(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT url, state FROM urls").fetchall())

    def fetched_urls(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT url FROM fetches ORDER BY id")]


def source(name: str, host: MockHost, **fields: Any) -> Source:
    return Source(
        name=name, title=name.title(), homepage=host.base, source_type="journal", **fields
    )


def rss(host: MockHost, items: list[tuple[str, str]], guid: bool = True) -> str:
    entries = "".join(
        f"<item><title>{path}</title><link>{host.url(path)}</link>"
        + (f"<guid>{host.url(path)}</guid>" if guid else "")
        + f"<pubDate>{date}</pubDate></item>"
        for path, date in items
    )
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
    return f"{head}{entries}</channel></rss>"


def article(text: str = "text") -> Reply:
    return html(f"<html><head><title>{text}</title></head><body><p>{text}</p></body></html>")


def etag_feed(body: str) -> Any:
    tag = f'"{hash(body)}"'

    def respond(request: Any) -> Reply:
        if request.headers.get("If-None-Match") == tag:
            return Reply(304)
        return Reply(200, body, {"Content-Type": "application/rss+xml", "ETag": tag})

    return respond


RECENT = "Wed, 31 Dec 2025 12:00:00 GMT"  # the fake clock starts at 2026-01-01


@pytest.fixture
def web() -> Any:
    web = MockWeb()
    yield web
    web.close()


def test_first_pass_fetches_new_articles_and_second_pass_costs_one_request(
    tmp_path: Path, web: MockWeb
) -> None:
    host = web.host()
    host.route("/robots.txt", Reply(200, "User-agent: *\nDisallow: /private/\n"))
    host.route(
        "/feed",
        etag_feed(
            rss(host, [("a", RECENT), ("b", RECENT), ("paper.pdf", RECENT), ("private/c", RECENT)])
        ),
    )
    host.route("/a", article("a")).route("/b", article("b"))
    host.route("/paper.pdf", Reply(200, b"%PDF", {"Content-Type": "application/pdf"}))
    crawl = Crawl(tmp_path, [source("one", host, feeds=[host.url("feed")])])

    first = crawl.run().sources[0]
    assert (first.discovered, first.fetched, first.new_articles, first.outcome) == (4, 2, 2, "ok")
    states = crawl.states()
    assert states[host.url("a")] == "stored" and states[host.url("paper.pdf")] == "skipped"
    assert states[host.url("private/c")] == "refused"
    assert "/private/c" not in host.paths()

    before = len(host.requests)
    second = crawl.run().sources[0]
    assert host.paths()[before:] == ["/feed"]  # robots.txt comes from the cache
    assert (second.discovered, second.fetched, second.outcome) == (0, 0, "ok")
    assert crawl.db.execute("SELECT count(*) FROM articles").fetchone()[0] == 2


def test_feed_whose_validators_lie_is_recognised_by_its_body_hash(
    tmp_path: Path, web: MockWeb
) -> None:
    host = web.host()
    body = rss(host, [("a", RECENT)])
    host.route("/feed", lambda r: Reply(200, body, {"ETag": f'"{len(r.headers)}x"'}))
    host.route("/a", article())
    crawl = Crawl(tmp_path, [source("one", host, feeds=[host.url("feed")])])
    crawl.run()
    before = len(host.requests)
    crawl.run()
    assert host.paths()[before:] == ["/feed"]  # robots.txt comes from the cache


def test_a_changed_feed_fetches_only_the_new_item(tmp_path: Path, web: MockWeb) -> None:
    host = web.host()
    host.route(
        "/feed",
        [
            Reply(200, rss(host, [("a", RECENT)])),
            Reply(200, rss(host, [("b", RECENT), ("a", RECENT)])),
        ],
    )
    host.route("/a", article()).route("/b", article())
    crawl = Crawl(tmp_path, [source("one", host, feeds=[host.url("feed")])])
    crawl.run()
    report = crawl.run().sources[0]
    assert (report.discovered, report.fetched) == (1, 1)
    assert host.paths().count("/a") == 1 and host.paths().count("/b") == 1


def test_failed_articles_are_retried_later_even_when_the_feed_is_unchanged(
    tmp_path: Path, web: MockWeb
) -> None:
    host = web.host()
    host.route("/feed", etag_feed(rss(host, [("a", RECENT)])))
    host.route("/a", [Reply(500), Reply(500), Reply(500), article()])
    crawl = Crawl(tmp_path, [source("one", host, feeds=[host.url("feed")])])
    first = crawl.run().sources[0]
    assert first.outcome == "partial" and first.last_error == "HTTPStatusError: HTTP 500"
    row = crawl.db.execute("SELECT state, attempts, next_try FROM urls").fetchone()
    assert row[:2] == ("failed", 1)
    crawl.run()  # too early: the URL waits for its backoff
    assert host.paths().count("/a") == 3
    crawl.clock.time = parse_iso(row[2]) + 1
    report = crawl.run().sources[0]
    assert report.fetched == 1 and crawl.states()[host.url("a")] == "stored"


def test_guid_remembers_an_item_whose_link_changed(tmp_path: Path, web: MockWeb) -> None:
    host = web.host()
    item = f"<item><link>{host.url('a')}</link><guid>id-1</guid></item>"
    first = f'<rss version="2.0"><channel>{item}</channel></rss>'
    moved = first.replace(host.url("a"), host.url("a-renamed"))
    host.route("/feed", [Reply(200, first), Reply(200, moved)])
    host.route("/a", article())
    crawl = Crawl(tmp_path, [source("one", host, feeds=[host.url("feed")])])
    crawl.run()
    assert crawl.run().sources[0].discovered == 0
    assert "/a-renamed" not in host.paths()


def test_tracking_parameters_do_not_make_an_article_new(tmp_path: Path, web: MockWeb) -> None:
    host = web.host()
    host.route(
        "/feed",
        Reply(
            200,
            rss(host, [("a?utm_source=x", RECENT), ("a#top", RECENT), ("a", RECENT)], guid=False),
        ),
    )
    host.route("/a", article())
    crawl = Crawl(tmp_path, [source("one", host, feeds=[host.url("feed")])])
    assert crawl.run().sources[0].discovered == 1


def sitemap_xml(host: MockHost, count: int, start_day: int = 1) -> bytes:
    urls = "".join(
        f"<url><loc>{host.url(f'p{i}')}</loc><lastmod>2025-12-{start_day + i:02d}</lastmod></url>"
        for i in range(count)
    )
    return (
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{urls}</urlset>"
    ).encode()


def test_per_pass_limit_takes_the_newest_and_leaves_the_rest_for_later(
    tmp_path: Path, web: MockWeb
) -> None:
    host = web.host()
    host.route("/sitemap.xml", Reply(200, sitemap_xml(host, 20, start_day=10)))
    for i in range(20):
        host.route(f"/p{i}", article())
    crawl = Crawl(
        tmp_path, [source("one", host, sitemaps=[host.url("sitemap.xml")])], max_articles_per_pass=5
    )
    report = crawl.run().sources[0]
    assert (report.discovered, report.fetched) == (20, 5)
    assert sorted(p.url for p in crawl.processor.pages) == sorted(
        host.url(f"p{i}") for i in range(15, 20)
    )
    assert crawl.processor.pages[0].listed_date == "2025-12-29T00:00:00Z"
    assert list(crawl.states().values()).count("discovered") == 15
    assert crawl.run().sources[0].fetched == 5


def test_max_age_days_holds_old_urls_back_until_backfill(tmp_path: Path, web: MockWeb) -> None:
    host = web.host()
    host.route("/sitemap.xml", Reply(200, sitemap_xml(host, 20, start_day=1)))
    for i in range(20):
        host.route(f"/p{i}", article())
    crawl = Crawl(
        tmp_path, [source("one", host, sitemaps=[host.url("sitemap.xml")])], max_age_days=20
    )  # cutoff 2025-12-12
    assert crawl.run().sources[0].fetched == 9  # 2025-12-12 .. 2025-12-20
    assert crawl.run(backfill=True).sources[0].fetched == 11


def test_gzipped_sitemap_index_and_news_sitemap(tmp_path: Path, web: MockWeb) -> None:
    host = web.host()
    index = (
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{host.url('news.xml.gz')}</loc><lastmod>2025-12-30</lastmod></sitemap>"
        f"<sitemap><loc>{host.url('old.xml')}</loc><lastmod>2019-01-01</lastmod></sitemap>"
        f"</sitemapindex>"
    )
    news = (
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url>'
        f"<loc>{host.url('n1')}</loc><news:news><news:publication_date>2025-12-31T08:30:00+02:00"
        f"</news:publication_date></news:news></url></urlset>"
    )
    host.route("/index.xml", Reply(200, index))
    host.route(
        "/news.xml.gz",
        Reply(200, gzip.compress(news.encode()), {"Content-Type": "application/x-gzip"}),
    )
    host.route("/n1", article())
    crawl = Crawl(tmp_path, [source("one", host, sitemaps=[host.url("index.xml")])])
    report = crawl.run().sources[0]
    assert report.fetched == 1 and "/old.xml" not in host.paths()
    assert crawl.processor.pages[0].listed_date == "2025-12-31T06:30:00Z"


def test_listing_pages_with_pagination_and_url_rules(tmp_path: Path, web: MockWeb) -> None:
    host = web.host()
    host.route(
        "/list",
        html(
            '<a class="story" href="/2025/12/one/">1</a>'
            '<a class="story" href="/tag/russia/">tag</a>'
            '<a class="story" href="mailto:x@y">m</a><a class="next" href="/list?page=2">next</a>'
        ),
    )
    host.route(
        "/list?page=2",
        html(
            '<a class="story" href="/2025/12/two/">2</a><a class="next" href="/list?page=3">n</a>'
        ),
    )
    host.route("/list?page=3", html('<a class="story" href="/2025/12/three/">3</a>'))
    for slug in ("one", "two", "three"):
        host.route(f"/2025/12/{slug}/", article())
    listing = Listing(url=host.url("list"), links="a.story", next="a.next", pages=2)
    crawl = Crawl(
        tmp_path,
        [source("one", host, listings=[listing], allow=[r"/\d{4}/\d{2}/"], deny=[r"/tag/"])],
    )
    crawl.run()
    assert sorted(crawl.states()) == [host.url("2025/12/one/"), host.url("2025/12/two/")]
    assert "/list?page=3" not in host.paths()


def test_wordpress_api_falls_back_to_rest_route(tmp_path: Path, web: MockWeb) -> None:
    host = web.host()
    post = {
        "id": 7,
        "link": host.url("2025/12/post/"),
        "date_gmt": "2025-12-30T10:00:00",
        "title": {"rendered": "T"},
        "content": {"rendered": "<p>x</p>"},
    }
    host.route(
        "/",
        lambda r: (
            Reply(200, json.dumps([post]), {"Content-Type": "application/json"})
            if "rest_route=%2Fwp%2Fv2%2Fposts" in r.path
            else Reply(404)
        ),
    )
    crawl = Crawl(tmp_path, [source("one", host, wordpress_api=True)])
    report = crawl.run().sources[0]
    assert (report.fetched, report.new_articles, report.outcome) == (1, 1, "ok")
    page = crawl.processor.pages[0]
    assert page.content_type == WORDPRESS_JSON and json.loads(page.body)["id"] == 7
    assert page.listed_date == "2025-12-30T10:00:00Z"
    assert any(
        p.startswith("/wp-json/wp/v2/posts?") and "after=2025-12-02" in p for p in host.paths()
    )
    assert crawl.states()[host.url("2025/12/post/")] == "stored"


def test_full_story_of_a_teaser_is_fetched_in_the_same_pass(tmp_path: Path, web: MockWeb) -> None:
    aggregator, origin = web.host(), web.host()
    aggregator.route("/feed", Reply(200, rss(aggregator, [("teaser", RECENT)])))
    aggregator.route("/teaser", html(f'<p full-story="{origin.url("story")}">teaser</p>'))
    origin.route("/robots.txt", Reply(200, "User-agent: *\nDisallow:\n")).route("/story", article())
    crawl = Crawl(
        tmp_path,
        [source("agg", aggregator, feeds=[aggregator.url("feed")]), source("origin", origin)],
    )
    crawl.run()
    assert crawl.states()[origin.url("story")] == "stored"
    owner = crawl.db.execute(
        "SELECT source FROM urls WHERE url = ?", [origin.url("story")]
    ).fetchone()
    assert owner == ("origin",)


@pytest.mark.parametrize(
    ("feed", "error"),
    [
        (Reply(200, "<html>not a feed"), "DiscoveryError: not a feed"),
        (Reply(404), "HTTPStatusError: HTTP 404"),
    ],
    ids=["malformed-feed", "missing-feed"],
)
def test_a_broken_endpoint_is_recorded_and_the_others_still_run(
    tmp_path: Path, web: MockWeb, feed: Reply, error: str
) -> None:
    host = web.host()
    host.route("/bad", feed).route("/good", Reply(200, rss(host, [("a", RECENT)]))).route(
        "/a", article()
    )
    crawl = Crawl(tmp_path, [source("one", host, feeds=[host.url("bad"), host.url("good")])])
    report = crawl.run().sources[0]
    assert (report.fetched, report.outcome) == (1, "partial")
    assert report.last_error.startswith(error)


def test_page_the_processor_rejects_is_failed_not_fatal(tmp_path: Path, web: MockWeb) -> None:
    host = web.host()
    host.route("/feed", Reply(200, rss(host, [("a", RECENT), ("b", RECENT)])))
    host.route("/a", html("malformed-for-extraction")).route("/b", article())
    crawl = Crawl(tmp_path, [source("one", host, feeds=[host.url("feed")])])
    report = crawl.run().sources[0]
    assert report.fetched == 1 and crawl.states()[host.url("a")] == "failed"
    assert report.last_error == "ValueError: cannot extract"


def test_a_dead_source_fails_alone_then_rests(tmp_path: Path, web: MockWeb) -> None:
    host = web.host()
    host.route("/feed", Reply(200, rss(host, [("a", RECENT)]))).route("/a", article())
    dead = Source(
        name="dead",
        title="Dead",
        homepage="http://127.0.0.1:9/",
        source_type="news",
        feeds=["http://127.0.0.1:9/feed"],
    )
    crawl = Crawl(tmp_path, [dead, source("live", host, feeds=[host.url("feed")])])
    reports = {r.source: r for r in crawl.run().sources}
    assert reports["live"].outcome == "ok" and reports["live"].fetched == 1
    assert reports["dead"].outcome == "failed"
    assert reports["dead"].last_error.startswith("HostDeferred: robots.txt unreachable")
    for _ in range(2):
        crawl.clock.time += 600
        crawl.run()

    def dead_requests() -> int:
        return sum(url.startswith("http://127.0.0.1:9/") for url in crawl.fetched_urls())

    requests = dead_requests()
    resting = crawl.run().sources[0]
    assert resting.outcome == "failed" and resting.last_error.startswith("resting until")
    assert dead_requests() == requests  # no request while resting
    runs = crawl.db.execute(
        "SELECT outcome, last_error FROM crawl_runs WHERE source='dead' ORDER BY id DESC LIMIT 1"
    ).fetchone()
    assert runs[0] == "failed" and "resting until" in runs[1]


def test_min_delay_spaces_requests_to_one_host_on_the_injected_clock(
    tmp_path: Path, web: MockWeb
) -> None:
    host = web.host()
    host.route("/feed", Reply(200, rss(host, [(f"p{i}", RECENT) for i in range(4)])))
    for i in range(4):
        host.route(f"/p{i}", article())
    crawl = Crawl(tmp_path, [source("one", host, feeds=[host.url("feed")])], min_delay=5.0)
    crawl.run()
    times = [parse_iso(t) for (t,) in crawl.db.execute("SELECT fetched FROM fetches ORDER BY id")]
    assert len(times) == 6
    assert all(later - earlier >= 5.0 for earlier, later in zip(times, times[1:], strict=False))


def test_retry_after_in_a_pass_defers_the_host(tmp_path: Path, web: MockWeb) -> None:
    host = web.host()
    host.route("/feed", Reply(200, rss(host, [("a", RECENT)])))
    host.route("/a", [Reply(429, headers={"Retry-After": "120"}), article()])
    crawl = Crawl(tmp_path, [source("one", host, feeds=[host.url("feed")])])
    crawl.run()
    rows = crawl.db.execute(
        "SELECT status, fetched FROM fetches WHERE url = ? ORDER BY id", [host.url("a")]
    ).fetchall()
    assert [r[0] for r in rows] == [429, 200]
    assert parse_iso(rows[1][1]) - parse_iso(rows[0][1]) >= 120


def test_stop_starts_no_new_fetch(tmp_path: Path, web: MockWeb) -> None:
    host = web.host()
    host.route("/feed", Reply(200, rss(host, [("a", RECENT)])))
    crawl = Crawl(tmp_path, [source("one", host, feeds=[host.url("feed")])])
    stop = threading.Event()
    stop.set()
    crawl.run(stop=stop)
    assert host.requests == []
    assert (
        crawl.db.execute("SELECT count(*) FROM crawl_runs WHERE finished IS NOT NULL").fetchone()[0]
        == 1
    )


def test_robots_txt_is_kept_for_a_day_then_revalidated(tmp_path: Path, web: MockWeb) -> None:
    host = web.host()
    rules = "User-agent: *\nDisallow: /private/\n"

    def robots(request: Any) -> Reply:
        if request.headers.get("If-None-Match") == '"r1"':
            return Reply(304)
        return Reply(200, rules, {"Content-Type": "text/plain", "ETag": '"r1"'})

    host.route("/robots.txt", robots).route("/feed", etag_feed(rss(host, [])))
    crawl = Crawl(tmp_path, [source("one", host, feeds=[host.url("feed")])])
    crawl.run()
    crawl.clock.time += 23 * 3600
    before = len(host.requests)
    crawl.run()
    assert host.paths()[before:] == ["/feed"]
    crawl.clock.time += 2 * 3600
    before = len(host.requests)
    crawl.run()
    assert host.paths()[before:] == ["/robots.txt", "/feed"]
    assert host.requests[before].headers.get("If-None-Match") == '"r1"'
    before = len(host.requests)
    crawl.run()  # the 304 renewed the kept copy for another day
    assert host.paths()[before:] == ["/feed"]


def test_robots_txt_max_age_shortens_its_stay(tmp_path: Path, web: MockWeb) -> None:
    host = web.host()
    host.route("/robots.txt", Reply(200, "User-agent: *\n", {"Cache-Control": "max-age=600"}))
    host.route("/feed", etag_feed(rss(host, [])))
    crawl = Crawl(tmp_path, [source("one", host, feeds=[host.url("feed")])])
    crawl.run()
    crawl.clock.time += 601
    before = len(host.requests)
    crawl.run()
    assert host.paths()[before:] == ["/robots.txt", "/feed"]


def test_a_server_error_on_robots_txt_is_not_kept(tmp_path: Path, web: MockWeb) -> None:
    host = web.host()
    host.route("/robots.txt", Reply(503)).route("/feed", etag_feed(rss(host, [])))
    crawl = Crawl(tmp_path, [source("one", host, feeds=[host.url("feed")])])
    crawl.run()
    assert crawl.db.execute("SELECT count(*) FROM robots_cache").fetchone() == (0,)

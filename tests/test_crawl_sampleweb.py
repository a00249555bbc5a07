"""Crawling the bundled sample web twice, end to end through the pass."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest
from test_crawl import Crawl

from crawler.clock import parse_iso
from crawler.settings import SourceList

sampleweb = pytest.importorskip("crawler.sampleweb")
SENT_REQUESTS = "SELECT url, fetched FROM fetches WHERE status IS NOT NULL ORDER BY id"
TODAY = dt.date(2026, 1, 1)  # the fake clock's first day


@pytest.fixture(scope="module")
def web():  # type: ignore[no-untyped-def]
    with sampleweb.SampleWeb(TODAY).start() as running:
        yield running


def test_two_passes_store_each_article_once_politely(tmp_path: Path, web) -> None:  # type: ignore[no-untyped-def]
    sources = SourceList.model_validate(tomllib.loads(web.sources_toml())).source
    crawl = Crawl(
        tmp_path, sources, min_delay=2.0, max_articles_per_pass=500, max_age_days=3650, timeout=5.0
    )
    first = crawl.run()
    log_after_first = len(web.request_log())
    crawl.clock.time += 3600  # the next scheduled pass
    second = crawl.run()

    assert first.new_articles > 0 and second.new_articles == 0
    assert sum(r.fetched for r in second.sources) == 0
    urls = [url for (url,) in crawl.db.execute("SELECT url FROM articles")]
    assert len(urls) == len(set(urls))
    requested = {(site, path) for site, _method, path in web.request_log()}
    for url in web.disallowed_urls():
        site = next(name for name, base in web.sites.items() if url.startswith(base))
        assert (site, "/" + url.removeprefix(web.sites[site])) not in requested
    second_pass = [path for _site, _method, path in web.request_log()[log_after_first:]]
    polled = {"/robots.txt"} | {
        "/" + url.split("/", 3)[3] for (url,) in crawl.db.execute("SELECT url FROM polls")
    }
    assert set(second_pass) - polled == set()

    by_host: dict[str, list[float]] = defaultdict(list)
    for url, fetched in crawl.db.execute(SENT_REQUESTS):
        by_host[url.split("/")[2]].append(parse_iso(fetched))
    for times in by_host.values():
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        assert min(gaps, default=2.0) >= 2.0, times

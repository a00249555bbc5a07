"""Crawling the bundled sample web twice, end to end through the pass."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest

from crawler.app import App
from crawler.clock import FakeClock, parse_iso
from crawler.crawl import run_crawl

sampleweb = pytest.importorskip("crawler.sampleweb")
SENT_REQUESTS = "SELECT url, fetched FROM fetches WHERE status IS NOT NULL ORDER BY id"
TODAY = dt.date(2026, 1, 1)  # the fake clock's first day


THEMES = Path(__file__).resolve().parents[1] / "config" / "themes.toml"
SETTINGS = f"""
db = "pivotwatch.db"
themes = "{THEMES}"
[crawl]
min_delay = 2.0
timeout = 5.0
max_age_days = 3650
max_articles_per_pass = 500
allow_networks = ["127.0.0.0/8"]
"""


def make_app(folder: Path, sources_toml: str) -> App:
    (folder / "settings.toml").write_text(SETTINGS)
    (folder / "sources.toml").write_text(sources_toml)
    return App(config_path=folder / "settings.toml")


@pytest.fixture(scope="module")
def web():  # type: ignore[no-untyped-def]
    with sampleweb.SampleWeb(TODAY).start() as running:
        yield running


def test_two_passes_store_each_article_once_politely(tmp_path: Path, web) -> None:  # type: ignore[no-untyped-def]
    app = make_app(tmp_path, web.sources_toml())
    db = app.open_writer()
    clock = FakeClock()
    first = run_crawl(app, db, app.sources, clock=clock)
    log_after_first = len(web.request_log())
    clock.time += 3600  # the next scheduled pass
    second = run_crawl(app, db, app.sources, clock=clock)

    assert first.new_articles > 0 and second.new_articles == 0
    assert sum(r.fetched for r in second.sources) == 0
    urls = [url for (url,) in db.execute("SELECT url FROM articles")]
    assert len(urls) == len(set(urls))
    stored = db.execute("SELECT count(*) FROM urls WHERE state = 'stored'").fetchone()[0]
    assert stored == first.new_articles == len(urls)
    assert all(r.outcome != "failed" for r in first.sources), first.sources
    requested = {(site, path) for site, _method, path in web.request_log()}
    for url in web.disallowed_urls():
        site = next(name for name, base in web.sites.items() if url.startswith(base))
        assert (site, "/" + url.removeprefix(web.sites[site])) not in requested
    second_pass = [path for _site, _method, path in web.request_log()[log_after_first:]]
    polled = {"/robots.txt"} | {
        "/" + url.split("/", 3)[3] for (url,) in db.execute("SELECT url FROM polls")
    }
    assert set(second_pass) - polled == set()

    by_host: dict[str, list[float]] = defaultdict(list)
    for url, fetched in db.execute(SENT_REQUESTS):
        by_host[url.split("/")[2]].append(parse_iso(fetched))
    for times in by_host.values():
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        assert min(gaps, default=2.0) >= 2.0, times

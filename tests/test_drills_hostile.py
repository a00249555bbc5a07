"""Drill: one crawl pass against a hostile web ends in bounded time and memory, and records
every refusal. (The 100,000-item feed runs in `tests/benchmarks/drills.py`: too slow here.)
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from hostile_web import (
    PRIVATE_TARGETS,
    CrawlRun,
    HostileWeb,
    crawl_command,
    run_measured,
    write_settings,
)

TODAY = dt.date(2026, 11, 22)
PASS_LIMIT_SECONDS = 60  # slow pages: 3 attempts of a 1 s timeout plus backoff, in parallel
PEAK_RSS_LIMIT_MB = 400


@dataclass
class HostilePass:
    web: HostileWeb
    run: CrawlRun
    db: sqlite3.Connection

    def fetch_errors(self, url: str) -> list[str | None]:
        rows = self.db.execute("SELECT error FROM fetches WHERE url = ? ORDER BY id", [url])
        return [error for (error,) in rows]

    def url_state(self, url: str) -> tuple[str, str | None]:
        row = self.db.execute("SELECT state, last_error FROM urls WHERE url = ?", [url]).fetchone()
        assert row is not None, f"{url} is not in the urls table"
        return row


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostilePass]:
    folder = tmp_path_factory.mktemp("hostile")
    with HostileWeb(TODAY) as web:
        settings = write_settings(
            folder, web.sources_toml(with_huge_feed=False), folder / "h.db", timeout=1.0
        )
        run = run_measured(crawl_command(settings), timeout=PASS_LIMIT_SECONDS + 30)
        db = sqlite3.connect(folder / "h.db")
        yield HostilePass(web, run, db)
        db.close()


def test_the_pass_ends_in_bounded_time_and_memory(hostile: HostilePass) -> None:
    assert not hostile.run.timed_out
    assert hostile.run.returncode == 0, hostile.run.stderr
    assert hostile.run.seconds < PASS_LIMIT_SECONDS
    assert hostile.run.peak_rss_mb < PEAK_RSS_LIMIT_MB


def test_the_good_articles_are_stored(hostile: HostilePass) -> None:
    for url in hostile.web.article_urls():
        assert hostile.url_state(url) == ("stored", None)


@pytest.mark.parametrize("url", PRIVATE_TARGETS, ids=lambda url: url.split("/")[2])
def test_private_addresses_are_refused_and_recorded(hostile: HostilePass, url: str) -> None:
    state, error = hostile.url_state(url)
    assert state == "refused"
    assert error.startswith("RefusedAddress: ")
    assert hostile.fetch_errors(url) == [error]


@pytest.mark.parametrize(
    ("trap", "reason"),
    [
        ("loop/0", "RedirectError: more than 10 redirects"),
        ("cycle/a", "RedirectError: redirect loop at "),
        ("slow.html", "TransportError: timed out after 1s"),
        ("slow-headers.html", "TransportError: timed out after 1s"),
    ],
    ids=["endless-redirects", "redirect-cycle", "slowloris-body", "slowloris-headers"],
)
def test_traps_fail_with_their_reason(hostile: HostilePass, trap: str, reason: str) -> None:
    state, error = hostile.url_state(hostile.web.trap_urls()[trap])
    assert state == "failed"
    assert error.startswith(reason)


@pytest.mark.parametrize("trap", ["slow.html", "slow-headers.html"])
def test_slow_pages_are_logged_per_attempt(hostile: HostilePass, trap: str) -> None:
    errors = hostile.fetch_errors(hostile.web.trap_urls()[trap])
    assert errors and all(error.startswith("TransportError: timed out") for error in errors)


def test_a_50_mb_page_is_cut_at_max_bytes(hostile: HostilePass) -> None:
    url = hostile.web.trap_urls()["big.html"]
    row = hostile.db.execute("SELECT error, bytes FROM fetches WHERE url = ?", [url]).fetchone()
    assert row == ("Truncated: body cut at 5000000 bytes", 5_000_000)
    assert hostile.web.big_bytes_sent < 20_000_000  # the crawler hung up; the rest was never sent


def test_the_self_referencing_sitemap_index_is_read_a_bounded_number_of_times(
    hostile: HostilePass,
) -> None:
    reads = [path for path in hostile.web.requests if path.startswith("/sitemap-index.xml")]
    assert 1 <= len(reads) <= 10


def test_a_redirect_refusal_has_its_own_fetches_row(hostile: HostilePass) -> None:
    host = hostile.web.trap_urls()["loop/0"].removesuffix("loop/0")
    errors = hostile.db.execute(
        "SELECT error FROM fetches WHERE url LIKE ? AND error LIKE 'RedirectError:%'", [host + "%"]
    ).fetchall()
    assert errors == [("RedirectError: more than 10 redirects",)]


def test_nothing_outside_loopback_was_contacted(hostile: HostilePass) -> None:
    rows = hostile.db.execute("SELECT url, status FROM fetches WHERE url NOT LIKE 'http://127.%'")
    assert [status for _url, status in rows] == [None] * len(PRIVATE_TARGETS)

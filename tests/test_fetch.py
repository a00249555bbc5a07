"""The fetcher against a real loopback server: statuses, retries, redirects, limits."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Iterator
from typing import Any

import pytest
from mockserver import MockHost, MockWeb, Reply, html, redirect

from crawler.clock import FakeClock
from crawler.errors import (
    DecompressionBomb,
    DisallowedByRobots,
    HostDeferred,
    HTTPStatusError,
    RedirectError,
    RefusedAddress,
    TransportError,
    UnwantedContentType,
)
from crawler.fetch import Fetcher, FetchLimits, Identity, retry_after_seconds
from crawler.netguard import NetworkPolicy
from crawler.politeness import HostPacer

UA = "pivotwatch-test/1.0 (+https://example.org/bot)"
WHO = Identity("test", UA)
LOOPBACK = NetworkPolicy.from_cidrs(["127.0.0.0/8"])


class Harness:
    def __init__(self, policy: NetworkPolicy = LOOPBACK, min_delay: float = 0.0, **limits: Any):
        self.clock = FakeClock()
        self.rows: list[dict[str, Any]] = []
        self.pacer = HostPacer(self.clock, min_delay)
        limits = {"timeout": 0.5, "max_bytes": 100_000, **limits}
        self.fetcher = Fetcher(self.clock, self.pacer, policy, self._record, FetchLimits(**limits))

    async def _record(self, row: dict[str, Any]) -> None:
        self.rows.append(row)

    def fetch(self, url: str, **options: Any) -> Any:
        async def run() -> Any:
            try:
                return await self.fetcher.fetch(url, WHO, **options)
            finally:
                await self.fetcher.close()

        return asyncio.run(run())


@pytest.fixture
def web() -> Iterator[MockWeb]:
    web = MockWeb()
    yield web
    web.close()


@pytest.fixture
def host(web: MockWeb) -> MockHost:
    return web.host()


def test_ok_page_sends_user_agent_and_records_a_fetch(host: MockHost) -> None:
    host.route("/a", html("<p>hello</p>"))
    harness = Harness()
    page = harness.fetch(host.url("a"))
    assert page.status == 200 and page.body == b"<p>hello</p>"
    article_request = [r for r in host.requests if r.path == "/a"][0]
    assert article_request.headers["User-Agent"] == UA
    urls = [row["url"] for row in harness.rows]
    assert urls == [host.url("robots.txt"), host.url("a")]
    assert harness.rows[1]["status"] == 200 and harness.rows[1]["bytes"] == 12


@pytest.mark.parametrize(
    ("replies", "expected_status", "requests"),
    [
        ([Reply(500), html("ok")], 200, 2),
        ([Reply(503), Reply(502), html("ok")], 200, 3),
        ([Reply(408), html("ok")], 200, 2),
        ([Reply(429, headers={"Retry-After": "7"}), html("ok")], 200, 2),
        ([Reply(404)], HTTPStatusError, 1),
        ([Reply(410)], HTTPStatusError, 1),
        ([Reply(403)], HTTPStatusError, 1),
        ([Reply(500)], HTTPStatusError, 3),
    ],
    ids=[
        "500-then-200",
        "503-502-200",
        "408-retried",
        "429-retry-after",
        "404-not-retried",
        "410-not-retried",
        "403-not-retried",
        "500-gives-up-after-3",
    ],
)
def test_retries_only_where_they_can_help(
    host: MockHost, replies: list[Reply], expected_status: Any, requests: int
) -> None:
    host.route("/a", replies)
    harness = Harness()
    if isinstance(expected_status, int):
        assert harness.fetch(host.url("a")).status == expected_status
    else:
        with pytest.raises(expected_status):
            harness.fetch(host.url("a"))
    assert host.paths().count("/a") == requests


def test_retry_after_seconds_is_waited_on_the_injected_clock(host: MockHost) -> None:
    host.route("/a", [Reply(429, headers={"Retry-After": "42"}), html("ok")])
    harness = Harness()
    start = harness.clock.now()
    harness.fetch(host.url("a"))
    times = [row["fetched"] for row in harness.rows if row["url"].endswith("/a")]
    assert harness.clock.now() - start >= 42
    assert times[0] != times[1]


def test_retry_after_beyond_the_cap_gives_up_for_this_pass(host: MockHost) -> None:
    host.route("/a", Reply(503, headers={"Retry-After": "86400"}))
    harness = Harness()
    with pytest.raises(HTTPStatusError) as caught:
        harness.fetch(host.url("a"))
    assert caught.value.retry_at == pytest.approx(harness.clock.now() + 86400)
    assert host.paths().count("/a") == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [("120", 120.0), ("Thu, 01 Jan 2026 00:01:00 GMT", 60.0), ("soon", None), (None, None)],
    ids=["seconds", "http-date", "garbage", "missing"],
)
def test_retry_after_forms(value: str | None, expected: float | None) -> None:
    assert retry_after_seconds(value, 1_767_225_600.0) == expected


def test_redirects_are_followed_and_each_hop_checked(web: MockWeb) -> None:
    first, second = web.host(), web.host()
    first.route("/old", redirect(second.url("mid")))
    second.route("/mid", redirect("/new", 302)).route("/new", html("moved"))
    harness = Harness()
    page = harness.fetch(first.url("old"))
    assert page.final_url == second.url("new") and page.url == first.url("old")
    assert "/robots.txt" in second.paths()  # the second host's rules were read too


@pytest.mark.parametrize(
    "routes",
    [
        {"/a": redirect("/b"), "/b": redirect("/a")},
        {f"/r{i}": redirect(f"/r{i + 1}") for i in range(12)},
    ],
    ids=["loop", "more-than-10-hops"],
)
def test_bad_redirect_chains_fail(host: MockHost, routes: dict[str, Reply]) -> None:
    for path, reply in routes.items():
        host.route(path, reply)
    with pytest.raises(RedirectError):
        Harness().fetch(host.url(next(iter(routes))))
    assert len(host.paths()) <= 12


def test_redirect_to_a_refused_address_is_never_sent(web: MockWeb) -> None:
    host = web.host()
    host.route("/go", redirect("http://10.0.0.1/internal"))
    harness = Harness(policy=NetworkPolicy.from_cidrs(["127.0.0.0/8"]))
    with pytest.raises(RefusedAddress):
        harness.fetch(host.url("go"))
    assert harness.rows[-1]["error"].startswith("RefusedAddress: 10.0.0.1 is private")


def test_loopback_is_refused_without_allow_networks(host: MockHost) -> None:
    host.route("/a", html("secret"))
    harness = Harness(policy=NetworkPolicy())
    with pytest.raises(RefusedAddress):
        harness.fetch(host.url("a"))
    assert host.requests == []
    assert harness.rows[0]["error"].startswith("RefusedAddress: 127.0.0.")
    assert "loopback" in harness.rows[0]["error"]


def test_robots_disallow_is_obeyed_and_recorded(host: MockHost) -> None:
    host.route("/robots.txt", Reply(200, "User-agent: *\nDisallow: /*.pdf$\nDisallow: /private/\n"))
    host.route("/private/x", html("no"))
    harness = Harness()
    with pytest.raises(DisallowedByRobots):
        harness.fetch(host.url("private/x"))
    assert "/private/x" not in host.paths()
    assert harness.rows[-1]["error"].startswith("DisallowedByRobots")


@pytest.mark.parametrize(
    ("robots", "expected"),
    [(Reply(404), 200), (Reply(410), 200), (Reply(500), HostDeferred), (Reply(503), HostDeferred)],
    ids=["404-allows-all", "410-allows-all", "500-defers-host", "503-defers-host"],
)
def test_robots_status_meaning(host: MockHost, robots: Reply, expected: Any) -> None:
    host.route("/robots.txt", robots).route("/a", html("ok"))
    harness = Harness()
    if expected == 200:
        assert harness.fetch(host.url("a")).status == 200
    else:
        with pytest.raises(expected):
            harness.fetch(host.url("a"))
        assert "/a" not in host.paths()


def test_crawl_delay_and_min_delay_space_requests(host: MockHost) -> None:
    host.route("/robots.txt", Reply(200, "User-agent: *\nCrawl-delay: 9\n"))
    host.route("/a", html("a")).route("/b", html("b"))
    harness = Harness(min_delay=3.0)

    async def run() -> None:
        await harness.fetcher.fetch(host.url("a"), WHO)
        await harness.fetcher.fetch(host.url("b"), WHO)
        await harness.fetcher.close()

    asyncio.run(run())
    assert harness.clock.slept and max(harness.clock.slept) >= 9.0


def test_conditional_get_answers_304(host: MockHost) -> None:
    host.route(
        "/feed",
        lambda r: (
            Reply(304)
            if r.headers.get("If-None-Match") == '"v1"'
            else Reply(200, "x", {"ETag": '"v1"'})
        ),
    )
    harness = Harness()
    assert harness.fetch(host.url("feed")).headers["etag"] == '"v1"'
    assert Harness().fetch(host.url("feed"), headers={"If-None-Match": '"v1"'}).not_modified


def test_oversized_body_is_cut_at_max_bytes(host: MockHost) -> None:
    host.route("/big", html("<p>" + "x" * 300_000 + "</p>"))
    harness = Harness(max_bytes=50_000)
    page = harness.fetch(host.url("big"))
    assert len(page.body) == 50_000 and page.truncated
    assert harness.rows[-1]["error"].startswith("Truncated")


def test_gzip_bomb_is_stopped(host: MockHost) -> None:
    bomb = gzip.compress(b"\0" * 5_000_000)
    host.route("/bomb", Reply(200, bomb, {"Content-Type": "text/html", "Content-Encoding": "gzip"}))
    with pytest.raises(DecompressionBomb):
        Harness(max_bytes=200_000).fetch(host.url("bomb"))


def test_gzip_page_is_decoded(host: MockHost) -> None:
    host.route("/z", Reply(200, "<p>packed</p>", {"Content-Type": "text/html"}, gzip=True))
    assert Harness().fetch(host.url("z")).body == b"<p>packed</p>"


def test_wrong_content_type_is_rejected_without_reading(host: MockHost) -> None:
    host.route("/paper.pdf", Reply(200, b"%PDF-1.7" * 1000, {"Content-Type": "application/pdf"}))
    with pytest.raises(UnwantedContentType) as caught:
        Harness().fetch(host.url("paper.pdf"), accept=lambda t: "html" in (t or ""))
    assert "application/pdf" in str(caught.value)


@pytest.mark.parametrize(
    "reply",
    [
        Reply(200, "x" * 1000, delay=2.0),
        Reply(200, "x" * 1000, hang=True),
        Reply(200, "y" * 1000, truncate=True),
    ],
    ids=["slow-headers", "hanging-body", "truncated-body"],
)
def test_slow_hanging_and_truncated_responses_fail_as_transport_errors(
    host: MockHost, reply: Reply
) -> None:
    host.route("/a", reply)
    harness = Harness(timeout=0.3)
    with pytest.raises(TransportError):
        harness.fetch(host.url("a"))
    assert host.paths().count("/a") == 3  # retried, then given up
    assert all(row["error"].startswith("TransportError") for row in harness.rows[1:])


def test_connection_refused_is_a_transport_error() -> None:
    harness = Harness()
    with pytest.raises(HostDeferred):
        harness.fetch("http://127.0.0.1:9/a")

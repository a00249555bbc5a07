"""`probe` against a local server: robots.txt, feeds, sitemaps, listings, the WordPress API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from mockserver import MockHost, MockWeb, Reply, html

from crawler.clock import FakeClock
from crawler.probe import format_table, probe_sources
from crawler.settings import CrawlSettings, Listing, Source

LONG = " ".join(["word"] * 200)
THEMES = Path(__file__).resolve().parents[1] / "config" / "themes.toml"
SETTINGS = CrawlSettings(min_delay=0, timeout=0.5, allow_networks=["127.0.0.0/8"])


def rss(items: list[str]) -> str:
    entries = "".join(
        f"<item><link>http://example.org/{i}</link><description>{text}</description></item>"
        for i, text in enumerate(items)
    )
    return f'<rss version="2.0"><channel>{entries}</channel></rss>'


@pytest.fixture
def host() -> Any:
    web = MockWeb()
    host = web.host()
    host.route(
        "/robots.txt", Reply(200, f"User-agent: *\nCrawl-delay: 4\nSitemap: {host.url('sm.xml')}\n")
    )
    host.route("/full", Reply(200, rss([LONG, LONG, "short"])))
    host.route("/thin", Reply(200, rss(["a teaser of a few words"] * 4)))
    host.route("/gone", Reply(404))
    host.route("/sm.xml", Reply(200, "<urlset><url><loc>http://example.org/a</loc></url></urlset>"))
    host.route("/list", html('<a class="s" href="/a">a</a><a class="s" href="/b">b</a>'))
    host.route(
        "/wp-json/wp/v2/posts",
        Reply(200, json.dumps([{"link": "http://e/x", "content": {"rendered": LONG}}])),
    )
    yield host
    web.close()


def make_source(host: MockHost) -> Source:
    return Source(
        name="site",
        title="Site",
        homepage=host.base,
        source_type="journal",
        feeds=[host.url("full"), host.url("thin"), host.url("gone")],
        sitemaps=[host.url("sm.xml")],
        listings=[Listing(url=host.url("list"), links="a.s")],
        wordpress_api=True,
    )


def test_probe_reports_each_endpoint(host: MockHost) -> None:
    rows = {
        (r.kind, r.url.removeprefix(host.base)): r
        for r in probe_sources(SETTINGS, [make_source(host)], FakeClock())
    }
    robots = rows["robots", "robots.txt"]
    assert (
        robots.items == 1 and "Crawl-delay 4" in robots.note and host.url("sm.xml") in robots.note
    )
    assert (
        rows["feed", "full"].status,
        rows["feed", "full"].items,
        rows["feed", "full"].full_text,
    ) == (200, 3, True)
    assert rows["feed", "thin"].full_text is False
    assert rows["feed", "gone"].status == 404 and rows["feed", "gone"].items is None
    assert rows["sitemap", "sm.xml"].items == 1
    assert rows["listing", "list"].items == 2
    api = next(r for (kind, _), r in rows.items() if kind == "api")
    assert (api.status, api.items, api.full_text) == (200, 1, True)


def test_probe_table_has_one_line_per_endpoint(host: MockHost) -> None:
    table = format_table(probe_sources(SETTINGS, [make_source(host)], FakeClock()))
    lines = table.splitlines()
    assert lines[0].split() == ["source", "kind", "status", "items", "full", "text", "url", "note"]
    assert len(lines) == 1 + 7
    assert any("404" in line and "/gone" in line for line in lines)


def test_probe_command_uses_the_settings_file(host: MockHost, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from crawler.cli import cli

    (tmp_path / "settings.toml").write_text(
        f'themes = "{THEMES}"\n'
        '[crawl]\nmin_delay = 0\ntimeout = 0.5\nallow_networks = ["127.0.0.0/8"]\n'
    )
    (tmp_path / "sources.toml").write_text(
        f'[[source]]\nname = "site"\ntitle = "Site"\nhomepage = "{host.base}"\n'
        f'source_type = "journal"\nfeeds = ["{host.url("full")}"]\n'
    )
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "settings.toml"), "probe"])
    assert "site" in result.output and "yes" in result.output, result.output

"""The bundled sample web, exercised over real loopback HTTP."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser

from crawler.sampleweb import SampleWeb

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

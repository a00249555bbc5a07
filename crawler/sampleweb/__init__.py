"""A small offline web of news and think-tank sites, served on loopback for the demo and tests.

Each site gets its own loopback address (127.0.0.11, 127.0.0.12, ...) and an ephemeral port,
so per-host politeness in the crawler is exercised for real. Article dates are relative to the
``today`` given; with the same ``today`` every response is the same, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import threading
from functools import partial
from http.server import ThreadingHTTPServer

from .catalog import Article, Site, load_articles, load_sites
from .manifest import manifest_entry, sources_toml
from .routes import SiteApp, resolve_syndication
from .server import bind_server, handler_for, serve_in_background

__all__ = ["SampleWeb", "build_site_apps"]

DEFAULT_HOST = "127.0.0.1"


def build_site_apps(sites: list[Site], today: dt.date, bases: dict[str, str]) -> dict[str, SiteApp]:
    """Render every site for the given base URLs; no sockets involved."""
    articles = {site.name: load_articles(site, today) for site in sites}
    for site in sites:
        origin = site.layout.get("syndicates_from")
        if origin:
            articles[site.name] = resolve_syndication(
                articles[site.name], articles[origin], bases[origin]
            )
    return {site.name: SiteApp(site, articles[site.name], bases[site.name]) for site in sites}


class SampleWeb:
    """The sample sites served on loopback, one HTTP server per site, each on its own address."""

    def __init__(self, today: dt.date, host: str = DEFAULT_HOST) -> None:
        self.today = today
        self.host = host
        self._sites = load_sites()
        self._servers: dict[str, ThreadingHTTPServer] = {}
        self._apps: dict[str, SiteApp] = {}
        self._log: list[tuple[str, str, str]] = []
        self._log_lock = threading.Lock()

    def start(self) -> SampleWeb:
        if self._servers:
            return self
        for site in self._sites:
            self._servers[site.name] = bind_server(self._address_for(site), self.host)
        self._apps = build_site_apps(self._sites, self.today, self.sites)
        for name, server in self._servers.items():
            server.RequestHandlerClass = handler_for(
                self._apps[name].respond, partial(self._record, name)
            )
            serve_in_background(server, name)
        return self

    def stop(self) -> None:
        for server in self._servers.values():
            server.shutdown()
            server.server_close()
        self._servers = {}

    def __enter__(self) -> SampleWeb:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def sites(self) -> dict[str, str]:
        """Site name -> base URL (with a trailing slash) of each running site."""
        return {name: _base_url(server) for name, server in self._servers.items()}

    def sources_toml(self) -> str:
        return sources_toml(self._sites, self._require_running())

    def request_log(self) -> list[tuple[str, str, str]]:
        with self._log_lock:
            return list(self._log)

    def manifest(self) -> list[dict]:
        bases = self._require_running()
        return [
            manifest_entry(
                site, article, bases[site.name], self._apps[site.name].page_text(article)
            )
            for site in self._sites
            for article in self._apps[site.name].articles
        ]

    def disallowed_urls(self) -> list[str]:
        """URLs that robots.txt forbids although a sitemap or listing links to them."""
        bases = self._require_running()
        return [
            bases[site.name] + path
            for site in self._sites
            for path in site.layout.get("disallowed_pages", [])
        ]

    def articles(self) -> dict[str, list[Article]]:
        return {name: list(app.articles) for name, app in self._apps.items()}

    def _address_for(self, site: Site) -> str:
        # Only the default host spreads the sites over 127.0.0.0/8; any other host is used as is.
        return site.address if self.host == DEFAULT_HOST else self.host

    def _record(self, site: str, method: str, path: str) -> None:
        with self._log_lock:
            self._log.append((site, method, path))

    def _require_running(self) -> dict[str, str]:
        if not self._servers:
            raise RuntimeError("the sample web is not running; call start() first")
        return self.sites


def _base_url(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}/"

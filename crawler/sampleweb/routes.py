"""What each sample site answers: a table of fixed documents plus a few scripted routes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from email.utils import format_datetime, parsedate_to_datetime
from html import unescape
from string import Template
from urllib.parse import parse_qs

from . import feeds, pages
from .catalog import Article, Site

HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
FEED_TYPES = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
}
BLOCKED_PAGE = (
    "<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head>"
    "<body><h1>Sorry, you have been blocked</h1></body></html>"
)
NOT_FOUND_PAGE = (
    "<!DOCTYPE html><html><head><title>Page not found</title></head>"
    "<body><h1>404</h1></body></html>"
)


@dataclasses.dataclass(frozen=True)
class Resource:
    content_type: str
    body: bytes
    # Set for feeds and sitemaps: they answer conditional GETs with 304.
    last_modified: dt.datetime | None = None
    status: int = 200


@dataclasses.dataclass(frozen=True)
class Reply:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


def html(text: str, charset: str = "utf-8") -> Resource:
    # xmlcharrefreplace keeps a stray character from breaking a legacy-encoded page.
    body = text.encode(charset, errors="xmlcharrefreplace")
    return Resource(f"text/html; charset={charset}", body)


def entity_tag(body: bytes) -> str:
    return '"' + hashlib.sha1(body).hexdigest()[:20] + '"'


def resolve_syndication(
    reposts: list[Article], originals: list[Article], base: str
) -> list[Article]:
    """Give each repost the title, author and text of the original it points at."""
    by_slug = {article.slug: article for article in originals}
    return [_repost(article, by_slug[article.extra["syndicates"]], base) for article in reposts]


def _repost(repost: Article, original: Article, base: str) -> Article:
    extra = dict(repost.extra, full_story_url=base + original.path)
    return dataclasses.replace(
        repost,
        title=original.title,
        author=original.author,
        paragraphs=original.paragraphs,
        summary=original.summary or repost.summary,
        on_topic=original.on_topic,
        must_keep=repost.must_keep or original.must_keep[:2],
        extra=extra,
    )


class SiteApp:
    """Answers the requests of one site; everything is rendered once, at construction."""

    def __init__(self, site: Site, articles: list[Article], base: str) -> None:
        self.site = site
        self.articles = articles
        self.base = base
        self.resources = build_resources(site, articles, base)

    def page_text(self, article: Article) -> str:
        """The served article page as text with entities resolved, for the manifest."""
        body = self.resources["/" + article.path].body
        return unescape(body.decode(article.charset))

    def respond(self, target: str, headers: Mapping[str, str]) -> Reply:
        path, _, query = target.partition("?")
        refused = self._refusal(path, headers)
        if refused:
            return refused
        if self._is_wordpress_query(path, query):
            return self._wordpress(query)
        resource = self.resources.get(target) or self.resources.get(path)
        if resource is None:
            return Reply(404, (("Content-Type", HTML),), NOT_FOUND_PAGE.encode())
        return conditional_reply(resource, headers)

    def _refusal(self, path: str, headers: Mapping[str, str]) -> Reply | None:
        # The real WPR refuses crawler user agents on its feed and serves readers.
        feed_path = "/" + self.site.feed.get("path", "\0")
        agent = headers.get("User-Agent", "").lower()
        if path == feed_path and self.site.feed.get("refuse_bots") and "bot" in agent:
            return Reply(403, (("Content-Type", HTML),), BLOCKED_PAGE.encode())
        return None

    def _is_wordpress_query(self, path: str, query: str) -> bool:
        if not self.site.layout.get("wordpress_api"):
            return False
        rest_route = parse_qs(query).get("rest_route", [""])[-1]
        return path == "/wp-json/wp/v2/posts" or (path == "/" and rest_route == "/wp/v2/posts")

    def _wordpress(self, query: str) -> Reply:
        try:
            posts, total, pages_count = feeds.wordpress_posts(self.articles, self.base, query)
        except feeds.WordPressQueryError as error:
            body = json.dumps({"code": str(error), "data": {"status": 400}}).encode()
            return Reply(400, (("Content-Type", "application/json; charset=UTF-8"),), body)
        headers = (
            ("Content-Type", "application/json; charset=UTF-8"),
            ("X-WP-Total", str(total)),
            ("X-WP-TotalPages", str(pages_count)),
        )
        return Reply(200, headers, json.dumps(posts, ensure_ascii=False).encode())


def conditional_reply(resource: Resource, headers: Mapping[str, str]) -> Reply:
    fields = [("Content-Type", resource.content_type)]
    if resource.last_modified is None or resource.status != 200:
        return Reply(resource.status, tuple(fields), resource.body)
    tag = entity_tag(resource.body)
    fields += [
        ("Last-Modified", format_datetime(resource.last_modified, usegmt=True)),
        ("ETag", tag),
    ]
    if not_modified(resource.last_modified, tag, headers):
        return Reply(304, tuple(fields[1:]), b"")
    return Reply(200, tuple(fields), resource.body)


def not_modified(last_modified: dt.datetime, tag: str, headers: Mapping[str, str]) -> bool:
    if "If-None-Match" in headers:
        offered = {value.strip() for value in headers["If-None-Match"].split(",")}
        return tag in offered or "*" in offered
    since = headers.get("If-Modified-Since")
    if not since:
        return False
    try:
        return parsedate_to_datetime(since) >= last_modified
    except (TypeError, ValueError):
        return False


def build_resources(site: Site, articles: list[Article], base: str) -> dict[str, Resource]:
    resources = {
        "/": html(pages.render_home(site, articles, base)),
        "/robots.txt": robots(site, base),
    }
    for article in articles:
        resources["/" + article.path] = html(
            pages.render_article(article, site, base), article.charset
        )
    for path in site.layout.get("disallowed_pages", []):
        resources["/" + path] = html(disallowed_page(site, path))
    resources.update(feed_resources(site, articles, base))
    resources.update(sitemap_resources(site, articles, base))
    resources.update(listing_resources(site, articles, base))
    return resources


def robots(site: Site, base: str) -> Resource:
    text = Template(site.template("robots.txt")).substitute(base=base)
    return Resource("text/plain; charset=utf-8", text.encode())


def disallowed_page(site: Site, path: str) -> str:
    return (
        f"<!DOCTYPE html><html><head><title>Members only | {site.title}</title></head>"
        f"<body><h1>Members only</h1><p>{path}</p></body></html>"
    )


def feed_resources(site: Site, articles: list[Article], base: str) -> dict[str, Resource]:
    if not site.feed:
        return {}
    path = "/" + site.feed["path"]
    status = int(site.feed.get("status", 200))
    if status != 200:
        return {path: Resource(HTML, BLOCKED_PAGE.encode(), status=status)}
    render = feeds.atom_feed if site.feed["format"] == "atom" else feeds.rss_feed
    body = render(site, articles, base).encode()
    return {path: Resource(FEED_TYPES[site.feed["format"]], body, feeds.latest(articles))}


def sitemap_resources(site: Site, articles: list[Article], base: str) -> dict[str, Resource]:
    newest = feeds.latest(articles)
    entries = [(base + article.path, article.published) for article in articles]
    extra = [(base + path, newest) for path in site.layout.get("sitemap_extra", [])]
    if not site.layout.get("sitemap_index"):
        return {"/sitemap.xml": Resource(XML, feeds.urlset(entries + extra).encode(), newest)}
    index = [(base + "post-sitemap.xml", newest), (base + "news-sitemap.xml.gz", newest)]
    news = feeds.gzipped(feeds.news_sitemap(site, articles, base))
    return {
        "/sitemap.xml": Resource(XML, feeds.sitemap_index(index).encode(), newest),
        "/post-sitemap.xml": Resource(XML, feeds.urlset(entries + extra).encode(), newest),
        "/news-sitemap.xml.gz": Resource("application/x-gzip", news, newest),
    }


def listing_resources(site: Site, articles: list[Article], base: str) -> dict[str, Resource]:
    listing = site.layout.get("listing")
    if not listing:
        return {}
    path, count = listing["path"], int(listing.get("pages", 2))
    entries = [(base + article.path, article) for article in articles]
    entries[1:1] = [(base + extra, articles[-1]) for extra in listing.get("extra_links", [])]
    size = -(-len(entries) // count)
    resources = {}
    for number in range(1, count + 1):
        next_url = f"{base}{path}?page={number + 1}" if number < count else None
        chunk = entries[(number - 1) * size : number * size]
        resources[f"/{path}?page={number}"] = html(
            pages.render_listing(site, chunk, base, next_url)
        )
    resources["/" + path] = resources[f"/{path}?page=1"]
    return resources

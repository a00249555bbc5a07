"""Finding article URLs: feeds, sitemaps, listing pages and the WordPress REST API.

These functions only parse bytes we already fetched; none of them touches the network
(feedparser is handed a stream, so it cannot fetch anything itself). Each returns
`Listed` items with canonical URLs and, where the source gives one, a date that becomes a
candidate for `published`. Input that cannot be parsed raises `DiscoveryError`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import json
import re
import time
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import feedparser
from selectolax.lexbor import LexborHTMLParser

from crawler.clock import iso
from pipelines.canonical import canonicalise_url
from pipelines.decode import decode_html

GZIP_MAGIC = b"\x1f\x8b"


class DiscoveryError(Exception):
    def __init__(self, url: str, message: str) -> None:
        super().__init__(message)
        self.url = url

    def describe(self) -> str:
        return f"{type(self).__name__}: {self}"


@dataclass(frozen=True)
class Listed:
    url: str
    guid: str | None = None
    listed_date: str | None = None
    post: dict[str, Any] | None = field(default=None, compare=False, hash=False)


@dataclass
class SitemapContent:
    articles: list[Listed] = field(default_factory=list)
    sitemaps: list[Listed] = field(default_factory=list)


def http_url(url: str | None, base: str) -> str | None:
    """The canonical absolute http(s) URL a link points at, or None."""
    if not url:
        return None
    absolute = urljoin(base, url.strip())
    if urlsplit(absolute).scheme not in ("http", "https"):
        return None
    return canonicalise_url(absolute)


def parse_date(text: str | None) -> str | None:
    """A W3C/ISO date or datetime as UTC ISO text; None when it is not one."""
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return iso(moment.timestamp())


# feeds


def _entry_date(entry: Any) -> str | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            return iso(calendar.timegm(parsed))
    return None


def _entry_link(entry: Any) -> str | None:
    if entry.get("link"):
        return str(entry["link"])
    for link in entry.get("links", []):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return str(link["href"])
    guid = entry.get("id") or ""
    return guid if guid.startswith(("http://", "https://")) else None


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> list[Listed]:
    """Items of an RSS 0.9x/1.0/2.0 or Atom feed, in feed order."""
    headers = {"content-type": content_type} if content_type else {}
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers)
    if parsed.bozo and not parsed.entries:
        raise DiscoveryError(url, f"not a feed: {parsed.get('bozo_exception', 'unreadable')}")
    items = []
    for entry in parsed.entries:
        link = http_url(_entry_link(entry), url)
        if link:
            items.append(Listed(link, entry.get("id") or None, _entry_date(entry)))
    return items


def feed_word_counts(body: bytes) -> list[int]:
    """Words of content per item (full content, else the summary), for `probe`."""
    parsed = feedparser.parse(io.BytesIO(body))
    counts = []
    for entry in parsed.entries:
        contents = entry.get("content") or []
        text = " ".join(c.get("value", "") for c in contents) or entry.get("summary", "")
        counts.append(len(re.sub(r"<[^>]+>", " ", text).split()))
    return counts


# sitemaps


def gunzip_bounded(body: bytes, limit: int, url: str) -> bytes:
    if not body.startswith(GZIP_MAGIC):
        return body
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        return inflater.decompress(body, limit)
    except zlib.error as error:
        raise DiscoveryError(url, f"bad gzip: {error}") from error


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element) -> dict[str, str]:
    values = {}
    for child in element.iter():
        if child is not element and child.text:
            values.setdefault(_local(child.tag), child.text.strip())
    return values


def _sitemap_item(element: ET.Element, url: str) -> Listed | None:
    values = _children(element)
    link = http_url(values.get("loc"), url)
    if link is None:
        return None
    date = parse_date(values.get("publication_date")) or parse_date(values.get("lastmod"))
    return Listed(link, None, date)


def parse_sitemap(body: bytes, url: str, limit: int = 50_000_000) -> SitemapContent:
    """A urlset (news sitemaps included) or a sitemap index, gzipped or not.

    Parsed incrementally, so a body cut at `max_bytes` still yields the entries before the
    cut; a body with no entries at all is an error.
    """
    parser = ET.XMLPullParser(events=("end",))
    content = SitemapContent()
    try:
        parser.feed(gunzip_bounded(body, limit, url))
        parser.close()
    except ET.ParseError as error:
        failure: ET.ParseError | None = error
    else:
        failure = None
    for _event, element in parser.read_events():
        kind = _local(element.tag)
        if kind in ("url", "sitemap"):
            item = _sitemap_item(element, url)
            if item:
                (content.articles if kind == "url" else content.sitemaps).append(item)
            element.clear()
    if failure and not (content.articles or content.sitemaps):
        raise DiscoveryError(url, f"not a sitemap: {failure}")
    return content


# listing pages


def parse_listing(
    body: bytes, url: str, links: str, next_selector: str | None, content_type: str | None = None
) -> tuple[list[Listed], str | None]:
    """Article links picked by a CSS selector, and the next page's URL if there is one."""
    tree = LexborHTMLParser(decode_html(body, content_type))
    base_node = tree.css_first("base[href]")
    base = urljoin(url, base_node.attributes.get("href") or "") if base_node else url
    try:
        nodes = tree.css(links)
        next_node = tree.css_first(next_selector) if next_selector else None
    except Exception as error:  # selectolax raises plain errors for bad selectors
        raise DiscoveryError(url, f"bad CSS selector: {error}") from error
    found = [http_url(node.attributes.get("href"), base) for node in nodes]
    items = [Listed(link) for link in dict.fromkeys(found) if link]
    next_url = http_url(next_node.attributes.get("href"), base) if next_node else None
    return items, next_url


# WordPress REST API


def wordpress_urls(homepage: str, after: float | None) -> tuple[str, str]:
    """The posts endpoint in its pretty form and its `?rest_route=` fallback."""
    query: dict[str, str] = {"_embed": "1", "per_page": "100"}
    if after is not None:
        query["after"] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(after))
    base = homepage if homepage.endswith("/") else homepage + "/"
    pretty = f"{base}wp-json/wp/v2/posts?{urlencode(query)}"
    fallback = f"{base}?{urlencode({'rest_route': '/wp/v2/posts', **query})}"
    return pretty, fallback


def parse_wordpress_posts(body: bytes, url: str) -> list[Listed]:
    try:
        posts = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DiscoveryError(url, f"not JSON: {error}") from error
    if not isinstance(posts, list):
        raise DiscoveryError(url, "not a list of WordPress posts")
    items = []
    for post in posts:
        link = http_url(post.get("link"), url) if isinstance(post, dict) else None
        if link:
            date = parse_date((post.get("date_gmt") or "") + "Z") if post.get("date_gmt") else None
            guid = (
                (post.get("guid") or {}).get("rendered")
                if isinstance(post.get("guid"), dict)
                else None
            )
            items.append(Listed(link, guid, date, post))
    return items


# per-source URL rules


@dataclass(frozen=True)
class UrlFilter:
    allow: tuple[re.Pattern[str], ...] = ()
    deny: tuple[re.Pattern[str], ...] = ()

    @classmethod
    def from_patterns(cls, allow: list[str], deny: list[str]) -> UrlFilter:
        return cls(tuple(map(re.compile, allow)), tuple(map(re.compile, deny)))

    def keeps(self, url: str) -> bool:
        if any(pattern.search(url) for pattern in self.deny):
            return False
        return not self.allow or any(pattern.search(url) for pattern in self.allow)

"""Machine-readable documents of the sample sites: RSS, Atom, sitemaps and WordPress JSON."""

from __future__ import annotations

import datetime as dt
import gzip
from email.utils import format_datetime
from html import escape
from urllib.parse import parse_qs

from .catalog import Article, Site
from .pages import iso_time, paragraphs_html

RSS_ITEM = """  <item>
    <title>{title}</title>
    <link>{url}</link>
    <guid isPermaLink="true">{url}</guid>
    <dc:creator>{author}</dc:creator>
    <pubDate>{date}</pubDate>
    <description>{summary}</description>
  </item>"""

ATOM_ENTRY = """  <entry>
    <title>{title}</title>
    <link rel="alternate" type="text/html" href="{url}"/>
    <id>{url}</id>
    <author><name>{author}</name></author>
    <published>{date}</published>
    <updated>{date}</updated>
    <summary>{summary}</summary>
  </entry>"""


def latest(articles: list[Article]) -> dt.datetime:
    return max(article.published for article in articles)


def rss_feed(site: Site, articles: list[Article], base: str) -> str:
    items = "\n".join(
        RSS_ITEM.format(
            title=escape(article.title),
            url=escape(base + article.path),
            author=escape(article.author),
            date=format_datetime(article.published),
            summary=escape(article.summary),
        )
        for article in articles
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>{escape(site.title)}</title>
  <link>{escape(base)}</link>
  <atom:link href="{escape(base + site.feed["path"])}" rel="self" type="application/rss+xml"/>
  <description>{escape(site.feed.get("description", site.title))}</description>
  <language>{site.language}</language>
  <lastBuildDate>{format_datetime(latest(articles))}</lastBuildDate>
{items}
</channel>
</rss>
"""


def atom_feed(site: Site, articles: list[Article], base: str) -> str:
    entries = "\n".join(
        ATOM_ENTRY.format(
            title=escape(article.title),
            url=escape(base + article.path),
            author=escape(article.author),
            date=iso_time(article.published),
            summary=escape(article.summary),
        )
        for article in articles
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{site.language}">
  <title>{escape(site.title)}</title>
  <link rel="alternate" type="text/html" href="{escape(base)}"/>
  <link rel="self" type="application/atom+xml" href="{escape(base + site.feed["path"])}"/>
  <id>{escape(base)}</id>
  <updated>{iso_time(latest(articles))}</updated>
{entries}
</feed>
"""


def urlset(entries: list[tuple[str, dt.datetime]]) -> str:
    urls = "\n".join(
        f"  <url><loc>{escape(url)}</loc><lastmod>{iso_time(moment)}</lastmod></url>"
        for url, moment in entries
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{urls}
</urlset>
"""


def sitemap_index(entries: list[tuple[str, dt.datetime]]) -> str:
    maps = "\n".join(
        f"  <sitemap><loc>{escape(url)}</loc><lastmod>{iso_time(moment)}</lastmod></sitemap>"
        for url, moment in entries
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{maps}
</sitemapindex>
"""


def news_sitemap(site: Site, articles: list[Article], base: str) -> str:
    urls = "\n".join(
        f"""  <url>
    <loc>{escape(base + article.path)}</loc>
    <news:news>
      <news:publication><news:name>{escape(site.title)}</news:name><news:language>{article.language}</news:language></news:publication>
      <news:publication_date>{iso_time(article.published)}</news:publication_date>
      <news:title>{escape(article.title)}</news:title>
    </news:news>
  </url>"""
        for article in articles
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
{urls}
</urlset>
"""


def gzipped(text: str) -> bytes:
    # mtime=0 keeps the archive byte-identical from one run to the next.
    return gzip.compress(text.encode("utf-8"), mtime=0)


def wordpress_post(article: Article, base: str, post_id: int, embed: bool) -> dict:
    stamp = article.published.replace(tzinfo=None).isoformat(timespec="seconds")
    post: dict = {
        "id": post_id,
        "date": stamp,
        "date_gmt": stamp,
        "modified": stamp,
        "modified_gmt": stamp,
        "slug": article.slug,
        "status": "publish",
        "type": "post",
        "link": base + article.path,
        "title": {"rendered": escape(article.title, quote=False)},
        "excerpt": {
            "rendered": f"<p>{escape(article.summary, quote=False)}</p>\n",
            "protected": False,
        },
        "content": {"rendered": paragraphs_html(article.paragraphs) + "\n", "protected": False},
        "author": post_id % 7 + 1,
    }
    if embed:
        post["_embedded"] = {"author": [{"id": post["author"], "name": article.author}]}
    return post


class WordPressQueryError(ValueError):
    """A REST query WordPress itself would refuse with 400."""


def wordpress_posts(articles: list[Article], base: str, query: str) -> tuple[list[dict], int, int]:
    """Answer ``/wp/v2/posts`` like WordPress: newest first, ``after`` exclusive, paged."""
    params = {key: values[-1] for key, values in parse_qs(query).items()}
    per_page = _bounded_int(params.get("per_page", "10"), "per_page", 1, 100)
    page = _bounded_int(params.get("page", "1"), "page", 1, 10_000)
    chosen = [a for a in articles if _after(a, params.get("after"))]
    pages = max(1, -(-len(chosen) // per_page))
    if page > pages:
        raise WordPressQueryError("rest_post_invalid_page_number")
    window = chosen[(page - 1) * per_page : page * per_page]
    embed = "_embed" in params
    ids = {article.slug: 1000 + index for index, article in enumerate(reversed(articles))}
    posts = [wordpress_post(article, base, ids[article.slug], embed) for article in window]
    return posts, len(chosen), pages


def _bounded_int(raw: str, name: str, low: int, high: int) -> int:
    try:
        value = int(raw)
    except ValueError as error:
        raise WordPressQueryError(f"rest_invalid_param: {name}") from error
    if not low <= value <= high:
        raise WordPressQueryError(f"rest_invalid_param: {name}")
    return value


def _after(article: Article, after: str | None) -> bool:
    if not after:
        return True
    try:
        # An unencoded "+" in the offset arrives as a space after query parsing.
        moment = dt.datetime.fromisoformat(after.replace(" ", "+").replace("Z", "+00:00"))
    except ValueError as error:
        raise WordPressQueryError("rest_invalid_param: after") from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return article.published > moment

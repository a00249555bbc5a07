"""Page metadata: JSON-LD, OpenGraph and `article:*` meta, <time>, <html lang>.

Each reader returns plain values; `read_metadata` gathers them into `PageMetadata`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode

from pipelines.dates import DateCandidate, pick_date

ARTICLE_TYPES = frozenset(
    {
        "article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
        "opinionnewsarticle", "backgroundnewsarticle", "scholarlyarticle", "report", "webpage",
        "techarticle", "liveblogposting", "socialmediaposting",
    }
)  # fmt: skip
PUBLISHED_META = (
    "article:published_time", "og:published_time", "published_time", "datepublished",
    "pubdate", "publishdate", "publish-date", "publish_date", "date", "dc.date",
    "dc.date.issued", "dcterms.date", "dcterms.created", "parsely-pub-date",
    "sailthru.date", "citation_publication_date", "article.published",
)  # fmt: skip
UPDATED_META = (
    "article:modified_time", "og:updated_time", "modified_time", "datemodified",
    "dcterms.modified", "last-modified", "article.updated",
)  # fmt: skip
MAX_JSON_LD = 500_000
SITE_SUFFIX = re.compile(r"\s+[|–—-]\s+[^|–—-]{2,60}$")


@dataclass
class PageMetadata:
    """What the page says about itself, before its text is read."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    published: DateCandidate | None = None
    updated: DateCandidate | None = None
    language: str | None = None
    canonical_url: str | None = None
    description: str | None = None
    section: str | None = None
    page_tags: list[str] = field(default_factory=list)
    accessible_for_free: bool | None = None
    json_ld: list[dict[str, Any]] = field(default_factory=list)


def clean_value(value: Any) -> str | None:
    """A trimmed, single-spaced string, or None for empty or non-string values."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    text = " ".join(unicodedata.normalize("NFC", value).split())
    return text or None


def walk_json_ld(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every object in a JSON-LD document, @graph and nested lists included."""
    if depth > 6:
        return
    if isinstance(value, list):
        for item in value:
            yield from walk_json_ld(item, depth + 1)
    elif isinstance(value, dict):
        yield value
        yield from walk_json_ld(value.get("@graph"), depth + 1)


def type_names(item: dict[str, Any]) -> set[str]:
    kinds = item.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    return {kind.lower() for kind in kinds if isinstance(kind, str)}


def read_json_ld(tree: LexborHTMLParser) -> list[dict[str, Any]]:
    """Article-like JSON-LD objects, the most specific first (WebPage last)."""
    found: list[dict[str, Any]] = []
    for script in tree.css('script[type="application/ld+json"]'):
        raw = script.text(deep=True) or ""
        if len(raw) > MAX_JSON_LD:
            continue
        try:
            document = json.loads(raw, strict=False)
        except ValueError:
            continue
        found.extend(item for item in walk_json_ld(document) if type_names(item) & ARTICLE_TYPES)
    return sorted(found, key=lambda item: "webpage" in type_names(item))


def meta_map(tree: LexborHTMLParser) -> dict[str, list[str]]:
    """All <meta> values by lower-cased name/property, in page order."""
    values: dict[str, list[str]] = {}
    for node in tree.css("meta"):
        attributes = node.attributes
        key = attributes.get("property") or attributes.get("name") or attributes.get("itemprop")
        content = clean_value(attributes.get("content"))
        if key and content:
            values.setdefault(key.strip().lower(), []).append(content)
    return values


def first_meta(metas: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        if metas.get(key):
            return metas[key][0]
    return None


def ld_value(items: list[dict[str, Any]], key: str) -> Any:
    """The first non-empty value of `key` among the JSON-LD objects."""
    for item in items:
        value = item.get(key)
        if value not in (None, "", []):
            return value
    return None


def person_names(value: Any) -> list[str]:
    """Names from a JSON-LD author value: a string, a Person, or a list of either."""
    values = value if isinstance(value, list) else [value]
    names = []
    for item in values:
        name = clean_value(item.get("name") if isinstance(item, dict) else item)
        if name and not name.startswith("http"):
            names.append(name)
    return names


def unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    return [v for v in values if not (v.lower() in seen or seen.add(v.lower()))]  # type: ignore[func-returns-value]


def read_title(tree: LexborHTMLParser, metas: dict[str, list[str]], ld: list[dict]) -> str | None:
    """Headline: JSON-LD, then OpenGraph/Twitter, then <h1>, then <title> minus site name."""
    title = clean_value(ld_value(ld, "headline")) or first_meta(metas, "og:title", "twitter:title")
    if title:
        return without_site_name(title, first_meta(metas, "og:site_name"), tree.css_first("h1"))
    heading = tree.css_first("h1")
    if heading is not None and clean_value(heading.text()):
        return clean_value(heading.text())
    node = tree.css_first("title")
    text = clean_value(node.text()) if node is not None else None
    return SITE_SUFFIX.sub("", text) if text else None


TITLE_SEPARATOR = re.compile(r"\s+[-|–—:·]\s+")


def without_site_name(title: str, site_name: str | None, heading: LexborNode | None) -> str:
    """ "Courting Russia - Policy Forum" becomes "Courting Russia" when the tail is the
    site's name or the head is the page's own <h1>; a title that merely has a dash stays."""
    separators = list(TITLE_SEPARATOR.finditer(title))
    if not separators:
        return title
    last = separators[-1]
    head, tail = title[: last.start()], title[last.end() :]
    h1 = " ".join(heading.text().split()) if heading is not None else ""
    same_site = bool(site_name) and tail.strip().lower() == (site_name or "").strip().lower()
    if same_site or (h1 and head == h1):
        return head
    return title


def read_authors(tree: LexborHTMLParser, metas: dict[str, list[str]], ld: list[dict]) -> list[str]:
    """Authors from JSON-LD, then author meta tags, then rel=author links."""
    names = person_names(ld_value(ld, "author"))
    if not names:
        names = [n for n in metas.get("author", []) + metas.get("article:author", [])]
        names = [n for n in names if not n.startswith("http")]
    if not names:
        names = [clean_value(node.text()) or "" for node in tree.css('a[rel="author"]')]
    return unique([name for name in names if name])


def read_language(
    tree: LexborHTMLParser, metas: dict[str, list[str]], ld: list[dict]
) -> str | None:
    """Primary language subtag: <html lang>, content-language, og:locale, inLanguage."""
    html = tree.css_first("html")
    candidates = [html.attributes.get("lang") if html is not None else None]
    candidates += [first_meta(metas, "content-language", "og:locale", "language")]
    candidates += [clean_value(ld_value(ld, "inLanguage"))]
    for candidate in candidates:
        code = re.match(r"[a-zA-Z]{2,3}(?=$|[-_])", (candidate or "").strip())
        if code:
            return code.group(0).lower()
    return None


def read_canonical(
    tree: LexborHTMLParser, metas: dict[str, list[str]], url: str | None
) -> str | None:
    """<link rel=canonical>, then og:url, made absolute against the page URL."""
    link = tree.css_first('link[rel="canonical"]')
    href = clean_value(link.attributes.get("href")) if link is not None else None
    href = href or first_meta(metas, "og:url")
    if not href:
        return None
    return urljoin(url, href) if url else href


def keyword_list(value: Any) -> list[str]:
    """Keywords as a list, whether given as a list or a comma-separated string."""
    if isinstance(value, list):
        return [text for text in (clean_value(item) for item in value) if text]
    text = clean_value(value)
    return [part.strip() for part in text.split(",") if part.strip()] if text else []


def read_tags(metas: dict[str, list[str]], ld: list[dict]) -> list[str]:
    """Tags the page declares: article:tag, JSON-LD keywords, keyword meta."""
    tags = list(metas.get("article:tag", []))
    tags = tags or keyword_list(ld_value(ld, "keywords"))
    tags = tags or keyword_list(first_meta(metas, "news_keywords", "keywords"))
    return unique(tags)


def read_section(metas: dict[str, list[str]], ld: list[dict]) -> str | None:
    section = first_meta(metas, "article:section")
    if section:
        return section
    value = ld_value(ld, "articleSection")
    return clean_value(value[0] if isinstance(value, list) and value else value)


def read_free_flag(ld: list[dict]) -> bool | None:
    """isAccessibleForFree from the article or its hasPart, as a bool."""
    value = ld_value(ld, "isAccessibleForFree")
    if value is None:
        parts = [p for item in ld for p in walk_json_ld(item.get("hasPart")) if isinstance(p, dict)]
        value = ld_value(parts, "isAccessibleForFree")
    if isinstance(value, bool):
        return value
    text = clean_value(value)
    return {"true": True, "false": False}.get(text.lower()) if text else None


def time_values(tree: LexborHTMLParser, itemprop: str, any_time: bool) -> list[str]:
    """datetime values of elements marked `itemprop`, then (if `any_time`) of every <time>."""
    marked = tree.css(f'[itemprop="{itemprop}"]')
    values = [n.attributes.get("datetime") or n.attributes.get("content") for n in marked]
    if any_time:
        values += [n.attributes.get("datetime") for n in tree.css("time[datetime]")]
    return [value for value in values if value]


def date_sources(
    tree: LexborHTMLParser, metas: dict[str, list[str]], ld: list[dict], url: str | None
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Raw published and updated candidates by source (feed and text added by callers)."""
    published = {
        "json-ld": [
            str(v) for v in [ld_value(ld, "datePublished"), ld_value(ld, "dateCreated")] if v
        ],
        "meta": [value for key in PUBLISHED_META for value in metas.get(key, [])],
        "time": time_values(tree, "datePublished", any_time=True),
        "url": [url] if url else [],
    }
    updated = {
        "json-ld": [str(v) for v in [ld_value(ld, "dateModified")] if v],
        "meta": [value for key in UPDATED_META for value in metas.get(key, [])],
        "time": time_values(tree, "dateModified", any_time=False),
    }
    return published, updated


def read_metadata(
    tree: LexborHTMLParser, url: str | None, extra_dates: dict[str, list[str]] | None = None
) -> PageMetadata:
    """Everything the page declares about itself; `extra_dates` adds feed/text candidates."""
    ld = read_json_ld(tree)
    metas = meta_map(tree)
    published, updated = date_sources(tree, metas, ld, url)
    published.update(extra_dates or {})
    return PageMetadata(
        title=read_title(tree, metas, ld),
        authors=read_authors(tree, metas, ld),
        published=pick_date(published),
        updated=pick_date(updated),
        language=read_language(tree, metas, ld),
        canonical_url=read_canonical(tree, metas, url),
        description=first_meta(metas, "description", "og:description", "twitter:description")
        or clean_value(ld_value(ld, "description")),
        section=read_section(metas, ld),
        page_tags=read_tags(metas, ld),
        accessible_for_free=read_free_flag(ld),
        json_ld=ld,
    )

"""Render HTML pages (articles, homepages, listings) from the site templates.

Templates use ``string.Template`` placeholders; every value offered here is available to
every site's template, and each site picks the ones its real counterpart shows.
"""

from __future__ import annotations

import datetime as dt
import json
from html import escape
from string import Template

from .catalog import Article, Site

MONTHS_RU_GENITIVE = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)


def paragraphs_html(paragraphs: tuple[str, ...] | list[str]) -> str:
    return "\n".join(f"<p>{escape(text, quote=False)}</p>" for text in paragraphs)


def long_date(moment: dt.datetime) -> str:
    return f"{moment:%B} {moment.day}, {moment.year}"


def day_month_year(moment: dt.datetime) -> str:
    return f"{moment.day} {moment:%B} {moment.year}"


def iso_time(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def dateline(article: Article, site: Site) -> str:
    """TASS opens each story with 'CITY, Month day. /TASS/.'; the date comes from today."""
    pattern = article.extra.get("dateline_format") or site.layout.get("dateline_format")
    if not pattern:
        return ""
    moment = article.published
    return pattern.format(
        CITY=str(article.extra.get("city", "MOSCOW")),
        Month=f"{moment:%B}",
        day=moment.day,
        month_ru=MONTHS_RU_GENITIVE[moment.month - 1],
    )


def body_paragraphs(article: Article, site: Site) -> list[str]:
    paragraphs = list(article.paragraphs)
    opening = dateline(article, site)
    if opening and paragraphs:
        paragraphs[0] = f"{opening} {paragraphs[0]}"
    return paragraphs


def json_ld(article: Article, site: Site, url: str) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "datePublished": iso_time(article.published),
        "dateModified": iso_time(article.published),
        "author": [{"@type": "Person", "name": article.author}],
        "publisher": {"@type": "Organization", "name": site.title},
        "mainEntityOfPage": url,
        "inLanguage": article.language,
    }
    if site.layout.get("paywalled"):
        data["isAccessibleForFree"] = False
        data["hasPart"] = {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            "cssSelector": ".paywalled-content",
        }
    return json.dumps(data, ensure_ascii=False, indent=1)


def citation(article: Article, site: Site, url: str) -> str:
    given, _, surname = article.author.rpartition(" ")
    quoted_title = f'"{article.title} - {site.title}"'
    return f"{surname}, {given}. {article.published.year}. {quoted_title}. {site.title}. {url}"


def links_html(items: list[tuple[str, str]], css_class: str = "article-link") -> str:
    return "\n".join(
        f'<li><a class="{css_class}" href="{escape(url)}">{escape(title)}</a></li>'
        for url, title in items
    )


def article_context(article: Article, site: Site, base: str) -> dict[str, str]:
    url = base + article.path
    paragraphs = body_paragraphs(article, site)
    visible = int(site.layout.get("visible_paragraphs", len(paragraphs)))
    features = site.boilerplate.get("recent_features", [])
    return {
        "base": base,
        "url": escape(url),
        "site_title": escape(site.title),
        "title": escape(article.title),
        "title_json": json.dumps(article.title, ensure_ascii=False),
        "author": escape(article.author),
        "summary": escape(article.summary),
        "date_long": long_date(article.published),
        "date_dmy": day_month_year(article.published),
        "date_short": f"{article.published:%d %b %Y}",
        "date_iso": iso_time(article.published),
        "year": str(article.published.year),
        "body": paragraphs_html(paragraphs),
        "body_head": paragraphs_html(paragraphs[:2]),
        "body_tail": paragraphs_html(paragraphs[2:]),
        "lead": paragraphs_html(paragraphs[:visible]),
        "credit": escape(str(article.extra.get("credit", ""))),
        "tags": links_html(
            [(base + "tag/" + slugify(tag) + "/", tag) for tag in tags(article)], "tag"
        ),
        "tag_line": escape(" | ".join(tags(article))),
        "features": links_html([("#", title) for title in features], "feature"),
        "jsonld": json_ld(article, site, url),
        "citation": escape(citation(article, site, url)),
        "full_story_url": escape(str(article.extra.get("full_story_url", ""))),
        "charset": article.charset,
        "language": article.language,
        "section": escape(str(article.extra.get("section", ""))),
    }


def tags(article: Article) -> list[str]:
    return [str(tag) for tag in article.extra.get("tags", [])]


def slugify(text: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())


def render_article(article: Article, site: Site, base: str) -> str:
    template_name = str(article.extra.get("template", "article.html"))
    return Template(site.template(template_name)).substitute(article_context(article, site, base))


def render_home(site: Site, articles: list[Article], base: str) -> str:
    context = {
        "base": base,
        "site_title": escape(site.title),
        "links": links_html([(base + article.path, article.title) for article in articles]),
    }
    return Template(site.template("home.html")).substitute(context)


def render_listing(
    site: Site, entries: list[tuple[str, Article]], base: str, next_url: str | None
) -> str:
    """A paged archive; ``entries`` pairs each link target with the article it names."""
    items = "\n".join(
        f'<li class="listing-item"><h3><a class="article-link" href="{escape(url)}">'
        f"{escape(article.title)}</a></h3>"
        f'<span class="listing-date">{article.published:%d %b %Y}</span></li>'
        for url, article in entries
    )
    pager = (
        f'<a rel="next" class="pager-next" href="{escape(next_url)}">Next</a>' if next_url else ""
    )
    context = {"base": base, "site_title": escape(site.title), "items": items, "pager": pager}
    return Template(site.template("listing.html")).substitute(context)

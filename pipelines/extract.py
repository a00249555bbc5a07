"""Article extraction: the article's own text and metadata from one page.

Paths, first match wins: a body the page carries as data (Next.js `__NEXT_DATA__`),
the source's own `content` selector, then the generic extractor. WordPress REST posts
have their own entry point. Every path ends in the same cleaning and flagging
(`pipelines.extract_finish`). Nothing here raises on bad input or touches the network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from pipelines.clean import DEFAULT_RULES
from pipelines.dates import DateCandidate, make_candidate
from pipelines.extract_finish import CleanedText, CleaningInput, finish_text
from pipelines.extract_flags import count_words, lead_summary, teaser_link
from pipelines.extract_main import (
    fragment_paragraphs,
    generic_main_text,
    main_paragraphs,
    node_paragraphs,
    remove_selected,
    select_all,
)
from pipelines.extract_structured import (
    DataBody,
    metadata_block_in_scripts,
    next_data_body,
    split_metadata_blocks,
)
from pipelines.extract_wordpress import WordPressPost, read_wordpress_post
from pipelines.metadata import PageMetadata, ld_value, read_metadata

# Bigger inputs are cut: no article needs more, and parsing stays bounded.
MAX_HTML_CHARS = 5_000_000
TEXT_DATE_CHARS = 600
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
DATE_ELEMENTS = '[class*="date"], [class*="Date"], [class*="time"], [id*="date"]'


@dataclass(frozen=True)
class SiteRules:
    """Plain values copied from a source's config entry."""

    content: str | None = None  # CSS selector of the body
    remove: tuple[str, ...] = ()  # CSS selectors removed before extraction
    paywall_markers: tuple[str, ...] = ()  # plain phrases: cut from the first one, flag paywalled
    cut_after: tuple[str, ...] = ()  # plain phrases: cut from the first one (footer junk)


@dataclass
class ExtractedArticle:
    """One article's text, metadata and completeness flags."""

    title: str | None
    authors: list[str]
    published: str | None
    published_from: str | None
    published_precision: str | None
    updated: str | None
    updated_from: str | None
    language: str | None
    canonical_url: str | None
    description: str | None
    section: str | None
    page_tags: list[str]
    accessible_for_free: bool | None
    text: str
    summary: str
    word_count: int
    paywalled: bool
    paywall_reason: str | None
    teaser: bool
    full_story_url: str | None
    structured: dict[str, Any] = field(default_factory=dict)


def empty_article() -> ExtractedArticle:
    """What a page with nothing readable gives."""
    return ExtractedArticle(
        None, [], None, None, None, None, None, None, None, None, None, [], None,
        "", "", 0, False, None, False, None, {},
    )  # fmt: skip


def prepare_html(html: object) -> str:
    """A bounded string without control characters, whatever the caller handed over."""
    if isinstance(html, bytes | bytearray):
        html = bytes(html).decode("utf-8", "replace")
    if not isinstance(html, str):
        return ""
    return CONTROL_CHARS.sub(" ", html[:MAX_HTML_CHARS])


def site_paragraphs(tree: LexborHTMLParser, rules: SiteRules) -> list[str]:
    """The body the source's `content` selector names, or the generic extractor's choice."""
    nodes = select_all(tree, rules.content) if rules.content else []
    paragraphs = node_paragraphs(nodes[0]) if nodes else []
    return paragraphs or main_paragraphs(tree)


def text_dates(tree: LexborHTMLParser, paragraphs: list[str]) -> list[str]:
    """Date strings in the byline area and the start of the text, for the "text" source."""
    near_byline = [node.text(deep=True) or "" for node in tree.css(DATE_ELEMENTS)[:5]]
    return [text[:200] for text in near_byline] + ["\n".join(paragraphs)[:TEXT_DATE_CHARS]]


def date_fields(candidate: DateCandidate | None) -> tuple[str | None, str | None, str | None]:
    if candidate is None:
        return None, None, None
    return candidate.value, candidate.source, candidate.precision


def block_authors(cleaned: CleanedText) -> list[str]:
    """Authors named in a site's metadata block (Carnegie), when the page names none."""
    names = cleaned.structured.get("authors")
    if not isinstance(names, list):
        return []
    return [name.strip() for name in names if isinstance(name, str) and name.strip()]


TEASER_MAX_WORDS = 400


def assemble(
    cleaned: CleanedText, meta: PageMetadata, data: DataBody | None, link: str | None
) -> ExtractedArticle:
    """The article from cleaned text, page metadata and any body the page held as data."""
    text = "\n\n".join(cleaned.paragraphs)
    words = count_words(text)
    # The "Read the full story" line is often a link-only paragraph that the main-block
    # selection already dropped; the link itself still marks a short page as a teaser.
    teaser = cleaned.flags.teaser or (link is not None and words < TEASER_MAX_WORDS)
    published, published_from, precision = date_fields(meta.published)
    updated, updated_from, _ = date_fields(meta.updated)
    return ExtractedArticle(
        title=(data.title if data else None) or meta.title,
        authors=(data.authors if data else []) or meta.authors or block_authors(cleaned),
        published=published,
        published_from=published_from,
        published_precision=precision,
        updated=updated,
        updated_from=updated_from,
        language=meta.language,
        canonical_url=meta.canonical_url,
        description=meta.description or (data.description if data else None),
        section=meta.section or (data.section if data else None),
        page_tags=meta.page_tags,
        accessible_for_free=meta.accessible_for_free,
        text=text,
        summary=lead_summary(cleaned.paragraphs),
        word_count=words,
        paywalled=cleaned.flags.paywalled,
        paywall_reason=cleaned.flags.paywall_reason,
        teaser=teaser,
        full_story_url=link if teaser else None,
        structured=cleaned.structured,
    )


def build_article(
    html: str, url: str | None, rules: SiteRules, listed_date: str | None
) -> ExtractedArticle:
    tree = LexborHTMLParser(html)
    structured = metadata_block_in_scripts(tree) or {}
    data = next_data_body(tree)
    remove_selected(tree, rules.remove)
    raw = (
        fragment_paragraphs(data.body_html, rules.remove) if data else site_paragraphs(tree, rules)
    )
    raw, leaked = split_metadata_blocks(raw)
    extra = {"feed": [listed_date] if listed_date else [], "text": text_dates(tree, raw)}
    meta = read_metadata(tree, url, extra)
    given = CleaningInput(
        cut_after=rules.cut_after,
        paywall_markers=rules.paywall_markers,
        title=(data.title if data else None) or meta.title,
        accessible_for_free=meta.accessible_for_free,
        word_count_claim=ld_value(meta.json_ld, "wordCount"),
    )
    cleaned = finish_text(raw, given)
    cleaned.structured = {**structured, **leaked, **cleaned.structured}
    return assemble(cleaned, meta, data, teaser_link(tree, url, DEFAULT_RULES))


def extract_article(
    html: str,
    url: str | None = None,
    rules: SiteRules | None = None,
    listed_date: str | None = None,
) -> ExtractedArticle:
    """The article in one page; an empty article (never an exception) when there is none."""
    try:
        return build_article(prepare_html(html), url, rules or SiteRules(), listed_date)
    except Exception:  # noqa: BLE001 - a page must never stop the pipeline
        return empty_article()


def main_text(html: str, url: str | None = None) -> str:
    """The generic path only: cleaned main text, paragraphs separated by blank lines."""
    try:
        return generic_main_text(LexborHTMLParser(prepare_html(html)))
    except Exception:  # noqa: BLE001 - same promise as extract_article
        return ""


def wordpress_metadata(post: WordPressPost) -> PageMetadata:
    """Page metadata from a REST post; its GMT dates are stated without an offset."""
    as_utc = [f"{value}Z" if value and value[-1].isdigit() else value for value in
              (post.date_gmt, post.modified_gmt)]  # fmt: skip
    return PageMetadata(
        title=post.title,
        authors=post.authors,
        published=make_candidate("feed", as_utc[0]),
        updated=make_candidate("feed", as_utc[1]),
        canonical_url=post.link,
        description=post.excerpt,
        section=post.categories[0] if post.categories else None,
        page_tags=post.categories + [tag for tag in post.tags if tag not in post.categories],
    )


def build_wordpress_article(post: WordPressPost, rules: SiteRules) -> ExtractedArticle:
    given = CleaningInput(rules.cut_after, rules.paywall_markers, post.title)
    cleaned = finish_text(fragment_paragraphs(post.content_html, rules.remove), given)
    link = teaser_link(LexborHTMLParser(post.content_html), post.link, DEFAULT_RULES)
    return assemble(cleaned, wordpress_metadata(post), None, link)


def extract_wordpress_post(post: dict, rules: SiteRules | None = None) -> ExtractedArticle:
    """An article from a WordPress REST post (JSON from `/wp-json/wp/v2/posts?_embed=1`)."""
    try:
        return build_wordpress_article(read_wordpress_post(post), rules or SiteRules())
    except Exception:  # noqa: BLE001 - same promise as extract_article
        return empty_article()

"""The fields of a WordPress REST post (`/wp-json/wp/v2/posts?_embed=1`).

The post is JSON as the crawler received it; every field may be missing or of the
wrong type, so each read checks what it gets.
"""

from __future__ import annotations

import html as html_entities
from dataclasses import dataclass, field
from typing import Any

from selectolax.lexbor import LexborHTMLParser


@dataclass
class WordPressPost:
    """The parts of a REST post the extractor uses, as plain values."""

    title: str | None = None
    content_html: str = ""
    excerpt: str | None = None
    date_gmt: str | None = None
    modified_gmt: str | None = None
    link: str | None = None
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


def rendered(post: dict[str, Any], key: str) -> str:
    """post[key]["rendered"] (or post[key] when it is a plain string)."""
    value = post.get(key)
    if isinstance(value, dict):
        value = value.get("rendered")
    return value if isinstance(value, str) else ""


def fragment_text(fragment: str) -> str | None:
    """Plain text of a small HTML fragment (titles and excerpts carry entities and tags)."""
    if not fragment.strip():
        return None
    tree = LexborHTMLParser(fragment)
    root = tree.body if tree.body is not None else tree.root
    text = root.text(deep=True, separator=" ") if root is not None else ""
    return " ".join(html_entities.unescape(text).split()) or None


def embedded_names(post: dict[str, Any], key: str) -> list[Any]:
    embedded = post.get("_embedded")
    value = embedded.get(key) if isinstance(embedded, dict) else None
    return value if isinstance(value, list) else []


def author_names(post: dict[str, Any]) -> list[str]:
    names = [a.get("name") for a in embedded_names(post, "author") if isinstance(a, dict)]
    return [name.strip() for name in names if isinstance(name, str) and name.strip()]


def term_names(post: dict[str, Any], taxonomy: str) -> list[str]:
    """Names of the embedded terms of one taxonomy ("category", "post_tag")."""
    groups = [g for g in embedded_names(post, "wp:term") if isinstance(g, list)]
    terms = [t for group in groups for t in group if isinstance(t, dict)]
    names = [t.get("name") for t in terms if t.get("taxonomy", taxonomy) == taxonomy]
    return [html_entities.unescape(n).strip() for n in names if isinstance(n, str) and n.strip()]


def text_field(post: dict[str, Any], key: str) -> str | None:
    value = post.get(key)
    return value.strip() or None if isinstance(value, str) else None


def read_wordpress_post(post: dict[str, Any]) -> WordPressPost:
    """Plain values from a REST post; a non-dict post gives an empty one."""
    if not isinstance(post, dict):
        return WordPressPost()
    return WordPressPost(
        title=fragment_text(rendered(post, "title")),
        content_html=rendered(post, "content"),
        excerpt=fragment_text(rendered(post, "excerpt")),
        date_gmt=text_field(post, "date_gmt") or text_field(post, "date"),
        modified_gmt=text_field(post, "modified_gmt") or text_field(post, "modified"),
        link=text_field(post, "link"),
        authors=author_names(post),
        categories=term_names(post, "category"),
        tags=term_names(post, "post_tag"),
    )

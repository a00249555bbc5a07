"""Article bodies that pages carry as data: Next.js `__NEXT_DATA__` and JSON blocks.

Nikkei Asia pages are Next.js; the article sits in `props.pageProps.data` with
`headline`, `subhead`, `byline`, `body` (HTML) and `primaryTag.name`. Carnegie pages
carry a JSON block (`authors`, `centers`, `regions`, `topics`...) that belongs in the
metadata, not in the text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from selectolax.lexbor import LexborHTMLParser

MAX_NEXT_DATA = 5_000_000
# Keys that tell a site's metadata block from any other JSON a page shows.
METADATA_BLOCK_KEYS = frozenset(
    {"centers", "primaryCenter", "programs", "regions", "topics", "type"}
)
METADATA_SCRIPT_TYPES = ('script[type="application/json"]', 'script[type="text/json"]')


@dataclass(frozen=True)
class DataBody:
    """An article body found as data inside the page."""

    body_html: str
    title: str | None
    authors: list[str]
    description: str | None
    section: str | None


def dig(value: Any, *keys: str) -> Any:
    """value[k1][k2]... or None when any step is missing."""
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def text_or_none(value: Any) -> str | None:
    return " ".join(value.split()) or None if isinstance(value, str) else None


def byline_names(value: Any) -> list[str]:
    """'By Jane Roe and John Doe' or a list of names or {name: ...} objects."""
    if isinstance(value, list):
        names = [text_or_none(v.get("name") if isinstance(v, dict) else v) for v in value]
        return [name for name in names if name]
    text = text_or_none(value)
    if not text:
        return []
    text = re.sub(r"^by\s+", "", text, flags=re.IGNORECASE)
    return [part.strip() for part in re.split(r",\s*|\s+and\s+", text) if part.strip()]


def next_data_body(tree: LexborHTMLParser) -> DataBody | None:
    """The article of a Next.js page (`props.pageProps.data.body`), when it has one."""
    script = tree.css_first("script#__NEXT_DATA__")
    raw = script.text(deep=True) if script is not None else ""
    if not raw or len(raw) > MAX_NEXT_DATA:
        return None
    try:
        data = dig(json.loads(raw), "props", "pageProps", "data")
    except ValueError:
        return None
    body = dig(data, "body")
    if not isinstance(body, str) or not body.strip():
        return None
    return DataBody(
        body_html=body,
        title=text_or_none(dig(data, "headline")),
        authors=byline_names(dig(data, "byline")),
        description=text_or_none(dig(data, "subhead")),
        section=text_or_none(dig(data, "primaryTag", "name")),
    )


def as_metadata_block(raw: str) -> dict[str, Any] | None:
    """A parsed JSON object that looks like a site's article metadata block."""
    raw = raw.strip()
    if not raw.startswith("{") or '"authors"' not in raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    if isinstance(value, dict) and "authors" in value and METADATA_BLOCK_KEYS & value.keys():
        return value
    return None


def metadata_block_in_scripts(tree: LexborHTMLParser) -> dict[str, Any] | None:
    """A metadata block kept in a JSON <script> element."""
    for selector in METADATA_SCRIPT_TYPES:
        for script in tree.css(selector):
            block = as_metadata_block(script.text(deep=True) or "")
            if block:
                return block
    return None


def split_metadata_blocks(paragraphs: list[str]) -> tuple[list[str], dict[str, Any]]:
    """Take metadata blocks that leaked into the text out of it."""
    kept, found = [], {}
    for paragraph in paragraphs:
        block = as_metadata_block(paragraph)
        if block is None:
            kept.append(paragraph)
        else:
            found.update(block)
    return kept, found

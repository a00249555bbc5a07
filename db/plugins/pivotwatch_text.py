"""Search and safe rendering of scraped text.

- Full-text search understands Japanese and Chinese: Datasette's `escape_fts` SQL function
  (used by every `?_search=` box) is replaced by the project's `fts_query`, which quotes
  each word like Datasette does and turns CJK runs into the bigrams the index holds.
- `search_snippet(text, query)` returns a passage around the first match with the matched
  words between control markers; the `snippet` cell escapes the passage first and only
  then turns the markers into `<mark>`, so scraped text can never become HTML.
- Links to originals are made only for http(s) URLs; anything else (`javascript:`,
  `data:`) is shown as plain text.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from datasette import hookimpl
from markupsafe import Markup, escape

from pipelines.search_text import fts_query

START_MARK, END_MARK = "\x02", "\x03"
SNIPPET_CHARS = 260
URL_COLUMNS = {"url", "canonical_url", "full_story_url", "homepage", "atom_link"}
SAFE_SCHEME = re.compile(r"^https?://", re.IGNORECASE)


def is_web_url(value: Any) -> bool:
    return isinstance(value, str) and bool(SAFE_SCHEME.match(value.strip()))


def search_snippet(text: str | None, query: str | None) -> str | None:
    """A passage of `text` around the first word of `query` found, matches marked."""
    if not text:
        return text
    text = text.replace(START_MARK, "").replace(END_MARK, "")
    words = [re.escape(word.strip('"')) for word in (query or "").split() if word.strip('"')]
    if not words:
        return _clip(text, 0)
    pattern = re.compile("|".join(sorted(words, key=len, reverse=True)), re.IGNORECASE)
    found = pattern.search(text)
    passage = _clip(text, found.start() if found else 0)
    return pattern.sub(lambda match: f"{START_MARK}{match.group(0)}{END_MARK}", passage)


def _clip(text: str, position: int) -> str:
    start = max(0, position - SNIPPET_CHARS // 3)
    end = start + SNIPPET_CHARS
    passage = " ".join(text[start:end].split())
    return ("… " if start else "") + passage + (" …" if end < len(text) else "")


def marked_html(passage: str) -> Markup:
    escaped = str(escape(passage))
    return Markup(escaped.replace(START_MARK, "<mark>").replace(END_MARK, "</mark>"))


def link(href: str, text: Any, css_class: str = "") -> Markup:
    return Markup('<a href="{}" class="{}" rel="noopener noreferrer nofollow">{}</a>').format(
        href.strip(), css_class, text
    )


@hookimpl(trylast=True)
def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.create_function("escape_fts", 1, fts_query, deterministic=True)
    conn.create_function("fts_query", 1, fts_query, deterministic=True)
    conn.create_function("search_snippet", 2, search_snippet, deterministic=True)


@hookimpl
def render_cell(row: Any, value: Any, column: str, table: str | None, database: str) -> Any:
    if column == "snippet" and isinstance(value, str):
        return marked_html(value)
    if column in URL_COLUMNS:
        return link(value, value) if is_web_url(value) else Markup(escape(value))
    if table == "article_list" and column == "title":
        return _title_cell(row, value)
    if table == "article_list" and column == "id":
        return link(f"/{database}/articles/{value}", f"#{value}", "article-page")
    return None


def _title_cell(row: Any, title: Any) -> Markup:
    # sqlite3.Row's `in` looks at values, not column names.
    url = row["url"] if "url" in row.keys() else None  # noqa: SIM118
    text = title or "(untitled)"
    return link(url, text, "original") if is_web_url(url) else Markup(escape(text))

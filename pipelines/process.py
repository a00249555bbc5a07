"""One fetched page through every stage: decode, extract, tag, dedupe, store.

The crawler and `reprocess` both go through `ArticleProcessor`, so a stored page
reprocessed later comes out exactly as it did when it was fetched. The work is split in
two: `ArticleAnalyser.analyse` (decode, extract, tag, compress: pure CPU, no database,
its result picklable) can run in worker processes, while `ArticleProcessor.store` (one
transaction: raw page, article, tags, duplicate links) stays on the one writer.
`process(page)` is the two in a row.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from pipelines.canonical import canonicalise_url
from pipelines.decode import decode_html
from pipelines.dedupe import Deduplicator
from pipelines.extract import ExtractedArticle, SiteRules, extract_article, extract_wordpress_post
from pipelines.shingles import shingle_hashes
from pipelines.store import (
    COMPRESSION,
    compress,
    content_hash,
    replace_tags,
    save_compressed_page,
    upsert_article,
    upsert_row,
)
from pipelines.tag import Tagger, Tags, load_taxonomy
from pipelines.tag_digest import digest_key, store_digests, tag_digests

WORDPRESS_JSON = "application/vnd.pivotwatch.wordpress-post+json"


@dataclass(frozen=True)
class FetchedPage:
    """A page as the crawler got it; `url` is the canonical URL it was queued under."""

    url: str
    source: str
    body: bytes
    fetched: str
    content_type: str | None = None
    final_url: str | None = None
    listed_date: str | None = None


@dataclass
class ProcessedArticle:
    article_id: int
    created: bool
    relevant: bool
    duplicate_of: int | None
    full_story_url: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Analysis:
    """What a page yields before anything is stored; plain values, so it crosses processes.

    `page` keeps its metadata without the body; `raw` is the body compressed for raw_pages.
    """

    page: FetchedPage
    raw: bytes
    row: dict[str, Any]
    themes: list[dict[str, Any]]
    entities: list[dict[str, Any]]
    relevant: bool
    # Word-pair hashes for the near-duplicate check, computed here so that the one writer
    # thread does not spend its time on them.
    shingles: set[int] = field(default_factory=set)
    # Digests of the theme and entity rows, stored with them (see pipelines.tag_digest).
    digests: tuple[bytes, int] | None = None


class ArticleAnalyser:
    """Decode, extract, tag and compress one page; touches no database."""

    def __init__(self, tagger: Tagger, rules: dict[str, SiteRules]) -> None:
        self.tagger = tagger
        self.rules = rules
        self.digest_key = digest_key(tagger)

    def extract(self, page: FetchedPage) -> ExtractedArticle:
        rules = self.rules.get(page.source)
        if page.content_type == WORDPRESS_JSON:
            post = json.loads(page.body.decode("utf-8"))
            return extract_wordpress_post(post, rules)
        html = decode_html(page.body, page.content_type)
        return extract_article(html, page.final_url or page.url, rules, page.listed_date)

    def analyse(self, page: FetchedPage) -> Analysis:
        article = self.extract(page)
        tags = self.tagger.scored(article.text, article.title)
        row = ArticleProcessor.article_row(page, article, tags.relevance, tags.relevant)
        themes, entities = tag_rows(self.tagger, tags)
        shingles = shingle_hashes(article.text) if article.text.strip() else set()
        return Analysis(
            replace(page, body=b""),
            compress(page.body),
            row,
            themes,
            entities,
            tags.relevant,
            shingles,
            tag_digests(self.digest_key, tags),
        )


@dataclass(frozen=True)
class AnalyserSpec:
    """Plain values from which a worker process builds its own analyser once."""

    taxonomy_path: Path
    relevance_threshold: float
    theme_threshold: float
    rules: dict[str, SiteRules]

    def build(self) -> ArticleAnalyser:
        taxonomy = load_taxonomy(self.taxonomy_path)
        tagger = Tagger(taxonomy, self.relevance_threshold, self.theme_threshold)
        return ArticleAnalyser(tagger, self.rules)


class ArticleProcessor:
    """Turns fetched pages into stored, tagged articles; one transaction per article."""

    def __init__(
        self,
        db: Database,
        tagger: Tagger | None,
        rules: dict[str, SiteRules],
        deduplicator: Deduplicator | None = None,
    ) -> None:
        """`tagger` None: a processor that only stores pages analysed elsewhere (workers)."""
        self.db = db
        self.tagger = tagger
        self.rules = rules
        self._analyser = None if tagger is None else ArticleAnalyser(tagger, rules)
        self.deduplicator = deduplicator or Deduplicator(db)

    @property
    def analyser(self) -> ArticleAnalyser:
        if self._analyser is None:
            raise RuntimeError("this processor only stores pages analysed elsewhere")
        return self._analyser

    def extract(self, page: FetchedPage) -> ExtractedArticle:
        return self.analyser.extract(page)

    def analyse(self, page: FetchedPage) -> Analysis:
        return self.analyser.analyse(page)

    def process(self, page: FetchedPage, *, save_raw: bool = True) -> ProcessedArticle:
        return self.store(self.analyse(page), save_raw=save_raw)

    def store(self, analysis: Analysis, *, save_raw: bool = True) -> ProcessedArticle:
        """Write one analysed page in one transaction, linking it to its duplicates."""
        page, row = analysis.page, analysis.row
        with self.db.atomic():
            if save_raw:
                save_compressed_page(self.db, self.raw_row(page, analysis.raw))
            alias_of = self._alias_target(page, row)
            if alias_of is not None:
                return self._record_alias(page.url, alias_of)
            created = not self._exists(page.url)
            article_id = upsert_article(self.db, row)
            replace_tags(self.db, article_id, analysis.themes, analysis.entities)
            if analysis.digests:
                store_digests(self.db, [(article_id, *analysis.digests)])
            primary = self.link_duplicates(article_id, row, analysis.shingles)
        return ProcessedArticle(
            article_id, created, analysis.relevant, primary, row["full_story_url"]
        )

    def _exists(self, url: str) -> bool:
        found = self.db.execute("SELECT 1 FROM articles WHERE url = ?", [url]).fetchone()
        return found is not None

    def _alias_target(self, page: FetchedPage, row: dict[str, Any]) -> int | None:
        """The stored article this page is another address of (redirect, canonical link)."""
        if self._exists(page.url):
            return None
        final = canonicalise_url(page.final_url) if page.final_url else None
        for name in dict.fromkeys(n for n in (final, row["canonical_url"]) if n):
            found = self._article_id_for(name)
            if found is not None:
                return found
        return None

    def _record_alias(self, url: str, article_id: int) -> ProcessedArticle:
        upsert_row(self.db, "article_urls", {"url": url, "article_id": article_id}, "url")
        relevant, primary = self.db.execute(
            "SELECT relevant, duplicate_of FROM articles WHERE id = ?", [article_id]
        ).fetchone()
        return ProcessedArticle(article_id, False, bool(relevant), primary)

    def link_duplicates(
        self, article_id: int, row: dict[str, Any], shingles: set[int] | None = None
    ) -> int | None:
        """Join the stored article to its copies; return its `duplicate_of`."""
        primary = self.deduplicator.link(article_id, row["text"], row["content_hash"], shingles)
        if primary is None and row["teaser"] and row["full_story_url"]:
            primary = self._primary_of(self._article_id_for(row["full_story_url"]), article_id)
            self.db.execute(
                "UPDATE articles SET duplicate_of = ? WHERE id = ?", [primary, article_id]
            )
        # A teaser stored before its full story now points at the story's primary.
        root = primary or article_id
        self.db.execute(
            "UPDATE articles SET duplicate_of = ? WHERE teaser = 1 AND id NOT IN (?, ?) "
            "AND full_story_url IN (?, ?)",
            [root, root, article_id, row["url"], row["canonical_url"] or row["url"]],
        )
        return primary

    def _primary_of(self, article_id: int | None, this: int) -> int | None:
        if article_id is None or article_id == this:
            return None
        found = self.db.execute(
            "SELECT coalesce(duplicate_of, id) FROM articles WHERE id = ?", [article_id]
        ).fetchone()
        return None if found[0] == this else int(found[0])

    def _article_id_for(self, url: str) -> int | None:
        found = self.db.execute(
            "SELECT id FROM articles WHERE url = ? OR canonical_url = ? "
            "UNION SELECT article_id FROM article_urls WHERE url = ? LIMIT 1",
            [url, url, url],
        ).fetchone()
        return int(found[0]) if found else None

    @staticmethod
    def raw_row(page: FetchedPage, compressed: bytes) -> dict[str, Any]:
        return {
            "url": page.url,
            "source": page.source,
            "fetched": page.fetched,
            "content_type": page.content_type,
            "listed_date": page.listed_date,
            "final_url": page.final_url,
            "body": compressed,
            "compression": COMPRESSION,
        }

    @staticmethod
    def article_row(
        page: FetchedPage, article: ExtractedArticle, relevance: float, relevant: bool
    ) -> dict[str, Any]:
        fields = asdict(article)
        canonical = fields.pop("canonical_url")
        full_story = fields.pop("full_story_url")
        for unused in ("updated_from", "accessible_for_free", "structured"):
            fields.pop(unused, None)
        return {
            **fields,
            "url": page.url,
            "canonical_url": canonicalise_url(canonical) if canonical else None,
            "full_story_url": canonicalise_url(full_story) if full_story else None,
            "source": page.source,
            "fetched": page.fetched,
            "relevance": relevance_column(relevance),
            "relevant": relevant,
            "content_hash": content_hash(article.text) if article.text.strip() else None,
        }


def relevance_column(relevance: float) -> float:
    """The relevance as stored: within 0..1, to four decimals."""
    return round(min(1.0, max(0.0, relevance)), 4)


def tag_rows(tagger: Tagger, tags: Tags) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The article_themes and article_entities rows (without article_id) for these tags."""
    themes, entities = tagger.theme_rows(tags), tagger.entity_rows(tags)
    return (
        [{"theme_id": key, "score": score, "evidence": ev} for key, (score, ev) in themes.items()],
        [
            {"entity_id": key, "mentions": mentions, "evidence": ev}
            for key, (mentions, ev) in entities.items()
        ],
    )

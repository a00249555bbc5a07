"""What every command shares: settings, sources, taxonomy and the database, loaded lazily.

Loading is lazy so that `--help` and usage errors never touch the configuration, and a
bad configuration is reported before any data is opened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from sqlite_utils import Database

from crawler.lock import LockError, WriterLock
from crawler.settings import ConfigError, Settings, Source, load_settings, load_sources
from pipelines.extract import SiteRules
from pipelines.process import AnalyserSpec, ArticleProcessor
from pipelines.store import (
    StoreError,
    open_database,
    open_reader,
    sync_entities,
    sync_sources,
    sync_themes,
)
from pipelines.tag import Tagger, Taxonomy, TaxonomyError, load_taxonomy


class ExpectedError(Exception):
    """A failure the user can act on; the CLI prints it as one `Error:` line."""


EXPECTED = (ConfigError, StoreError, TaxonomyError, LockError)


@dataclass
class App:
    config_path: Path
    db_override: Path | None = None
    log_format: str = "text"
    _lock: WriterLock | None = field(default=None, repr=False)

    @cached_property
    def settings(self) -> Settings:
        try:
            return load_settings(self.config_path, self.db_override)
        except ConfigError as error:
            raise ExpectedError(str(error)) from error

    @cached_property
    def sources(self) -> list[Source]:
        try:
            return load_sources(self.settings.sources)
        except ConfigError as error:
            raise ExpectedError(str(error)) from error

    @cached_property
    def taxonomy(self) -> Taxonomy:
        try:
            return load_taxonomy(self.settings.themes)
        except TaxonomyError as error:
            raise ExpectedError(str(error)) from error

    def tagger(self) -> Tagger:
        tagging = self.settings.tagging
        return Tagger(self.taxonomy, tagging.relevance_threshold, tagging.theme_threshold)

    def validate(self) -> None:
        """Load every configuration file, so a bad one fails before any data is touched."""
        _ = self.settings, self.sources, self.taxonomy

    def open_writer(self) -> Database:
        """Take the writer lock, open and migrate the database, sync reference tables."""
        self.validate()
        try:
            self._lock = WriterLock.for_database(self.settings.db)
            self._lock.acquire()
            db = open_database(self.settings.db)
        except EXPECTED as error:
            raise ExpectedError(str(error)) from error
        sync_reference_tables(db, self.sources, self.taxonomy)
        return db

    def close(self) -> None:
        """Release the writer lock, if this App holds it."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def open_reader(self) -> Database:
        try:
            return open_reader(self.settings.db)
        except StoreError as error:
            raise ExpectedError(str(error)) from error

    def processor(self, db: Database) -> ArticleProcessor:
        from pipelines.dedupe import Deduplicator

        dedupe = self.settings.dedupe
        return ArticleProcessor(
            db,
            self.tagger(),
            site_rules(self.sources),
            Deduplicator(db, dedupe.near_duplicate_threshold),
        )

    def storing_processor(self, db: Database) -> ArticleProcessor:
        """A processor for pages analysed in worker processes: it holds no taxonomy."""
        from pipelines.dedupe import Deduplicator

        dedupe = self.settings.dedupe
        return ArticleProcessor(
            db, None, site_rules(self.sources), Deduplicator(db, dedupe.near_duplicate_threshold)
        )

    def forget_taxonomy(self) -> None:
        """Drop the loaded taxonomy (tens of MB) once nothing in this process tags pages."""
        self.__dict__.pop("taxonomy", None)

    def analyser_spec(self) -> AnalyserSpec:
        """What a worker process needs to build the same analyser as `processor()`."""
        tagging = self.settings.tagging
        return AnalyserSpec(
            Path(self.settings.themes),
            tagging.relevance_threshold,
            tagging.theme_threshold,
            site_rules(self.sources),
        )


def site_rules(sources: list[Source]) -> dict[str, SiteRules]:
    return {source.name: rules_for(source) for source in sources}


def rules_for(source: Source) -> SiteRules:
    return SiteRules(
        content=source.content,
        remove=tuple(source.remove),
        paywall_markers=tuple(source.paywall_markers),
        cut_after=tuple(source.cut_after),
    )


def sync_reference_tables(db: Database, sources: list[Source], taxonomy: Taxonomy) -> None:
    with db.atomic():
        sync_sources(
            db,
            (
                {
                    "name": s.name,
                    "title": s.title,
                    "homepage": s.homepage,
                    "source_type": s.source_type,
                    "language": s.language,
                }
                for s in sources
            ),
        )
        sync_themes(
            db,
            ({"id": t.id, "label": t.label, "description": t.description} for t in taxonomy.themes),
        )
        sync_entities(db, ({"id": e.id, "name": e.name, "kind": e.kind} for e in taxonomy.entities))

"""The database schema as ordered, named migrations, applied automatically on open.

`db/schema.sql` is the result of applying them all to an empty database; a test
compares the two, so every schema change shows up in review.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("pivotwatch")

CORE_TABLES = """
CREATE TABLE sources (
    name TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    homepage TEXT NOT NULL,
    source_type TEXT NOT NULL,
    language TEXT
);
CREATE TABLE urls (
    url TEXT PRIMARY KEY,
    source TEXT NOT NULL REFERENCES sources(name),
    first_seen TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'discovered' CHECK (
        state IN ('discovered', 'fetched', 'stored', 'skipped', 'failed', 'refused')
    ),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try TEXT,
    last_error TEXT,
    guid TEXT,
    listed_date TEXT,
    article_id INTEGER REFERENCES articles(id)
);
CREATE INDEX urls_due ON urls (state, next_try);
CREATE INDEX urls_guid ON urls (guid);
CREATE INDEX urls_source ON urls (source, state);
CREATE TABLE polls (
    url TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('feed', 'sitemap', 'listing', 'api')),
    etag TEXT,
    last_modified TEXT,
    body_hash TEXT,
    last_status INTEGER,
    last_polled TEXT
);
CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    canonical_url TEXT,
    source TEXT NOT NULL REFERENCES sources(name),
    title TEXT,
    authors TEXT NOT NULL DEFAULT '[]',
    published TEXT,
    published_from TEXT,
    published_precision TEXT,
    updated TEXT,
    fetched TEXT NOT NULL,
    language TEXT,
    description TEXT,
    section TEXT,
    page_tags TEXT NOT NULL DEFAULT '[]',
    text TEXT NOT NULL DEFAULT '',
    summary TEXT,
    word_count INTEGER NOT NULL DEFAULT 0,
    paywalled INTEGER NOT NULL DEFAULT 0,
    paywall_reason TEXT,
    teaser INTEGER NOT NULL DEFAULT 0,
    full_story_url TEXT,
    relevance REAL NOT NULL DEFAULT 0 CHECK (relevance BETWEEN 0 AND 1),
    relevant INTEGER NOT NULL DEFAULT 0,
    content_hash TEXT,
    duplicate_of INTEGER REFERENCES articles(id)
);
CREATE INDEX articles_published ON articles (published);
CREATE INDEX articles_source ON articles (source, published);
CREATE INDEX articles_relevant ON articles (relevant, published);
CREATE INDEX articles_content_hash ON articles (content_hash);
CREATE INDEX articles_duplicate_of ON articles (duplicate_of);
CREATE INDEX articles_full_story_url ON articles (full_story_url);
CREATE TABLE article_urls (
    url TEXT PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id)
);
CREATE INDEX article_urls_article ON article_urls (article_id);
CREATE TABLE themes (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    description TEXT
);
CREATE TABLE article_themes (
    article_id INTEGER NOT NULL REFERENCES articles(id),
    theme_id TEXT NOT NULL REFERENCES themes(id),
    score REAL NOT NULL,
    evidence TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (article_id, theme_id)
);
CREATE INDEX article_themes_theme ON article_themes (theme_id, article_id);
CREATE TABLE entities (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('country', 'place', 'organisation', 'person'))
);
CREATE TABLE article_entities (
    article_id INTEGER NOT NULL REFERENCES articles(id),
    entity_id TEXT NOT NULL REFERENCES entities(id),
    mentions INTEGER NOT NULL,
    evidence TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (article_id, entity_id)
);
CREATE INDEX article_entities_entity ON article_entities (entity_id, article_id);
CREATE TABLE related (
    article_id INTEGER NOT NULL REFERENCES articles(id),
    other_id INTEGER NOT NULL REFERENCES articles(id),
    score REAL NOT NULL,
    PRIMARY KEY (article_id, other_id)
);
CREATE TABLE fetches (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    source TEXT,
    status INTEGER,
    error TEXT,
    bytes INTEGER,
    elapsed_ms INTEGER,
    fetched TEXT NOT NULL
);
CREATE INDEX fetches_fetched ON fetches (fetched);
CREATE INDEX fetches_source ON fetches (source, fetched);
CREATE TABLE crawl_runs (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    discovered INTEGER NOT NULL DEFAULT 0,
    fetched INTEGER NOT NULL DEFAULT 0,
    new_articles INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    outcome TEXT,
    last_error TEXT
);
CREATE INDEX crawl_runs_source ON crawl_runs (source, started);
CREATE TABLE digest_runs (
    id INTEGER PRIMARY KEY,
    name TEXT,
    period_start TEXT,
    period_end TEXT,
    created TEXT NOT NULL,
    rows INTEGER NOT NULL,
    path TEXT
);
CREATE TABLE digest_items (
    digest_run_id INTEGER NOT NULL REFERENCES digest_runs(id),
    article_id INTEGER NOT NULL REFERENCES articles(id),
    PRIMARY KEY (digest_run_id, article_id)
);
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    last_run TEXT,
    outcome TEXT,
    next_run TEXT
);
CREATE TABLE heartbeat (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    pid INTEGER,
    started TEXT,
    beat TEXT
);
CREATE TABLE raw_pages (
    url TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    fetched TEXT NOT NULL,
    content_type TEXT,
    final_url TEXT,
    listed_date TEXT,
    compression TEXT NOT NULL DEFAULT 'zlib',
    body BLOB NOT NULL
);
CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title, text,
    content='articles', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
);
"""


@migrations(name="0001_core_tables")
def create_core_tables(db: Database) -> None:
    for statement in CORE_TABLES.split(";\n"):
        if statement.strip():
            db.execute(statement)


def apply_migrations(db: Database) -> None:
    migrations.apply(db)


def dump_schema(db: Database) -> str:
    """The schema as SQL text in a stable order, without migration bookkeeping."""
    rows = db.execute(
        "SELECT sql FROM sqlite_master WHERE sql IS NOT NULL "
        "AND name NOT LIKE '\\_sqlite\\_migrations%' ESCAPE '\\' "
        "AND name NOT LIKE 'sqlite_%' "
        "AND name NOT LIKE 'articles_fts_%' ORDER BY type DESC, name"
    ).fetchall()
    return "".join(f"{sql};\n" for (sql,) in rows)


@migrations(name="0002_dedupe_index")
def create_dedupe_index(db: Database) -> None:
    # Sampled shingle hashes, so a restart finds near-duplicates without re-reading texts.
    db.execute(
        "CREATE TABLE dedupe_samples (hash INTEGER NOT NULL, "
        "article_id INTEGER NOT NULL REFERENCES articles(id), "
        "PRIMARY KEY (hash, article_id)) WITHOUT ROWID"
    )
    db.execute(
        "CREATE TABLE dedupe_sketches (article_id INTEGER PRIMARY KEY REFERENCES articles(id), "
        "shingles INTEGER NOT NULL, samples BLOB NOT NULL)"
    )


@migrations(name="0003_digest_indexes")
def create_digest_indexes(db: Database) -> None:
    # The digest selects a period by coalesce(published, fetched), or by fetched, and
    # `--new-since-last` looks up every candidate article in earlier digests.
    db.execute("CREATE INDEX articles_digest_date ON articles (coalesce(published, fetched))")
    db.execute("CREATE INDEX articles_fetched ON articles (fetched)")
    db.execute("CREATE INDEX digest_items_article ON digest_items (article_id)")


ARTICLE_LIST_VIEW = """
CREATE VIEW article_list AS
SELECT a.id, a.published, substr(a.published, 1, 7) AS month, s.title AS source,
    s.source_type, a.title, a.url,
    (SELECT group_concat(theme_id, '; ') FROM (SELECT theme_id FROM article_themes AS t
        WHERE t.article_id = a.id ORDER BY t.score DESC, t.theme_id)) AS themes,
    a.relevance, a.paywalled, a.teaser, a.language, a.word_count
FROM articles AS a JOIN sources AS s ON s.name = a.source
WHERE a.relevant = 1 AND a.duplicate_of IS NULL
"""
# Facet values of one listed article (relevant, not a duplicate); {row} is NEW or OLD.
_LISTED_VALUES = """
SELECT facet, value FROM (
    SELECT 'source' AS facet, {row}.source AS value
    UNION ALL SELECT 'month', substr({row}.published, 1, 7)
    UNION ALL SELECT 'language', {row}.language
    UNION ALL SELECT 'paywalled', {row}.paywalled
    UNION ALL SELECT 'theme', theme_id FROM article_themes WHERE article_id = {row}.id
    UNION ALL SELECT 'entity', entity_id FROM article_entities WHERE article_id = {row}.id
) WHERE value IS NOT NULL AND {row}.relevant = 1 AND {row}.duplicate_of IS NULL
"""
BACKFILL_COUNTS = """
WITH listed AS (SELECT id, source, published, language, paywalled FROM articles
    WHERE relevant = 1 AND duplicate_of IS NULL)
INSERT INTO article_list_counts (facet, value, count)
SELECT facet, value, count(*) FROM (
    SELECT 'source' AS facet, source AS value FROM listed
    UNION ALL SELECT 'month', substr(published, 1, 7) FROM listed
    UNION ALL SELECT 'language', language FROM listed
    UNION ALL SELECT 'paywalled', paywalled FROM listed
    UNION ALL SELECT 'theme', theme_id FROM article_themes
        WHERE article_id IN (SELECT id FROM listed)
    UNION ALL SELECT 'entity', entity_id FROM article_entities
        WHERE article_id IN (SELECT id FROM listed)
) WHERE value IS NOT NULL GROUP BY facet, value
"""
_COUNT = (
    "INSERT INTO article_list_counts (facet, value, count) "
    "SELECT facet, value, {sign}1 FROM ({values}) WHERE true "
    "ON CONFLICT (facet, value) DO UPDATE SET count = count {sign} 1;"
)
_LINK_IS_LISTED = (
    "SELECT '{facet}' AS facet, {row}.{column} AS value WHERE EXISTS (SELECT 1 FROM articles "
    "WHERE id = {row}.article_id AND relevant = 1 AND duplicate_of IS NULL)"
)


def _count_trigger(name: str, event: str, table: str, body: list[tuple[str, str]]) -> str:
    steps = "\n".join(_COUNT.format(values=values, sign=sign) for values, sign in body)
    return f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN\n{steps}\nEND"


def _link_triggers(table: str, facet: str, column: str) -> list[str]:
    def listed(row: str) -> str:
        return _LINK_IS_LISTED.format(facet=facet, row=row, column=column)

    return [
        _count_trigger(f"{table}_count_insert", "INSERT", table, [(listed("NEW"), "+")]),
        _count_trigger(f"{table}_count_delete", "DELETE", table, [(listed("OLD"), "-")]),
    ]


def _article_triggers() -> list[str]:
    old, new = _LISTED_VALUES.format(row="OLD"), _LISTED_VALUES.format(row="NEW")
    watched = "relevant, duplicate_of, source, published, language, paywalled"
    return [
        _count_trigger("articles_count_insert", "INSERT", "articles", [(new, "+")]),
        _count_trigger("articles_count_delete", "DELETE", "articles", [(old, "-")]),
        _count_trigger(
            "articles_count_update", f"UPDATE OF {watched}", "articles", [(old, "-"), (new, "+")]
        ),
    ]


@migrations(name="0004_article_list")
def create_article_list(db: Database) -> None:
    # The published list (relevant, duplicates folded) and its facet counts, kept by
    # triggers at write time: counting 100,000+ rows per facet on every page view is
    # too slow, so Datasette reads the unfiltered counts from article_list_counts.
    db.execute(ARTICLE_LIST_VIEW)
    db.execute(
        "CREATE INDEX articles_listed ON articles "
        "(relevant, duplicate_of, published, source, language, paywalled)"
    )
    db.execute(
        "CREATE TABLE article_list_counts (facet TEXT NOT NULL, value TEXT NOT NULL, "
        "count INTEGER NOT NULL, PRIMARY KEY (facet, value)) WITHOUT ROWID"
    )
    db.execute(BACKFILL_COUNTS)
    triggers = _article_triggers()
    triggers += _link_triggers("article_themes", "theme", "theme_id")
    triggers += _link_triggers("article_entities", "entity", "entity_id")
    for trigger in triggers:
        db.execute(trigger)


@migrations(name="0005_digest_tag_order")
def create_digest_tag_order(db: Database) -> None:
    # The digest lists each article's themes by score and its entities by mentions;
    # these indexes hold them in that order, so no per-article sort is needed.
    db.execute(
        "CREATE INDEX article_themes_by_score ON article_themes (article_id, score DESC, theme_id)"
    )
    db.execute(
        "CREATE INDEX article_entities_by_mentions "
        "ON article_entities (article_id, mentions DESC, entity_id)"
    )


@migrations(name="0006_dedupe_common_samples")
def create_dedupe_common_samples(db: Database) -> None:
    # Samples found in more than 100 articles are boilerplate: they are kept here and
    # their posting lists dropped, so a near-duplicate check never reads them.
    db.execute("CREATE TABLE dedupe_common (hash INTEGER PRIMARY KEY)")
    db.execute(
        "INSERT INTO dedupe_common (hash) SELECT hash FROM dedupe_samples "
        "GROUP BY hash HAVING count(*) > 100"
    )
    db.execute("DELETE FROM dedupe_samples WHERE hash IN (SELECT hash FROM dedupe_common)")


@migrations(name="0007_dedupe_sample_counts")
def add_dedupe_sample_counts(db: Database) -> None:
    # Each posting carries its article's sample count, so a check filters candidates
    # by share while reading the postings, without a lookup per candidate.
    db.execute("ALTER TABLE dedupe_samples ADD COLUMN sample_count INTEGER NOT NULL DEFAULT 0")
    db.execute(
        "UPDATE dedupe_samples SET sample_count = (SELECT length(samples) / 8 "
        "FROM dedupe_sketches AS k WHERE k.article_id = dedupe_samples.article_id)"
    )


@migrations(name="0008_robots_cache")
def create_robots_cache(db: Database) -> None:
    # robots.txt is kept between passes and reused while fresh (then revalidated with a
    # conditional GET), so an unchanged pass costs one request per feed, sitemap or
    # listing. The canonical_url index keeps the alias lookup of every stored page from
    # scanning the whole archive.
    db.execute(
        "CREATE TABLE robots_cache (origin TEXT PRIMARY KEY, status INTEGER NOT NULL, "
        "body BLOB NOT NULL, etag TEXT, last_modified TEXT, fetched TEXT NOT NULL, "
        "expires TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX articles_canonical_url ON articles (canonical_url)")


@migrations(name="0009_related_scored")
def create_related_scored(db: Database) -> None:
    # The articles whose neighbours have been looked for. Without it, an article with no
    # neighbour close enough (no `related` rows) was looked at again on every pass.
    db.execute("CREATE TABLE related_scored (article_id INTEGER PRIMARY KEY)")
    db.execute("INSERT INTO related_scored SELECT DISTINCT article_id FROM related")


# Re-tagging compares an article's new tags with a digest of what is stored, and reads the
# stored rows only where the two differ. Any write to what a digest covers (an article's
# tag rows but a theme's score, its title, its text) drops the article's digest, so rows
# changed by other means are never taken as current. Scores are compared on every pass.
_DIGEST_DROPS = [
    ("article_themes", "INSERT", ["NEW.article_id"]),
    (
        "article_themes",
        "UPDATE OF article_id, theme_id, evidence",
        ["OLD.article_id", "NEW.article_id"],
    ),
    ("article_themes", "DELETE", ["OLD.article_id"]),
    ("article_entities", "INSERT", ["NEW.article_id"]),
    ("article_entities", "UPDATE", ["OLD.article_id", "NEW.article_id"]),
    ("article_entities", "DELETE", ["OLD.article_id"]),
    ("articles", "UPDATE OF title, text", ["OLD.id", "NEW.id"]),
    ("articles", "DELETE", ["OLD.id"]),
]


@migrations(name="0010_article_tag_digests")
def create_article_tag_digests(db: Database) -> None:
    db.execute(
        "CREATE TABLE article_tag_digests (article_id INTEGER PRIMARY KEY, "
        "themes INTEGER NOT NULL, entities INTEGER NOT NULL)"
    )
    for table, event, ids in _DIGEST_DROPS:
        name = f"{table}_drop_tag_digest_{event.split()[0].lower()}"
        db.execute(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN "
            f"DELETE FROM article_tag_digests WHERE article_id IN ({', '.join(ids)}); END"
        )


@migrations(name="0011_theme_digests_per_theme")
def digest_each_theme(db: Database) -> None:
    # One digest per theme, packed in a blob, where there was one for all themes. The
    # digests only spare re-tagging work, so the old ones are dropped, not converted.
    db.execute("DROP TABLE article_tag_digests")
    db.execute(
        "CREATE TABLE article_tag_digests (article_id INTEGER PRIMARY KEY, "
        "themes BLOB NOT NULL, entities INTEGER NOT NULL)"
    )
